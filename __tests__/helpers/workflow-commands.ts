// How each runner finds workflow commands in a step's output, as their sources have them, so
// tests can ask of any text: would some runner act on it?
//   - nektos/act: each line (split at \n) matched raw, without trimming, by
//     ^::([^ ]+)( (.+))?::([^\r\n]*)[\r\n]+$ and ^##\[([^ ]+)( (.+))?]([^\r\n]*)[\r\n]+$
//   - Gitea's runner (its fork of act): the same, ending in [\r\n]*$, no `]` in the command part
//   - actions/runner: lines as .NET's ReadLine splits them (\r\n, \r, \n); TryParseV2 trims the
//     line with TrimStart() and looks for `::` at its start; TryParse, the fallback, looks for
//     `##[` anywhere in the line (IndexOf) followed by a `]`.

/** The characters .NET's String.TrimStart() removes (Char.IsWhiteSpace). */
const DOTNET_WHITE_SPACE =
  // eslint-disable-next-line no-control-regex -- the runner trims these control characters
  /^[\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

const ACT = [/^::([^ ]+)( (.+))?::([^\r\n]*)[\r\n]+$/, /^##\[([^ ]+)( (.+))?]([^\r\n]*)[\r\n]+$/];
const GITEA = [/^::([^ ]+)( (.+))?::([^\r\n]*)[\r\n]*$/, /^##\[([^ \]]+)( (.+))?]([^\r\n]*)[\r\n]*$/];

function act(output: string, patterns: RegExp[]): string[] {
  return output
    .split('\n')
    .map((line) => `${line}\n`)
    .filter((line) => patterns.some((pattern) => pattern.test(line)));
}

function github(output: string): string[] {
  return output.split(/\r\n|\r|\n/).filter((line) => {
    const trimmed = line.replace(DOTNET_WHITE_SPACE, '');
    if (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 2) return true;
    const start = line.indexOf('##[');
    return start >= 0 && line.indexOf(']', start + 3) > start + 3;
  });
}

/** The lines of `output` that some runner would read as a workflow command, by runner. */
export function commandsIn(output: string): { act: string[]; gitea: string[]; github: string[] } {
  return { act: act(output, ACT), gitea: act(output, GITEA), github: github(output) };
}

/** Every line any runner would act on. */
export function anyCommandIn(output: string): string[] {
  const found = commandsIn(output);
  return [...found.act, ...found.gitea, ...found.github];
}
