// The executor and its steps against a scripted registry and a scripted writer: every branch
// that the e2e suite reaches only by racing real runs is a row here, deterministic.
import { OCI_MANIFEST } from '../../../src/image/media-types.js';
import { describe, expect, test } from '@jest/globals';
import type { HandOver } from '../../../src/build/hand-over.js';
import { RegistryError, TagTaken, UserError } from '../../../src/errors.js';
import { Result } from '../../../src/names.js';
import type { PublicationContext } from '../../../src/publication/context.js';
import { MAX_PLANS, SETTLE_MS, publish } from '../../../src/publication/executor.js';
import { publicationFor } from '../../../src/publication/kinds.js';
import { plan, type Plan } from '../../../src/publication/plan.js';
import { tagsOf, type TaggedImage } from '../../../src/image/tags.js';

const TWO_TAGS = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const ONE_TAG = tagsOf('r.example', 'team/app', 'v1.0.0-aaaaaaa', 'a'.repeat(40), { commitTag: false });
const tags = TWO_TAGS;
const OTHER = 'b'.repeat(40);
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const BUILT = digest('1');
const THEIRS = digest('2');
const FOREIGN = digest('3');
const VERSION = 'r.example/team/app:v1.0.0';
const COMMIT = `r.example/team/app:${tags.sha}`;

/** A moment of this run at which another run (or a registry's quirk) acts. */
type Moment =
  | 'after-build'
  | `before-copy ${string}`
  | `after-copy ${string}`
  | `lookUp ${string}`
  | `after-read ${string}`;

/** A hook that acts the first time only. */
const once = (act: (registry: Scripted) => void) => {
  let done = false;
  return (registry: Scripted) => {
    if (!done) act(registry);
    done = true;
  };
};

interface Scripted {
  /** tag → digest */
  tags: Map<string, string>;
  /** digest → the commit it was built from */
  images: Map<string, string | undefined>;
  /** What the run did, in order: reads, writes, log lines. */
  log: string[];
  builds: number;
  discarded: number;
  waits: number[];
  reported: string[];
  phases: string[];
}

/**
 * A registry holding tags and images, with hooks that let another run write at a given moment
 * (`on`); `createOnly` refuses to overwrite a tag as zot does without `update`; `headLies`
 * makes a HEAD answer 200 for a tag a GET does not find. The writer writes into it.
 */
function scripted(
  options: {
    tags?: Record<string, string>;
    createOnly?: boolean;
    headLies?: string;
    on?: Partial<Record<Moment, (registry: Scripted) => void>>;
    /** `commit_tag: false`: the version tag is the one tag. */
    oneTag?: boolean;
  } = {},
) {
  const tags = options.oneTag ? ONE_TAG : TWO_TAGS;
  const registry: Scripted = {
    tags: new Map(Object.entries(options.tags ?? {})),
    images: new Map<string, string | undefined>([
      [BUILT, tags.sha],
      [THEIRS, tags.sha],
      [FOREIGN, OTHER],
    ]),
    log: [],
    builds: 0,
    discarded: 0,
    waits: [],
    reported: [],
    phases: [],
  };
  const at = (moment: Moment) => options.on?.[moment]?.(registry);
  const imageAt = (tag: string): TaggedImage => {
    const held = registry.tags.get(tag);
    return held ? { exists: true, digest: held, revision: registry.images.get(held) } : { exists: false };
  };
  const tagOf = (reference: string) => reference.slice(reference.lastIndexOf(':') + 1);
  const context: PublicationContext = {
    tags,
    registry: {
      readHeld: async () => ({
        version: imageAt(tags.version),
        commit: options.oneTag ? { exists: false } : imageAt(tags.sha),
      }),
      read: async (tag) => {
        registry.log.push(`GET ${tag}`);
        const image = imageAt(tag);
        at(`after-read ${tag}`);
        return image;
      },
      lookUp: async (tag) => {
        at(`lookUp ${tag}`);
        registry.log.push(`HEAD ${tag}`);
        if (options.headLies === tag) return { exists: true, digest: FOREIGN };
        const held = registry.tags.get(tag);
        return held ? { exists: true, digest: held } : { exists: false };
      },
      readParts: async () => ({}),
      imagesOf: async (d) => (d === THEIRS ? [digest('7'), digest('8')] : []),
    },
    writer: {
      prepare: async () => void registry.log.push('prepare'),
      build: async () => {
        registry.builds++;
        registry.log.push('build');
        at('after-build');
        return { kind: 'oci-layout', reference: 'oci:oci-layout', options: [], files: [] } as HandOver;
      },
      push: async (_built, reference) => {
        registry.log.push(`push -> ${tagOf(reference)}`);
        registry.tags.set(tagOf(reference), BUILT);
        return BUILT;
      },
      stage: async () => {
        registry.log.push('stage');
        return {
          source: { reference: 'oci:staged', options: [] },
          digest: BUILT,
          mediaType: OCI_MANIFEST,
          size: 500,
          platforms: [],
          files: [],
        };
      },
      pushStaged: async (staged, reference) => {
        registry.log.push(`push -> ${tagOf(reference)}`);
        registry.tags.set(tagOf(reference), staged.digest);
        return staged.digest;
      },
      discard: async () => void registry.discarded++,
      load: async () => {
        registry.builds++;
        registry.log.push('load');
      },
      copy: async (from, reference) => {
        const tag = tagOf(reference);
        at(`before-copy ${tag}`);
        if (options.createOnly && registry.tags.has(tag))
          throw new TagTaken(`The registry refused to write ${reference} (403 DENIED).`, { reference });
        registry.log.push(`copy ${from.slice(7, 8)} -> ${tag}`);
        registry.tags.set(tag, from);
        at(`after-copy ${tag}`);
      },
      putIndex: async () => {
        throw new Error('no parts here');
      },
    },
    phase: async (name, work) => {
      registry.phases.push(name);
      return work();
    },
    sleep: async (ms) => void registry.waits.push(ms),
    log: (line) => void registry.log.push(`log ${line}`),
    pushed: (d) => void registry.reported.push(d),
  };
  const publication = (push: boolean) => publicationFor({ push, commitTag: !options.oneTag });
  const readAgain = async (): Promise<Plan> =>
    plan(await context.registry.readHeld(), tags, publication(true));
  const run = async (push = true) =>
    publish(plan(await context.registry.readHeld(), tags, publication(push)), context, readAgain);
  return { registry, context, run };
}

