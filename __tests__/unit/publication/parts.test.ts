// Platform parts: the input, the tags, the index's bytes, the planner's rows and the executor
// against a scripted registry that other jobs write into at given moments.
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HandOver } from '../../../src/build/hand-over.js';
import { InputError, TagTaken, UserError } from '../../../src/errors.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { readRawInputs } from '../../../src/inputs/read.js';
import { Input, Result } from '../../../src/names.js';
import type { Held, PublicationContext } from '../../../src/publication/context.js';
import { publish } from '../../../src/publication/executor.js';
import { OCI_INDEX } from '../../../src/image/media-types.js';
import {
  assembleIndex,
  indexAnnotations,
  isOfPlatform,
  partRef,
  partTag,
  partsOf,
  type HeldPart,
  type PartDescriptor,
} from '../../../src/image/parts.js';
import { publicationFor } from '../../../src/publication/kinds.js';
import { plan, type Plan } from '../../../src/publication/plan.js';
import { digestOf } from '../../../src/image/digest.js';
import { tagsOf, type TaggedImage } from '../../../src/image/tags.js';
import type { RegistryClient } from '../../../src/registry/client.js';
import { registryView } from '../../../src/publication/registry-view.js';

const SHA = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const tags = tagsOf('r.example', 'team/app', 'v1.0.0', SHA);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const AMD64 = digest('1');
const ARM64 = digest('2');
const FOREIGN = digest('3');
const THEIR_AMD64 = digest('5');
const ANNOTATIONS = {
  'org.opencontainers.image.revision': SHA,
  'org.opencontainers.image.version': 'v1.0.0',
};

const descriptorOf = (platform: string, at: string): PartDescriptor => {
  const [os, architecture, variant] = platform.split('/');
  return {
    mediaType: OCI_MANIFEST,
    digest: at,
    size: 500,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
  };
};

