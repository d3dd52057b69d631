import { INPUT_DEFAULTS, Input } from '../names.js';

/** Every input as the runner gave it, an empty one replaced by its default from action.yaml. */
export type RawInputs = Readonly<Record<Input, string>>;

export function readInputs(read: (name: Input) => string): RawInputs {
  const raw = {} as Record<Input, string>;
  for (const name of Object.values(Input)) raw[name] = read(name) || INPUT_DEFAULTS[name] || '';
  return raw;
}
