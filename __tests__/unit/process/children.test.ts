// The children a run starts, with real processes: recorded while they run, ended by the post
// step when the main step could not end them, and a recycled process ID left alone. The post
// step acts only on the folder this run's main step made.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  endChildren,
  isRunning,
  launch,
  recordChildrenIn,
  startTime,
} from '../../../src/process/children.js';
import { post } from '../../../src/post.js';
import { createRunDirectory } from '../../../src/process/run-folder.js';

/** Starts `timeout 60 sleep 60` as runTool would, in its own process group, not waited for. */
function startRecorded(): Promise<number> {
  const child = launch('timeout', ['60', 'sleep', '60']);
  const process = spawn(child.command, child.args, { stdio: 'ignore', detached: true });
  process.unref();
  return new Promise((resolve) => setTimeout(() => resolve(process.pid!), 300));
}

/** A process that is not this run's: a sleep of its own process group. */
function unrelated(): number {
  const other = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
  other.unref();
  return other.pid!;
}

let runnerTemp: string;
let written: string[];
const saved = { ...process.env };
beforeEach(() => {
  runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-runner-temp-'));
  process.env.RUNNER_TEMP = runnerTemp;
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
});

/** The state main saved (the runner hands it to the post step as STATE_*). */
function stateOf(directory: string, token: string): void {
  process.env.STATE_runDirectory = directory;
  process.env.STATE_runToken = token;
}

/** A run folder as main makes it, with the state it saves. */
async function mainsFolder(): Promise<{ directory: string; token: string }> {
  const directory = await createRunDirectory();
  // Without GITHUB_STATE, @actions/core saves state as a command on stdout.
  const saved = written.join('');
  written.length = 0;
  expect(saved).toContain(`::save-state name=runDirectory::${directory}\n`);
  return { directory, token: /::save-state name=runToken::([0-9a-f]{32})\n/.exec(saved)![1] };
}

describe('children of a run', () => {
  test('are recorded with their start time while they run, and ended with their process group by the post step', async () => {
    const { directory, token } = await mainsFolder();
    const ledger = path.join(directory, 'children');
    recordChildrenIn(ledger);
    const pid = await startRecorded();
    expect(fs.readdirSync(ledger)).toEqual(['0.timeout']);
    expect(fs.readFileSync(path.join(ledger, '0.timeout'), 'utf8')).toBe(`${pid} ${startTime(pid)}\n`);
    expect(isRunning(pid)).toBe(true);

    stateOf(directory, token);
    await post();
    expect(written.join('')).toContain('Ended 1 process(es) this run had left running.');
    expect(written.join('')).toContain(`Removed ${directory} (credentials of this run).`);
    expect(isRunning(pid)).toBe(false);
    expect(fs.existsSync(directory)).toBe(false);
  });

  test('a recorded ID now running another command, or started at another time, is left alone', async () => {
    const ledger = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-children-'));
    const other = unrelated();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // As if a recorded `skopeo` had ended and its ID been given to this sleep.
    fs.writeFileSync(path.join(ledger, '0.skopeo'), `${other} ${startTime(other)}\n`);
    // As if a recorded `sleep` had ended and its ID been given to another sleep.
    fs.writeFileSync(path.join(ledger, '1.sleep'), `${other} ${Number(startTime(other)) - 1}\n`);
    // A record without a start time (written without /proc) proves nothing.
    fs.writeFileSync(path.join(ledger, '2.sleep'), `${other}\n`);
    expect(await endChildren(ledger, 100)).toBe(0);
    expect(isRunning(other)).toBe(true);
    // The same ID, command and start time: it is the recorded child.
    fs.writeFileSync(path.join(ledger, '3.sleep'), `${other} ${startTime(other)}\n`);
    expect(await endChildren(ledger, 1000)).toBe(1);
    expect(isRunning(other)).toBe(false);
  });
});

describe('the post step removes only the folder this run made', () => {
  test('a folder elsewhere with the right prefix, holding a child record of an unrelated process, is left alone', async () => {
    const victim = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-victim-')),
      'important',
      'build-push-image-x',
    );
    fs.mkdirSync(path.join(victim, 'children'), { recursive: true });
    const other = unrelated();
    await new Promise((resolve) => setTimeout(resolve, 100));
    fs.writeFileSync(path.join(victim, 'children', '0.sleep'), `${other} ${startTime(other)}\n`);
    stateOf(victim, 'x');
    await post();
    expect(fs.existsSync(path.join(victim, 'children', '0.sleep'))).toBe(true);
    expect(isRunning(other)).toBe(true);
    expect(written.join('')).toBe(
      `::warning::Not removing ${JSON.stringify(victim)}: it is not directly under RUNNER_TEMP (${fs.realpathSync(runnerTemp)}).\n`,
    );
    process.kill(other, 'SIGKILL');
  });

  test.each([
    ['a folder of the right name without the marker', 'no-marker', "it holds no marker of this run's"],
    ['a folder whose marker holds another token', 'other-token', "its marker does not hold this run's token"],
    ['a link to a folder of this run', 'link', 'it is not a folder (a link, or a file)'],
    ['a folder of another name', 'foreign', 'it is not a folder this action made'],
  ])('%s is left alone', async (_, kind, why) => {
    const { directory, token } = await mainsFolder();
    let target = directory;
    if (kind === 'no-marker') fs.rmSync(path.join(directory, '.build-push-image-run'));
    if (kind === 'other-token')
      fs.writeFileSync(path.join(directory, '.build-push-image-run'), 'f'.repeat(32));
    if (kind === 'link') {
      target = path.join(fs.realpathSync(runnerTemp), 'build-push-image-link');
      fs.symlinkSync(directory, target);
    }
    if (kind === 'foreign') {
      target = path.join(fs.realpathSync(runnerTemp), 'not-ours');
      fs.mkdirSync(target);
    }
    stateOf(target, token);
    await post();
    expect(fs.existsSync(path.join(directory))).toBe(true);
    expect(fs.existsSync(target)).toBe(true);
    expect(written.join('')).toBe(`::warning::Not removing ${JSON.stringify(target)}: ${why}.\n`);
  });

  test('without state the post step does nothing', async () => {
    await post();
    expect(written).toEqual([]);
  });

  test('a relative RUNNER_TEMP, or one behind a link, is resolved: the folder is made and found by its real path', async () => {
    const real = fs.realpathSync(runnerTemp);
    const link = `${real}-link`;
    fs.symlinkSync(real, link);
    process.env.RUNNER_TEMP = link;
    const { directory, token } = await mainsFolder();
    expect(path.dirname(directory)).toBe(real);
    stateOf(directory, token);
    await post();
    expect(fs.existsSync(directory)).toBe(false);
  });
});
