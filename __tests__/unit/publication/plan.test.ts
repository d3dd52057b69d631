import { describe, expect, test } from '@jest/globals';
import { publicationFor, type ObjectKind } from '../../../src/publication/kinds.js';
import { BUILD, heldAt, plan, samePlan, type Plan } from '../../../src/publication/plan.js';
import { UnlabelledVersion } from '../../../src/publication/refusals.js';
import { pinnedRef, shaRef, tagsOf, versionRef } from '../../../src/image/tags.js';
import type { Held } from '../../../src/publication/context.js';
import { partsOf } from '../../../src/image/parts.js';

const tags = tagsOf('registry.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const other = 'b'.repeat(40);
const V = 'sha256:' + '1'.repeat(64);
const C = 'sha256:' + '2'.repeat(64);
/** The names of a publication's kinds, in order. */
const names = (publication: readonly ObjectKind[]) => publication.map(({ name }) => name);

describe('plan: what the registry holds decides the writes, before anything is built', () => {
  test.each<[string, Held, Plan]>([
    [
      'nothing there: build and push',
      { version: { exists: false }, commit: { exists: false } },
      {
        image: BUILD,
        writes: [{ step: 'commit-tag' }, { step: 'version-tag' }],
        reason: 'Neither v1.0.0 nor the commit tag exists: building and pushing both.',
      },
    ],
    [
      'commit tag only: point the version at it',
      { version: { exists: false }, commit: { exists: true, digest: C, revision: tags.sha } },
      {
        image: heldAt(C),
        writes: [{ step: 'version-tag' }],
        reason:
          'The commit tag exists but v1.0.0 does not (an earlier run stopped half-way): pointing v1.0.0 at it, no build.',
      },
    ],
    [
      'both, from this commit: nothing to do',
      {
        version: { exists: true, digest: V, revision: tags.sha },
        commit: { exists: true, digest: V, revision: tags.sha },
      },
      {
        image: heldAt(V),
        writes: [],
        reason: 'v1.0.0 and the commit tag already exist and were built from this commit: nothing to write.',
      },
    ],
    [
      'version from this commit, no commit tag: add it',
      { version: { exists: true, digest: V, revision: tags.sha }, commit: { exists: false } },
      {
        image: heldAt(V),
        writes: [{ step: 'commit-tag' }],
        reason: 'v1.0.0 was built from this commit but the commit tag is missing: adding it, no build.',
      },
    ],
    [
      'both from this commit but on two images (an interleaving): the commit tag follows the version',
      {
        version: { exists: true, digest: V, revision: tags.sha },
        commit: { exists: true, digest: C, revision: tags.sha },
      },
      {
        image: heldAt(V),
        writes: [{ step: 'commit-tag', repair: true }],
        reason:
          `The commit tag holds another image of this commit (${C}) than v1.0.0 (${V}): two runs interleaved on a registry that lets tags be overwritten. ` +
          "Pointing the commit tag at v1.0.0's image, no build.",
      },
    ],
  ])('%s', (_, held, expected) => {
    expect(plan(held, tags)).toEqual(expected);
  });

  test.each<[string, Held]>([
    [
      'from another commit',
      { version: { exists: true, digest: V, revision: other }, commit: { exists: false } },
    ],
    [
      'from another commit, commit tag present',
      { version: { exists: true, digest: V, revision: other }, commit: { exists: true, digest: C } },
    ],
    ['without a revision label', { version: { exists: true, digest: V }, commit: { exists: false } }],
  ])('a version tag %s is refused, naming the tag, digest and origin', (_, publication) => {
    expect(() => plan(publication, tags)).toThrow(
      new RegExp(`registry.example/team/app:v1.0.0 already exists \\(${V}\\)`),
    );
  });

  test('a repair of the commit tag is marked as one; adding a missing commit tag is not', () => {
    const split = plan(
      {
        version: { exists: true, digest: V, revision: tags.sha },
        commit: { exists: true, digest: C, revision: tags.sha },
      },
      tags,
    );
    expect(split).toEqual({
      image: heldAt(V),
      writes: [{ step: 'commit-tag', repair: true }],
      reason: expect.stringContaining(C),
    });
    const missing = plan(
      { version: { exists: true, digest: V, revision: tags.sha }, commit: { exists: false } },
      tags,
    );
    expect(missing.writes).toEqual([{ step: 'commit-tag' }]);
    expect(missing.writes[0]).not.toHaveProperty('repair');
  });

  test.each<[string, Held, string]>([
    [
      'from another commit',
      { version: { exists: false }, commit: { exists: true, digest: C, revision: other } },
      `built from commit ${other}`,
    ],
    [
      'without a revision label',
      { version: { exists: false }, commit: { exists: true, digest: C } },
      'no org.opencontainers.image.revision label',
    ],
    [
      'from another commit, beside a version of this commit',
      {
        version: { exists: true, digest: V, revision: tags.sha },
        commit: { exists: true, digest: C, revision: other },
      },
      `built from commit ${other}`,
    ],
  ])('a commit tag %s is refused, never used or overwritten', (_, publication, origin) => {
    expect(() => plan(publication, tags)).toThrow(
      new RegExp(`registry.example/team/app:${tags.sha} already exists \\(${C}\\) and .*never overwritten`),
    );
    expect(() => plan(publication, tags)).toThrow(origin);
  });

  test('the refusal names the commit the existing version came from', () => {
    expect(() =>
      plan({ version: { exists: true, digest: V, revision: other }, commit: { exists: false } }, tags),
    ).toThrow(`built from commit ${other}`);
  });
});

describe('the refusals, as the user reads them', () => {
  const refused = (publication: Held) => {
    try {
      plan(publication, tags);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('not refused');
  };

  test('a version of another commit', () => {
    expect(
      refused({ version: { exists: true, digest: V, revision: other }, commit: { exists: false } }),
    ).toBe(
      `registry.example/team/app:v1.0.0 already exists (${V}) and was built from commit ${other}, not from ${tags.sha}. ` +
        'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.',
    );
  });

  test('a version without a revision label: refused as UnlabelledVersion, naming its digest (the core compares it with a build)', () => {
    const held = { version: { exists: true as const, digest: V }, commit: { exists: false as const } };
    expect(() => plan(held, tags)).toThrow(UnlabelledVersion);
    try {
      plan(held, tags);
    } catch (error) {
      expect((error as UnlabelledVersion).digest).toBe(V);
    }
    // A label of another commit is no such case.
    expect(() => plan({ ...held, version: { ...held.version, revision: other } }, tags)).not.toThrow(
      UnlabelledVersion,
    );
  });

  test('a version without a revision label', () => {
    expect(refused({ version: { exists: true, digest: V }, commit: { exists: false } })).toBe(
      `registry.example/team/app:v1.0.0 already exists (${V}) and carries no org.opencontainers.image.revision label (it was not pushed by this action), not from ${tags.sha}. ` +
        'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.',
    );
  });

  test.each([
    [other, `was built from commit ${other}`],
    [undefined, 'carries no org.opencontainers.image.revision label'],
  ])('a commit tag of %s', (revision, origin) => {
    expect(refused({ version: { exists: false }, commit: { exists: true, digest: C, revision } })).toBe(
      `registry.example/team/app:${tags.sha} already exists (${C}) and ${origin}, not from ${tags.sha}: a commit tag is never overwritten. ` +
        'Find out what pushed it; delete it in the registry if it is wrong, then run again.',
    );
  });
});

test('the references of the two tags, and of an image by digest', () => {
  expect([versionRef(tags), shaRef(tags), pinnedRef(tags, V)]).toEqual([
    'registry.example/team/app:v1.0.0',
    `registry.example/team/app:${tags.sha}`,
    `registry.example/team/app@${V}`,
  ]);
});

describe('the publication as data', () => {
  const fresh: Held = { version: { exists: false }, commit: { exists: false } };
  const published: Held = {
    version: { exists: true, digest: V, revision: tags.sha },
    commit: { exists: true, digest: V, revision: tags.sha },
  };

  test('with push: the commit tag, then the version tag, always last', () => {
    expect(names(publicationFor({ push: true }))).toEqual(['commit-tag', 'version-tag']);
  });

  test('without push: the engine only, written whatever the registry holds, after the same refusals', () => {
    expect(names(publicationFor({ push: false }))).toEqual(['engine']);
    expect(plan(fresh, tags, publicationFor({ push: false })).writes).toEqual([{ step: 'engine' }]);
    expect(plan(published, tags, publicationFor({ push: false }))).toEqual({
      image: heldAt(V),
      writes: [{ step: 'engine' }],
      reason: expect.stringContaining('nothing to write'),
    });
    expect(() =>
      plan(
        { ...fresh, version: { exists: true, digest: V, revision: other } },
        tags,
        publicationFor({ push: false }),
      ),
    ).toThrow('already exists');
  });

  test('samePlan: the same image and the same writes', () => {
    const a = plan(fresh, tags);
    expect(samePlan(a, plan(fresh, tags))).toBe(true);
    expect(samePlan(a, plan(published, tags))).toBe(false);
    expect(samePlan(plan(published, tags), { ...plan(published, tags), image: heldAt(C) })).toBe(false);
    expect(samePlan(plan(published, tags), { ...plan(published, tags), reason: 'other words' })).toBe(true);
  });
});

describe('with a signing key: the signature between the commit tag and the version tag', () => {
  const identities = [versionRef(tags), shaRef(tags)];
  const both = (digest: string, signature?: Held['signature']): Held => ({
    version: { exists: true, digest, revision: tags.sha },
    commit: { exists: true, digest, revision: tags.sha },
    signature,
  });
  const signing = publicationFor({ push: true, sign: true });

  test('the order: the image, its signature, then the version tag; a new build is signed by the step that pushes it, before its tag', () => {
    expect(names(signing)).toEqual(['commit-tag', 'signature', 'version-tag']);
    expect(plan({ version: { exists: false }, commit: { exists: false } }, tags, signing).writes).toEqual([
      { step: 'commit-tag' },
      { step: 'version-tag' },
    ]);
  });

  const signed = (digest: string, identities: string[], vouched = identities.includes(shaRef(tags))) => ({
    digest,
    identities,
    vouched,
  });

  test.each<[string, Held, { step: string }[]]>([
    ['published and signed for both tags: nothing', both(V, signed(V, identities)), []],
    [
      'signed for the commit only (another version of it published first): the signature',
      both(V, signed(V, [identities[1]])),
      [{ step: 'signature' }],
    ],
    [
      'an index this key signed, whose platform images lack a signature: the signature',
      both(V, signed(V, [], true)),
      [{ step: 'signature' }],
    ],
    ['signed, but another digest: the signature', both(V, signed(C, identities)), [{ step: 'signature' }]],
    [
      'the commit tag only, signed for the commit: the signature, then the version tag',
      {
        version: { exists: false },
        commit: { exists: true, digest: C, revision: tags.sha },
        signature: signed(C, [identities[1]]),
      },
      [{ step: 'signature' }, { step: 'version-tag' }],
    ],
  ])('%s', (_, held, writes) => {
    expect(plan(held, tags, signing).writes).toEqual(writes);
  });

  test.each<[string, Held, string]>([
    ['published, but this key never signed it', both(V, signed(V, [])), versionRef(tags)],
    ['published, signed for the version tag alone', both(V, signed(V, [identities[0]])), versionRef(tags)],
    [
      'the commit tag only, unsigned (pushed without the key, or planted with a label)',
      {
        version: { exists: false },
        commit: { exists: true, digest: C, revision: tags.sha },
        signature: signed(C, []),
      },
      shaRef(tags),
    ],
  ])('%s: refused, never signed', (_, held, reference) => {
    expect(() => plan(held, tags, signing)).toThrow(
      `${reference} holds ${held.signature!.digest}, labelled as built from this commit but not signed by this key. ` +
        'With `signing_key` the action signs an image before any tag names it, so no run with this key pushed this one (or its signature was removed), and it is not signed now. ' +
        'Find out what pushed it; delete the tag if it is wrong (where CI may only create, an admin can), then run again.',
    );
    // Without a key the revision label stays the rule: the same registry is published as before.
    expect(() => plan(held, tags)).not.toThrow();
  });

  test('a part this key did not sign: refused, naming the part', () => {
    const parts = partsOf(['linux/amd64', 'linux/arm64'], ['linux/amd64'], {});
    const held: Held = {
      version: { exists: false },
      commit: { exists: false },
      parts: { 'linux/arm64': { exists: true, digest: C, revision: tags.sha, signed: false } },
    };
    expect(() => plan(held, tags, publicationFor({ push: true, sign: true, parts: true }), parts)).toThrow(
      `${tags.image}:${tags.sha}-linux-arm64 (the linux/arm64 part) holds ${C}, labelled as built from this commit but not signed by this key.`,
    );
    const signedPart: Held = {
      ...held,
      parts: { 'linux/arm64': { ...held.parts!['linux/arm64'], signed: true } },
    };
    expect(
      plan(signedPart, tags, publicationFor({ push: true, sign: true, parts: true }), parts).image,
    ).toEqual({
      kind: 'assemble',
    });
  });
});
