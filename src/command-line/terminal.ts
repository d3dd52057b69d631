import type { Output, State } from '../names.js';
import { neutralise } from '../report/log.js';
import type { Surface } from '../report/surface.js';
import { scrub } from '../secrets.js';

// The command line's surface: the log on stderr, the outputs kept for stdout, no job summary,
// the state of the run in memory (the clean-up runs in this process). What it masks it scrubs
// from everything it writes, as a runner masks its log; every line is guarded as a runner's
// would be (neutralise), since the command line may itself run in a workflow step.

export interface Terminal extends Surface {
  /** The step's one error, in the log. */
  error(text: string): void;
  /** The outputs set so far, in the order they were first set. */
  readonly outputs: Partial<Record<Output, string>>;
  /** The outputs as stdout shows them (see formatOutputs), masked secrets scrubbed. */
  printedOutputs(json: boolean): string;
}

export function terminalSurface(options: { verbose: boolean; log: (line: string) => void }): Terminal {
  const masked: string[] = [];
  const state = new Map<State, string>();
  const outputs: Partial<Record<Output, string>> = {};
  const shown = (text: string): string => scrub(text, masked);
  const log = (text: string): void => options.log(neutralise(shown(text)));
  return {
    info: log,
    warning: (text) => log(`warning: ${text}`),
    debug: (text) => {
      if (options.verbose) log(`debug: ${text}`);
    },
    error: (text) => log(`error: ${text}`),
    async group(name, work) {
      log(`== ${name}`);
      return work();
    },
    setOutput: (name, value) => (outputs[name] = value),
    mask: (secret) => masked.push(secret),
    saveState: (name, value) => state.set(name, value),
    getState: (name) => state.get(name) ?? '',
    outputs,
    printedOutputs: (json) =>
      formatOutputs(
        Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, shown(value)])),
        json,
      ),
  };
}

/**
 * The outputs for stdout: one JSON object, or `name=value` lines (a value of several lines,
 * such as part_ref, as one line each).
 */
export function formatOutputs(outputs: Partial<Record<Output, string>>, json: boolean): string {
  if (json) return `${JSON.stringify(outputs)}\n`;
  const lines = Object.entries(outputs).flatMap(([name, value]) =>
    value.split('\n').map((line) => `${name}=${line}`),
  );
  return lines.map((line) => `${neutralise(line)}\n`).join('');
}
