// The table of kinds (kinds.ts): which kinds a run leaves, in which order, the tags they write.
import { describe, expect, test } from '@jest/globals';
import { tagsOf } from '../../../src/image/tags.js';
import type { Held } from '../../../src/publication/context.js';
import {
  KINDS,
  heldUnder,
  publicationFor,
  tagsWrittenBy,
  type ObjectKind,
} from '../../../src/publication/kinds.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const BUILT = `sha256:${'1'.repeat(64)}`;

/** The names of a publication's kinds, in order. */
const names = (publication: readonly ObjectKind[]) => publication.map(({ name }) => name);

describe('the table of kinds', () => {
  test.each<[string, Parameters<typeof publicationFor>[0], string[]]>([
    ['push', { push: true }, ['commit-tag', 'version-tag']],
    ['push, signed', { push: true, sign: true }, ['commit-tag', 'signature', 'version-tag']],
    ['push, from parts', { push: true, parts: true }, ['part', 'commit-tag', 'version-tag']],
    [
      'push, signed, from parts',
      { push: true, sign: true, parts: true },
      ['part', 'commit-tag', 'signature', 'version-tag'],
    ],
    ['no push', { push: false }, ['engine']],
    ['no push, whatever else is asked', { push: false, sign: true, parts: true }, ['engine']],
  ])('%s: the kinds of the table a run leaves, in its order', (_, options, expected) => {
    expect(names(publicationFor(options))).toEqual(expected);
  });

  test('the table, in publication order: the version tag is the last write to the registry', () => {
    expect(names(KINDS)).toEqual(['part', 'commit-tag', 'signature', 'version-tag', 'engine']);
  });

  test('each tag kind names the tag it writes; the others write none', () => {
    expect(tagsWrittenBy(KINDS, tags)).toEqual([tags.sha, tags.version]);
    expect(tagsWrittenBy(publicationFor({ push: false }), tags)).toEqual([]);
  });

  test('what the registry held at a tag: the two tags of the run, another tag read with them, never one unread', () => {
    const held: Held = {
      version: { exists: true, digest: BUILT, revision: tags.sha },
      commit: { exists: false },
      otherTags: { latest: { exists: false } },
    };
    expect(heldUnder(held, tags.version, tags)).toBe(held.version);
    expect(heldUnder(held, tags.sha, tags)).toBe(held.commit);
    expect(heldUnder(held, 'latest', tags)).toEqual({ exists: false });
    expect(() => heldUnder(held, 'stable', tags)).toThrow(
      "stable was not read with the run's tags: the registry view was not given it.",
    );
  });
});
