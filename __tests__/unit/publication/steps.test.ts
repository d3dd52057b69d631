// The tools each plan's writes run, as the tools check asks for them before anything is built;
// then each step on its own.
import { describe, expect, test } from '@jest/globals';
import type { HandOver } from '../../../src/build/hand-over.js';
import { RegistryError, TagTaken } from '../../../src/errors.js';
import { digestOf } from '../../../src/image/digest.js';
import {
  assembleIndex,
  partTag,
  partsOf,
  type HeldPart,
  type PartDescriptor,
  type Parts,
} from '../../../src/image/parts.js';
import { tagsOf, type Tags } from '../../../src/image/tags.js';
import type { PublicationContext, Written } from '../../../src/publication/context.js';
import { PartsMissing } from '../../../src/publication/parts-missing.js';
import { ASSEMBLE, BUILD, heldAt, type Plan, type Write } from '../../../src/publication/plan.js';
import { FIND_OUT } from '../../../src/publication/refusals.js';
import { writeCommitTag } from '../../../src/publication/steps/commit-tag.js';
import { toolsFor } from '../../../src/publication/steps/index.js';
import { indexOfParts, writePart } from '../../../src/publication/steps/part.js';
import { writeSignature } from '../../../src/publication/steps/signature.js';
import { writeVersionTag } from '../../../src/publication/steps/version-tag.js';
import type { ToolNeeds } from '../../../src/tools/job-image.js';

const HELD = heldAt(`sha256:${'1'.repeat(64)}`);
const planOf = (image: Plan['image'], writes: Write[]): Plan => ({ image, writes, reason: '' });

