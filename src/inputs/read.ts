import { INPUT_DEFAULTS, Input } from '../names.js';

/** Every input as the runner (or the command line) gave it, read once, an empty one replaced by its default from action.yaml. */
export type RawInputs = Readonly<Record<Input, string>>;

export function readRawInputs(read: (name: Input) => string): RawInputs {
  const raw = {} as Record<Input, string>;
  for (const name of Object.values(Input)) raw[name] = read(name) || INPUT_DEFAULTS[name] || '';
  return raw;
}

/** The inputs that hold secrets: never shown, and never taken from a command line's argv. */
export const SECRET_INPUTS: readonly Input[] = [
  Input.ApiKey,
  Input.Secrets,
  Input.SigningKey,
  Input.SigningKeyPassword,
];

/** The inputs as the debug log shows them: every one but the API key, the build secrets and the signing key and password. */
export function describeInputs(raw: RawInputs): string {
  const shown = Object.values(Input).filter((name) => !SECRET_INPUTS.includes(name));
  return `inputs: ${shown.map((name) => `${name}=${JSON.stringify(raw[name])}`).join(' ')}`;
}
