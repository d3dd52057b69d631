// runTool against real processes (sh, sleep): no mocks needed to prove scrubbing and timeouts;
// and the environment a child process gets.
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ToolError } from '../../../src/errors.js';
import { childEnvironment, findOnPath, runTool } from '../../../src/process/tools.js';
import { capturingStdout } from '../../helpers/stdout.js';

const KEY = `zak_${'a1'.repeat(16)}`;

describe('runTool', () => {
  test('a tool that echoes its stdin secret in an error has it scrubbed from the error and the log', async () => {
    const { written } = await capturingStdout(async () => {
      const error = await runTool('sh', ['-c', 'echo "bad credentials: $(cat)" >&2; exit 3'], {
        input: Buffer.from(KEY),
        secrets: [KEY],
        timeoutSeconds: 10,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolError);
      expect((error as ToolError).exitCode).toBe(3);
      expect((error as Error).message).toContain('bad credentials: ***');
      expect((error as Error).message).not.toContain(KEY);
    });
    expect(written).toContain('bad credentials: ***');
    expect(written).not.toContain(KEY);
  });

  test('a child that hangs is stopped at its timeout', async () => {
    await expect(runTool('sleep', ['30'], { silent: true, timeoutSeconds: 1 })).rejects.toThrow(
      '`sleep 30` did not finish within 1s and was stopped.',
    );
  });

  test('without `timeout` on PATH (no coreutils, no busybox) the limit still holds', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-no-timeout-'));
    fs.symlinkSync((await findOnPath('sleep'))!, path.join(bin, 'sleep'));
    const saved = process.env.PATH;
    process.env.PATH = bin;
    const started = Date.now();
    try {
      expect(await findOnPath('timeout')).toBeUndefined();
      await expect(runTool('sleep', ['30'], { silent: true, timeoutSeconds: 1 })).rejects.toThrow(
        '`sleep 30` did not finish within 1s and was stopped.',
      );
    } finally {
      process.env.PATH = saved;
    }
    // Stopped by the action's own timer, well before sleep would have ended by itself.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test("the action's inputs are not in a child's environment", async () => {
    process.env.INPUT_API_KEY = KEY;
    try {
      const run = await runTool('sh', ['-c', 'env'], { silent: true, timeoutSeconds: 10 });
      expect(run.stdout).not.toContain(KEY);
      expect(run.stdout).toContain('PATH=');
    } finally {
      delete process.env.INPUT_API_KEY;
    }
  });

  test('a missing tool is named', async () => {
    await expect(runTool('skopeo-that-is-not-there', [], { timeoutSeconds: 1 })).rejects.toThrow(
      'Could not run `skopeo-that-is-not-there`',
    );
    expect(await findOnPath('sh')).toMatch(/\/sh$/);
  });

  test('a full disk is named as such, whichever tool hit it', async () => {
    const error = await runTool('sh', ['-c', 'echo "write /tmp/x: no space left on device" >&2; exit 1'], {
      timeoutSeconds: 10,
      silent: true,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^`sh -c` ran out of disk space \(no space left on device\).*RUNNER_TEMP.*Nothing was pushed\.$/s,
    );
    expect(error).not.toBeInstanceOf(ToolError);
  });
});

describe('child processes', () => {
  test("get the environment without the action's inputs (the key is INPUT_API_KEY)", () => {
    const clean = childEnvironment({ PATH: '/bin', INPUT_API_KEY: 'zak_x', INPUT_VERSION: 'v1', HOME: '/h' });
    expect(clean).toEqual({ PATH: '/bin', HOME: '/h' });
  });
});