describe('the input', () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-parts-'));
  fs.writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
  const valid: Record<string, string> = {
    context: '.',
    image_name: 'team/app',
    version: 'v1.0.0',
    registry: 'r.example',
    username: 'ci',
    api_key: `zak_${'0123456789abcdef'.repeat(2)}`,
    sha: SHA,
    platforms: 'linux/amd64,linux/arm64',
  };
  const parse = (overrides: Record<string, string>) => {
    const values = { ...valid, ...overrides };
    return parseInputs(
      readRawInputs((name: Input) => values[name] ?? ''),
      workspace,
    );
  };
  const problemsOf = (overrides: Record<string, string>): string[] => {
    try {
      parse(overrides);
      return [];
    } catch (error) {
      if (error instanceof InputError) return error.problems;
      throw error;
    }
  };

  test('empty: this job builds every platform, as without it', () => {
    const inputs = parse({});
    expect(inputs.parts).toBeUndefined();
    expect(inputs.build.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  test('one platform of `platforms`: the job builds that one, the index holds both', () => {
    const inputs = parse({ build_platforms: 'linux/arm64' });
    expect(inputs.parts).toEqual({ platforms: ['linux/amd64', 'linux/arm64'], build: ['linux/arm64'] });
    expect(inputs.build.platforms).toEqual(['linux/arm64']);
  });

  test.each<[Record<string, string>, string[]]>([
    [
      { build_platforms: 'linux/s390x' },
      [
        '`build_platforms` has "linux/s390x", which `platforms` does not list (linux/amd64, linux/arm64): a job builds parts of that index only.',
      ],
    ],
    [
      { platforms: '', build_platforms: 'linux/arm64' },
      [
        '`build_platforms` names platforms of the index `platforms` lists, and `platforms` is empty: set it to every platform of the image, the same in every job.',
      ],
    ],
    [{ build_platforms: 'linux/arm64,linux/arm64' }, ['`build_platforms` lists "linux/arm64" twice.']],
    [
      { build_platforms: 'arm64' },
      [
        '`build_platforms` has "arm64", which is not a platform such as `linux/amd64` or `linux/arm/v7`.',
        '`build_platforms` has "arm64", which `platforms` does not list (linux/amd64, linux/arm64): a job builds parts of that index only.',
      ],
    ],
    [
      { build_platforms: 'linux/arm64', provenance: 'mode=max', sbom: 'true' },
      [
        '`provenance` cannot be used with `build_platforms`: each part would become an index of its own, with its attestation manifest, and an index of parts holds images. Leave it off.',
        '`sbom` cannot be used with `build_platforms`: each part would become an index of its own, with its attestation manifest, and an index of parts holds images. Leave it off.',
      ],
    ],
  ])('refused before anything runs: %j', (overrides, problems) => {
    expect(problemsOf(overrides)).toEqual(problems);
  });

  test('`provenance: false` with it is fine', () => {
    expect(problemsOf({ build_platforms: 'linux/amd64', provenance: 'false', sbom: 'FALSE' })).toEqual([]);
  });
});

describe('tags and the index', () => {
  test.each([
    ['linux/arm64', `${SHA}-linux-arm64`],
    ['linux/amd64', `${SHA}-linux-amd64`],
    ['linux/arm/v7', `${SHA}-linux-arm-v7`],
  ])('the part tag of %s is %s', (platform, tag) => {
    expect(partTag(SHA, platform)).toBe(tag);
  });

  test('the index order is fixed, whatever order `platforms` lists them in', () => {
    expect(partsOf(['linux/arm64', 'linux/arm/v7', 'linux/amd64', 'linux/arm'], [], {}).all).toEqual([
      'linux/amd64',
      'linux/arm',
      'linux/arm/v7',
      'linux/arm64',
    ]);
  });

  test('the same parts give the same bytes: fixed key order, no white space, no time, the entry from the part', () => {
    const parts = [descriptorOf('linux/amd64', AMD64), descriptorOf('linux/arm/v7', ARM64)];
    const bytes = assembleIndex(parts, { z: '1', ...ANNOTATIONS });
    expect(bytes.toString()).toBe(
      `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[` +
        `{"mediaType":"${OCI_MANIFEST}","digest":"${AMD64}","size":500,"platform":{"architecture":"amd64","os":"linux"}},` +
        `{"mediaType":"${OCI_MANIFEST}","digest":"${ARM64}","size":500,"platform":{"architecture":"arm","os":"linux","variant":"v7"}}],` +
        `"annotations":{"org.opencontainers.image.revision":"${SHA}","org.opencontainers.image.version":"v1.0.0","z":"1"}}`,
    );
    // Annotations given in another order, descriptors built another way: the same bytes.
    const again = assembleIndex(
      parts.map(
        (part) =>
          JSON.parse(
            JSON.stringify({
              platform: part.platform,
              size: part.size,
              digest: part.digest,
              mediaType: part.mediaType,
            }),
          ) as PartDescriptor,
      ),
      { ...ANNOTATIONS, z: '1' },
    );
    expect(again.equals(bytes)).toBe(true);
    expect(assembleIndex(parts, {}).toString()).not.toContain('annotations');
  });

  test.each<[string, PartDescriptor['platform'], boolean]>([
    ['linux/arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
    ['linux/arm64', { os: 'linux', architecture: 'arm64' }, true],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }, true],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }, false],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm' }, false],
    ['linux/arm64', { os: 'linux', architecture: 'amd64' }, false],
    ['linux/amd64', { os: 'windows', architecture: 'amd64' }, false],
  ])('a part tagged %s holding %j is of its platform: %s', (platform, actual, expected) => {
    expect(
      isOfPlatform({ mediaType: OCI_MANIFEST, digest: AMD64, size: 1, platform: actual }, platform),
    ).toBe(expected);
  });
});

const PARTS = partsOf(['linux/arm64', 'linux/amd64'], ['linux/amd64'], ANNOTATIONS);
const PUBLICATION = publicationFor({ push: true, sign: false, parts: true });
const absent: TaggedImage = { exists: false };
const part = (at: string, revision = SHA): HeldPart => ({ exists: true, digest: at, revision });

