import { run } from './cli.js';

// The command line's entry: dist/cli.js loads its bundle, dist/cli/ (apart from the action's
// chunks). The exit code is the run's; a signal ends the process itself (see cli.ts).
process.exitCode = await run(process.argv.slice(2));
