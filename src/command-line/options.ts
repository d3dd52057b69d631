import { SECRET_INPUTS } from '../inputs/read.js';
import { INPUT_DEFAULTS, Input } from '../names.js';
import { ACTION_INPUTS } from './action-inputs.js';

// The command line's names for the action's inputs, derived from the Input enum so that a new
// input has its flag and its environment variable with no edit here: `image_name` is
// `--image-name` and BUILD_PUSH_IMAGE_IMAGE_NAME. A flag wins over the environment; a flag
// given twice is two lines of one value (build_args, labels, ...). A secret input is never
// taken from argv, which the process table and the shell's history show: only from the
// environment, or for the key from stdin. A problem names a flag, never a value.

/** The environment variables' prefix. */
export const ENV_PREFIX = 'BUILD_PUSH_IMAGE_';

export function flagOf(input: Input): string {
  return `--${input.replaceAll('_', '-')}`;
}

export function envOf(input: Input): string {
  return `${ENV_PREFIX}${input.toUpperCase()}`;
}

/** The command line's own options, beside the inputs' flags. */
export enum Switch {
  Help = '--help',
  Json = '--json',
  Verbose = '--verbose',
  ApiKeyStdin = '--api-key-stdin',
  SigningKeyFile = '--signing-key-file',
}

export interface CommandLine {
  /** Each input a flag or the environment gave (a flag wins); one given neither is absent. */
  given: Partial<Record<Input, string>>;
  help: boolean;
  json: boolean;
  verbose: boolean;
  apiKeyStdin: boolean;
  signingKeyFile?: string;
  /** What is wrong with argv, each naming its flag, never a value. */
  problems: string[];
}

/** An input whose default is `true` or `false`: its bare flag means `true` (`--no-cache`). */
export function isSwitch(input: Input): boolean {
  const fallback = ACTION_INPUTS[input]?.default ?? INPUT_DEFAULTS[input];
  return fallback === 'true' || fallback === 'false';
}

/** How a secret input is given instead of on argv. */
export function secretSource(input: Input): string {
  const alternative =
    input === Input.ApiKey ? Switch.ApiKeyStdin : input === Input.SigningKey ? Switch.SigningKeyFile : '';
  return alternative ? `${envOf(input)} or ${alternative}` : envOf(input);
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  const inputs = new Map(Object.values(Input).map((input) => [flagOf(input), input]));
  const line: CommandLine = {
    given: {},
    help: false,
    json: false,
    verbose: false,
    apiKeyStdin: false,
    problems: [],
  };
  const fromFlags: Partial<Record<Input, string[]>> = {};
  for (let at = 0; at < argv.length; at++) {
    const arg = argv[at];
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    const inline = name === arg ? undefined : arg.slice(equals + 1);
    // The value: after `=`, else the next argument unless it is an option itself.
    const value = (): string | undefined =>
      inline ?? (at + 1 < argv.length && !argv[at + 1].startsWith('--') ? argv[++at] : undefined);
    const flag = (set: () => void): void => {
      if (inline === undefined) set();
      else line.problems.push(`\`${name}\` takes no value.`);
    };
    const input = inputs.get(name);
    if (name === Switch.Help || name === '-h') flag(() => (line.help = true));
    else if (name === Switch.Json) flag(() => (line.json = true));
    else if (name === Switch.Verbose) flag(() => (line.verbose = true));
    else if (name === Switch.ApiKeyStdin) flag(() => (line.apiKeyStdin = true));
    else if (name === Switch.SigningKeyFile) {
      line.signingKeyFile = value();
      if (!line.signingKeyFile) line.problems.push(`\`${name}\` needs the path of the key's PEM file.`);
    } else if (!name.startsWith('--'))
      line.problems.push(
        `argument ${at + 1} is not an option (options start with \`--\`; it is not shown, in case it is a secret).`,
      );
    else if (!input) line.problems.push(`\`${name}\` is not an option of build-push-image (see --help).`);
    else if (SECRET_INPUTS.includes(input)) {
      value();
      line.problems.push(
        `\`${name}\` is not taken on the command line, where the process table and the shell's history show it: ` +
          `give it as ${secretSource(input)}.`,
      );
    } else {
      const given = value() ?? (isSwitch(input) ? 'true' : undefined);
      if (given === undefined) line.problems.push(`\`${name}\` needs a value.`);
      else (fromFlags[input] ??= []).push(given);
    }
  }
  for (const input of Object.values(Input)) {
    const given = fromFlags[input]?.join('\n') ?? env[envOf(input)];
    if (given !== undefined) line.given[input] = given;
  }
  return line;
}

/**
 * A message of the shared code in the command line's terms: each input it names (`image_name`)
 * as its flag (`--image-name`), a secret one as its environment variable.
 */
export function inCommandLineTerms(message: string): string {
  const names = new Set<string>(Object.values(Input));
  return message.replace(/`([a-z][a-z0-9_]*)`/g, (whole, name: string) => {
    if (!names.has(name)) return whole;
    const input = name as Input;
    return `\`${SECRET_INPUTS.includes(input) ? envOf(input) : flagOf(input)}\``;
  });
}