describe('plan with parts', () => {
  test.each<[string, Held, Plan['writes'], string]>([
    [
      "nothing there: build this job's part, then assemble, then the version tag",
      { version: absent, commit: absent, parts: { 'linux/amd64': absent, 'linux/arm64': absent } },
      [{ step: 'part', platform: 'linux/amd64' }, { step: 'commit-tag' }, { step: 'version-tag' }],
      'Neither v1.0.0 nor the commit tag exists. Building the linux/amd64 part of this commit. The index is assembled by the job that finds every part there; linux/arm64 is not yet.',
    ],
    [
      'the other part there: build, then assemble',
      { version: absent, commit: absent, parts: { 'linux/amd64': absent, 'linux/arm64': part(ARM64) } },
      [{ step: 'part', platform: 'linux/amd64' }, { step: 'commit-tag' }, { step: 'version-tag' }],
      'Neither v1.0.0 nor the commit tag exists. Building the linux/amd64 part of this commit. Already there: linux/arm64. Every other part is there: assembling the index and publishing it.',
    ],
    [
      "this job's part there (a re-run): no build, assemble if it can",
      { version: absent, commit: absent, parts: { 'linux/amd64': part(AMD64), 'linux/arm64': absent } },
      [{ step: 'commit-tag' }, { step: 'version-tag' }],
      "Neither v1.0.0 nor the commit tag exists. This job's part is there already (linux/amd64): no build. The index is assembled by the job that finds every part there; linux/arm64 is not yet.",
    ],
  ])('%s', (_, held, writes, reason) => {
    const planned = plan(held, tags, PUBLICATION, PARTS);
    expect(planned).toEqual({ image: { kind: 'assemble' }, writes, reason });
  });

  test('the index out under the commit tag: parts are left alone, the version tag follows it', () => {
    const held: Held = {
      version: absent,
      commit: { exists: true, digest: FOREIGN, revision: SHA },
      parts: { 'linux/amd64': absent, 'linux/arm64': absent },
    };
    expect(plan(held, tags, PUBLICATION, PARTS)).toMatchObject({
      image: { kind: 'held', digest: FOREIGN },
      writes: [{ step: 'version-tag' }],
    });
  });

  test('published: nothing to write, whatever the parts', () => {
    const index = { exists: true as const, digest: FOREIGN, revision: SHA };
    expect(plan({ version: index, commit: index, parts: {} }, tags, PUBLICATION, PARTS).writes).toEqual([]);
  });

  test("another commit's version is refused before any part is built", () => {
    const held: Held = {
      version: { exists: true, digest: FOREIGN, revision: OTHER },
      commit: absent,
      parts: { 'linux/amd64': absent, 'linux/arm64': absent },
    };
    expect(() => plan(held, tags, PUBLICATION, PARTS)).toThrow(
      `was built from commit ${OTHER}, not from ${SHA}`,
    );
  });

  test("a part tag holding another commit's image is refused, like the commit tag", () => {
    const held: Held = {
      version: absent,
      commit: absent,
      parts: { 'linux/amd64': absent, 'linux/arm64': part(FOREIGN, OTHER) },
    };
    expect(() => plan(held, tags, PUBLICATION, PARTS)).toThrow(
      `r.example/team/app:${SHA}-linux-arm64 (the linux/arm64 part) already exists (${FOREIGN}) and was built from commit ${OTHER}, not from ${SHA}: a part tag is never overwritten.`,
    );
    const unlabelled: Held = { ...held, parts: { 'linux/arm64': { exists: true, digest: FOREIGN } } };
    expect(() => plan(unlabelled, tags, PUBLICATION, PARTS)).toThrow(
      'carries no org.opencontainers.image.revision label',
    );
  });

  test('with a signing key, the index is signed by the step that assembles it, before its tag: no signature step follows', () => {
    const held: Held = {
      version: absent,
      commit: absent,
      parts: { 'linux/amd64': part(AMD64), 'linux/arm64': part(ARM64) },
    };
    expect(
      plan(held, tags, publicationFor({ push: true, sign: true, parts: true }), PARTS).writes.map(
        (write) => write.step,
      ),
    ).toEqual(['commit-tag', 'version-tag']);
  });
});

