import * as core from '@actions/core';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { messageOf } from './errors.js';
import { State } from './names.js';

const PREFIX = 'build-push-image-';

/**
 * A fresh folder for this run only (the auth file, the image ID, the pushed digest), under
 * RUNNER_TEMP, so that two jobs on one runner share nothing. Its path, never its content, is
 * handed to the post step, which deletes it.
 */
export async function createRunDirectory(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const parent = env.RUNNER_TEMP || os.tmpdir();
  const directory = await fs.mkdtemp(path.join(parent, PREFIX));
  await fs.chmod(directory, 0o700);
  core.saveState(State.RunDirectory, directory);
  return directory;
}

/** The post step's work: remove the run folder, after a failure too. Warns, never fails. */
export async function removeRunDirectory(): Promise<void> {
  const directory = core.getState(State.RunDirectory);
  if (!directory) return;
  if (!path.basename(directory).startsWith(PREFIX)) {
    core.warning(`Not removing ${directory}: it is not a folder this action made.`);
    return;
  }
  try {
    await fs.rm(directory, { recursive: true, force: true });
    core.info(`Removed ${directory} (credentials of this run).`);
  } catch (error) {
    core.warning(
      `Could not remove ${directory}: ${messageOf(error)}. It holds this run's registry credentials: delete it.`,
    );
  }
}