describe('toolsFor: buildx for what is built, skopeo for what is pushed or copied', () => {
  test.each<[string, Plan, ToolNeeds]>([
    [
      'a new build, both tags',
      planOf(BUILD, [{ step: 'commit-tag' }, { step: 'version-tag' }]),
      { buildx: true, skopeo: true },
    ],
    [
      'a new build, signed',
      planOf(BUILD, [{ step: 'commit-tag' }, { step: 'signature' }, { step: 'version-tag' }]),
      { buildx: true, skopeo: true },
    ],
    ['push: false, the engine alone', planOf(BUILD, [{ step: 'engine' }]), { buildx: true, skopeo: false }],
    [
      'push: false with the tags there already: still a build',
      planOf(HELD, [{ step: 'engine' }]),
      { buildx: true, skopeo: false },
    ],
    [
      'the version tag copied to a held image',
      planOf(HELD, [{ step: 'version-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'the commit tag copied to a held image',
      planOf(HELD, [{ step: 'commit-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'a signature alone, by the client',
      planOf(HELD, [{ step: 'signature' }]),
      { buildx: false, skopeo: false },
    ],
    ['nothing to write', planOf(HELD, []), { buildx: false, skopeo: false }],
    [
      "this job's part, then the index",
      planOf(ASSEMBLE, [
        { step: 'part', platform: 'linux/arm64' },
        { step: 'commit-tag' },
        { step: 'version-tag' },
      ]),
      { buildx: true, skopeo: true },
    ],
    [
      'the parts all there: the index by the client, the version tag prepared with skopeo',
      planOf(ASSEMBLE, [{ step: 'commit-tag' }, { step: 'version-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'one tag: the version tag step builds and pushes',
      planOf(BUILD, [{ step: 'version-tag' }]),
      { buildx: true, skopeo: true },
    ],
    [
      'one tag, the image there: the version tag alone, copied, nothing built',
      planOf(HELD, [{ step: 'version-tag' }]),
      { buildx: false, skopeo: true },
    ],
    [
      'the index alone, by the client',
      planOf(ASSEMBLE, [{ step: 'commit-tag' }]),
      { buildx: false, skopeo: false },
    ],
  ])('%s', (_, plan, needs) => {
    expect(toolsFor(plan)).toEqual(needs);
  });
});

// Each step on its own, against a scripted context that records, in order, what it reads,
// writes, signs and logs, and the phase each happens in.
const SHA = 'a'.repeat(40);
const TAGS = tagsOf('r.example', 'team/app', 'v1.0.0', SHA);
const VERSION = 'r.example/team/app:v1.0.0';
const COMMIT = `r.example/team/app:${SHA}`;
const at = (c: string) => `sha256:${c.repeat(64)}`;
const STAGED = at('5');
const PUSHED = at('6');
const ARM64_PART = `${COMMIT}-linux-arm64`;
const ARM64_TAG = partTag(SHA, 'linux/arm64');
const BUILT = { kind: 'oci-layout', reference: 'oci:oci-layout', options: [], files: [] } as HandOver;

const descriptor = (
  os: string,
  architecture: string,
  variant?: string,
  digest = at('1'),
): PartDescriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 500,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

/** A context whose registry holds `held` (tag → what it holds) and whose writer records each call. */
function stepContext(
  options: {
    held?: Record<string, HeldPart>;
    sign?: boolean;
    parts?: Parts;
    /** The registry's answer to `imagesOf`: an index's platform images. */
    platforms?: string[];
    pushFails?: boolean;
    tags?: Tags;
  } = {},
) {
  const log: string[] = [];
  const held = new Map(Object.entries(options.held ?? {}));
  let phase = '';
  const note = (line: string) => void log.push(phase ? `${phase}: ${line}` : line);
  const context: PublicationContext = {
    tags: options.tags ?? TAGS,
    parts: options.parts,
    registry: {
      readHeld: async () => {
        throw new Error('a step never reads the whole registry');
      },
      read: async (tag) => {
        note(`GET ${tag}`);
        return held.get(tag) ?? { exists: false };
      },
      lookUp: async (tag) => {
        note(`HEAD ${tag}`);
        const image = held.get(tag);
        return image?.exists ? { exists: true, digest: image.digest } : { exists: false };
      },
      readParts: async () => Object.fromEntries(held),
      imagesOf: async () => options.platforms ?? [],
    },
    writer: {
      prepare: async () => note('prepare'),
      build: async (platform) => {
        note(`build ${platform ?? 'the image'}`);
        return BUILT;
      },
      push: async (_built, reference) => {
        if (options.pushFails) throw new Error('the push failed');
        note(`push -> ${reference}`);
        return PUSHED;
      },
      stage: async () => {
        note('stage');
        return {
          source: { reference: 'oci:staged', options: [] },
          digest: STAGED,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          size: 500,
          platforms: [],
          files: [],
        };
      },
      pushStaged: async (staged, reference) => {
        note(`push ${staged.digest} -> ${reference}`);
        return staged.digest;
      },
      discard: async () => note('discard'),
      load: async () => note('load'),
      copy: async (from, reference) => note(`copy ${from} -> ${reference}`),
      putIndex: async (bytes) => {
        note('put index');
        return digestOf(bytes);
      },
    },
    signatures: options.sign
      ? {
          read: async (d) => ({ digest: d, identities: [], layers: [], exists: false }),
          write: async (d, identities) => {
            note(`sign ${d} for ${identities.join(' and ')}`);
            return `r.example/team/app:${d.replace(':', '-')}.sig`;
          },
        }
      : undefined,
    phase: async (name, work) => {
      phase = name;
      try {
        return await work();
      } finally {
        phase = '';
      }
    },
    sleep: async () => undefined,
    log: (line) => note(`log ${line}`),
    pushed: (d) => note(`pushed ${d}`),
  };
  return { context, log, held };
}

const settleAs =
  (settled: Written[]) =>
  async (written: Written): Promise<string> => {
    settled.push(written);
    return written.digest;
  };

describe("a part: this job's platform, built and pushed under its part tag", () => {
  const write: Write = { step: 'part', platform: 'linux/arm64' };

  test('without a key: pushed, reported, logged, and the build discarded after the push', async () => {
    const { context, log } = stepContext();
    await expect(writePart(context, ASSEMBLE, write)).resolves.toEqual(ASSEMBLE);
    expect(log).toEqual([
      'prepare',
      'build linux/arm64',
      `Push the linux/arm64 part: GET ${ARM64_TAG}`,
      `Push the linux/arm64 part: push -> ${ARM64_PART}`,
      `Push the linux/arm64 part: pushed ${PUSHED}`,
      `Push the linux/arm64 part: log ${ARM64_PART} -> ${PUSHED}`,
      'discard',
    ]);
  });

  test('with a key: staged, signed for its part tag and both tags of the index, then pushed as staged', async () => {
    const { context, log } = stepContext({ sign: true });
    await writePart(context, ASSEMBLE, write);
    expect(log).toEqual([
      'prepare',
      'build linux/arm64',
      `Push the linux/arm64 part: GET ${ARM64_TAG}`,
      'Push the linux/arm64 part: stage',
      `Push the linux/arm64 part: sign ${STAGED} for ${ARM64_PART} and ${VERSION} and ${COMMIT}`,
      `Push the linux/arm64 part: log r.example/team/app:${STAGED.replace(':', '-')}.sig: signed for ${ARM64_PART} and ${VERSION} and ${COMMIT}, verified.`,
      `Push the linux/arm64 part: push ${STAGED} -> ${ARM64_PART}`,
      `Push the linux/arm64 part: pushed ${STAGED}`,
      `Push the linux/arm64 part: log ${ARM64_PART} -> ${STAGED}`,
      'discard',
    ]);
  });

  test('a push that fails: the build is still discarded, and nothing is reported as pushed', async () => {
    const { context, log } = stepContext({ pushFails: true });
    await expect(writePart(context, ASSEMBLE, write)).rejects.toThrow('the push failed');
    expect(log.filter((line) => !line.includes(': GET'))).toEqual([
      'prepare',
      'build linux/arm64',
      'discard',
    ]);
  });

  test('pushed by another run of this job meanwhile: kept as it is, nothing pushed or signed', async () => {
    const { context, log } = stepContext({
      sign: true,
      held: { [ARM64_TAG]: { exists: true, digest: at('2'), revision: SHA } },
    });
    await writePart(context, ASSEMBLE, write);
    expect(log).toEqual([
      'prepare',
      'build linux/arm64',
      `Push the linux/arm64 part: GET ${ARM64_TAG}`,
      `Push the linux/arm64 part: log ${ARM64_PART} was pushed by another run of this job while this one was building (${at('2')}): it is kept.`,
      'discard',
    ]);
  });

  test('a part step without a platform is a programming error: nothing is built', async () => {
    const { context, log } = stepContext();
    await expect(writePart(context, ASSEMBLE, { step: 'part' })).rejects.toThrow(
      'A part step without a platform.',
    );
    expect(log).toEqual([]);
  });
});

describe("the index of the parts: every part must be this commit's image of its platform", () => {
  const parts = partsOf(['linux/amd64', 'linux/arm64'], ['linux/arm64'], { team: 'ops' });
  const part = (d: string, extra: Partial<HeldPart> = {}): HeldPart => ({
    exists: true,
    digest: d,
    revision: SHA,
    ...extra,
  });

  test('both parts there: the index of both, in the order of the parts, with the annotations', async () => {
    const amd64 = descriptor('linux', 'amd64', undefined, at('1'));
    const arm64 = descriptor('linux', 'arm64', 'v8', at('2'));
    const { context } = stepContext({
      held: {
        'linux/amd64': part(at('1'), { descriptor: amd64 }),
        'linux/arm64': part(at('2'), { descriptor: arm64 }),
      },
    });
    await expect(indexOfParts(context, parts)).resolves.toEqual(
      assembleIndex([amd64, arm64], { team: 'ops' }),
    );
  });

  test.each<[string, HeldPart, string]>([
    [
      'a part this key did not sign',
      part(at('2'), { signed: false, descriptor: descriptor('linux', 'arm64') }),
      `${ARM64_PART} (the linux/arm64 part) holds ${at('2')}, labelled as built from this commit but not signed by this key.`,
    ],
    [
      'an index under a part tag',
      part(at('2')),
      `${ARM64_PART} (${at('2')}) is not one platform's image (an index?): a part is a single image manifest. ` +
        FIND_OUT,
    ],
    [
      'an image of another platform, its variant named',
      part(at('2'), { descriptor: descriptor('linux', 'arm', 'v7') }),
      `${ARM64_PART} (${at('2')}) holds an image of linux/arm/v7, not of linux/arm64. ${FIND_OUT}`,
    ],
    [
      'an image of another platform without a variant',
      part(at('2'), { descriptor: descriptor('linux', 'amd64') }),
      `${ARM64_PART} (${at('2')}) holds an image of linux/amd64, not of linux/arm64. ${FIND_OUT}`,
    ],
    [
      "another commit's image",
      part(at('2'), { revision: 'b'.repeat(40), descriptor: descriptor('linux', 'arm64') }),
      `${ARM64_PART} (the linux/arm64 part) already exists (${at('2')}) and was built from commit ${'b'.repeat(40)}`,
    ],
  ])('%s: refused, naming the part', async (_, arm64, message) => {
    const { context } = stepContext({
      held: {
        'linux/amd64': part(at('1'), { descriptor: descriptor('linux', 'amd64') }),
        'linux/arm64': arm64,
      },
    });
    await expect(indexOfParts(context, parts)).rejects.toThrow(message);
  });

  test("another job's part missing: PartsMissing names it, and this job's parts with their digests", async () => {
    const { context } = stepContext({
      held: { 'linux/arm64': part(at('2'), { descriptor: descriptor('linux', 'arm64') }) },
    });
    const error = await indexOfParts(context, parts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartsMissing);
    expect(error).toMatchObject({
      missing: ['linux/amd64'],
      mine: [{ platform: 'linux/arm64', digest: at('2') }],
    });
  });

  test("two of this job's parts read back absent: both named, in the plural", async () => {
    const { context } = stepContext();
    const both = partsOf(['linux/amd64', 'linux/arm64'], ['linux/amd64', 'linux/arm64'], {});
    const error = await indexOfParts(context, both).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      `${COMMIT}-linux-amd64, ${ARM64_PART} were pushed by this run, but the registry reads them back absent (a cache in front of it, or deleted meanwhile?). ` +
        'Nothing more was written; run the job again.',
    );
  });
});

describe('the commit tag', () => {
  const parts = partsOf(['linux/amd64', 'linux/arm64'], ['linux/arm64'], { team: 'ops' });
  const amd64 = descriptor('linux', 'amd64', undefined, at('1'));
  const arm64 = descriptor('linux', 'arm64', undefined, at('2'));
  const partsThere = {
    'linux/amd64': { exists: true, digest: at('1'), revision: SHA, descriptor: amd64 },
    'linux/arm64': { exists: true, digest: at('2'), revision: SHA, descriptor: arm64 },
  } as const;
  const INDEX = digestOf(assembleIndex([amd64, arm64], { team: 'ops' }));
  const sig = (d: string) => `r.example/team/app:${d.replace(':', '-')}.sig`;

  test('an index of the parts, without a key: written by the client after a last look, reported, logged, proved', async () => {
    const { context, log } = stepContext({ parts, held: partsThere });
    const settled: Written[] = [];
    await expect(
      writeCommitTag(context, ASSEMBLE, { step: 'commit-tag' }, settleAs(settled)),
    ).resolves.toEqual(heldAt(INDEX));
    expect(log).toEqual([
      `Assemble the index: GET ${SHA}`,
      'Assemble the index: put index',
      `Assemble the index: pushed ${INDEX}`,
      `Assemble the index: log ${COMMIT} -> ${INDEX} (an index of linux/amd64, linux/arm64)`,
    ]);
    expect(settled).toEqual([{ digest: INDEX, interleaved: false }]);
  });

  test('an index of the parts, with a key: its platform images signed, then the index, before the commit tag names it', async () => {
    const { context, log } = stepContext({ parts, held: partsThere, sign: true });
    await writeCommitTag(context, ASSEMBLE, { step: 'commit-tag' }, settleAs([]));
    expect(log.map((line) => line.replace('Assemble the index: ', ''))).toEqual([
      `GET ${SHA}`,
      `sign ${at('1')} for ${VERSION} and ${COMMIT}`,
      `sign ${at('2')} for ${VERSION} and ${COMMIT}`,
      "log The index's 2 platform images: signed, verified.",
      `sign ${INDEX} for ${VERSION} and ${COMMIT}`,
      `log ${sig(INDEX)}: signed for ${VERSION} and ${COMMIT}, verified.`,
      'put index',
      `pushed ${INDEX}`,
      `log ${COMMIT} -> ${INDEX} (an index of linux/amd64, linux/arm64)`,
    ]);
  });

  test('the same index written by another job meanwhile: adopted, neither signed nor written again', async () => {
    const { context, log } = stepContext({
      parts,
      sign: true,
      held: { ...partsThere, [SHA]: { exists: true, digest: INDEX, revision: SHA } },
    });
    const settled: Written[] = [];
    await expect(
      writeCommitTag(context, ASSEMBLE, { step: 'commit-tag' }, settleAs(settled)),
    ).resolves.toEqual(heldAt(INDEX));
    expect(log.map((line) => line.replace('Assemble the index: ', ''))).toEqual([
      `GET ${SHA}`,
      `log ${COMMIT} holds this index already (${INDEX}): another job assembled it.`,
      `pushed ${INDEX}`,
      `log ${COMMIT} -> ${INDEX} (an index of linux/amd64, linux/arm64)`,
    ]);
    expect(settled).toEqual([{ digest: INDEX, interleaved: false }]);
  });

  test('another index under the commit tag meanwhile: TagTaken naming it, nothing written', async () => {
    const { context, log } = stepContext({
      parts,
      held: { ...partsThere, [SHA]: { exists: true, digest: at('4'), revision: SHA } },
    });
    const error = await writeCommitTag(context, ASSEMBLE, { step: 'commit-tag' }, settleAs([])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TagTaken);
    expect(error).toMatchObject({
      message: `${COMMIT} was pushed by another run while this one assembled ${INDEX} (${at('4')}); it was left as it is.`,
      taken: { reference: COMMIT, digest: at('4') },
    });
    expect(log).toEqual([`Assemble the index: GET ${SHA}`]);
  });

  test('an index to assemble without parts is a programming error', async () => {
    const { context, log } = stepContext();
    await expect(writeCommitTag(context, ASSEMBLE, { step: 'commit-tag' }, settleAs([]))).rejects.toThrow(
      'An index of parts without parts.',
    );
    expect(log).toEqual([]);
  });

  test.each([
    ['a copy', undefined, false],
    ['a repair (runs interleaved: the other may still be writing)', true, true],
  ])('a held image: %s inside the registry, skopeo made ready first', async (_, repair, interleaved) => {
    const { context, log } = stepContext();
    const settled: Written[] = [];
    await expect(
      writeCommitTag(context, heldAt(at('1')), { step: 'commit-tag', repair }, settleAs(settled)),
    ).resolves.toEqual(heldAt(at('1')));
    expect(log).toEqual(['prepare', `Push the commit tag: copy ${at('1')} -> ${COMMIT}`]);
    expect(settled).toEqual([{ digest: at('1'), interleaved }]);
  });

  test("the commit tag pushed from a build: this run's own image, so the proof is told no run interleaved", async () => {
    const { context, log } = stepContext();
    const settled: Written[] = [];
    await expect(writeCommitTag(context, BUILD, { step: 'commit-tag' }, settleAs(settled))).resolves.toEqual(
      heldAt(PUSHED),
    );
    expect(log).toContain(`Push the commit tag: push -> ${COMMIT}`);
    expect(settled).toEqual([{ digest: PUSHED, interleaved: false }]);
  });
});

describe('the signature', () => {
  const sig = (d: string) => `r.example/team/app:${d.replace(':', '-')}.sig`;

  test("an index: each platform image signed for both tags, then the index, each logged; the run's proof after", async () => {
    const { context, log } = stepContext({ sign: true, platforms: [at('7'), at('8')] });
    const settled: Written[] = [];
    await expect(writeSignature(context, heldAt(at('2')), undefined, settleAs(settled))).resolves.toEqual(
      heldAt(at('2')),
    );
    expect(log).toEqual([
      `Sign: sign ${at('7')} for ${VERSION} and ${COMMIT}`,
      `Sign: sign ${at('8')} for ${VERSION} and ${COMMIT}`,
      "Sign: log The index's 2 platform images: signed, verified.",
      `Sign: sign ${at('2')} for ${VERSION} and ${COMMIT}`,
      `Sign: log ${sig(at('2'))}: signed for ${VERSION} and ${COMMIT}, verified.`,
    ]);
    expect(settled).toEqual([{ digest: at('2'), interleaved: false }]);
  });

  test('one image: signed, no word of platform images', async () => {
    const { context, log } = stepContext({ sign: true });
    await writeSignature(context, heldAt(at('1')), undefined, settleAs([]));
    expect(log).toEqual([
      `Sign: sign ${at('1')} for ${VERSION} and ${COMMIT}`,
      `Sign: log ${sig(at('1'))}: signed for ${VERSION} and ${COMMIT}, verified.`,
    ]);
  });

  test.each([
    ['without a key', false, heldAt(at('1')), 'A signature step without a signing key.'],
    ['before the image is in the registry', true, BUILD, 'A signature before the image is in the registry.'],
  ])('a signature step %s is a programming error: nothing signed', async (_, sign, image, message) => {
    const { context, log } = stepContext({ sign });
    await expect(writeSignature(context, image, undefined, settleAs([]))).rejects.toThrow(message);
    expect(log).toEqual([]);
  });
});

describe('the version tag', () => {
  test('a held image: both tags looked up, then the version tag copied from it, the proof after', async () => {
    const { context, log } = stepContext({
      held: { [SHA]: { exists: true, digest: at('1'), revision: SHA } },
    });
    const settled: Written[] = [];
    await expect(writeVersionTag(context, heldAt(at('1')), undefined, settleAs(settled))).resolves.toEqual(
      heldAt(at('1')),
    );
    expect(log).toEqual([
      'prepare',
      'Push the version tag: HEAD v1.0.0',
      `Push the version tag: HEAD ${SHA}`,
      `Push the version tag: copy ${at('1')} -> ${VERSION}`,
    ]);
    expect(settled).toEqual([{ digest: at('1'), interleaved: false }]);
  });

  test("with a key: the image's signatures (its platforms' first) made whole again just before the copy", async () => {
    const { context, log } = stepContext({
      sign: true,
      platforms: [at('7')],
      held: { [SHA]: { exists: true, digest: at('2'), revision: SHA } },
    });
    await writeVersionTag(context, heldAt(at('2')), undefined, settleAs([]));
    expect(log.slice(3)).toEqual([
      `Push the version tag: sign ${at('7')} for ${VERSION} and ${COMMIT}`,
      `Push the version tag: sign ${at('2')} for ${VERSION} and ${COMMIT}`,
      `Push the version tag: copy ${at('2')} -> ${VERSION}`,
    ]);
  });

  test('another image of this commit under the commit tag: that one is copied, and the proof told runs interleaved', async () => {
    const { context, log } = stepContext({
      held: { [SHA]: { exists: true, digest: at('2'), revision: SHA } },
    });
    const settled: Written[] = [];
    await expect(writeVersionTag(context, heldAt(at('1')), undefined, settleAs(settled))).resolves.toEqual(
      heldAt(at('2')),
    );
    expect(log).toContain(`Push the version tag: copy ${at('2')} -> ${VERSION}`);
    expect(settled).toEqual([{ digest: at('2'), interleaved: true }]);
  });

  test('with two tags, an image still to be built is a programming error: the commit tag comes first', async () => {
    const { context, log } = stepContext();
    await expect(writeVersionTag(context, BUILD, undefined, settleAs([]))).rejects.toThrow(
      'The version tag before the image is in the registry.',
    );
    expect(log).toEqual(['prepare']);
  });
});

describe('the build pushed under its first tag (with one tag, the version tag)', () => {
  const ONE_TAG = tagsOf('r.example', 'team/app', 'v1.0.0-aaaaaaa', SHA, { commitTag: false });
  const ONLY = 'r.example/team/app:v1.0.0-aaaaaaa';

  test('without a key: built, a last look, pushed, reported, then discarded; the proof after', async () => {
    const { context, log } = stepContext({ tags: ONE_TAG });
    const settled: Written[] = [];
    await expect(writeVersionTag(context, BUILD, undefined, settleAs(settled))).resolves.toEqual(
      heldAt(PUSHED),
    );
    expect(log).toEqual([
      'prepare',
      'build the image',
      'Push the version tag: GET v1.0.0-aaaaaaa',
      `Push the version tag: push -> ${ONLY}`,
      `Push the version tag: pushed ${PUSHED}`,
      'discard',
    ]);
    expect(settled).toEqual([{ digest: PUSHED, interleaved: false }]);
  });

  test('with a key: staged and signed for the one tag before the push, which keeps the digest', async () => {
    const { context, log } = stepContext({ tags: ONE_TAG, sign: true });
    await writeVersionTag(context, BUILD, undefined, settleAs([]));
    expect(log).toEqual([
      'prepare',
      'build the image',
      'Sign before the push: stage',
      `Sign before the push: sign ${STAGED} for ${ONLY}`,
      `Sign before the push: log r.example/team/app:${STAGED.replace(':', '-')}.sig: signed for ${ONLY}, verified.`,
      'Push the version tag: GET v1.0.0-aaaaaaa',
      `Push the version tag: push ${STAGED} -> ${ONLY}`,
      `Push the version tag: pushed ${STAGED}`,
      'discard',
    ]);
  });

  test('the tag pushed by another run while this one built: TagTaken naming it, the build discarded', async () => {
    const { context, log } = stepContext({
      tags: ONE_TAG,
      held: { 'v1.0.0-aaaaaaa': { exists: true, digest: at('2'), revision: SHA } },
    });
    const error = await writeVersionTag(context, BUILD, undefined, settleAs([])).catch((e: unknown) => e);
    expect(error).toMatchObject({
      message: `${ONLY} was pushed by another run while this one was building (${at('2')}); it was left as it is.`,
      taken: { reference: ONLY, digest: at('2') },
    });
    expect(log.at(-1)).toBe('discard');
    expect(log.filter((line) => line.includes('push'))).toEqual([]);
  });

  test('a push that fails: the build is discarded all the same', async () => {
    const { context, log } = stepContext({ tags: ONE_TAG, pushFails: true });
    await expect(writeVersionTag(context, BUILD, undefined, settleAs([]))).rejects.toThrow('the push failed');
    expect(log.at(-1)).toBe('discard');
  });
});
