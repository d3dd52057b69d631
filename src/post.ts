import * as fs from 'node:fs/promises';
import { endChildren } from './process/children.js';
import { messageOf } from './errors.js';
import { childrenDirectory, notThisRunsFolder } from './process/run-folder.js';
import { savedRunFolder } from './process/saved-state.js';
import { surface } from './report/surface.js';

// The post step runs on every job, so it starts light: none of main's modules (undici, the
// registry client), only the state main saved and the run folder's checks.

/**
 * Removes this run's folder, credentials included, after a failure too, and ends any child
 * the main step left running. It acts only on the folder this run's main step made (see
 * notThisRunsFolder), whatever the state says. Warns; never fails the job. The command line,
 * which has no post step, calls it as it ends, over the state it kept in memory.
 */
export async function post(): Promise<void> {
  const { directory, token } = savedRunFolder();
  if (!directory) return;
  const why = notThisRunsFolder(directory, token);
  if (why) {
    surface().warning(`Not removing ${JSON.stringify(directory)}: ${why}.`);
    return;
  }
  // A step that was cancelled, or killed before it could, may have left children running.
  const ended = await endChildren(childrenDirectory(directory));
  if (ended > 0) surface().info(`Ended ${ended} process(es) this run had left running.`);
  try {
    await fs.rm(directory, { recursive: true, force: true });
    surface().info(`Removed ${directory} (credentials of this run).`);
  } catch (error) {
    surface().warning(
      `Could not remove ${directory}: ${messageOf(error)}. It holds this run's registry credentials: delete it.`,
    );
  }
}

/** The entry point `@github/local-action --post` calls. */
export const run = post;
