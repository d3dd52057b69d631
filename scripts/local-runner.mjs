// Runs the committed action the way a Forgejo or GitHub runner does, on this machine:
// every input declared in action.yaml as INPUT_* (defaults applied, `${{ github.sha }}`
// replaced), the GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV / GITHUB_STEP_SUMMARY files,
// then the post step with STATE_* from what main saved. Used by the demo and the e2e suite.
// The e2e suite reads the raw stream, workflow commands and all; the demo echoes it as a
// runner's log shows it to a person (RunnerLog below).
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

/** `%25` `%0D` `%0A` in a command's data; properties also escape `:` and `,`. */
const DATA_ESCAPES = { '%25': '%', '%0D': '\r', '%0A': '\n' };
const PROPERTY_ESCAPES = { ...DATA_ESCAPES, '%3A': ':', '%2C': ',' };

/**
 * @param {string} text
 * @param {Record<string, string>} escapes
 */
function unescape(text, escapes) {
  // One pass, so that `%250A` stays the text `%0A`.
  return text.replace(/%(25|0D|0A|3A|2C)/gi, (found) => escapes[found.toUpperCase()] ?? found);
}

/** A workflow command where Forgejo's runner (act) finds one: at the very start of a line. */
const COMMAND = /^::([^ :]+)(?: ([^:]*))?::(.*)$/;
/** The older `##[name key=value;…]data` form, also read at the start of a line. */
const LEGACY_COMMAND = /^##\[([^ \]]+)(?: ([^\]]*))?\](.*)$/;

const LEVELS = { error: 'Error', warning: 'Warning', notice: 'Notice' };

/**
 * A step's output as a runner's log shows it to a person, line by line: every value given to
 * `::add-mask::` shows as `***` in the lines after it (masks are the job's: one RunnerLog for
 * the main and the post step), `::debug::` lines only when debug is on, `::group::Title` as a
 * header and `::endgroup::` dropped, `::error::` / `::warning::` / `::notice::` as readable
 * lines, and the commands that only talk to the runner (`::set-output::`, `::save-state::`,
 * `::stop-commands::` and its resume, …) not at all. Between `::stop-commands::TOKEN` and
 * `::TOKEN::`, lines are shown as they are, commands included, as a runner does.
 */
export class RunnerLog {
  /** @param {{debug?: boolean}} [options] */
  constructor(options = {}) {
    this.debug = options.debug ?? false;
    /** @type {string[]} longest first, so a mask inside another never leaves pieces of it */
    this.masks = [];
    /** @type {string | undefined} */
    this.resumeToken = undefined;
  }

  /** Debug lines are shown when the job is run with debug logging, as a runner turns it on. */
  static debugFromEnvironment(env = process.env) {
    return env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true';
  }

  /** @param {string} value */
  addMask(value) {
    const parts = [value, ...value.split(/\r\n|\r|\n/)].filter((part) => part.trim() !== '');
    for (const part of parts) if (!this.masks.includes(part)) this.masks.push(part);
    this.masks.sort((a, b) => b.length - a.length);
  }

  /** @param {string} text */
  mask(text) {
    let masked = text;
    for (const value of this.masks) masked = masked.split(value).join('***');
    return masked;
  }

  /**
   * One line of output (without its line break): the lines a person sees for it, maybe none.
   * @param {string} line
   * @returns {string[]}
   */
  render(line) {
    const found = COMMAND.exec(line) ?? LEGACY_COMMAND.exec(line);
    if (this.resumeToken !== undefined) {
      if (found && found[1] === this.resumeToken) {
        this.resumeToken = undefined;
        return [];
      }
      return [this.mask(line)];
    }
    if (!found) return [this.mask(line)];
    const [, name, rawProperties, rawData] = found;
    const separator = line.startsWith('##[') ? ';' : ',';
    const data = unescape(rawData, DATA_ESCAPES);
    /** @type {string[]} */
    const properties = [];
    for (const pair of (rawProperties ?? '').split(separator)) {
      const eq = pair.indexOf('=');
      if (eq > 0)
        properties.push(`${pair.slice(0, eq).trim()}=${unescape(pair.slice(eq + 1), PROPERTY_ESCAPES)}`);
    }
    const lines = (/** @type {string} */ first) => {
      const [head, ...rest] = data.replace(/[\r\n]+$/, '').split(/\r\n|\r|\n/);
      return [first + head, ...rest.map((more) => `  ${more}`)].map((shown) => this.mask(shown));
    };
    switch (name) {
      case 'add-mask':
        this.addMask(data);
        return [];
      case 'debug':
        return this.debug ? lines('Debug: ') : [];
      case 'group':
        return lines('▶ ');
      case 'endgroup':
        return [];
      case 'error':
      case 'warning':
      case 'notice': {
        const where = properties.length > 0 ? ` (${properties.join(', ')})` : '';
        return lines(`${LEVELS[name]}${where}: `);
      }
      case 'stop-commands':
        this.resumeToken = data;
        return [];
      case 'set-output':
      case 'save-state':
      case 'set-env':
      case 'add-path':
      case 'add-matcher':
      case 'remove-matcher':
      case 'echo':
        return [];
      default:
        // A command no runner knows is printed as it came.
        return [this.mask(line)];
    }
  }

  /**
   * A writer for one stream (stdout or stderr): takes chunks as they come, shows whole lines.
   * @param {(text: string) => void} show
   */
  stream(show) {
    let pending = '';
    const emit = (/** @type {string} */ line) => {
      for (const shown of this.render(line.replace(/\r$/, ''))) show(`${shown}\n`);
    };
    return {
      /** @param {string} chunk */
      write: (chunk) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) emit(line);
      },
      end: () => {
        if (pending !== '') emit(pending);
        pending = '';
      },
    };
  }
}

/**
 * @param {string} script
 * @param {Record<string, string>} env
 * @param {{node?: string, echo?: boolean | RunnerLog, onStart?: (pid: number) => void}} options
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
    // Raw echo passes the stream through as it came; a RunnerLog shows it as a runner's log.
    const log = options.echo instanceof RunnerLog ? options.echo : undefined;
    const echoOut = log?.stream((text) => process.stdout.write(text));
    const echoErr = log?.stream((text) => process.stderr.write(text));
    if (log) {
      // Whole characters only, so that a character split across chunks is never garbled.
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
    }
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (echoOut) echoOut.write(chunk);
      else if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (echoErr) echoErr.write(chunk);
      else if (options.echo) process.stderr.write(chunk);
    });
    if (options.onStart && child.pid) options.onStart(child.pid);
    child.on('error', reject);
    child.on('close', (code) => {
      echoOut?.end();
      echoErr?.end();
      resolve({ exitCode: code ?? -1, stdout, stderr });
    });
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
 *   echo?: boolean | 'log',
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
  // `echo: 'log'`: one RunnerLog for both steps, since masks hold for the whole job.
  const echo =
    options.echo === 'log'
      ? new RunnerLog({ debug: RunnerLog.debugFromEnvironment() })
      : (options.echo ?? false);
  const stepOptions = { node: options.node, echo };
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
