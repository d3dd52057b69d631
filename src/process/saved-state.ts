import { State } from '../names.js';
import { surface } from '../report/surface.js';

// Everything the main step saves for the post step, and every read of it: through the surface's
// saveState / getState only (core.saveState / core.getState on a runner), so that a runner that
// keeps state its own way (GitHub's local-action keeps it in memory) hands it over too, and the
// command line, which cleans up in the same process, keeps it in memory.

/** The main step saves this first: the bundle's second invocation is then the post step. */
export function markMainStep(): void {
  surface().saveState(State.IsPost, 'true');
}

export function isPostStep(): boolean {
  return surface().getState(State.IsPost) === 'true';
}

/** The run's folder and the token of its marker file (see run-folder.ts). */
export function saveRunFolder(directory: string, token: string): void {
  surface().saveState(State.RunDirectory, directory);
  surface().saveState(State.RunToken, token);
}

export function savedRunFolder(): { directory: string; token: string } {
  return { directory: surface().getState(State.RunDirectory), token: surface().getState(State.RunToken) };
}
