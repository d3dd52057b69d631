import { surface } from './surface.js';

// Text from outside (a registry's answer, a tool's output, an image's label, an input echoed in a
// command line) must never reach a runner as a workflow command. The runners read two forms:
//   - `::name k=v::value`: act and Gitea's runner at the very start of the raw line; GitHub's
//     runner after .NET's TrimStart(), which also strips U+0085 (NEL) and other Unicode spaces;
//   - `##[name k=v]value`: act and Gitea's runner at the start of the line; GitHub's runner
//     anywhere in it (its older parser looks for `##[` with IndexOf).
// So a line whose first visible characters are `::` gets a visible `| ` in front, and every
// `##[` becomes `##\[`, wherever it stands.

/** What may stand before `::` and still be trimmed away by some runner: white space of any kind, control and format characters. */
const COMMAND_START = /^[\s\p{Z}\p{Cc}\p{Cf}]*::/u;

export function neutralise(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => {
      const escaped = line.replaceAll('##[', '##\\[');
      return COMMAND_START.test(escaped) ? `| ${escaped}` : escaped;
    })
    .join('\n');
}

/** Every log line of the main step goes through here, so none can issue a workflow command. */
export function info(text: string): void {
  surface().info(neutralise(text));
}

/** A warning, guarded as a log line is: its text may come from outside. */
export function warn(text: string): void {
  surface().warning(neutralise(text));
}
