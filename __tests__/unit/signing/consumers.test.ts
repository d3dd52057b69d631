import { describe, expect, test } from '@jest/globals';
import { RegistryError } from '../../../src/errors.js';
import { shaRef, tagsOf, versionRef } from '../../../src/image/tags.js';
import { checkAsConsumers, type ConsumerReads } from '../../../src/signing/consumers.js';
import type { Signatures } from '../../../src/signing/signatures.js';

// The self-check after the version tag: each format the run wrote, read as its consumer reads it.

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const INDEX = `sha256:${'1'.repeat(64)}`;
const AMD64 = `sha256:${'2'.repeat(64)}`;
const ARM64 = `sha256:${'3'.repeat(64)}`;
const both = [versionRef(tags), shaRef(tags)];

function sigs(held: Record<string, string[]>): Signatures {
  return {
    read: async (digest) => ({ digest, identities: held[digest] ?? [], layers: [], exists: digest in held }),
    write: async () => {
      throw new Error('the check writes nothing');
    },
  };
}

function reads(overrides: Partial<ConsumerReads>): ConsumerReads {
  return { tags, imagesOf: async () => [], ...overrides };
}

describe('checkAsConsumers', () => {
  test('both formats found: what each consumer finds is named', async () => {
    const found = await checkAsConsumers(
      reads({
        signatures: sigs({ [INDEX]: both }),
        bundles: { read: async () => true, write: async () => '' },
      }),
      INDEX,
    );
    expect(found).toEqual([`sig (${both.join(', ')})`, `bundle (r.example/team/app@${INDEX})`]);
  });

  test('an index: a pull of one platform checks that image, so a platform without the .sig fails, naming the tag and the digest', async () => {
    const error = await checkAsConsumers(
      reads({
        signatures: sigs({ [INDEX]: both, [AMD64]: both, [ARM64]: [shaRef(tags)] }),
        imagesOf: async () => [AMD64, ARM64],
      }),
      INDEX,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toBe(
      `The \`sig\` format: a pull of ${versionRef(tags)} finds no \`.sig\` of this key for ${ARM64}, so podman, skopeo and CRI-O would take it for unsigned. ` +
        'The image is published; run the job again to sign what is missing.',
    );
  });

  test('the .sig signed for the version tag alone: a pull by the commit tag would find it unsigned', async () => {
    await expect(
      checkAsConsumers(reads({ signatures: sigs({ [INDEX]: [versionRef(tags)] }) }), INDEX),
    ).rejects.toThrow(`a pull of ${shaRef(tags)} finds no \`.sig\` of this key for ${INDEX}`);
  });

  test('a bundle no listing shows: the bundle format fails, naming the version tag', async () => {
    await expect(
      checkAsConsumers(reads({ bundles: { read: async () => false, write: async () => '' } }), INDEX),
    ).rejects.toThrow(
      `The \`bundle\` format: neither the referrers API nor the referrers tag of r.example/team/app@${INDEX} lists a bundle of this key, so cosign 3 would find ${versionRef(tags)} unsigned.`,
    );
  });

  test('one tag: the .sig is checked for the version tag alone', async () => {
    const oneTag = tagsOf('r.example', 'team/app', 'v1.0.0-aaaaaaa', 'a'.repeat(40), { commitTag: false });
    await expect(
      checkAsConsumers(reads({ tags: oneTag, signatures: sigs({ [INDEX]: [versionRef(oneTag)] }) }), INDEX),
    ).resolves.toEqual([`sig (${versionRef(oneTag)})`]);
  });
});
