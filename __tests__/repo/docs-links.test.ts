// Every relative link in the documentation leads somewhere: README.md, CHANGELOG.md and
// docs/*.md are walked, each relative markdown link (inline, image or reference definition) must
// name a file or folder that exists, and a `#anchor` must be a heading of its target, slugged as
// GitHub slugs headings. A broken link fails the test, named with its file and line.
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** The markdown files whose links are checked, relative to the root. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CHANGELOG.md', ...docs.sort()];
}

/** A fence closes with the same character, at least as many, and nothing after them. */
function isClosing(line: string, fence: string): boolean {
  const closing = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
  return closing !== null && closing[1][0] === fence[0] && closing[1].length >= fence.length;
}

/** The lines of a markdown text outside fenced code blocks, with their line numbers. */
function proseLines(text: string): { line: string; number: number }[] {
  const lines: { line: string; number: number }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === undefined && opening) fence = opening[1];
    else if (fence !== undefined && isClosing(line, fence)) fence = undefined;
    else if (fence === undefined) lines.push({ line, number: index + 1 });
  });
  return lines;
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, ''); // code and emphasis marks
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown text offers: one per heading (repeats get -1, -2, …) and HTML ids. */
export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { line } of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<[a-z]+\s[^>]*\b(?:id|name)="([^"]+)"/gi)) anchors.add(id[1]);
  }
  return anchors;
}

/** Every link target in a markdown text outside code, with its line number. */
export function linksOf(text: string): { target: string; number: number }[] {
  const links: { target: string; number: number }[] = [];
  for (const { line, number } of proseLines(text)) {
    const prose = line.replace(/(`+)[^`]*?\1/g, ''); // inline code holds no links
    for (const found of prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+"[^"]*")?\s*\)/g))
      links.push({ target: found[1].replace(/^<(.*)>$/, '$1'), number });
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) links.push({ target: definition[1].replace(/^<(.*)>$/, '$1'), number });
  }
  return links;
}

/** The broken relative links of one document (a path relative to `base`), as `file:line target`. */
export function brokenLinks(base: string, document: string): string[] {
  const text = fs.readFileSync(path.join(base, document), 'utf8');
  const broken: string[] = [];
  for (const { target, number } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // not relative
    const hash = target.indexOf('#');
    const file = decodeURIComponent(hash >= 0 ? target.slice(0, hash) : target);
    const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : undefined;
    const where =
      file === '' ? path.join(base, document) : path.resolve(path.dirname(path.join(base, document)), file);
    const name = `${document}:${number} ${target}`;
    if (!fs.existsSync(where)) broken.push(`${name} (no such file)`);
    else if (anchor !== undefined && anchor !== '') {
      if (!where.endsWith('.md') || fs.statSync(where).isDirectory()) continue; // only markdown has headings
      if (!anchorsOf(fs.readFileSync(where, 'utf8')).has(anchor)) broken.push(`${name} (no such heading)`);
    }
  }
  return broken;
}

describe("the documentation's relative links", () => {
  test('README.md, CHANGELOG.md and docs/*.md exist and hold links to check', () => {
    const all = documents();
    expect(all).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/README.md']));
    for (const document of all) expect(fs.existsSync(path.join(root, document))).toBe(true);
    expect(linksOf(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).length).toBeGreaterThan(10);
  });

  test.each(documents())('every relative link and anchor in %s leads somewhere', (document) => {
    expect(brokenLinks(root, document)).toEqual([]);
  });

  test('every page of docs/ is listed in docs/README.md', () => {
    const index = linksOf(fs.readFileSync(path.join(root, 'docs/README.md'), 'utf8')).map(
      (link) => link.target,
    );
    for (const document of documents().filter(
      (name) => name.startsWith('docs/') && name !== 'docs/README.md',
    ))
      expect(index).toContain(path.basename(document));
  });
});

describe('the link checker', () => {
  test('slugs headings as GitHub does', () => {
    expect(slug('Try it: two commands')).toBe('try-it-two-commands');
    expect(slug('How to pin')).toBe('how-to-pin');
    expect(slug('skopeo from the tool cache')).toBe('skopeo-from-the-tool-cache');
    expect(slug("Under GitHub's local runner")).toBe('under-githubs-local-runner');
    expect(slug('`signing_key` and [Signing](x.md)')).toBe('signing_key-and-signing');
    expect(slug('[1.1.0] - 2026-12-02')).toBe('110---2026-12-02');
    expect(slug('Re-runs and races')).toBe('re-runs-and-races');
  });

  test('numbers repeated headings, skips code, and finds every link form', () => {
    const text = [
      '# Title',
      '## Part',
      '## Part',
      '```',
      '```sh',
      '## Not a heading [no](missing.md)',
      '```',
      'See [a](other.md#part-1), ![img](pic.png "title"), `[code](nowhere.md)` and [b](<with space.md>).',
      '[ref]: ref.md#x',
      '<a id="custom"></a>',
    ].join('\n');
    expect([...anchorsOf(text)]).toEqual(['title', 'part', 'part-1', 'custom']);
    expect(linksOf(text).map((link) => link.target)).toEqual([
      'other.md#part-1',
      'pic.png',
      'with space.md',
      'ref.md#x',
    ]);
  });

  test('names a missing file, a missing heading and a missing same-page anchor; passes good ones', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-links-'));
    try {
      fs.writeFileSync(path.join(base, 'target.md'), '# Target\n\n## A part\n');
      fs.writeFileSync(
        path.join(base, 'doc.md'),
        [
          '# Doc',
          '[ok](target.md) [ok](target.md#a-part) [ok](#doc) [ok](https://example.org/x.md#nothing)',
          '[file](gone.md)',
          '[heading](target.md#no-part)',
          '[here](#nowhere)',
        ].join('\n'),
      );
      expect(brokenLinks(base, 'doc.md')).toEqual([
        'doc.md:3 gone.md (no such file)',
        'doc.md:4 target.md#no-part (no such heading)',
        'doc.md:5 #nowhere (no such heading)',
      ]);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
