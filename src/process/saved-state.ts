import * as core from '@actions/core';
import { State } from '../names.js';

// Everything the main step saves for the post step, and every read of it: through
// core.saveState / core.getState only, so that a runner that keeps state its own way (GitHub's
// local-action keeps it in memory) hands it over too.

/** The main step saves this first: the bundle's second invocation is then the post step. */
export function markMainStep(): void {
  core.saveState(State.IsPost, 'true');
}

export function isPostStep(): boolean {
  return core.getState(State.IsPost) === 'true';
}

/** The run's folder and the token of its marker file (see run-folder.ts). */
export function saveRunFolder(directory: string, token: string): void {
  core.saveState(State.RunDirectory, directory);
  core.saveState(State.RunToken, token);
}

export function savedRunFolder(): { directory: string; token: string } {
  return { directory: core.getState(State.RunDirectory), token: core.getState(State.RunToken) };
}
