// The `.sig` of a digest read (each signature verified) and written (only what is missing,
// others' signatures kept, read back), against a registry held in memory.
import { describe, expect, test } from '@jest/globals';
import { TagTaken, UserError } from '../../../src/errors.js';
import { tagsOf } from '../../../src/image/tags.js';
import type { RegistryClient } from '../../../src/registry/client.js';
import { openSigningKey, parseEncryptedKey, type SigningKey } from '../../../src/signing/key.js';
import { layerFor, payloadFor, signatureTag } from '../../../src/signing/signature.js';
import { digestOf } from '../../../src/image/digest.js';
import { identitiesOf, registrySignatures } from '../../../src/signing/signatures.js';
import { encryptedPem, p256 } from '../../helpers/signing-keys.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const DIGEST = `sha256:${'d'.repeat(64)}`;
const SIG = signatureTag(DIGEST);
const both = identitiesOf(tags);

const keyOf = (): Promise<SigningKey> => openSigningKey(parseEncryptedKey(encryptedPem(p256(), 'pw')), 'pw');

/** A registry in memory: blobs by digest, manifests by tag; `createOnly` refuses to overwrite a tag. */
function memoryRegistry(
  options: { createOnly?: boolean; lose?: boolean; beforeManifestPut?: () => Promise<void> } = {},
) {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  const writes: string[] = [];
  const reads: string[] = [];
  const client = {
    manifestIfAny: async (_name: string, tag: string) => {
      const bytes = manifests.get(tag);
      return (
        bytes && { digest: digestOf(bytes), json: JSON.parse(bytes.toString()) as Record<string, unknown> }
      );
    },
    signaturePayload: async (_name: string, digest: string) => {
      reads.push(digest);
      return blobs.get(digest);
    },
    putBlob: async (_name: string, bytes: Buffer) => {
      writes.push(`blob ${digestOf(bytes).slice(7, 13)}`);
      blobs.set(digestOf(bytes), bytes);
      return digestOf(bytes);
    },
    putManifest: async (_name: string, tag: string, bytes: Buffer) => {
      const race = options.beforeManifestPut;
      options.beforeManifestPut = undefined;
      await race?.();
      if (options.createOnly && manifests.has(tag)) throw new TagTaken('403 DENIED', { reference: tag });
      writes.push(`manifest ${tag}`);
      // A registry that accepts the write and keeps nothing.
      if (!options.lose) manifests.set(tag, bytes);
      return digestOf(bytes);
    },
  };
  return { client: client as unknown as RegistryClient, blobs, manifests, writes, reads, options };
}

