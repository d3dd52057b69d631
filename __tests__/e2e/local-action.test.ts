// The action from source under GitHub's local runner, @github/local-action (a dev dependency,
// run from node_modules: no network): src/main.ts, then src/post.ts with `--post`, its inputs
// from a .env file, @actions/core replaced by local-action's stubs. local-action exits 0 even
// when the action calls setFailed, so the test reads the `::error::` lines and the outputs too.
import { describe, expect, jest, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { actionYaml } from '../../scripts/local-runner.mjs';
import { errors, inspect, pushInputs, randomSha, testbed, uniqueName } from './harness.js';

jest.setTimeout(240_000);
const root = path.resolve(import.meta.dirname, '../..');
const localAction = path.join(root, 'node_modules', '.bin', 'local-action');
const bed = testbed();

/** One value of a .env line, single-quoted (dotenv takes it literally). */
function dotenvValue(name: string, value: string): string {
  if (/['\n\r]/.test(value))
    throw new Error(`${name}: a single quote or a line break cannot go in the .env file`);
  return `'${value}'`;
}

/**
 * Every input action.yaml declares, as INPUT_* (its default where `inputs` has none; local-action
 * does not expand `${{ github.sha }}`, so `sha` is always given), and RUNNER_TEMP.
 */
function dotenv(inputs: Record<string, string>, env: Record<string, string>): string {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(actionYaml().inputs)) {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
    lines.push(`${key}=${dotenvValue(key, inputs[name] ?? String(spec.default ?? ''))}`);
  }
  for (const [name, value] of Object.entries(env)) lines.push(`${name}=${dotenvValue(name, value)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `local-action run <root> src/main.ts <.env> --post src/post.ts`, under BPI_NODE when set
 * (local-action starts tsx through `npm exec`, which runs the first `node` on PATH), killed
 * with all it started after `timeoutMs`.
 */
function runLocalAction(
  envFile: string,
  timeoutMs = 180_000,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const nodeDirectory = path.dirname(process.env.BPI_NODE || process.execPath);
  const engine = Object.fromEntries(
    Object.entries(process.env).filter(([name]) =>
      /^(DOCKER_(HOST|CONTEXT|TLS_VERIFY|CERT_PATH|CONFIG)|BUILDX_BUILDER)$/.test(name),
    ),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(
      nodeDirectory + '/node',
      [localAction, 'run', root, 'src/main.ts', envFile, '--post', 'src/post.ts'],
      {
        cwd: root, // local-action finds the @actions packages to stub with `npm ls` here
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...engine,
          PATH: `${nodeDirectory}:${path.join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
          HOME: process.env.HOME ?? os.tmpdir(),
          FORCE_COLOR: '0',
          npm_config_offline: 'true',
          npm_config_update_notifier: 'false',
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** The outputs the stubbed setOutput echoed (`::set-output name=…::…`), the last value of each. */
function outputsOf(stdout: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of stdout.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)) outputs[match[1]] = match[2];
  return outputs;
}

describe('@github/local-action', () => {
  test('runs main then post from source: both tags published, result pushed, RUNNER_TEMP emptied', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-local-action-'));
    try {
      const runnerTemp = path.join(work, 'runner-temp');
      fs.mkdirSync(runnerTemp);
      const summary = path.join(work, 'summary');
      const name = uniqueName('local-action');
      const sha = randomSha();
      const envFile = path.join(work, '.env');
      const inputs = { ...pushInputs(bed, name), sha };
      fs.writeFileSync(envFile, dotenv(inputs, { RUNNER_TEMP: runnerTemp, GITHUB_STEP_SUMMARY: summary }), {
        mode: 0o600,
      });

      const run = await runLocalAction(envFile);
      const log = `${run.stdout}\n${run.stderr}`;

      expect(log.includes(bed.apiKey)).toBe(false); // not toContain: its failure would print the log
      expect(run.exitCode).toBe(0);
      expect(errors(run)).toEqual([]);
      expect(run.stdout).toContain('Running Post Step');
      const outputs = outputsOf(run.stdout);
      expect(outputs.result).toBe('pushed');
      expect(outputs.version_ref).toBe(`${bed.registry}/${name}:v1.0.0`);
      expect(outputs.sha_ref).toBe(`${bed.registry}/${name}:${sha}`);
      const version = await inspect(`${bed.registry}/${name}:v1.0.0`);
      const commit = await inspect(`${bed.registry}/${name}:${sha}`);
      expect(version?.Digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(commit?.Digest).toBe(version?.Digest);
      expect(outputs.digest).toBe(version?.Digest);
      expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
      // The job summary went through local-action's stub to GITHUB_STEP_SUMMARY.
      expect(fs.readFileSync(summary, 'utf8')).toContain(`${name}:v1.0.0`);
      // The post step removed the run's folder (credentials included), under RUNNER_TEMP.
      expect(run.stdout).toMatch(
        new RegExp(
          `^::info::Removed ${runnerTemp}/build-push-image-\\S+ \\(credentials of this run\\)\\.$`,
          'm',
        ),
      );
      expect(fs.readdirSync(runnerTemp)).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
