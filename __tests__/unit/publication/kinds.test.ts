// The table of kinds (kinds.ts), and a kind added to it the way docs/architecture.md says,
// without editing src/: a `latest` tag. What steps/latest.ts would hold, its entry in KINDS
// (before the version tag), its step in STEPS and its rows are all here; the registry view, the
// planner and the executor are the real ones, over a scripted client and writer.
import { describe, expect, test } from '@jest/globals';
import type { HandOver } from '../../../src/build/hand-over.js';
import { tagRef, tagsOf } from '../../../src/image/tags.js';
import { REVISION_LABEL, Result } from '../../../src/names.js';
import type { Held, PublicationContext } from '../../../src/publication/context.js';
import { SETTLE_MS, publish } from '../../../src/publication/executor.js';
import {
  KINDS,
  heldUnder,
  publicationFor,
  tagsWrittenBy,
  type ObjectKind,
} from '../../../src/publication/kinds.js';
import { heldAt, plan, type Write } from '../../../src/publication/plan.js';
import { registryView } from '../../../src/publication/registry-view.js';
import { STEPS, type Step } from '../../../src/publication/steps/index.js';
import type { RegistryClient } from '../../../src/registry/client.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const OTHER = 'b'.repeat(40);
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const BUILT = digest('1');
const THEIRS = digest('2');
const PREVIOUS = digest('3');
/** The commit each image was built from. */
const REVISIONS: Record<string, string> = { [BUILT]: tags.sha, [THEIRS]: tags.sha, [PREVIOUS]: OTHER };

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
    [
      'push, signed in both formats: the .sig, then the bundle, both before the version tag',
      { push: true, sign: true, bundle: true },
      ['commit-tag', 'signature', 'bundle', 'version-tag'],
    ],
    [
      'push, a bundle alone (`signature_formats: bundle`)',
      { push: true, bundle: true },
      ['commit-tag', 'bundle', 'version-tag'],
    ],
    ['no push', { push: false }, ['engine']],
    ['no push, whatever else is asked', { push: false, sign: true, bundle: true, parts: true }, ['engine']],
  ])('%s: the kinds of the table a run leaves, in its order', (_, options, expected) => {
    expect(names(publicationFor(options))).toEqual(expected);
  });

  test('the table, in publication order: the version tag is the last write to the registry', () => {
    expect(names(KINDS)).toEqual(['part', 'commit-tag', 'signature', 'bundle', 'version-tag', 'engine']);
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

// ---- A `latest` tag, added as docs/architecture.md says ----

/** 1. Its step, as steps/latest.ts would hold it: `latest` pointed at the image published. */
const writeLatest: Step = async (context, image, write, settle) => {
  if (image.kind !== 'held') throw new Error('latest before the image is in the registry.');
  await context.writer.prepare();
  return context.phase('Push latest', async () => {
    await context.writer.copy(image.digest, tagRef(context.tags, 'latest'));
    // A repair means runs interleaved: the other may still be writing.
    return heldAt(await settle({ digest: image.digest, interleaved: write.repair === true }));
  });
};

/** 2. Its entry in KINDS: a tag kind, left by every run that pushes, placed before the version tag. */
const LATEST: ObjectKind = { name: 'latest', when: ({ push }) => push, tag: () => 'latest' };
const WITH_LATEST = KINDS.flatMap((kind): ObjectKind[] =>
  kind.name === 'version-tag' ? [LATEST, kind] : [kind],
);

/** 3. Its step in STEPS. */
const STEPS_WITH_LATEST = { ...STEPS, latest: writeLatest };

/** A registry's client holding `held` (tag → digest), every request recorded; manifests carry their revision. */
function clientHolding(held: Record<string, string>) {
  const tagsHeld = new Map(Object.entries(held));
  const requests: string[] = [];
  const manifestOf = (at: string) => {
    const json = { schemaVersion: 2, annotations: { [REVISION_LABEL]: REVISIONS[at] } };
    const bytes = Buffer.from(JSON.stringify(json));
    return {
      digest: at,
      size: bytes.length,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      json,
      bytes,
    };
  };
  const client = {
    manifestIfAny: async (_name: string, tag: string) => {
      requests.push(`GET ${tag}`);
      const at = tagsHeld.get(tag);
      return at ? manifestOf(at) : undefined;
    },
    lookUp: async (_name: string, tag: string) => {
      requests.push(`HEAD ${tag}`);
      const at = tagsHeld.get(tag);
      return at ? { exists: true, digest: at } : { exists: false };
    },
  };
  return { client: client as unknown as RegistryClient, tagsHeld, requests };
}

/** A run of the publication with `latest` over a registry holding `held`: the real view, planner and executor. */
function runWithLatest(held: Record<string, string> = {}) {
  const { client, tagsHeld, requests } = clientHolding(held);
  const writes: string[] = [];
  const phases: string[] = [];
  const waits: number[] = [];
  const tagOf = (reference: string) => reference.slice(reference.lastIndexOf(':') + 1);
  const unused = async () => {
    throw new Error('not in this publication');
  };
  const registry = registryView({ client, tags, publication: publicationFor({ push: true }, WITH_LATEST) });
  const context: PublicationContext = {
    tags,
    registry,
    writer: {
      prepare: async () => undefined,
      build: async () => {
        writes.push('build');
        return { kind: 'oci-layout', reference: 'oci:oci-layout', options: [], files: [] } as HandOver;
      },
      push: async (_built, reference) => {
        writes.push(`push ${tagOf(reference)}`);
        tagsHeld.set(tagOf(reference), BUILT);
        return BUILT;
      },
      copy: async (from, reference) => {
        writes.push(`copy ${tagOf(reference)}`);
        tagsHeld.set(tagOf(reference), from);
      },
      discard: async () => undefined,
      stage: unused,
      pushStaged: unused,
      load: unused,
      putIndex: unused,
    },
    phase: async (name, work) => {
      phases.push(name);
      return work();
    },
    sleep: async (ms) => void waits.push(ms),
    log: () => undefined,
    pushed: () => undefined,
  };
  const planNow = async () =>
    plan(await registry.readHeld(), tags, publicationFor({ push: true }, WITH_LATEST));
  return {
    requests,
    writes,
    phases,
    waits,
    tagsHeld,
    planNow,
    publish: async () => publish(await planNow(), context, planNow, STEPS_WITH_LATEST),
  };
}

describe('a `latest` tag, added as docs/architecture.md says', () => {
  test('its place: after the image and its signature, before the version tag; no push, no latest', () => {
    expect(names(publicationFor({ push: true, sign: true }, WITH_LATEST))).toEqual([
      'commit-tag',
      'signature',
      'latest',
      'version-tag',
    ]);
    expect(names(publicationFor({ push: false }, WITH_LATEST))).toEqual(['engine']);
  });

  test("the registry view reads it with the run's two tags: one more manifest read, none more for the two", async () => {
    const withLatest = clientHolding({ latest: PREVIOUS });
    const read = registryView({
      client: withLatest.client,
      tags,
      publication: publicationFor({ push: true }, WITH_LATEST),
    });
    await expect(read.readHeld()).resolves.toEqual({
      version: { exists: false },
      commit: { exists: false },
      otherTags: { latest: { exists: true, digest: PREVIOUS, revision: OTHER } },
    });
    expect(withLatest.requests).toEqual(['GET v1.0.0', `GET ${tags.sha}`, 'GET latest']);
    const { client, requests } = clientHolding({ latest: PREVIOUS });
    const held = await registryView({ client, tags, publication: publicationFor({ push: true }) }).readHeld();
    expect(requests).toEqual(['GET v1.0.0', `GET ${tags.sha}`]);
    expect(held).toEqual({ version: { exists: false }, commit: { exists: false }, otherTags: {} });
  });

  const both = (at: string): Pick<Held, 'version' | 'commit'> => ({
    version: { exists: true, digest: at, revision: tags.sha },
    commit: { exists: true, digest: at, revision: tags.sha },
  });
  test.each<[string, Held, Write[]]>([
    [
      'nothing there: built, then latest, then the version tag',
      { version: { exists: false }, commit: { exists: false }, otherTags: { latest: { exists: false } } },
      [{ step: 'commit-tag' }, { step: 'latest' }, { step: 'version-tag' }],
    ],
    [
      'published and latest names the image: nothing',
      { ...both(BUILT), otherTags: { latest: { exists: true, digest: BUILT, revision: tags.sha } } },
      [],
    ],
    [
      'published, latest missing: latest',
      { ...both(BUILT), otherTags: { latest: { exists: false } } },
      [{ step: 'latest' }],
    ],
    [
      'published, latest names the previous version (another commit): latest, written over',
      { ...both(BUILT), otherTags: { latest: { exists: true, digest: PREVIOUS, revision: OTHER } } },
      [{ step: 'latest' }],
    ],
    [
      'published, latest names another image of this commit (runs interleaved): repaired',
      { ...both(BUILT), otherTags: { latest: { exists: true, digest: THEIRS, revision: tags.sha } } },
      [{ step: 'latest', repair: true }],
    ],
    [
      'the commit tag only: latest, then the version tag',
      {
        version: { exists: false },
        commit: { exists: true, digest: BUILT, revision: tags.sha },
        otherTags: { latest: { exists: false } },
      },
      [{ step: 'latest' }, { step: 'version-tag' }],
    ],
  ])('the planner: %s', (_, held, writes) => {
    expect(plan(held, tags, publicationFor({ push: true }, WITH_LATEST)).writes).toEqual(writes);
  });

  test('a publication with latest over a view that did not read it: never planned as free', () => {
    const held: Held = { ...both(BUILT) };
    expect(() => plan(held, tags, publicationFor({ push: true }, WITH_LATEST))).toThrow(
      "latest was not read with the run's tags",
    );
  });

  test('the executor: built and pushed, latest written before the version tag; a re-run writes nothing', async () => {
    const run = runWithLatest({ latest: PREVIOUS });
    await expect(run.publish()).resolves.toMatchObject({ result: Result.Pushed, digest: BUILT });
    expect(run.writes).toEqual(['build', `push ${tags.sha}`, 'copy latest', 'copy v1.0.0']);
    expect(run.phases).toEqual(['Push the commit tag', 'Push latest', 'Push the version tag']);

    const rerun = runWithLatest(Object.fromEntries(run.tagsHeld));
    await expect(rerun.publish()).resolves.toMatchObject({
      result: Result.AlreadyPublished,
      digest: BUILT,
      reason: expect.stringContaining('nothing to write'),
    });
    expect(rerun.writes).toEqual([]);
    expect(rerun.requests).toEqual(['GET v1.0.0', `GET ${tags.sha}`, 'GET latest']);
  });

  test('a run that stopped after latest: the version tag only, no build', async () => {
    const run = runWithLatest({ [tags.sha]: BUILT, latest: BUILT });
    await expect(run.publish()).resolves.toMatchObject({ result: Result.Completed, digest: BUILT });
    expect(run.writes).toEqual(['copy v1.0.0']);
  });

  test('latest repaired to the published image: both tags proved after the settle wait', async () => {
    const run = runWithLatest({ 'v1.0.0': BUILT, [tags.sha]: BUILT, latest: THEIRS });
    await expect(run.publish()).resolves.toMatchObject({ result: Result.Completed, digest: BUILT });
    expect(run.writes).toEqual(['copy latest']);
    expect(run.tagsHeld.get('latest')).toBe(BUILT);
    expect(run.waits).toEqual([SETTLE_MS]);
  });
});
