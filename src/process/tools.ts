import * as exec from '@actions/exec';
import * as io from '@actions/io';
import { launch } from './children.js';
import { ToolError, UserError } from '../errors.js';
import { neutralise } from '../report/log.js';
import { surface } from '../report/surface.js';
import { scrub } from '../secrets.js';

export interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the tool's stdin: the only way a secret reaches a tool. */
  input?: Buffer;
  /** Keep the tool's output out of the log (it is still returned). */
  silent?: boolean;
  /** Strings scrubbed from anything shown (the key, in case a tool echoes it). */
  secrets?: readonly string[];
  /** The tool is stopped (TERM, then KILL 10 s later) after this long, so no child can hang the job. */
  timeoutSeconds: number;
  /**
   * Variables added to the child's environment: skopeo's TMPDIR, and the build secrets (buildx
   * reads `--secret env=` from there; only the runner's own user can read a process's
   * environment). Never the key.
   */
  env?: Record<string, string>;
  /** The folder the tool runs in (skopeo reads the hand-over by a path relative to it). */
  cwd?: string;
}

/** The exit code of coreutils' and busybox's `timeout` when the time ran out. */
const TIMED_OUT = 124;
/** A stopped tool gets TERM, then KILL this much later. */
const KILL_AFTER_SECONDS = 10;
/** How much later than `timeout` the action's own timer stops a child `timeout` failed to stop. */
const BACKSTOP_SECONDS = 15;

/**
 * The environment every child process gets: the runner's, less the action's own inputs.
 * INPUT_API_KEY holds the key; docker, the build and skopeo have no business seeing it.
 */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name.startsWith('INPUT_')) continue;
    clean[name] = value;
  }
  return clean;
}

/** Runs a tool and fails with its exit code and the end of its stderr when it fails. */
export async function runTool(tool: string, args: string[], options: RunOptions): Promise<ToolRun> {
  const run = await runToolAllowingFailure(tool, args, options);
  if (run.exitCode !== 0) {
    const tail = scrub(run.stderr.trim() || run.stdout.trim(), options.secrets)
      .split('\n')
      .slice(-15)
      .join('\n');
    const error = new ToolError(`${tool} ${args[0] ?? ''}`.trim(), run.exitCode, tail);
    throw /no space left on device/i.test(tail) ? fullDisk(error) : error;
  }
  return run;
}

async function runToolAllowingFailure(tool: string, args: string[], options: RunOptions): Promise<ToolRun> {
  const secrets = options.secrets ?? [];
  // @actions/exec runs silent and this echoes each line, scrubbed: a tool that repeats a
  // credential in an error does not put it in the log, whatever the runner masks.
  const echo = (line: string): void => {
    if (!options.silent) surface().info(neutralise(scrub(line, secrets)));
  };
  if (!(await findOnPath(tool))) throw new UserError(`Could not run \`${tool}\`: ${missingToolHint(tool)}`);
  if (!options.silent) echo(`[command]${tool} ${args.join(' ')}`);
  // @actions/exec cannot stop a child. Where the runner has `timeout` (coreutils, busybox), it
  // stops the tool and everything the tool started (it leads their process group); the
  // action's own timer, a little later, holds where it has none.
  const timeout = await findOnPath('timeout');
  const [command, commandArgs] = timeout
    ? [timeout, ['-k', String(KILL_AFTER_SECONDS), String(options.timeoutSeconds), tool, ...args]]
    : [tool, args];
  let stdout = '';
  let stderr = '';
  let stopped = false;
  const child = launch(command, commandArgs);
  const limit = setTimeout(
    () => {
      stopped = true;
      void child.stop(KILL_AFTER_SECONDS * 1000);
    },
    (options.timeoutSeconds + (timeout ? BACKSTOP_SECONDS : 0)) * 1000,
  );
  const exitCode = await exec
    .exec(child.command, child.args, {
      input: options.input,
      silent: true,
      ignoreReturnCode: true,
      env: { ...childEnvironment(), ...options.env },
      cwd: options.cwd,
      listeners: {
        stdout: (data: Buffer) => (stdout += data.toString()),
        stderr: (data: Buffer) => (stderr += data.toString()),
        stdline: echo,
        errline: echo,
      },
    })
    .finally(() => {
      clearTimeout(limit);
      child.ended();
    });
  if (stopped || (timeout && exitCode === TIMED_OUT))
    throw new UserError(
      `\`${tool} ${args[0] ?? ''}\` did not finish within ${options.timeoutSeconds}s and was stopped.`,
    );
  return { exitCode, stdout, stderr };
}

/** The tool's path when it is on PATH (or given as a path) and executable, else undefined (@actions/io's `which`). */
export async function findOnPath(tool: string): Promise<string | undefined> {
  return (await io.which(tool, false)) || undefined;
}

function missingToolHint(tool: string): string {
  switch (tool) {
    case 'docker':
      return 'the Docker CLI is not installed on this runner. Use a runner with Docker and the buildx plugin.';
    default:
      return `${tool} is not installed on this runner.`;
  }
}

/** A full disk named as such, with where the action writes, instead of a tool's last line. */
function fullDisk(error: ToolError): UserError {
  return new UserError(
    `\`${error.command}\` ran out of disk space (no space left on device). The build writes to the engine's data root and ` +
      "the hand-over to skopeo to this run's folder under RUNNER_TEMP: free space there (for example `docker system prune`) and run again. Nothing was pushed.",
    { cause: error },
  );
}