/** A moment of this run at which another job acts. */
type Moment = 'after-build' | 'before-push' | 'before-commit-read' | 'before-index' | 'before-version';

/** A registry of tags (tag → digest), manifests' commits, and parts' entries, that other jobs write into. */
function scripted(options: {
  tags?: Record<string, string>;
  createOnly?: boolean;
  parts?: typeof PARTS;
  /** Another job acts once, at the moment named. */
  on?: Partial<Record<Moment, (tagsHeld: Map<string, string>) => void>>;
  /** A registry that accepts a part's push but never shows it (a stale cache in front). */
  losesParts?: boolean;
}) {
  const parts = options.parts ?? PARTS;
  const held = new Map(Object.entries(options.tags ?? {}));
  const revisions = new Map<string, string>([
    [THEIR_AMD64, SHA],
    [AMD64, SHA],
    [ARM64, SHA],
    [FOREIGN, OTHER],
  ]);
  const log: string[] = [];
  let builds = 0;
  const fired = new Set<string>();
  const at = (moment: keyof NonNullable<typeof options.on>) => {
    if (fired.has(moment)) return;
    fired.add(moment);
    options.on?.[moment]?.(held);
  };
  const imageAt = (tag: string): TaggedImage => {
    const at = held.get(tag);
    return at ? { exists: true, digest: at, revision: revisions.get(at) ?? SHA } : { exists: false };
  };
  const partAt = (platform: string): HeldPart => {
    const image = imageAt(partTag(SHA, platform));
    return image.exists ? { ...image, descriptor: descriptorOf(platform, image.digest) } : image;
  };
  const readParts = async () => Object.fromEntries(parts.all.map((platform) => [platform, partAt(platform)]));
  const write = (tag: string, at: string) => {
    if (options.createOnly && held.has(tag))
      throw new TagTaken(`The registry refused to write r.example/team/app:${tag} (403 DENIED).`, {
        reference: `r.example/team/app:${tag}`,
      });
    log.push(`write ${tag} ${at.slice(7, 8)}`);
    held.set(tag, at);
  };
  const context: PublicationContext = {
    tags,
    parts,
    registry: {
      readHeld: async () => ({
        version: imageAt(tags.version),
        commit: imageAt(tags.sha),
        parts: await readParts(),
      }),
      read: async (tag) => {
        if (tag === tags.sha) at('before-commit-read');
        return imageAt(tag);
      },
      lookUp: async (tag) => {
        const at = held.get(tag);
        return at ? { exists: true, digest: at } : { exists: false };
      },
      readParts,
      imagesOf: async () => [],
    },
    writer: {
      prepare: async () => undefined,
      build: async (platform) => {
        builds++;
        log.push(`build ${platform}`);
        at('after-build');
        return { kind: 'oci-layout', reference: 'oci:oci-layout', options: [], files: [] } as HandOver;
      },
      push: async (_built, reference) => {
        at('before-push');
        const tag = reference.slice(reference.lastIndexOf(':') + 1);
        const pushed = tag.endsWith('amd64') ? AMD64 : ARM64;
        if (options.losesParts) log.push(`write ${tag} (lost)`);
        else write(tag, pushed);
        return pushed;
      },
      stage: async () => {
        throw new Error('no signing key here');
      },
      pushStaged: async () => {
        throw new Error('no signing key here');
      },
      discard: async () => undefined,
      load: async () => undefined,
      copy: async (from, reference) => {
        at('before-version');
        write(reference.slice(reference.lastIndexOf(':') + 1), from);
      },
      putIndex: async (bytes) => {
        at('before-index');
        revisions.set(digestOf(bytes), SHA);
        write(tags.sha, digestOf(bytes));
        return digestOf(bytes);
      },
    },
    phase: async (_name, work) => work(),
    sleep: async () => undefined,
    log: (line) => void log.push(`log ${line}`),
    pushed: () => undefined,
  };
  const planNow = async () => plan(await context.registry.readHeld(), tags, PUBLICATION, parts);
  return {
    log,
    held,
    builds: () => builds,
    run: async () => publish(await planNow(), context, planNow),
  };
}

