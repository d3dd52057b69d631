import * as core from '@actions/core';
import * as fs from 'node:fs/promises';
import { endChildren } from './process/children.js';
import { messageOf } from './errors.js';
import { childrenDirectory, notThisRunsFolder } from './process/run-folder.js';
import { savedRunFolder } from './process/saved-state.js';

// The post step runs on every job, so it starts light: none of main's modules (undici, the
// registry client), only the state main saved and the run folder's checks.

/**
 * Removes this run's folder, credentials included, after a failure too, and ends any child
 * the main step left running. It acts only on the folder this run's main step made (see
 * notThisRunsFolder), whatever the state says. Warns; never fails the job.
 */
export async function post(): Promise<void> {
  const { directory, token } = savedRunFolder();
  if (!directory) return;
  const why = notThisRunsFolder(directory, token);
  if (why) {
    core.warning(`Not removing ${JSON.stringify(directory)}: ${why}.`);
    return;
  }
  // A step that was cancelled, or killed before it could, may have left children running.
  const ended = await endChildren(childrenDirectory(directory));
  if (ended > 0) core.info(`Ended ${ended} process(es) the main step had left running.`);
  try {
    await fs.rm(directory, { recursive: true, force: true });
    core.info(`Removed ${directory} (credentials of this run).`);
  } catch (error) {
    core.warning(
      `Could not remove ${directory}: ${messageOf(error)}. It holds this run's registry credentials: delete it.`,
    );
  }
}

/** The entry point `@github/local-action --post` calls. */
export const run = post;
