import { INPUT_DEFAULTS, Input } from '../names.js';

/** Every input as the runner gave it, read once, an empty one replaced by its default from action.yaml. */
export type RawInputs = Readonly<Record<Input, string>>;

export function readRawInputs(read: (name: Input) => string): RawInputs {
  const raw = {} as Record<Input, string>;
  for (const name of Object.values(Input)) raw[name] = read(name) || INPUT_DEFAULTS[name] || '';
  return raw;
}

/** The inputs as the debug log shows them: every one but the API key and the build secrets. */
export function describeInputs(raw: RawInputs): string {
  const shown = Object.values(Input).filter((name) => name !== Input.ApiKey && name !== Input.Secrets);
  return `inputs: ${shown.map((name) => `${name}=${JSON.stringify(raw[name])}`).join(' ')}`;
}
