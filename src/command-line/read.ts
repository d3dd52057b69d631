import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, messageOf } from '../errors.js';
import { readRawInputs, type RawInputs } from '../inputs/read.js';
import { Input } from '../names.js';
import { ACTION_INPUTS } from './action-inputs.js';
import { envOf, flagOf, Switch, type CommandLine } from './options.js';

// The command line's inputs, read once into the RawInputs the action reads from its runner:
// what the flags and the environment gave, the key from stdin, the signing key from its file,
// and, for an input given neither way, action.yaml's default.

/** action.yaml's `${{ github.<name> }}` default: a runner sets GITHUB_<NAME> to the same value. */
const RUNNER_EXPRESSION = /^\$\{\{\s*github\.([a-z_]+)\s*\}\}$/;

/** The variable a runner sets to the value of the `${{ github.<name> }}` expression `text`, if it is one. */
export function runnerVariableOf(text: string): string | undefined {
  const name = RUNNER_EXPRESSION.exec(text)?.[1];
  return name && `GITHUB_${name.toUpperCase()}`;
}

/**
 * The value of an input given neither by a flag nor by the environment: action.yaml's default,
 * where that is an expression of the runner's context the variable a runner sets for it (`sha`
 * is GITHUB_SHA); a problem where that variable is not set, as no commit is guessed.
 */
export function defaultOf(input: Input, env: NodeJS.ProcessEnv, problems: string[]): string {
  const fallback = ACTION_INPUTS[input]?.default ?? '';
  const variable = runnerVariableOf(fallback);
  if (!variable) return fallback;
  const value = env[variable];
  if (value === undefined)
    problems.push(
      `\`${flagOf(input)}\` is required here: its default, \`${fallback}\`, is read from ${variable}, which is not set. ` +
        `Give \`${flagOf(input)}\` or ${envOf(input)}.`,
    );
  return value ?? '';
}

/** Every input, read once: stdin only when the command line is otherwise sound (a terminal would wait). */
export async function commandLineInputs(
  line: CommandLine,
  env: NodeJS.ProcessEnv,
  stdin: () => Promise<string>,
): Promise<RawInputs> {
  if (line.problems.length > 0) throw new InputError(line.problems);
  const problems: string[] = [];
  const given = { ...line.given };
  if (line.apiKeyStdin) {
    const key = (await stdin()).trim();
    if (key) given[Input.ApiKey] = key;
    else problems.push(`\`${Switch.ApiKeyStdin}\` read nothing from stdin.`);
  }
  if (line.signingKeyFile)
    try {
      given[Input.SigningKey] = fs.readFileSync(line.signingKeyFile, 'utf8');
    } catch (error) {
      problems.push(`\`${Switch.SigningKeyFile}\` could not be read: ${messageOf(error)}.`);
    }
  const values = {} as Record<Input, string>;
  for (const input of Object.values(Input)) values[input] = given[input] ?? defaultOf(input, env, problems);
  if (problems.length > 0) throw new InputError(problems);
  return readRawInputs((input) => values[input]);
}

/** All of stdin, as text. */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer | string));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Once read, the inputs' variables leave this process's environment: no child (docker, buildx,
 * skopeo) inherits the key or the build secrets through them, as none inherits a runner's INPUT_*.
 */
export function forgetInputsIn(env: NodeJS.ProcessEnv): void {
  for (const input of Object.values(Input)) delete env[envOf(input)];
}

/**
 * What a runner sets and the tool cache (a skopeo download) needs: RUNNER_TEMP, the system's
 * temporary folder (where run folders go without it anyway), and RUNNER_TOOL_CACHE, under the
 * user's cache folder.
 */
export function runnerFolders(env: NodeJS.ProcessEnv): void {
  env.RUNNER_TEMP ||= os.tmpdir();
  env.RUNNER_TOOL_CACHE ||= path.join(
    env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
    'build-push-image',
    'tool-cache',
  );
}
