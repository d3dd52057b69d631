// The job summary is Markdown, and GitHub renders the HTML in it too. Text from outside (a
// registry's answer, an image's label, a tool's words, all of which reach the summary through a
// result's detail) is put there only inside code: a fenced block, or a code span in a table cell.
// Each fence is longer than any run of backticks in the text, so the text cannot close it, and
// inside code nothing is a link, an image, a table, emphasis, an autolink or HTML.

/** The longest run of backticks in `text`. */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
}

/** `text` as a fenced code block: shown as it is, line by line. */
export function codeBlock(text: string): string {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
  return [fence, ...text.split(/\r\n|\r|\n/), fence].join('\n');
}

/**
 * `text` as a code span for a table cell: on one line, its `|` escaped (GitHub's tables split a
 * row at a bare `|` even inside code), padded where it starts or ends with a backtick.
 */
export function cellCode(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ').replaceAll('|', '\\|');
  const fence = '`'.repeat(longestBacktickRun(flat) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
