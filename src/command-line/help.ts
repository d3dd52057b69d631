import { SECRET_INPUTS } from '../inputs/read.js';
import { INPUT_DEFAULTS, Input, Output } from '../names.js';
import { ACTION_INPUTS } from './action-inputs.js';
import { ENV_PREFIX, envOf, flagOf, isSwitch, secretSource, Switch } from './options.js';
import { runnerVariableOf } from './read.js';

// --help: every input's flag (or, for a secret, where it comes from), its default and
// action.yaml's description, in the Input enum's order; then the command line's own options,
// the outputs and the exit codes.

const WIDTH = 100;
const INDENT = '      ';

/** `text` in lines of at most WIDTH characters, each indented. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && INDENT.length + current.length + 1 + word.length > WIDTH) {
      lines.push(INDENT + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  return current ? [...lines, INDENT + current] : lines;
}

/** What --help says of an input's default: action.yaml's, a runner's expression as its variable. */
export function shownDefault(input: Input): string {
  const doc = ACTION_INPUTS[input];
  if (doc?.required) return 'required';
  const fallback = doc?.default ?? INPUT_DEFAULTS[input];
  if (!fallback) return 'default: none';
  const variable = runnerVariableOf(fallback);
  return variable ? `default: $${variable}` : `default: ${fallback}`;
}

function inputHelp(input: Input): string[] {
  const description = ACTION_INPUTS[input]?.description ?? '';
  const heading = SECRET_INPUTS.includes(input)
    ? `  ${secretSource(input)}  (not on argv; ${shownDefault(input)})`
    : `  ${flagOf(input)} ${isSwitch(input) ? '[<value>]' : '<value>'}  (${shownDefault(input)})`;
  return [heading, ...wrap(description)];
}

export function helpText(): string {
  return [
    'Usage: build-push-image --context <path> --image-name <name> --version <tag> [--sha <commit>]',
    `${INDENT}[options]`,
    '       build-push-image --source docker-archive:<file> --image-name <name> --version <tag> [options]',
    '',
    ...wrap(
      'Builds an image with docker buildx and pushes its version tag and commit tag to a zot registry with ' +
        'skopeo, as the build-push-image action does: a published version is never overwritten, and a re-run ' +
        'of a published commit builds and writes nothing. With --source it publishes an image built elsewhere ' +
        '(an OCI layout or archive, a docker archive), with no engine.',
    ).map((line) => line.trim()),
    '',
    "Inputs: the action's, each also read from the environment as its name upper-cased after",
    `${ENV_PREFIX} (${envOf(Input.ImageName)}); a flag wins. A flag given twice gives a value of`,
    'two lines. A flag shown with [<value>] alone means `true`. Secrets are refused on argv.',
    '',
    ...Object.values(Input).flatMap(inputHelp),
    '',
    'Options of the command line:',
    `  ${Switch.ApiKeyStdin}`,
    `${INDENT}Read the API key from stdin (instead of ${envOf(Input.ApiKey)}).`,
    `  ${Switch.SigningKeyFile} <path>`,
    `${INDENT}Read signing_key, the PEM, from a file (instead of ${envOf(Input.SigningKey)}).`,
    `  ${Switch.Json}`,
    `${INDENT}Print the outputs as one JSON object on stdout (without it: name=value lines).`,
    `  ${Switch.Verbose}`,
    `${INDENT}Show debug lines in the log.`,
    `  ${Switch.Help}, -h`,
    `${INDENT}Show this help.`,
    '',
    ...wrap(
      `Outputs, on stdout once the run ends: ${Object.values(Output).join(', ')}. The log is on stderr.`,
    ).map((line) => line.trim()),
    '',
    'Exit status: 0 published, already published, a part pushed, or built (--push false); 1 a failure;',
    '2 a bad input or option. SIGINT and SIGTERM end the builds and pushes it started, remove its',
    'folder, then end it by the same signal (130 and 143 in a shell).',
    '',
  ].join('\n');
}