const writesOf = (log: string[]) => log.filter((line) => /^(push|copy|build|load)/.test(line));
const replans = (log: string[]) => log.filter((line) => line.endsWith('Reading the registry again.'));

describe('carrying out a plan', () => {
  test('nothing there: one build, the commit tag pushed, then the version tag copied and both proved', async () => {
    const { registry, run } = scripted();
    await expect(run()).resolves.toEqual({
      result: Result.Pushed,
      digest: BUILT,
      reason: 'Neither v1.0.0 nor the commit tag exists: building and pushing both.',
    });
    expect(registry.log).toEqual([
      'prepare',
      'build',
      `GET ${tags.sha}`,
      `push -> ${tags.sha}`,
      'prepare',
      'HEAD v1.0.0',
      `HEAD ${tags.sha}`,
      'copy 1 -> v1.0.0',
      'HEAD v1.0.0',
      `HEAD ${tags.sha}`,
      `log ${VERSION} and ${COMMIT} -> ${BUILT}`,
    ]);
    expect(registry.reported).toEqual([BUILT]);
    expect(registry.discarded).toBe(1);
    expect(registry.phases).toEqual(['Push the commit tag', 'Push the version tag']);
    expect(registry.waits).toEqual([]);
  });

  test('everything there: nothing is prepared, built or written', async () => {
    const { registry, run } = scripted({ tags: { 'v1.0.0': BUILT, [tags.sha]: BUILT } });
    await expect(run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: BUILT });
    expect(registry.log).toEqual([]);
  });

  test('the commit tag only: the version tag copied from it, no build', async () => {
    const { registry, run } = scripted({ tags: { [tags.sha]: BUILT } });
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: BUILT });
    expect(writesOf(registry.log)).toEqual(['copy 1 -> v1.0.0']);
    expect(registry.builds).toBe(0);
  });

  test('the version tag only: the commit tag copied from it, nothing proved (the version was there)', async () => {
    const { registry, run } = scripted({ tags: { 'v1.0.0': BUILT } });
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: BUILT });
    expect(registry.log).toEqual(['prepare', `copy 1 -> ${tags.sha}`]);
    expect(registry.phases).toEqual(['Push the commit tag']);
  });

  test('a repair: the commit tag follows the version tag, then both are proved after the settle wait', async () => {
    const { registry, run } = scripted({ tags: { 'v1.0.0': BUILT, [tags.sha]: THEIRS } });
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: BUILT });
    expect(writesOf(registry.log)).toEqual([`copy 1 -> ${tags.sha}`]);
    expect(registry.waits).toEqual([SETTLE_MS]);
    expect(registry.log.filter((line) => line.startsWith('HEAD'))).toHaveLength(4);
  });

  test('without push: built and loaded into the engine, no digest, nothing written to the registry', async () => {
    const { registry, run } = scripted({ tags: { 'v1.0.0': BUILT, [tags.sha]: BUILT } });
    await expect(run(false)).resolves.toEqual({
      result: Result.Built,
      reason: expect.stringContaining('nothing to write'),
    });
    expect(registry.log).toEqual(['load']);
  });
});

