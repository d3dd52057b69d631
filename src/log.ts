import * as core from '@actions/core';

/**
 * Text from outside (a registry's answer, a tool's output, an image's label) made safe for the
 * log: a runner reads any line that starts with `::`, leading white space aside, as a workflow
 * command (`::set-output`, `::add-mask`, `::error`…). Such lines get a visible `| ` in front.
 */
export function neutralise(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (/^\s*::/.test(line) ? `| ${line}` : line))
    .join('\n');
}

/** Every log line of the main step goes through here, so none can issue a workflow command. */
export function info(text: string): void {
  core.info(neutralise(text));
}
