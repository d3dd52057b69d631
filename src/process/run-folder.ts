import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUN_DIRECTORY_PREFIX } from '../names.js';
import { saveRunFolder } from './saved-state.js';

// This run's own folder (the auth file, the hand-over, the child records), and how the post
// step knows it for this run's: directly under RUNNER_TEMP, not a link, holding a marker file
// whose random token the saved state holds too.

/** The marker file in the run's folder, holding the token the state holds. */
const MARKER = '.build-push-image-run';

/**
 * Where run folders are made: RUNNER_TEMP (else the system's temp folder), absolute and with
 * every link resolved, so that the build context check and the post step compare real paths.
 */
export function runParent(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const parent = path.resolve(cwd, env.RUNNER_TEMP || os.tmpdir());
  try {
    return fs.realpathSync(parent);
  } catch {
    return parent;
  }
}

/**
 * A fresh folder for this run only, under RUNNER_TEMP, so that two jobs on one runner share
 * nothing. Its path and token, never its content, are handed to the post step, which deletes it.
 */
export async function createRunDirectory(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const directory = await fs.promises.mkdtemp(path.join(runParent(env), RUN_DIRECTORY_PREFIX));
  await fs.promises.chmod(directory, 0o700);
  const token = randomBytes(16).toString('hex');
  await fs.promises.writeFile(path.join(directory, MARKER), token, { mode: 0o600, flag: 'wx' });
  saveRunFolder(directory, token);
  return directory;
}

/**
 * Why `directory` is not this run's folder, or undefined when it is: directly under the run
 * parent, a real folder (not a link), its name ours, its marker a plain file holding `token`.
 */
export function notThisRunsFolder(
  directory: string,
  token: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!path.isAbsolute(directory) || path.dirname(directory) !== runParent(env))
    return `it is not directly under RUNNER_TEMP (${runParent(env)})`;
  if (!path.basename(directory).startsWith(RUN_DIRECTORY_PREFIX))
    return 'it is not a folder this action made';
  try {
    if (!fs.lstatSync(directory).isDirectory()) return 'it is not a folder (a link, or a file)';
    const marker = path.join(directory, MARKER);
    if (!fs.lstatSync(marker).isFile() || !token || fs.readFileSync(marker, 'utf8') !== token)
      return "its marker does not hold this run's token";
  } catch {
    return "it holds no marker of this run's";
  }
  return undefined;
}

/** Where the run records the child processes it starts (see children.ts). */
export function childrenDirectory(runDirectory: string): string {
  return path.join(runDirectory, 'children');
}