describe('another run takes a tag between the read and the write', () => {
  test('the commit tag pushed while this run built: not overwritten; the run publishes that image, built once', async () => {
    const { registry, run } = scripted({ on: { 'after-build': (r) => void r.tags.set(tags.sha, THEIRS) } });
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: THEIRS });
    expect(registry.builds).toBe(1);
    expect(registry.discarded).toBe(1);
    expect(writesOf(registry.log)).toEqual(['build', 'copy 2 -> v1.0.0']);
    expect(registry.log).toContain(
      `log ${COMMIT} was taken by another run (${THEIRS}). Reading the registry again.`,
    );
  });

  test('the version tag written by another run of this commit before the last look: converges, no write', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: { 'lookUp v1.0.0': (r) => void r.tags.set('v1.0.0', BUILT) },
    });
    await expect(run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: BUILT });
    expect(writesOf(registry.log)).toEqual([]);
    expect(registry.log).toContain('GET v1.0.0');
  });

  test('the version tag taken with another commit: the run stops with the refusal, naming that commit', async () => {
    const { run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: { 'lookUp v1.0.0': (r) => void r.tags.set('v1.0.0', FOREIGN) },
    });
    await expect(run()).rejects.toThrow(`already exists (${FOREIGN}) and was built from commit ${OTHER}`);
  });

  test('a HEAD that finds the version tag and a GET that does not: the contradiction is named, nothing written', async () => {
    const { registry, run } = scripted({ tags: { [tags.sha]: BUILT }, headLies: 'v1.0.0' });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      `The registry contradicts itself: a HEAD of ${VERSION} answers 200 (${FOREIGN}) but a GET finds no such manifest. ` +
        `Nothing more was written; this commit's image is at ${COMMIT}. Check the registry, then run the job again.`,
    );
    expect(writesOf(registry.log)).toEqual([]);
  });

  test("the commit tag holds another image of this commit at the version's last look: that one is published", async () => {
    const { registry, run } = scripted({
      on: {
        'lookUp v1.0.0': (r) => void (r.tags.get(tags.sha) === BUILT && r.tags.set(tags.sha, THEIRS)),
      },
    });
    await expect(run()).resolves.toMatchObject({ result: Result.Pushed, digest: THEIRS });
    expect(writesOf(registry.log)).toEqual(['build', `push -> ${tags.sha}`, 'copy 2 -> v1.0.0']);
    expect(registry.log).toContain(
      `log ${COMMIT} holds another image of this commit (${THEIRS}), pushed by another run at the same time (this registry lets tags be overwritten): the commit tag decides, publishing that one.`,
    );
    expect(registry.waits).toEqual([SETTLE_MS]);
  });

  test('the commit tag replaced by an image of another commit: left as it is, the run stops', async () => {
    const { registry, run } = scripted({
      on: { 'lookUp v1.0.0': (r) => void r.tags.set(tags.sha, FOREIGN) },
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `${COMMIT} was replaced by an image of commit ${OTHER} (${FOREIGN}) while this run published ${BUILT}; it was left as it is. Find out what pushed it.`,
    );
    expect(writesOf(registry.log)).toEqual(['build', `push -> ${tags.sha}`]);
  });
});

describe('the proof after the last write', () => {
  test('the version tag overwritten by another run of this commit right after this one wrote it: read again, the commit tag follows', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: {
        'after-copy v1.0.0': (r) => void (r.tags.get('v1.0.0') === BUILT && r.tags.set('v1.0.0', THEIRS)),
      },
    });
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: THEIRS });
    expect(writesOf(registry.log)).toEqual(['copy 1 -> v1.0.0', `copy 2 -> ${tags.sha}`]);
    expect(registry.log).toContain(
      `log ${VERSION} was taken by another run (${THEIRS}). Reading the registry again.`,
    );
  });

  test('the commit tag moved after this run wrote the version tag: the version tag gives way to it', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: {
        'after-copy v1.0.0': (r) => void (r.tags.get(tags.sha) === BUILT && r.tags.set(tags.sha, THEIRS)),
      },
    });
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: THEIRS });
    expect(writesOf(registry.log)).toEqual(['copy 1 -> v1.0.0', 'copy 2 -> v1.0.0']);
    expect(registry.log).toContain(
      `log ${COMMIT} now holds another image of this commit (${THEIRS}), pushed last by another run at the same time (this registry lets tags be overwritten): the commit tag decides, so ${VERSION} gives way to it.`,
    );
    expect(registry.waits).toEqual([SETTLE_MS]);
  });

  test('the commit tag deleted meanwhile: pushed again from the published image', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: { 'after-copy v1.0.0': (r) => void r.tags.delete(tags.sha) },
    });
    await expect(run()).resolves.toMatchObject({ digest: BUILT });
    expect(writesOf(registry.log)).toEqual(['copy 1 -> v1.0.0', `copy 1 -> ${tags.sha}`]);
    expect(registry.log).toContain(`log ${COMMIT} is gone (deleted meanwhile?): pushing it again.`);
  });

  test('a repaired commit tag that another run moves back at once: tried once more, then the refusal stands', async () => {
    const { registry, run } = scripted({
      tags: { 'v1.0.0': BUILT, [tags.sha]: THEIRS },
      on: { [`after-copy ${tags.sha}`]: (r: Scripted) => void r.tags.set(tags.sha, THEIRS) },
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      `${COMMIT} moved to ${THEIRS} while this run pointed it at ${BUILT}.`,
    );
    // The same plan again means the registry did not move on: one repair only.
    expect(writesOf(registry.log)).toEqual([`copy 1 -> ${tags.sha}`]);
    expect(replans(registry.log)).toHaveLength(1);
  });

  test('tags that move while the runs settle: the last look fails, the run reads again and converges', async () => {
    const { registry, context, run } = scripted({
      // At the version's last look another run has put its image under the commit tag.
      on: { 'lookUp v1.0.0': once((r) => void r.tags.set(tags.sha, THEIRS)) },
    });
    // During the settle wait a third run points the commit tag back at this run's image.
    context.sleep = once(() => void registry.tags.set(tags.sha, BUILT)) as unknown as typeof context.sleep;
    // The result is the last plan's: the repair of the commit tag.
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: THEIRS });
    expect(registry.log).toContain(
      `log ${COMMIT} was taken by another run (${BUILT}). Reading the registry again.`,
    );
    // The new plan repairs the commit tag to follow the published version tag.
    expect(writesOf(registry.log)).toEqual([
      'build',
      `push -> ${tags.sha}`,
      'copy 2 -> v1.0.0',
      `copy 2 -> ${tags.sha}`,
    ]);
  });
  test('the version tag gone right after this run wrote it: read again, the same plan, the refusal names what the proof found', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: { 'after-copy v1.0.0': (r) => void r.tags.delete('v1.0.0') },
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      `${VERSION} points at nothing after the push, not at ${BUILT}: another run wrote it at the same time (this registry lets tags be overwritten).`,
    );
    expect(replans(registry.log)).toEqual([
      `log ${VERSION} was taken by another run. Reading the registry again.`,
    ]);
  });

  test('the commit tag gone while the runs settled: read again, the new plan named, and the commit tag put back', async () => {
    const { registry, context, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: {
        'after-copy v1.0.0': (r) => void (r.tags.get(tags.sha) === BUILT && r.tags.set(tags.sha, THEIRS)),
      },
    });
    context.sleep = once(() => void registry.tags.delete(tags.sha)) as unknown as typeof context.sleep;
    await expect(run()).resolves.toMatchObject({ result: Result.Completed, digest: THEIRS });
    expect(replans(registry.log)).toEqual([
      `log ${COMMIT} was taken by another run. Reading the registry again.`,
    ]);
    expect(registry.log).toContain(
      'log v1.0.0 was built from this commit but the commit tag is missing: adding it, no build.',
    );
    expect(writesOf(registry.log)).toEqual(['copy 1 -> v1.0.0', 'copy 2 -> v1.0.0', `copy 2 -> ${tags.sha}`]);
  });
});

