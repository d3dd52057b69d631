// Outside text in the job summary is inert: rendered as GitHub renders a summary (GitHub-flavoured
// Markdown with HTML; `marked` in GFM mode stands in for it), a registry's answer or a label that
// holds a link, an image, a table, an autolink, emphasis or HTML shows as text, never as markup.
import { describe, expect, test } from '@jest/globals';
import { marked } from 'marked';
import { Result } from '../../../src/names.js';
import { cellCode, codeBlock } from '../../../src/report/markdown.js';
import { summaryMarkdown } from '../../../src/report/result.js';
import { tagsOf } from '../../../src/image/tags.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const render = (markdown: string) => marked.parse(markdown, { gfm: true, async: false });

const HOSTILE: [string, string][] = [
  ['a link', '[click here](https://evil.example/steal)'],
  ['an image', '![pixel](https://evil.example/p.png)'],
  ['a table', '| a | b |\n|---|---|\n| c | d |'],
  ['a bare URL and www (autolinks)', 'see https://evil.example and www.evil.example or ops@evil.example'],
  ['HTML', '<img src=x onerror=alert(1)><script>alert(1)</script><a href="https://evil.example">x</a>'],
  ['a heading and emphasis', '# Owned\n**bold** _it_'],
  ['a fence of its own', '```\n</code></pre><img src=x>\n```'],
  ['backticks that close a span', '`` ` ``<b>bold</b>` | x |'],
];

/** What rendering made of the page, minus what the summary's own markup makes. */
function liveMarkup(html: string): string[] {
  return [...html.matchAll(/<(a|img|script|b|strong|em|h1|h2|table)\b[^>]*>/g)].map((m) => m[0]);
}

describe("outside text in the summary's detail renders as text", () => {
  test.each(HOSTILE)('%s, in a published run and in a refusal', (_, text) => {
    for (const report of [
      {
        tags,
        result: Result.Pushed,
        digest: `sha256:${'d'.repeat(64)}`,
        detail: `Found:\n${text}`,
        phases: [],
      },
      { tags, detail: `The registry said:\n${text}`, phases: [] },
    ]) {
      const html = render(summaryMarkdown(report));
      // The summary's own table is the only one; no link, image, script, emphasis or heading.
      expect(liveMarkup(html).filter((tag) => tag !== '<table>')).toEqual([]);
      expect(html.match(/<table>/g)?.length ?? 0).toBe(report.result ? 1 : 0);
      // The text is all there, shown as it is (HTML-escaped by the renderer).
      const shown = html
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&#39;', "'")
        .replaceAll('&amp;', '&');
      for (const line of text.split('\n')) expect(shown).toContain(line);
    }
  });
});

describe('the code helpers', () => {
  test.each(HOSTILE)('a code span in a table cell holds %s whole, in one cell', (_, text) => {
    const html = render(`| k | v |\n|---|---|\n| x | ${cellCode(text)} |\n`);
    expect(liveMarkup(html).filter((tag) => tag !== '<table>')).toEqual([]);
    expect(html.match(/<td>/g)).toHaveLength(2);
    expect(html).toContain('<code>');
  });

  test('a fence is longer than any run of backticks inside, and at least three', () => {
    expect(codeBlock('plain')).toBe('```\nplain\n```');
    expect(codeBlock('a ```` b')).toBe('`````\na ```` b\n`````');
    expect(cellCode('plain')).toBe('`plain`');
    expect(cellCode('a `` b')).toBe('```a `` b```');
    expect(cellCode('`edge`')).toBe('`` `edge` ``');
    expect(cellCode('a|b\nc')).toBe('`a\\|b c`');
  });
});
