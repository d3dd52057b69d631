// The unit project alone, for Stryker (npm run mutate): with the whole config it would run the
// e2e project too, and the unit tests twice.
import config from './jest.config.js';

export default config.projects.find((project) => project.displayName === 'unit');