describe('when the new plan is no way forward, the refusal stands', () => {
  test('a create-only registry refusing a version tag another commit took: that refusal is named', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      createOnly: true,
      on: { 'before-copy v1.0.0': (r) => void r.tags.set('v1.0.0', FOREIGN) },
    });
    await expect(run()).rejects.toThrow(`already exists (${FOREIGN}) and was built from commit ${OTHER}`);
    expect(writesOf(registry.log)).toEqual([]);
  });

  test('a refused write that leaves the registry as it was (a policy): the same plan, the refusal stands', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: {
        'before-copy v1.0.0': () => {
          throw new TagTaken('The registry refused to write it (403 DENIED).', { reference: VERSION });
        },
      },
    });
    await expect(run()).rejects.toThrow('The registry refused to write it (403 DENIED).');
    expect(replans(registry.log)).toEqual([
      `log ${VERSION} was taken by another run. Reading the registry again.`,
    ]);
  });

  test('a plan that would build again: never built twice', async () => {
    const { registry, run } = scripted({
      on: {
        // Another run pushes the commit tag while this one builds; it is deleted right after this run saw it.
        'after-build': (r) => void r.tags.set(tags.sha, THEIRS),
        [`after-read ${tags.sha}`]: (r: Scripted) => void r.tags.delete(tags.sha),
      },
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      `${COMMIT} was pushed by another run while this one was building (${THEIRS}); it was left as it is.`,
    );
    expect(registry.builds).toBe(1);
    expect(writesOf(registry.log)).toEqual(['build']);
  });

  test('a copy whose new plan would build (both tags gone meanwhile): the refusal stands, nothing is built', async () => {
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: {
        'lookUp v1.0.0': once((r: Scripted) => void r.tags.set('v1.0.0', BUILT)),
        'after-read v1.0.0': (r: Scripted) => r.tags.clear(),
      },
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      `${VERSION} was pushed by another run while this one was working (${BUILT}); it was left as it is. ` +
        `This commit's image is at ${COMMIT}. Serialise the workflow with a \`concurrency:\` group.`,
    );
    expect(registry.builds).toBe(0);
  });

  test(`after ${MAX_PLANS} plans the last refusal stands`, async () => {
    let round = 0;
    const { registry, run } = scripted({
      tags: { [tags.sha]: BUILT },
      on: {
        // Each round another run of this commit takes the version tag with a new image of its own,
        // and points the commit tag at it: this run plans again, and again.
        'before-copy v1.0.0': (r) => {
          const next = digest(String.fromCharCode(97 + round++));
          r.images.set(next, tags.sha);
          r.tags.set(tags.sha, next);
          r.tags.delete('v1.0.0');
          throw new TagTaken('taken', { reference: VERSION, digest: next });
        },
      },
    });
    await expect(run()).rejects.toThrow('taken');
    expect(replans(registry.log)).toHaveLength(MAX_PLANS - 1);
  });

  test('an error that is not a taken tag is never met with a new plan', async () => {
    const { registry, context, run } = scripted();
    context.writer.build = async () => {
      throw new UserError('the build failed');
    };
    await expect(run()).rejects.toThrow('the build failed');
    expect(replans(registry.log)).toEqual([]);
  });
});

/**
 * A scripted `.sig` store: digest → identities signed; like the real one, it writes only what is
 * missing. The key vouches for what it signed for the commit tag, or for what the key vouched
 * for before (a bundle).
 */
function signing(registry: ReturnType<typeof scripted>['registry'], context: PublicationContext) {
  const store = new Map<string, string[]>();
  context.signatures = {
    read: async (d) => ({ digest: d, identities: store.get(d) ?? [], layers: [], exists: store.has(d) }),
    write: async (d, identities) => {
      const held = store.get(d) ?? [];
      if (!identities.every((identity) => held.includes(identity))) {
        registry.log.push(`sign ${d.slice(7, 8)} for ${identities.length}`);
        store.set(d, [...new Set([...held, ...identities])]);
      }
      return `r.example/team/app:${d.replace(':', '-')}.sig`;
    },
  };
  const before = context.vouches;
  context.vouches = async (d) => (store.get(d) ?? []).includes(COMMIT) || ((await before?.(d)) ?? false);
  return store;
}

