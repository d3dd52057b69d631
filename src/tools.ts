import * as exec from '@actions/exec';
import { ToolError, UserError } from './errors.js';

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
  secrets?: string[];
}

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

/** Replaces every secret in `text` with ***. */
export function scrub(text: string, secrets: string[] = []): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join('***');
  return result;
}

/** Runs a tool and fails with its exit code and the end of its stderr when it fails. */
export async function runTool(tool: string, args: string[], options: RunOptions = {}): Promise<ToolRun> {
  const run = await runToolAllowingFailure(tool, args, options);
  if (run.exitCode !== 0) {
    const tail = scrub(run.stderr.trim() || run.stdout.trim(), options.secrets)
      .split('\n')
      .slice(-15)
      .join('\n');
    throw new ToolError(`${tool} ${args[0] ?? ''}`.trim(), run.exitCode, tail);
  }
  return run;
}

export async function runToolAllowingFailure(
  tool: string,
  args: string[],
  options: RunOptions = {},
): Promise<ToolRun> {
  try {
    const result = await exec.getExecOutput(tool, args, {
      input: options.input,
      silent: options.silent ?? false,
      ignoreReturnCode: true,
      env: childEnvironment(),
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } catch (error) {
    // @actions/exec throws when the tool is not on PATH.
    throw new UserError(`Could not run \`${tool}\`: ${missingToolHint(tool)}`, { cause: error });
  }
}

function missingToolHint(tool: string): string {
  switch (tool) {
    case 'skopeo':
      return 'skopeo is not installed on this runner. Install it first (Debian and Ubuntu: `apt-get install -y skopeo`; Alpine: `apk add skopeo`).';
    case 'docker':
      return 'the Docker CLI is not installed on this runner. Use a runner with Docker and the buildx plugin.';
    default:
      return `${tool} is not installed on this runner.`;
  }
}
