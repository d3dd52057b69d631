import type { Input } from '../names.js';

/** The problems found in the inputs, each naming its input, gathered to be reported at once. */
export class Problems {
  readonly list: string[] = [];

  add(input: Input, what: string): void {
    this.list.push(`\`${input}\` ${what}`);
  }

  get none(): boolean {
    return this.list.length === 0;
  }
}

/** Quotes a value for a message, making control characters visible. */
export function quote(value: string): string {
  return JSON.stringify(value);
}