describe('the signatures of a digest', () => {
  test('none yet: both identities signed, one manifest written, read back and verified', async () => {
    const key = await keyOf();
    const registry = memoryRegistry();
    const signatures = registrySignatures(registry.client, tags, Promise.resolve(key));
    await expect(signatures.read(DIGEST)).resolves.toEqual({
      digest: DIGEST,
      identities: [],
      layers: [],
      exists: false,
    });
    await expect(signatures.write(DIGEST, both)).resolves.toBe(`r.example/team/app:${SIG}`);
    expect(registry.writes.filter((write) => write.startsWith('manifest'))).toEqual([`manifest ${SIG}`]);
    expect(registry.writes.filter((write) => write.startsWith('blob'))).toHaveLength(3); // two payloads, the config
    const state = await signatures.read(DIGEST);
    expect(state.identities).toEqual(both);
    expect(state.layers).toHaveLength(2);
  });

  test('signed already for both: nothing is signed or written, not even the same manifest again', async () => {
    const key = await keyOf();
    const registry = memoryRegistry();
    const signatures = registrySignatures(registry.client, tags, Promise.resolve(key));
    await signatures.write(DIGEST, both);
    const before = [...registry.writes];
    await expect(signatures.write(DIGEST, both)).resolves.toBe(`r.example/team/app:${SIG}`);
    expect(registry.writes).toEqual(before);
  });

  test('signed for one identity: only the other is added, the first kept as it was', async () => {
    const key = await keyOf();
    const registry = memoryRegistry();
    const signatures = registrySignatures(registry.client, tags, Promise.resolve(key));
    await signatures.write(DIGEST, [both[0]]);
    const [first] = JSON.parse(registry.manifests.get(SIG)!.toString()).layers;
    await signatures.write(DIGEST, both);
    const layers = JSON.parse(registry.manifests.get(SIG)!.toString()).layers;
    expect(layers).toHaveLength(2);
    expect(layers[0]).toEqual(first);
    expect((await signatures.read(DIGEST)).identities).toEqual(both);
  });

  test("another key's signatures are kept, and not counted as ours", async () => {
    const registry = memoryRegistry();
    await registrySignatures(registry.client, tags, keyOf()).write(DIGEST, both);
    const ours = registrySignatures(registry.client, tags, keyOf());
    await expect(ours.read(DIGEST)).resolves.toMatchObject({ identities: [], exists: true });
    await ours.write(DIGEST, both);
    expect(JSON.parse(registry.manifests.get(SIG)!.toString()).layers).toHaveLength(4);
    expect((await ours.read(DIGEST)).identities).toEqual(both);
  });

  test('a payload for another digest, a forged signature, or a foreign layer never counts', async () => {
    const key = await keyOf();
    const registry = memoryRegistry();
    const signatures = registrySignatures(registry.client, tags, Promise.resolve(key));
    const otherDigest = payloadFor(both[0], `sha256:${'e'.repeat(64)}`);
    const forged = payloadFor(both[1], DIGEST);
    for (const payload of [otherDigest, forged]) registry.blobs.set(digestOf(payload), payload);
    const layers = [
      layerFor(otherDigest, key.sign(otherDigest)),
      layerFor(forged, key.sign(Buffer.from('something else'))),
      { mediaType: 'application/octet-stream', digest: DIGEST, size: 1 },
    ];
    registry.manifests.set(SIG, Buffer.from(JSON.stringify({ schemaVersion: 2, layers })));
    await expect(signatures.read(DIGEST)).resolves.toMatchObject({ identities: [], exists: true });
  });

  test('a layer that cannot be a payload (a malformed digest, no such blob, null) is no signature and stops nothing; a write keeps what a registry can hold', async () => {
    const key = await keyOf();
    const registry = memoryRegistry();
    const signatures = registrySignatures(registry.client, tags, Promise.resolve(key));
    const payload = payloadFor(both[0], DIGEST);
    const good = layerFor(payload, key.sign(payload));
    registry.blobs.set(good.digest, payload);
    const broken = [
      { ...good, digest: 'sha256:../../etc' },
      { ...good, digest: `sha256:${'0'.repeat(64)}` },
      null,
    ];
    const layers = [...broken, good];
    registry.manifests.set(SIG, Buffer.from(JSON.stringify({ schemaVersion: 2, layers })));
    await expect(signatures.read(DIGEST)).resolves.toMatchObject({ identities: [both[0]], exists: true });
    // No request for a digest no registry could hold.
    expect(registry.reads).toEqual([broken[1]!.digest, good.digest]);
    await signatures.write(DIGEST, both);
    const written = JSON.parse(registry.manifests.get(SIG)!.toString()) as { layers: unknown[] };
    expect(written.layers.slice(0, 2)).toEqual([broken[1], good]);
    expect(written.layers).toHaveLength(3);
  });

  test('a create-only registry: a .sig that holds both identities already converges, with no write', async () => {
    const registry = memoryRegistry({ createOnly: true });
    const key = keyOf();
    await registrySignatures(registry.client, tags, key).write(DIGEST, both);
    const before = [...registry.writes];
    // Another run with the same key: a re-run, or a second job assembling the same index.
    await expect(registrySignatures(registry.client, tags, key).write(DIGEST, both)).resolves.toContain(SIG);
    expect(registry.writes).toEqual(before);
  });

  test("a create-only registry refuses to update a .sig holding another key's signatures: the run stops, saying so", async () => {
    const registry = memoryRegistry({ createOnly: true });
    const otherKey = openSigningKey(parseEncryptedKey(encryptedPem(p256(), 'pw')), 'pw');
    await registrySignatures(registry.client, tags, otherKey).write(DIGEST, both);
    const error = await registrySignatures(registry.client, tags, keyOf())
      .write(DIGEST, both)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `r.example/team/app:${SIG} already holds 2 other signature(s), and the registry refuses to update that tag (403: the identity lacks \`update\`). ` +
        'Nothing more was written, and the version tag is not written unsigned: give the CI identity `update` on signature tags, or remove the other signatures.',
    );
  });

  test('a create-only registry: another run of this commit writes the .sig between this read and this write; its .sig holds every identity, so this run converges', async () => {
    const key = keyOf();
    const registry = memoryRegistry({ createOnly: true });
    registry.options.beforeManifestPut = async () => {
      await registrySignatures(registry.client, tags, key).write(DIGEST, both);
    };
    await expect(registrySignatures(registry.client, tags, key).write(DIGEST, both)).resolves.toContain(SIG);
    expect(registry.writes.filter((write) => write.startsWith('manifest'))).toEqual([`manifest ${SIG}`]);
  });

  test('a create-only registry: what the other run wrote meanwhile lacks an identity of this run (another version), so the run stops, saying so', async () => {
    const key = keyOf();
    const registry = memoryRegistry({ createOnly: true });
    const otherVersion = identitiesOf(tagsOf('r.example', 'team/app', 'v2.0.0', 'a'.repeat(40)));
    registry.options.beforeManifestPut = async () => {
      await registrySignatures(registry.client, tags, key).write(DIGEST, otherVersion);
    };
    const error = await registrySignatures(registry.client, tags, key)
      .write(DIGEST, both)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      /already holds 2 other signature\(s\), and the registry refuses to update/,
    );
  });

  test('a create-only registry signs a digest that has no .sig yet', async () => {
    const registry = memoryRegistry({ createOnly: true });
    await expect(registrySignatures(registry.client, tags, keyOf()).write(DIGEST, both)).resolves.toContain(
      SIG,
    );
  });

  test('a registry that loses the write: the read-back finds no signature, and says so', async () => {
    const registry = memoryRegistry({ lose: true });
    await expect(registrySignatures(registry.client, tags, keyOf()).write(DIGEST, both)).rejects.toThrow(
      `r.example/team/app:${SIG} was written, but reading it back finds no valid signature for ${both.join(', ')}. Nothing more was written.`,
    );
  });
});
