// Runs the committed dist/ the way a runner does: every input declared in action.yaml as
// INPUT_* (defaults applied), the GITHUB_* file commands, then the post step with STATE_*.
// The test bed (engine, registry, zot-like front) is started by scripts/testbed/start.sh;
// without it these tests fail, they never skip.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const execFileAsync = promisify(execFile);
export const root = path.resolve(import.meta.dirname, '../..');

export interface Testbed {
  registry: string;
  accessLog: string;
  username: string;
  apiKey: string;
}

function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

export function testbed(): Testbed {
  const dir = process.env.TESTBED_DIR ?? '/tmp/build-push-image-testbed';
  const envFile = path.join(dir, 'env');
  if (!fs.existsSync(envFile))
    throw new Error(`No test bed at ${dir}: run scripts/testbed/install.sh and scripts/testbed/start.sh first.`);
  const env = readEnvFile(envFile);
  const credentials = readEnvFile(env.TESTBED_CREDENTIALS);
  return {
    registry: env.TESTBED_REGISTRY,
    accessLog: env.TESTBED_ACCESS_LOG,
    username: credentials.TESTBED_USERNAME,
    apiKey: credentials.TESTBED_API_KEY,
  };
}

interface ActionYaml {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string; post: string };
}

export function actionYaml(): ActionYaml {
  return parse(fs.readFileSync(path.join(root, 'action.yaml'), 'utf8')) as ActionYaml;
}

export interface StepRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ActionRun extends StepRun {
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: string;
  summary: string;
  /** Each docker command the action ran, as its argv joined by spaces. */
  dockerCalls: string[];
  runnerTemp: string;
  home: string;
  post: StepRun;
}

export interface RunOptions {
  inputs: Record<string, string>;
  sha: string;
  env?: Record<string, string>;
  /** Called while the main step runs (to sample the process table, say). */
  whileRunning?: (pid: number) => void;
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file (`name<<delimiter` blocks and `name=value` lines). */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      values[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      values[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return values;
}

let realDocker: string | undefined;
async function dockerPath(): Promise<string> {
  realDocker ??= (await execFileAsync('sh', ['-c', 'command -v docker'])).stdout.trim();
  return realDocker;
}

function runNode(script: string, env: Record<string, string>, cwd: string, whileRunning?: (pid: number) => void): Promise<StepRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (whileRunning && child.pid) whileRunning(child.pid);
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}

/** One whole job step: main, then post, as a runner runs them. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const action = actionYaml();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-e2e-'));
  const runnerTemp = path.join(work, 'runner-temp');
  const home = path.join(work, 'home');
  const bin = path.join(work, 'bin');
  for (const dir of [runnerTemp, home, bin]) fs.mkdirSync(dir);
  const files = {
    GITHUB_OUTPUT: path.join(work, 'output'),
    GITHUB_STATE: path.join(work, 'state'),
    GITHUB_ENV: path.join(work, 'env'),
    GITHUB_STEP_SUMMARY: path.join(work, 'summary'),
  };
  for (const file of Object.values(files)) fs.writeFileSync(file, '');
  // A docker that records its argv, so that tests can count builds.
  const dockerLog = path.join(work, 'docker-calls');
  fs.writeFileSync(dockerLog, '');
  fs.writeFileSync(
    path.join(bin, 'docker'),
    `#!/bin/sh\nprintf '%s\\n' "$*" >> '${dockerLog}'\nexec '${await dockerPath()}' "$@"\n`,
    { mode: 0o755 },
  );

  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = options.inputs[name] ?? (spec.default ?? '').replace('${{ github.sha }}', options.sha);
    inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  const base: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH}`,
    // The real HOME keeps the engine's default buildx builder; tests that watch HOME set their own.
    HOME: process.env.HOME ?? home,
    RUNNER_TEMP: runnerTemp,
    GITHUB_SHA: options.sha,
    GITHUB_WORKSPACE: root,
    GITHUB_SERVER_URL: 'https://forgejo.example.invalid',
    GITHUB_REPOSITORY: 'ops/infrastructure',
    GITHUB_ACTIONS: 'true',
    ...options.env,
  };
  const main = await runNode(
    path.join(root, action.runs.main),
    { ...base, ...inputs, ...files },
    root,
    options.whileRunning,
  );
  const state = parseFileCommands(fs.readFileSync(files.GITHUB_STATE, 'utf8'));
  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(state)) stateEnv[`STATE_${name}`] = value;
  const postState = path.join(work, 'post-state');
  fs.writeFileSync(postState, '');
  const post = await runNode(
    path.join(root, action.runs.post),
    { ...base, ...inputs, ...files, GITHUB_STATE: postState, ...stateEnv },
    root,
  );
  return {
    ...main,
    outputs: parseFileCommands(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state,
    env: fs.readFileSync(files.GITHUB_ENV, 'utf8'),
    summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    dockerCalls: fs.readFileSync(dockerLog, 'utf8').split('\n').filter(Boolean),
    runnerTemp,
    home,
    post,
  };
}

export function builds(run: ActionRun): string[] {
  return run.dockerCalls.filter((call) => call.startsWith('buildx build'));
}

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

export function uniqueName(prefix = 'e2e'): string {
  return `${prefix}/${randomBytes(4).toString('hex')}`;
}

/** A build context whose image is unique to the test (a random payload FROM scratch). */
export function makeContext(dockerfile = 'FROM scratch\nCOPY payload /payload\n'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-context-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  fs.writeFileSync(path.join(dir, 'payload'), randomBytes(64));
  return dir;
}

/** skopeo inspect, anonymously: an independent client's view of a tag. */
export async function inspect(reference: string): Promise<{ Digest: string; Labels: Record<string, string> } | undefined> {
  try {
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--tls-verify=false', `docker://${reference}`]);
    return JSON.parse(stdout) as { Digest: string; Labels: Record<string, string> };
  } catch (error) {
    if (/manifest unknown|not found|MANIFEST_UNKNOWN|NAME_UNKNOWN/i.test(String((error as { stderr?: string }).stderr))) return undefined;
    throw error;
  }
}

/** The registry front's access log lines for one repository from here on. */
export function accessLogMark(bed: Testbed): () => string[] {
  const start = fs.statSync(bed.accessLog).size;
  return () => {
    const fd = fs.openSync(bed.accessLog, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return buffer.toString('utf8').split('\n').filter(Boolean);
    } finally {
      fs.closeSync(fd);
    }
  };
}

/** The `::error::` annotations a step printed. */
export function errors(run: StepRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
}