const INDEX = digestOf(
  assembleIndex([descriptorOf('linux/amd64', AMD64), descriptorOf('linux/arm64', ARM64)], ANNOTATIONS),
);
const writes = (log: string[]) => log.filter((line) => /^(build|write)/.test(line));

describe('carrying out a plan with parts', () => {
  test('the first job: its part pushed, the other missing: part-pushed with its digest, no index, no version tag', async () => {
    const registry = scripted({});
    await expect(registry.run()).resolves.toMatchObject({
      result: Result.PartPushed,
      digest: AMD64,
      missing: ['linux/arm64'],
    });
    expect(writes(registry.log)).toEqual(['build linux/amd64', `write ${SHA}-linux-amd64 1`]);
  });

  test("part-pushed says which of this job's parts are out and which are still missing, and who publishes", async () => {
    const one = scripted({});
    await expect(one.run()).resolves.toMatchObject({
      reason:
        `This job's part is in the registry: linux/amd64 (${AMD64}). Still missing: linux/arm64. ` +
        'The job that pushes the last part assembles the index and publishes r.example/team/app:v1.0.0.',
    });
    const two = scripted({
      parts: partsOf(
        ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
        ['linux/arm64', 'linux/amd64'],
        ANNOTATIONS,
      ),
    });
    await expect(two.run()).resolves.toEqual({
      result: Result.PartPushed,
      digest: ARM64,
      missing: ['linux/arm/v7'],
      reason:
        `This job's parts are in the registry: linux/arm64 (${ARM64}), linux/amd64 (${AMD64}). Still missing: linux/arm/v7. ` +
        'The job that pushes the last part assembles the index and publishes r.example/team/app:v1.0.0.',
    });
  });

  test('the last job: its part, then the index under the commit tag, then the version tag on the same digest', async () => {
    const registry = scripted({ tags: { [partTag(SHA, 'linux/arm64')]: ARM64 } });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Pushed, digest: INDEX });
    expect(writes(registry.log)).toEqual([
      'build linux/amd64',
      `write ${SHA}-linux-amd64 1`,
      `write ${SHA} ${INDEX.slice(7, 8)}`,
      `write v1.0.0 ${INDEX.slice(7, 8)}`,
    ]);
  });

  test('the other part arrives while this job builds: this job assembles it', async () => {
    const registry = scripted({
      on: { 'after-build': (held) => held.set(partTag(SHA, 'linux/arm64'), ARM64) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Pushed, digest: INDEX });
    expect(registry.builds()).toBe(1);
  });

  test('a re-run of the first job before the last: no build, part-pushed again', async () => {
    const registry = scripted({ tags: { [partTag(SHA, 'linux/amd64')]: AMD64 } });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.PartPushed, digest: AMD64 });
    expect(writes(registry.log)).toEqual([]);
  });

  test('the index out under the commit tag only: the version tag copied from it, no build, no assembly', async () => {
    const registry = scripted({
      tags: { [partTag(SHA, 'linux/amd64')]: AMD64, [partTag(SHA, 'linux/arm64')]: ARM64, [tags.sha]: INDEX },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Completed, digest: INDEX });
    expect(writes(registry.log)).toEqual([`write v1.0.0 ${INDEX.slice(7, 8)}`]);
  });

  test('another job wrote the same index while this one assembled it (a registry that allows overwrites): adopted, not written again', async () => {
    const registry = scripted({
      tags: { [partTag(SHA, 'linux/arm64')]: ARM64 },
      on: { 'before-commit-read': (held) => held.set(tags.sha, INDEX) },
    });
    await expect(registry.run()).resolves.toMatchObject({ digest: INDEX });
    expect(writes(registry.log)).toEqual([
      'build linux/amd64',
      `write ${SHA}-linux-amd64 1`,
      `write v1.0.0 ${INDEX.slice(7, 8)}`,
    ]);
    expect(registry.log).toContain(
      `log r.example/team/app:${SHA} holds this index already (${INDEX}): another job assembled it.`,
    );
  });

  test('another index under the commit tag while this one assembled (a registry that allows overwrites): left as it is, read again, the version follows it', async () => {
    const theirs = digest('4');
    const registry = scripted({
      tags: { [partTag(SHA, 'linux/amd64')]: AMD64, [partTag(SHA, 'linux/arm64')]: ARM64 },
      on: { 'before-commit-read': (held) => held.set(tags.sha, theirs) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Completed, digest: theirs });
    expect(registry.held.get(tags.sha)).toBe(theirs);
    expect(writes(registry.log)).toEqual(['write v1.0.0 4']);
  });

  test('a part tag pushed by another run of this job while this one built (a registry that allows overwrites): kept, never written over', async () => {
    const registry = scripted({
      on: { 'after-build': (held) => held.set(partTag(SHA, 'linux/amd64'), THEIR_AMD64) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.PartPushed, digest: THEIR_AMD64 });
    expect(registry.held.get(partTag(SHA, 'linux/amd64'))).toBe(THEIR_AMD64);
    expect(writes(registry.log)).toEqual(['build linux/amd64']);
  });

  test("a part tag taken by another commit's image while this one built: refused, nothing written", async () => {
    const registry = scripted({
      on: { 'after-build': (held) => held.set(partTag(SHA, 'linux/amd64'), FOREIGN) },
    });
    await expect(registry.run()).rejects.toThrow(
      `(the linux/amd64 part) already exists (${FOREIGN}) and was built from commit ${OTHER}`,
    );
    expect(writes(registry.log)).toEqual(['build linux/amd64']);
  });

  test("this job's part pushed but read back absent: the run stops, it does not claim part-pushed", async () => {
    const registry = scripted({ losesParts: true });
    await expect(registry.run()).rejects.toThrow(
      `r.example/team/app:${SHA}-linux-amd64 was pushed by this run, but the registry reads it back absent (a cache in front of it, or deleted meanwhile?). Nothing more was written; run the job again.`,
    );
  });

  test('a job of two parts whose first push is refused (another run took the tag): reads again, builds only the second, publishes', async () => {
    const registry = scripted({
      createOnly: true,
      parts: partsOf(['linux/arm64', 'linux/amd64'], ['linux/amd64', 'linux/arm64'], ANNOTATIONS),
      on: { 'before-push': (held) => held.set(partTag(SHA, 'linux/amd64'), AMD64) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Pushed, digest: INDEX });
    expect(writes(registry.log)).toEqual([
      'build linux/amd64',
      'build linux/arm64',
      `write ${SHA}-linux-arm64 2`,
      `write ${SHA} ${INDEX.slice(7, 8)}`,
      `write v1.0.0 ${INDEX.slice(7, 8)}`,
    ]);
  });

  test('two jobs assembling at once on a create-only registry: the loser is refused, reads again, and converges on the index', async () => {
    const registry = scripted({
      createOnly: true,
      tags: { [partTag(SHA, 'linux/amd64')]: AMD64, [partTag(SHA, 'linux/arm64')]: ARM64 },
      on: { 'before-index': (held) => held.set(tags.sha, INDEX) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Completed, digest: INDEX });
    expect(registry.log.filter((line) => line.endsWith('Reading the registry again.'))).toHaveLength(1);
    expect(writes(registry.log)).toEqual([`write v1.0.0 ${INDEX.slice(7, 8)}`]);
  });

  test('the other job publishes the version tag first: this one finds it and is done, on the same digest', async () => {
    const registry = scripted({
      createOnly: true,
      tags: { [partTag(SHA, 'linux/arm64')]: ARM64 },
      on: { 'before-version': (held) => held.set('v1.0.0', INDEX) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: INDEX });
  });

  test("a part tag taken while this job built is another run's of this job: no second build, the run goes on", async () => {
    const registry = scripted({
      createOnly: true,
      on: { 'after-build': (held) => held.set(partTag(SHA, 'linux/amd64'), AMD64) },
    });
    await expect(registry.run()).resolves.toMatchObject({ result: Result.PartPushed, digest: AMD64 });
    expect(registry.builds()).toBe(1);
    expect(writes(registry.log)).toEqual(['build linux/amd64']);
  });

  test("a part replaced by another commit's image before the index: refused, nothing more written", async () => {
    const registry = scripted({
      on: { 'after-build': (held) => held.set(partTag(SHA, 'linux/arm64'), FOREIGN) },
    });
    const refused = registry.run();
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toThrow(
      `(the linux/arm64 part) already exists (${FOREIGN}) and was built from commit ${OTHER}`,
    );
    expect(registry.held.has(tags.sha)).toBe(false);
  });

  test('a commit tag written meanwhile with another index: read again, and its version tag follows the commit tag', async () => {
    const registry = scripted({
      createOnly: true,
      tags: { [partTag(SHA, 'linux/amd64')]: AMD64, [partTag(SHA, 'linux/arm64')]: ARM64 },
      on: { 'before-index': (held) => held.set(tags.sha, digest('4')) },
    });
    // The commit tag's image is this commit's (the scripted registry says so): the version follows it.
    await expect(registry.run()).resolves.toMatchObject({ result: Result.Completed, digest: digest('4') });
  });
});

describe('reading the parts', () => {
  const config = digestOf(Buffer.from('config'));
  /** A client holding one manifest under the arm64 part tag (nothing else), and its configuration. */
  const clientWith = (
    manifest: Record<string, unknown>,
    mediaType: string,
    recorded: Record<string, unknown>,
  ) => {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const held = { digest: digestOf(bytes), size: bytes.length, mediaType, json: manifest, bytes };
    return {
      manifestIfAny: async (_name: string, tag: string) =>
        tag === partTag(SHA, 'linux/arm64') ? held : undefined,
      config: async () => recorded,
      configLabels: async () => ({ 'org.opencontainers.image.revision': SHA }),
      held,
    };
  };
  const read = async (client: ReturnType<typeof clientWith>) =>
    (
      await registryView({
        client: client as unknown as RegistryClient,
        tags,
        parts: PARTS,
        publication: PUBLICATION,
      }).readParts()
    )['linux/arm64'];
  const image = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { digest: config }, layers: [] };

  test('an image manifest: its entry from its own bytes and configuration, the variant kept', async () => {
    const client = clientWith(image, OCI_MANIFEST, { os: 'linux', architecture: 'arm64', variant: 'v8' });
    await expect(read(client)).resolves.toEqual({
      exists: true,
      digest: client.held.digest,
      revision: SHA,
      descriptor: {
        mediaType: OCI_MANIFEST,
        digest: client.held.digest,
        size: client.held.size,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
    });
  });

  test("Docker's image manifest is a part too", async () => {
    const docker = 'application/vnd.docker.distribution.manifest.v2+json';
    const client = clientWith({ ...image, mediaType: docker }, docker, {
      os: 'linux',
      architecture: 'arm64',
    });
    expect((await read(client))?.descriptor?.mediaType).toBe(docker);
  });

  test.each<[string, Record<string, unknown>, string, Record<string, unknown>]>([
    [
      'an index',
      { ...image, mediaType: OCI_INDEX, manifests: {} },
      OCI_INDEX,
      { os: 'linux', architecture: 'arm64' },
    ],
    [
      'an image manifest holding `manifests`',
      { ...image, manifests: [] },
      OCI_MANIFEST,
      { os: 'linux', architecture: 'arm64' },
    ],
    [
      'no media type at all',
      { schemaVersion: 2, config: { digest: config } },
      '',
      { os: 'linux', architecture: 'arm64' },
    ],
    ['a configuration without os', image, OCI_MANIFEST, { architecture: 'arm64' }],
    [
      'a configuration digest that is not one',
      { ...image, config: { digest: '../x' } },
      OCI_MANIFEST,
      { os: 'linux', architecture: 'arm64' },
    ],
  ])('%s: no index entry, so the assembly refuses it', async (_, manifest, mediaType, recorded) => {
    const part = await read(clientWith(manifest, mediaType, recorded));
    expect(part?.exists).toBe(true);
    expect(part?.descriptor).toBeUndefined();
  });

  test.each([
    ['its .sig for its part tag', true, false, true],
    ['a bundle of the key alone (a job with `signature_formats: bundle`)', false, true, true],
    ['neither', false, false, false],
  ])('with a key, a part vouched for by %s: signed %s', async (_, sig, bundle, signed) => {
    const client = clientWith(image, OCI_MANIFEST, { os: 'linux', architecture: 'arm64' });
    const part = (
      await registryView({
        client: client as unknown as RegistryClient,
        tags,
        parts: PARTS,
        publication: PUBLICATION,
        signatures: {
          read: async (d) => ({
            digest: d,
            identities: sig ? [partRef(tags, 'linux/arm64')] : [],
            layers: [],
            exists: sig,
          }),
          write: async () => '',
        },
        bundles: { read: async () => bundle, write: async () => '' },
      }).readParts()
    )['linux/arm64'];
    expect(part).toMatchObject({ exists: true, signed });
  });

  test('the index annotations leave the run time out, the provenance winning over the user', () => {
    expect(
      indexAnnotations([
        'org.opencontainers.image.revision=mine',
        'team=ops=1',
        `org.opencontainers.image.revision=${SHA}`,
        'org.opencontainers.image.created=2026-12-02T00:00:00Z',
      ]),
    ).toEqual({ 'org.opencontainers.image.revision': SHA, team: 'ops=1' });
  });
});

describe('a signed index counts as signed only where its platform images are too', () => {
  const AMD = `sha256:${'7'.repeat(64)}`;
  const ARM = `sha256:${'8'.repeat(64)}`;
  const indexJson = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    annotations: { 'org.opencontainers.image.revision': SHA },
    manifests: [
      { digest: AMD, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: ARM, platform: { os: 'linux', architecture: 'arm64' } },
    ],
  };
  const bytes = Buffer.from(JSON.stringify(indexJson));
  const index = {
    digest: digestOf(bytes),
    size: bytes.length,
    mediaType: indexJson.mediaType,
    json: indexJson,
    bytes,
  };
  const client = {
    manifestIfAny: async (_name: string, tag: string) => ([SHA, 'v1.0.0'].includes(tag) ? index : undefined),
    manifest: async (_name: string, digest: string) => {
      if (digest !== index.digest) throw new Error(`no manifest ${digest}`);
      return index;
    },
  };
  const both = [`r.example/team/app:v1.0.0`, `r.example/team/app:${SHA}`];
  /** The `.sig` identities of each digest, as a key's verified reads would find them. */
  const signaturesOf = (signed: Record<string, string[]>) => ({
    read: async (digest: string) => ({
      digest,
      identities: signed[digest] ?? [],
      layers: [],
      exists: digest in signed,
    }),
    write: async () => '',
  });
  const heldWith = (signed: Record<string, string[]>) =>
    registryView({
      client: client as unknown as RegistryClient,
      tags,
      signatures: signaturesOf(signed),
      publication: publicationFor({ push: true, sign: true }),
    }).readHeld();

  test('an index whose own .sig holds both identities (as 1.1.0 signed it) but whose platforms have none: not signed, the signature step runs', async () => {
    const held = await heldWith({ [index.digest]: both });
    expect(held.signature).toEqual({ digest: index.digest, identities: [], vouched: true });
    expect(plan(held, tags, publicationFor({ push: true, sign: true })).writes).toEqual([
      { step: 'signature' },
    ]);
  });

  test('one platform signed for one identity only: only that identity counts for the whole', async () => {
    const held = await heldWith({ [index.digest]: both, [AMD]: both, [ARM]: [both[1]] });
    expect(held.signature?.identities).toEqual([both[1]]);
    expect(plan(held, tags, publicationFor({ push: true, sign: true })).writes).toEqual([
      { step: 'signature' },
    ]);
  });

  test('the index and every platform signed for both: already published, nothing written', async () => {
    const held = await heldWith({ [index.digest]: both, [AMD]: both, [ARM]: both });
    expect(held.signature?.identities).toEqual(both);
    expect(plan(held, tags, publicationFor({ push: true, sign: true })).writes).toEqual([]);
  });
});
