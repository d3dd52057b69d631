// The unit project alone, for Stryker (npm run mutate): with the whole config it would run the
// e2e project too, and the unit tests twice. The structure test is left out: it reads the
// sandbox's instrumented sources, whose sizes and imports are Stryker's, not the project's; so
// is the command line's repository test, which runs dist/cli.js, whose copy in the sandbox
// loses its mode bits (and which mutates nothing of src/).
import config from './jest.config.js';

const unit = config.projects.find((project) => project.displayName === 'unit');

export default {
  ...unit,
  testPathIgnorePatterns: [
    '/node_modules/',
    '/__tests__/repo/structure\\.test\\.ts$',
    '/__tests__/repo/command-line\\.test\\.ts$',
  ],
};