describe('with a signing key', () => {
  const signs = (log: string[]) => log.filter((line) => /^(build|stage|push|copy|sign)/.test(line));
  const heldWith = async (context: PublicationContext, store: Map<string, string[]>) => {
    const held = await context.registry.readHeld();
    const image = held.version.exists
      ? held.version.digest
      : held.commit.exists
        ? held.commit.digest
        : undefined;
    if (!image) return held;
    const identities = store.get(image) ?? [];
    return { ...held, signature: { digest: image, identities, vouched: identities.includes(COMMIT) } };
  };
  const signedPublication = publicationFor({ push: true, sign: true });

  test('a fresh run: built, signed before any tag names it, then the commit tag, then the version tag, last', async () => {
    const { registry, context } = scripted();
    const store = signing(registry, context);
    const first = plan(await heldWith(context, store), tags, signedPublication);
    await expect(publish(first, context, async () => first)).resolves.toMatchObject({
      result: Result.Pushed,
      digest: BUILT,
    });
    expect(signs(registry.log)).toEqual([
      'build',
      'stage',
      'sign 1 for 2',
      `push -> ${tags.sha}`,
      'copy 1 -> v1.0.0',
    ]);
    // Signed before the push: no signing step follows the commit tag.
    expect(registry.phases).toEqual(['Sign before the push', 'Push the commit tag', 'Push the version tag']);
  });

  test('a run that died after its push: its image is signed already, so the re-run writes the version tag, no build', async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
    const store = signing(registry, context);
    store.set(BUILT, [VERSION, COMMIT]);
    const next = plan(await heldWith(context, store), tags, signedPublication);
    await expect(publish(next, context, async () => next)).resolves.toMatchObject({
      result: Result.Completed,
    });
    expect(signs(registry.log)).toEqual(['copy 1 -> v1.0.0']);
  });

  test('an image under the commit tag that this key never signed (planted with the label): refused, never signed', async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
    const store = signing(registry, context);
    const held = await heldWith(context, store);
    expect(() => plan(held, tags, signedPublication)).toThrow(
      `${COMMIT} holds ${BUILT}, labelled as built from this commit but not signed by this key.`,
    );
    expect(signs(registry.log)).toEqual([]);
  });

  test('published but never signed by this key: refused, never signed', async () => {
    const { registry, context } = scripted({ tags: { 'v1.0.0': BUILT, [tags.sha]: BUILT } });
    const store = signing(registry, context);
    const held = await heldWith(context, store);
    expect(() => plan(held, tags, signedPublication)).toThrow(
      `${VERSION} holds ${BUILT}, labelled as built from this commit but not signed by this key.`,
    );
    expect(signs(registry.log)).toEqual([]);
  });

  test("an index this key signed whose platform images lack theirs (as 1.1.0 left it): each platform signed, the index's .sig not written again", async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: THEIRS } });
    const store = signing(registry, context);
    store.set(THEIRS, [VERSION, COMMIT]);
    const next = plan(
      {
        ...(await context.registry.readHeld()),
        signature: { digest: THEIRS, identities: [], vouched: true },
      },
      tags,
      signedPublication,
    );
    await expect(publish(next, context, async () => next)).resolves.toMatchObject({ digest: THEIRS });
    expect(signs(registry.log)).toEqual(['sign 7 for 2', 'sign 8 for 2', 'copy 2 -> v1.0.0']);
  });

  test("another version's run drops this run's signature layer after it was verified: it is signed again before the version tag is written", async () => {
    const { registry, context } = scripted({
      on: { 'lookUp v1.0.0': (r) => void r.log.push('other run rewrites the .sig') },
    });
    const store = signing(registry, context);
    const first = plan(await heldWith(context, store), tags, signedPublication);
    const write = context.signatures!.write;
    let dropped = false;
    context.signatures!.write = async (d, identities) => {
      // Just after this run's own signature step, the other run's write drops its layers.
      if (!dropped && registry.log.includes('other run rewrites the .sig')) {
        dropped = true;
        store.set(d, []);
      }
      return write(d, identities);
    };
    await expect(publish(first, context, async () => first)).resolves.toMatchObject({ digest: BUILT });
    expect(signs(registry.log)).toEqual([
      'build',
      'stage',
      'sign 1 for 2',
      `push -> ${tags.sha}`,
      'sign 1 for 2',
      'copy 1 -> v1.0.0',
    ]);
    expect(store.get(BUILT)).toEqual([VERSION, COMMIT]);
  });

  test('on a registry that lets tags be overwritten, the commit tag moved to an image of this commit that this key did not sign: the version tag is not moved to it', async () => {
    const { registry, context } = scripted({
      on: {
        'after-copy v1.0.0': (r) => void (r.tags.get(tags.sha) === BUILT && r.tags.set(tags.sha, THEIRS)),
      },
    });
    const store = signing(registry, context);
    const first = plan(await heldWith(context, store), tags, signedPublication);
    const error = await publish(first, context, async () => first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      `${COMMIT} (replaced while this run published ${BUILT}) holds ${THEIRS}, labelled as built from this commit but not signed by this key.`,
    );
    expect(registry.tags.get('v1.0.0')).toBe(BUILT);
    expect(signs(registry.log).filter((line) => line.startsWith('sign'))).toEqual(['sign 1 for 2']);
  });

  test('the same, but the other run signed its image with this key (it signs before its push): the version tag gives way to it', async () => {
    const { registry, context } = scripted({
      on: {
        'after-copy v1.0.0': (r) => void (r.tags.get(tags.sha) === BUILT && r.tags.set(tags.sha, THEIRS)),
      },
    });
    const store = signing(registry, context);
    store.set(THEIRS, [VERSION, COMMIT]);
    const first = plan(await heldWith(context, store), tags, signedPublication);
    await expect(publish(first, context, async () => first)).resolves.toMatchObject({ digest: THEIRS });
    expect(registry.tags.get('v1.0.0')).toBe(THEIRS);
  });

  describe.each([
    ['a registry that lets tags be overwritten', false],
    ['a create-only registry', true],
  ])('a re-run after each write of the signing order, on %s', (_, createOnly) => {
    /** The .sig store as such a registry keeps it: a .sig that exists is never updated on create-only. */
    function signingOn(registry: ReturnType<typeof scripted>['registry'], context: PublicationContext) {
      const store = signing(registry, context);
      const write = context.signatures!.write;
      context.signatures!.write = async (d, identities) => {
        const held = store.get(d);
        if (createOnly && held && !identities.every((identity) => held.includes(identity)))
          throw new UserError(`the .sig of ${d} exists and the registry refuses to update it`);
        return write(d, identities);
      };
      return store;
    }
    const rerun = async (tagsThere: Record<string, string>, signed: string[]) => {
      const { registry, context } = scripted({ tags: tagsThere, createOnly });
      const store = signingOn(registry, context);
      if (signed.length > 0) store.set(BUILT, signed);
      const next = plan(await heldWith(context, store), tags, signedPublication);
      const outcome = await publish(next, context, async () => next);
      return { outcome, log: signs(registry.log), store };
    };

    test('killed after signing, before the push: built again (the same bytes), nothing signed again, then both tags', async () => {
      const { outcome, log } = await rerun({}, [VERSION, COMMIT]);
      expect(outcome).toMatchObject({ result: Result.Pushed, digest: BUILT });
      expect(log).toEqual(['build', 'stage', `push -> ${tags.sha}`, 'copy 1 -> v1.0.0']);
    });

    test('killed after the push of the commit tag: the version tag only', async () => {
      const { outcome, log } = await rerun({ [tags.sha]: BUILT }, [VERSION, COMMIT]);
      expect(outcome).toMatchObject({ result: Result.Completed, digest: BUILT });
      expect(log).toEqual(['copy 1 -> v1.0.0']);
    });

    test('killed after the version tag (before its proof): nothing written', async () => {
      const { outcome, log } = await rerun({ [tags.sha]: BUILT, 'v1.0.0': BUILT }, [VERSION, COMMIT]);
      expect(outcome).toMatchObject({ result: Result.AlreadyPublished, digest: BUILT });
      expect(log).toEqual([]);
    });

    test('killed after the push, its .sig since emptied by someone with push rights: refused, never signed', async () => {
      await expect(rerun({ [tags.sha]: BUILT }, [])).rejects.toThrow(
        `${COMMIT} holds ${BUILT}, labelled as built from this commit but not signed by this key.`,
      );
    });
  });

  test('a signature step without a key is a programming error, never a silent skip', async () => {
    const { context } = scripted({ tags: { [tags.sha]: BUILT } });
    const next: Plan = {
      image: { kind: 'held', digest: BUILT },
      writes: [{ step: 'signature' }],
      reason: 'r',
    };
    await expect(publish(next, context, async () => next)).rejects.toThrow(
      'A signature step without a signing key.',
    );
  });
});

