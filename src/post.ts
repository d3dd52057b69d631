import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { endChildren } from './children.js';
import { messageOf } from './errors.js';
import { RUN_DIRECTORY_PREFIX, State } from './names.js';

// The post step runs on every job, so it starts light: no @actions/core (which loads an HTTP
// client), only the state the runner hands over as STATE_* and two workflow commands.

function warning(message: string): void {
  const escaped = message.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  process.stdout.write(`::warning::${escaped}\n`);
}

/** Removes this run's folder, credentials included, after a failure too. Warns; never fails the job. */
export async function post(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const directory = env[`STATE_${State.RunDirectory}`];
  if (!directory) return;
  if (!path.basename(directory).startsWith(RUN_DIRECTORY_PREFIX)) {
    warning(`Not removing ${directory}: it is not a folder this action made.`);
    return;
  }
  // A step that was cancelled, or killed before it could, may have left children running.
  const ended = await endChildren(path.join(directory, 'children'));
  if (ended > 0) process.stdout.write(`Ended ${ended} process(es) the main step had left running.\n`);
  try {
    await fs.rm(directory, { recursive: true, force: true });
    process.stdout.write(`Removed ${directory} (credentials of this run).\n`);
  } catch (error) {
    warning(
      `Could not remove ${directory}: ${messageOf(error)}. It holds this run's registry credentials: delete it.`,
    );
  }
}
