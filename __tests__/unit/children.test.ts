// The children a run starts, with real processes: recorded while they run, ended by the post
// step when the main step could not end them, and a recycled process ID left alone.
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { endChildren, isRunning, launch, recordChildrenIn } from '../../src/children.js';
import { post } from '../../src/post.js';
import { RUN_DIRECTORY_PREFIX } from '../../src/names.js';

/** Starts `timeout 60 sleep 60` as runTool would, in its own process group, not waited for. */
function startRecorded(): Promise<number> {
  const child = launch('timeout', ['60', 'sleep', '60']);
  const process = spawn(child.command, child.args, { stdio: 'ignore', detached: true });
  process.unref();
  return new Promise((resolve) => setTimeout(() => resolve(process.pid!), 300));
}

describe('children of a run', () => {
  test('are recorded while they run, and ended with their process group by the post step', async () => {
    const runDirectory = fs.mkdtempSync(path.join(os.tmpdir(), RUN_DIRECTORY_PREFIX));
    const ledger = path.join(runDirectory, 'children');
    recordChildrenIn(ledger);
    const pid = await startRecorded();
    expect(fs.readdirSync(ledger)).toEqual(['0.timeout']);
    expect(isRunning(pid)).toBe(true);

    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await post({ [`STATE_runDirectory`]: runDirectory });
    } finally {
      process.stdout.write = write;
    }
    expect(written.join('')).toContain('Ended 1 process(es) the main step had left running.');
    expect(isRunning(pid)).toBe(false);
    expect(fs.existsSync(runDirectory)).toBe(false);
  });

  test('a recorded ID now running another command is left alone', async () => {
    const ledger = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-children-'));
    const other = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    other.unref();
    // As if a recorded `skopeo` had ended and its ID been given to this sleep.
    fs.writeFileSync(path.join(ledger, '0.skopeo'), `${other.pid}\n`);
    expect(await endChildren(ledger, 100)).toBe(0);
    expect(isRunning(other.pid!)).toBe(true);
    process.kill(other.pid!, 'SIGKILL');
  });

  test('the post step removes only a folder this action made, whatever the state says', async () => {
    const foreign = fs.mkdtempSync(path.join(os.tmpdir(), 'not-ours-'));
    fs.writeFileSync(path.join(foreign, 'keep'), 'x');
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await post({ [`STATE_runDirectory`]: foreign });
      await post({});
    } finally {
      process.stdout.write = write;
    }
    expect(fs.existsSync(path.join(foreign, 'keep'))).toBe(true);
    expect(written).toEqual([`::warning::Not removing ${foreign}: it is not a folder this action made.\n`]);
    fs.rmSync(foreign, { recursive: true });
  });
});
