// Runs the committed action the way a Forgejo or GitHub runner does, on this machine:
// every input declared in action.yaml as INPUT_* (defaults applied, `${{ github.sha }}`
// replaced), the GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV / GITHUB_STEP_SUMMARY files,
// then the post step with STATE_* from what main saved. Used by the demo and the e2e suite.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

export const root = path.resolve(import.meta.dirname, '..');

/** @returns {{inputs: Record<string, {default?: string}>, outputs: Record<string, unknown>, runs: {main: string, post: string}}} */
export function actionYaml() {
  return parse(fs.readFileSync(path.join(root, 'action.yaml'), 'utf8'));
}

/**
 * Parses a file-command file (`name<<delimiter` blocks and `name=value` lines).
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseFileCommands(text) {
  /** @type {Record<string, string>} */
  const values = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const body = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i]);
      values[heredoc[1]] = body.join('\n');
    } else if (lines[i].includes('=')) {
      const eq = lines[i].indexOf('=');
      values[lines[i].slice(0, eq)] = lines[i].slice(eq + 1);
    }
  }
  return values;
}

/**
 * @param {string} script
 * @param {Record<string, string>} env
 * @param {{node?: string, echo?: boolean, onStart?: (pid: number) => void}} options
 * @returns {Promise<{exitCode: number, stdout: string, stderr: string}>}
 */
function runStep(script, env, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [script], {
      env,
      cwd: env.GITHUB_WORKSPACE,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (options.echo) process.stderr.write(chunk);
    });
    if (options.onStart && child.pid) options.onStart(child.pid);
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout, stderr }));
  });
}

/**
 * One step of a job: main, then post.
 * @param {{
 *   inputs: Record<string, string>,
 *   sha: string,
 *   env?: Record<string, string>,
 *   workDirectory?: string,
 *   node?: string,
 *   echo?: boolean,
 *   onStart?: (pid: number) => void,
 *   betweenSteps?: () => Promise<void>,
 * }} options
 */
export async function runAction(options) {
  const action = actionYaml();
  const work = options.workDirectory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-runner-'));
  const runnerTemp = path.join(work, 'runner-temp');
  fs.mkdirSync(runnerTemp, { recursive: true });
  const files = {
    GITHUB_OUTPUT: path.join(work, 'output'),
    GITHUB_STATE: path.join(work, 'state'),
    GITHUB_ENV: path.join(work, 'env'),
    GITHUB_STEP_SUMMARY: path.join(work, 'summary'),
  };
  for (const file of Object.values(files)) fs.writeFileSync(file, '');

  /** @type {Record<string, string>} */
  const inputs = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value =
      options.inputs[name] ?? String(spec.default ?? '').replace('${{ github.sha }}', options.sha);
    inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  // The job's own environment reaches the step, as a runner passes it: which engine docker
  // talks to (DOCKER_HOST, DOCKER_CONTEXT, TLS) and which builder buildx uses among it.
  /** @type {Record<string, string>} */
  const engine = {};
  for (const [name, value] of Object.entries(process.env))
    if (
      value !== undefined &&
      /^(DOCKER_(HOST|CONTEXT|TLS_VERIFY|CERT_PATH|CONFIG)|BUILDX_BUILDER)$/.test(name)
    )
      engine[name] = value;
  /** @type {Record<string, string>} */
  const base = {
    ...engine,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? work,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: path.join(work, 'tool-cache'),
    GITHUB_SHA: options.sha,
    GITHUB_WORKSPACE: process.cwd(),
    GITHUB_ACTIONS: 'true',
    ...options.env,
  };
  const stepOptions = { node: options.node, echo: options.echo };
  const main = await runStep(
    path.join(root, action.runs.main),
    { ...base, ...inputs, ...files },
    {
      ...stepOptions,
      onStart: options.onStart,
    },
  );
  if (options.betweenSteps) await options.betweenSteps();
  // What the main step left in RUNNER_TEMP for the post step (its folder, and what is in it).
  const leftByMain = fs.readdirSync(runnerTemp, { recursive: true }).map(String).sort();
  const state = parseFileCommands(fs.readFileSync(files.GITHUB_STATE, 'utf8'));
  /** @type {Record<string, string>} */
  const stateEnv = {};
  for (const [name, value] of Object.entries(state)) stateEnv[`STATE_${name}`] = value;
  const postStateFile = path.join(work, 'post-state');
  fs.writeFileSync(postStateFile, '');
  const post = await runStep(
    path.join(root, action.runs.post),
    { ...base, ...inputs, ...files, GITHUB_STATE: postStateFile, ...stateEnv },
    stepOptions,
  );
  return {
    ...main,
    outputs: parseFileCommands(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state,
    env: fs.readFileSync(files.GITHUB_ENV, 'utf8'),
    summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    runnerTemp,
    leftByMain,
    work,
    post,
  };
}