describe('one tag (`commit_tag: false`): the version tag is the only tag of the image', () => {
  test('nothing there: one build pushed under the version tag, proved by one look-up, no commit tag', async () => {
    const { registry, run, context } = scripted({ oneTag: true });
    await expect(run()).resolves.toEqual({
      result: Result.Pushed,
      digest: BUILT,
      reason:
        'v1.0.0-aaaaaaa does not exist: building and pushing it, the one tag (no commit tag: `commit_tag: false`).',
    });
    expect(registry.log).toEqual([
      'prepare',
      'build',
      'GET v1.0.0-aaaaaaa',
      'push -> v1.0.0-aaaaaaa',
      'HEAD v1.0.0-aaaaaaa',
      'log r.example/team/app:v1.0.0-aaaaaaa -> ' + BUILT,
    ]);
    expect([...registry.tags.keys()]).toEqual(['v1.0.0-aaaaaaa']);
    expect(registry.phases).toEqual(['Push the version tag']);
    expect(registry.reported).toEqual([BUILT]);
    expect(registry.discarded).toBe(1);
    expect(context.tags.oneTag).toBe(true);
  });

  test('a re-run finds the one tag of this commit: nothing built, nothing written', async () => {
    const { registry, run } = scripted({ oneTag: true, tags: { 'v1.0.0-aaaaaaa': BUILT } });
    await expect(run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: BUILT });
    expect(writesOf(registry.log)).toEqual([]);
  });

  test('the tag pushed by another run of this commit while this one built: left as it is, this run converges on it', async () => {
    const { registry, run } = scripted({
      oneTag: true,
      on: { 'after-build': once((r) => r.tags.set('v1.0.0-aaaaaaa', THEIRS)) },
    });
    await expect(run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: THEIRS });
    expect(registry.builds).toBe(1);
    expect(writesOf(registry.log)).toEqual(['build']);
  });

  test('the tag pushed by a run of another commit while this one built: refused, never overwritten', async () => {
    const { registry, run } = scripted({
      oneTag: true,
      on: { 'after-build': once((r) => r.tags.set('v1.0.0-aaaaaaa', FOREIGN)) },
    });
    await expect(run()).rejects.toThrow(`already exists (${FOREIGN}) and was built from commit ${OTHER}`);
    expect(writesOf(registry.log)).toEqual(['build']);
  });

  test('the one tag gone right after the push: the new plan would build again, so the refusal stands, naming what the proof found', async () => {
    const { registry, run } = scripted({
      oneTag: true,
      on: { 'lookUp v1.0.0-aaaaaaa': once((r) => void r.tags.delete('v1.0.0-aaaaaaa')) },
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      `r.example/team/app:v1.0.0-aaaaaaa points at nothing after the push, not at ${BUILT}: another run wrote it at the same time (this registry lets tags be overwritten).`,
    );
    expect(registry.builds).toBe(1);
  });

  test('the one tag overwritten by another run of this commit right after the push: read again, published as it is', async () => {
    const { registry, run } = scripted({
      oneTag: true,
      on: { 'lookUp v1.0.0-aaaaaaa': once((r) => void r.tags.set('v1.0.0-aaaaaaa', THEIRS)) },
    });
    await expect(run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: THEIRS });
    expect(replans(registry.log)).toEqual([
      `log r.example/team/app:v1.0.0-aaaaaaa was taken by another run (${THEIRS}). Reading the registry again.`,
    ]);
    expect(registry.builds).toBe(1);
  });

  test('without push: the engine alone, as with two tags', async () => {
    const { registry, run } = scripted({ oneTag: true });
    await expect(run(false)).resolves.toMatchObject({ result: Result.Built });
    expect(writesOf(registry.log)).toEqual(['load']);
  });
});

