import * as core from '@actions/core';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIRECTORY_PREFIX, State } from './names.js';

/**
 * A fresh folder for this run only (the auth file, the image ID, the pushed digest), under
 * RUNNER_TEMP, so that two jobs on one runner share nothing. Its path, never its content, is
 * handed to the post step (post.ts), which deletes it.
 */
export async function createRunDirectory(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const parent = env.RUNNER_TEMP || os.tmpdir();
  const directory = await fs.mkdtemp(path.join(parent, RUN_DIRECTORY_PREFIX));
  await fs.chmod(directory, 0o700);
  core.saveState(State.RunDirectory, directory);
  return directory;
}

/** Where the run records the child processes it starts (see children.ts). */
export function childrenDirectory(runDirectory: string): string {
  return path.join(runDirectory, 'children');
}
