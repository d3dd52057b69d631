import * as core from '@actions/core';
import type { Output, State } from '../names.js';

// What a run says to whoever runs it, and what it keeps for its clean-up: the one port between
// the shared code and its host. The action's host is the runner (@actions/core: the log on
// stdout, workflow commands, the job summary, the post step's state); the command line
// installs its own (see command-line/terminal.ts). Every log line, output, mask and saved
// state of the shared code goes through the surface installed here.

export interface Surface {
  info(text: string): void;
  warning(text: string): void;
  debug(text: string): void;
  /** `work` under a heading (a collapsible group in a runner's log). */
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
  setOutput(name: Output, value: string): void;
  /** The job summary, where the host shows one; a host without one leaves it out. */
  summary?(markdown: string): Promise<void>;
  /** Hides `secret` wherever the host shows the run's output. */
  mask(secret: string): void;
  /** What the clean-up needs (the action's post step reads it back in another process). */
  saveState(name: State, value: string): void;
  getState(name: State): string;
}

/** The runner's surface, through @actions/core. */
export const actionsSurface: Surface = {
  info: (text) => core.info(text),
  warning: (text) => core.warning(text),
  debug: (text) => core.debug(text),
  group: (name, work) => core.group(name, work),
  setOutput: (name, value) => core.setOutput(name, value),
  async summary(markdown) {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    try {
      await core.summary.addRaw(markdown, true).write();
    } catch (error) {
      core.summary.emptyBuffer();
      throw error;
    }
  },
  mask: (secret) => core.setSecret(secret),
  saveState: (name, value) => core.saveState(name, value),
  getState: (name) => core.getState(name),
};

let installed: Surface = actionsSurface;

/** The surface every call site speaks to: the runner's, unless a host installed its own. */
export function surface(): Surface {
  return installed;
}

/** Installs a host's surface for the rest of the process; returns the one it replaces. */
export function useSurface(next: Surface): Surface {
  const previous = installed;
  installed = next;
  return previous;
}