describe('with a signing key, a bundle referrer (`signature_formats`)', () => {
  /** A scripted referrers store: the digests a bundle of this key vouches for; like the real one, it writes only what is missing. */
  function bundling(registry: ReturnType<typeof scripted>['registry'], context: PublicationContext) {
    const bundled = new Set<string>();
    context.bundles = {
      read: async (d) => bundled.has(d),
      write: async (d, subject) => {
        if (!bundled.has(d)) {
          registry.log.push(
            `bundle ${d.slice(7, 8)}${subject ? ` (${subject.mediaType}, ${subject.size} bytes)` : ''}`,
          );
          bundled.add(d);
        }
        return `r.example/team/app@${d} (bundle referrer)`;
      },
    };
    // Either format of the key vouches, whatever formats the run writes.
    const sigVouches = context.vouches;
    context.vouches = async (d) => bundled.has(d) || ((await sigVouches?.(d)) ?? false);
    return bundled;
  }
  const writes = (log: string[]) => log.filter((line) => /^(build|stage|push|copy|sign|bundle)/.test(line));
  /** What the registry view reads with a key: the image there, its `.sig` (when written) and its bundle. */
  const heldWith = async (
    context: PublicationContext,
    bundled: Set<string>,
    store?: Map<string, string[]>,
  ) => {
    const held = await context.registry.readHeld();
    const image = held.version.exists
      ? held.version.digest
      : held.commit.exists
        ? held.commit.digest
        : undefined;
    if (!image) return held;
    const identities = store?.get(image) ?? [];
    return {
      ...held,
      bundle: { digest: image, vouched: bundled.has(image) },
      ...(store && { signature: { digest: image, identities, vouched: identities.includes(COMMIT) } }),
    };
  };
  const both = publicationFor({ push: true, sign: true, bundle: true });
  const bundleOnly = publicationFor({ push: true, bundle: true });

  test('a fresh run in both formats: the .sig and the bundle (naming the staged image) before the commit tag, the version tag last', async () => {
    const { registry, context } = scripted();
    const bundled = bundling(registry, context);
    const store = signing(registry, context);
    const first = plan(await heldWith(context, bundled, store), tags, both);
    // Both formats are made by the commit tag's step, before the push: no signing step follows.
    expect(first.writes.map((write) => write.step)).toEqual(['commit-tag', 'version-tag']);
    await expect(publish(first, context, async () => first)).resolves.toMatchObject({ digest: BUILT });
    const log = writes(registry.log);
    // The two formats are written at once, both before the push.
    expect(log.slice(0, 2)).toEqual(['build', 'stage']);
    expect(log.slice(2, 4).sort()).toEqual([`bundle 1 (${OCI_MANIFEST}, 500 bytes)`, 'sign 1 for 2']);
    expect(log.slice(4)).toEqual([`push -> ${tags.sha}`, 'copy 1 -> v1.0.0']);
    expect(registry.phases).toEqual(['Sign before the push', 'Push the commit tag', 'Push the version tag']);
  });

  test('a bundle alone: no .sig is written, the bundle comes before any tag', async () => {
    const { registry, context } = scripted();
    const bundled = bundling(registry, context);
    const first = plan(await heldWith(context, bundled), tags, bundleOnly);
    await expect(publish(first, context, async () => first)).resolves.toMatchObject({ digest: BUILT });
    expect(writes(registry.log)).toEqual([
      'build',
      'stage',
      `bundle 1 (${OCI_MANIFEST}, 500 bytes)`,
      `push -> ${tags.sha}`,
      'copy 1 -> v1.0.0',
    ]);
  });

  test('an image of this commit signed by a run that wrote only the .sig: its bundle is added, then the version tag, no build', async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
    const bundled = bundling(registry, context);
    const store = signing(registry, context);
    store.set(BUILT, [VERSION, COMMIT]);
    const next = plan(await heldWith(context, bundled, store), tags, both);
    expect(next.writes).toEqual([{ step: 'bundle' }, { step: 'version-tag' }]);
    await expect(publish(next, context, async () => next)).resolves.toMatchObject({
      result: Result.Completed,
    });
    expect(writes(registry.log)).toEqual(['bundle 1', 'copy 1 -> v1.0.0']);
  });

  test('an image a bundle-only run left under the commit tag: its .sig is added (the bundle vouches for it), no build', async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
    const bundled = bundling(registry, context);
    const store = signing(registry, context);
    bundled.add(BUILT);
    const next = plan(await heldWith(context, bundled, store), tags, both);
    expect(next.writes).toEqual([{ step: 'signature' }, { step: 'version-tag' }]);
    await expect(publish(next, context, async () => next)).resolves.toMatchObject({
      result: Result.Completed,
    });
    expect(writes(registry.log)).toEqual(['sign 1 for 2', 'copy 1 -> v1.0.0']);
  });

  test.each([
    [
      '`sig`, then `bundle`: the .sig vouches; the bundle is added',
      'sig',
      bundleOnly,
      ['bundle 1', 'copy 1 -> v1.0.0'],
    ],
    [
      '`bundle`, then `sig`: the bundle vouches; the .sig is added',
      'bundle',
      publicationFor({ push: true, sign: true }),
      ['sign 1 for 2', 'copy 1 -> v1.0.0'],
    ],
  ] as const)(
    'formats changed between runs, %s, then the version tag; no build',
    async (_, before, publication, expected) => {
      const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
      const bundled = bundling(registry, context);
      const store = signing(registry, context);
      if (before === 'sig') store.set(BUILT, [VERSION, COMMIT]);
      else bundled.add(BUILT);
      const next = plan(await heldWith(context, bundled, store), tags, publication);
      await expect(publish(next, context, async () => next)).resolves.toMatchObject({
        result: Result.Completed,
      });
      expect(writes(registry.log)).toEqual(expected);
    },
  );

  test('bundle only, killed after the push of the commit tag: the re-run writes the version tag alone', async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
    const bundled = bundling(registry, context);
    bundled.add(BUILT);
    const next = plan(await heldWith(context, bundled), tags, bundleOnly);
    await expect(publish(next, context, async () => next)).resolves.toMatchObject({
      result: Result.Completed,
    });
    expect(writes(registry.log)).toEqual(['copy 1 -> v1.0.0']);
  });

  test('bundle only, published and bundled: a re-run writes nothing', async () => {
    const { registry, context } = scripted({ tags: { [tags.sha]: BUILT, 'v1.0.0': BUILT } });
    const bundled = bundling(registry, context);
    bundled.add(BUILT);
    const next = plan(await heldWith(context, bundled), tags, bundleOnly);
    expect(next.writes).toEqual([]);
    await expect(publish(next, context, async () => next)).resolves.toMatchObject({
      result: Result.AlreadyPublished,
    });
    expect(writes(registry.log)).toEqual([]);
  });

  test.each([
    ['bundle only', bundleOnly, false],
    ['both formats', both, true],
  ])(
    '%s: an image under the commit tag with neither a bundle nor a .sig of this key is refused, never signed',
    async (_, publication, sig) => {
      const { registry, context } = scripted({ tags: { [tags.sha]: BUILT } });
      const bundled = bundling(registry, context);
      const store = sig ? signing(registry, context) : undefined;
      const held = await heldWith(context, bundled, store);
      expect(() => plan(held, tags, publication)).toThrow(
        `${COMMIT} holds ${BUILT}, labelled as built from this commit but not signed by this key.`,
      );
      expect(writes(registry.log)).toEqual([]);
    },
  );

  test('bundle only, on a registry that lets tags be overwritten: the commit tag moved to an image of this commit that no format of this key vouches for is neither bundled nor published', async () => {
    const { registry, context } = scripted({
      on: {
        'after-copy v1.0.0': (r) => void (r.tags.get(tags.sha) === BUILT && r.tags.set(tags.sha, THEIRS)),
      },
    });
    const bundled = bundling(registry, context);
    const first = plan(await heldWith(context, bundled), tags, bundleOnly);
    const error = await publish(first, context, async () => first).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(
      `${COMMIT} (replaced while this run published ${BUILT}) holds ${THEIRS}, labelled as built from this commit but not signed by this key.`,
    );
    expect(registry.tags.get('v1.0.0')).toBe(BUILT);
    expect(bundled.has(THEIRS)).toBe(false);
  });

  test('a bundle step without a key is a programming error, never a silent skip', async () => {
    const { context } = scripted({ tags: { [tags.sha]: BUILT } });
    const next: Plan = { image: { kind: 'held', digest: BUILT }, writes: [{ step: 'bundle' }], reason: 'r' };
    await expect(publish(next, context, async () => next)).rejects.toThrow(
      'A bundle step without a signing key.',
    );
  });
});
