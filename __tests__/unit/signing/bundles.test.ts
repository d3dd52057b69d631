// The Sigstore bundle (as cosign v3 writes one for a key-signed image) made and verified, and
// its referrer read and written against a registry in memory: with the referrers API, and
// without it (the referrers tag), on a registry that lets tags be overwritten and on one that
// only creates.
import { describe, expect, test } from '@jest/globals';
import * as crypto from 'node:crypto';
import { TagTaken, UserError } from '../../../src/errors.js';
import { digestOf } from '../../../src/image/digest.js';
import { tagsOf } from '../../../src/image/tags.js';
import type { RegistryClient } from '../../../src/registry/client.js';
import {
  BUNDLE_MEDIA_TYPE,
  SIGN_PREDICATE,
  bundleFor,
  keyHint,
  preAuthEncoding,
  referrerFor,
  statementFor,
  vouchesFor,
} from '../../../src/signing/bundle.js';
import { referrersTag, registryBundles } from '../../../src/signing/bundles.js';
import { openSigningKey, parseEncryptedKey, type SigningKey } from '../../../src/signing/key.js';
import { encryptedPem, p256 } from '../../helpers/signing-keys.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const IMAGE = Buffer.from('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
const DIGEST = digestOf(IMAGE);
const keyOf = (): Promise<SigningKey> => openSigningKey(parseEncryptedKey(encryptedPem(p256(), 'pw')), 'pw');

describe('the bundle', () => {
  test('its statement names the digest in its repository alone, as a plain image signature', () => {
    expect(JSON.parse(statementFor(DIGEST, tags.image).toString())).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'r.example/team/app', digest: { sha256: DIGEST.slice(7) }, annotations: {} }],
      predicateType: SIGN_PREDICATE,
      predicate: {},
    });
  });

  test("DSSE's pre-authentication encoding counts bytes, not characters", () => {
    expect(preAuthEncoding('t/x', Buffer.from('é')).toString()).toBe('DSSEv1 3 t/x 2 é');
  });

  test('the key is named by the SHA-256 of its DER form, as cosign names it', async () => {
    const key = await keyOf();
    const der = crypto.createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(keyHint(key.publicKeyPem)).toBe(crypto.createHash('sha256').update(der).digest('base64'));
  });

  test('made by this key it vouches for its digest in its repository; for another key, digest, repository or form it does not', async () => {
    const [key, other] = await Promise.all([keyOf(), keyOf()]);
    const bundle = bundleFor(DIGEST, tags.image, key.sign, key.publicKeyPem);
    expect(vouchesFor(bundle, DIGEST, tags.image, key.verify)).toBe(true);
    expect(vouchesFor(bundle, DIGEST, tags.image, other.verify)).toBe(false);
    expect(vouchesFor(bundle, `sha256:${'e'.repeat(64)}`, tags.image, key.verify)).toBe(false);
    // Another repository's image and its bundle, copied here, vouch for nothing here.
    expect(vouchesFor(bundle, DIGEST, 'r.example/team/worker', key.verify)).toBe(false);
    const json = JSON.parse(bundle.toString()) as {
      mediaType: string;
      dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string }[] };
    };
    const altered = (change: (copy: typeof json) => void): Buffer => {
      const copy = structuredClone(json);
      change(copy);
      return Buffer.from(JSON.stringify(copy));
    };
    const resigned = (statement: unknown): Buffer =>
      altered((copy) => {
        const payload = Buffer.from(JSON.stringify(statement));
        copy.dsseEnvelope.payload = payload.toString('base64');
        copy.dsseEnvelope.signatures = [
          { sig: key.sign(preAuthEncoding('application/vnd.in-toto+json', payload)).toString('base64') },
        ];
      });
    const statement = JSON.parse(statementFor(DIGEST, tags.image).toString()) as {
      subject: { name?: string }[];
    };
    for (const bad of [
      Buffer.from('not json'),
      Buffer.from('null'),
      altered((copy) => (copy.mediaType = 'application/vnd.dev.sigstore.bundle.v0.2+json')),
      altered((copy) => (copy.dsseEnvelope.payloadType = 'text/plain')),
      altered((copy) => (copy.dsseEnvelope.signatures = [])),
      altered(
        (copy) => (copy.dsseEnvelope.signatures[0].sig = key.sign(Buffer.from('x')).toString('base64')),
      ),
      // Signed by this key, but saying more or other than "this digest".
      resigned({ ...statement, predicateType: 'https://slsa.dev/provenance/v1' }),
      resigned({ ...statement, subject: [...statement.subject, { digest: { sha256: 'e'.repeat(64) } }] }),
      resigned({ ...statement, _type: 'https://in-toto.io/Statement/v0.1' }),
      resigned({ ...statement, subject: [{ ...statement.subject[0], name: undefined }] }),
    ])
      expect(vouchesFor(bad, DIGEST, tags.image, key.verify)).toBe(false);
    expect(vouchesFor(resigned(statement), DIGEST, tags.image, key.verify)).toBe(true);
  });

  test('its referrer: the bundle alone over the empty configuration, its subject the signed manifest', () => {
    const bundle = Buffer.from('{"b":1}');
    const subject = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: DIGEST, size: 77 };
    expect(JSON.parse(referrerFor(subject, bundle).toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: BUNDLE_MEDIA_TYPE,
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2,
      },
      layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: digestOf(bundle), size: bundle.length }],
      subject,
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': SIGN_PREDICATE,
      },
    });
  });
});

/** A registry in memory, with or without the referrers API; `createOnly` refuses to overwrite a tag. */
function memoryRegistry(options: { api: boolean; createOnly?: boolean; unlisted?: boolean }) {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>([[DIGEST, IMAGE]]);
  const writes: string[] = [];
  /** Tags another run has written that this one's reads do not see yet (it read before). */
  const unseen = new Set<string>();
  const parse = (bytes: Buffer) => JSON.parse(bytes.toString()) as Record<string, unknown>;
  const referrersOf = (digest: string) =>
    [...manifests.entries()]
      .filter(
        ([reference, bytes]) =>
          reference.startsWith('sha256:') && (parse(bytes).subject as { digest?: string })?.digest === digest,
      )
      .map(([reference, bytes]) => ({
        digest: reference,
        artifactType: parse(bytes).artifactType,
        size: bytes.length,
      }));
  const client = {
    referrers: async (_name: string, digest: string) =>
      options.api ? (options.unlisted ? [] : referrersOf(digest)) : undefined,
    manifestIfAny: async (_name: string, reference: string) => {
      const bytes = unseen.has(reference) ? undefined : manifests.get(reference);
      return bytes && { digest: digestOf(bytes), json: parse(bytes) };
    },
    manifest: async (_name: string, digest: string) => {
      const bytes = manifests.get(digest);
      if (!bytes) throw new Error(`no manifest ${digest}`);
      return {
        digest,
        size: bytes.length,
        mediaType: String(parse(bytes).mediaType),
        json: parse(bytes),
        bytes,
      };
    },
    signaturePayload: async (_name: string, digest: string) => blobs.get(digest),
    putBlob: async (_name: string, bytes: Buffer) => {
      blobs.set(digestOf(bytes), bytes);
      writes.push(`blob ${digestOf(bytes).slice(7, 13)}`);
      return digestOf(bytes);
    },
    putReferrer: async (_name: string, bytes: Buffer) => {
      manifests.set(digestOf(bytes), bytes);
      writes.push('referrer');
      return { digest: digestOf(bytes), listed: options.api };
    },
    putManifest: async (_name: string, tag: string, bytes: Buffer) => {
      unseen.delete(tag);
      if (options.createOnly && manifests.has(tag)) throw new TagTaken('403 DENIED', { reference: tag });
      manifests.set(tag, bytes);
      writes.push(`tag ${tag}`);
      return digestOf(bytes);
    },
  };
  return { client: client as unknown as RegistryClient, manifests, writes, unseen };
}

describe('the bundle referrers of a digest', () => {
  test.each([true, false])(
    'referrers API %s: none yet, one written, found again; a re-run finds it and writes nothing',
    async (api) => {
      const key = await keyOf();
      const registry = memoryRegistry({ api });
      const bundles = registryBundles(registry.client, tags, Promise.resolve(key));
      await expect(bundles.read(DIGEST)).resolves.toBe(false);
      await expect(bundles.write(DIGEST)).resolves.toMatch(
        /^r\.example\/team\/app@sha256:[0-9a-f]{64} \(bundle referrer sha256:[0-9a-f]{64}\)$/,
      );
      expect(registry.writes.filter((write) => !write.startsWith('blob'))).toEqual(
        api ? ['referrer'] : ['referrer', `tag ${referrersTag(DIGEST)}`],
      );
      const before = registry.writes.length;
      await expect(bundles.write(DIGEST)).resolves.toBe(`r.example/team/app@${DIGEST} (bundle referrer)`);
      expect(registry.writes).toHaveLength(before);
      await expect(registryBundles(registry.client, tags, keyOf()).read(DIGEST)).resolves.toBe(false);
    },
  );

  test('the referrers tag keeps the entries of others (another tool, another key)', async () => {
    const [key, other] = await Promise.all([keyOf(), keyOf()]);
    const registry = memoryRegistry({ api: false });
    await registryBundles(registry.client, tags, Promise.resolve(other)).write(DIGEST);
    await registryBundles(registry.client, tags, Promise.resolve(key)).write(DIGEST);
    const index = JSON.parse(registry.manifests.get(referrersTag(DIGEST))!.toString()) as {
      manifests: unknown[];
    };
    expect(index.manifests).toHaveLength(2);
  });

  test('create-only without the API: a second job of the same key finds the first one listed, and converges', async () => {
    const key = await keyOf();
    const registry = memoryRegistry({ api: false, createOnly: true });
    const first = registryBundles(registry.client, tags, Promise.resolve(key));
    await first.write(DIGEST);
    // The second job read before the first listed its referrer: it writes its own, and the
    // registry refuses its referrers tag (403); reading again finds the first job's.
    registry.unseen.add(referrersTag(DIGEST));
    const second = registryBundles(registry.client, tags, Promise.resolve(key));
    await expect(second.write(DIGEST)).resolves.toContain('bundle referrer');
    expect(registry.writes.filter((write) => !write.startsWith('blob'))).toEqual([
      'referrer',
      `tag ${referrersTag(DIGEST)}`,
      'referrer',
    ]);
  });

  test('create-only without the API, the tag holding only another key: the refusal stands, saying what to do (no taken tag: reading again changes nothing)', async () => {
    const [key, other] = await Promise.all([keyOf(), keyOf()]);
    const registry = memoryRegistry({ api: false, createOnly: true });
    await registryBundles(registry.client, tags, Promise.resolve(other)).write(DIGEST);
    const error = await registryBundles(registry.client, tags, Promise.resolve(key))
      .write(DIGEST)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).not.toBeInstanceOf(TagTaken);
    expect((error as Error).message).toBe(
      `r.example/team/app:${referrersTag(DIGEST)} (the referrers tag of ${DIGEST}, kept by clients where the registry has no referrers API) already lists 1 other referrer(s), and the registry refuses to update that tag (403: the identity lacks \`update\`). ` +
        'Nothing more was written, and the version tag is not written without its bundle: give the CI identity `update` on referrers tags, or use `signature_formats: sig`.',
    );
  });

  test('an entry of the referrers tag whose referrer is gone, and one that is no descriptor: neither stops a read, and the second is dropped when the tag is written', async () => {
    const key = await keyOf();
    const registry = memoryRegistry({ api: false });
    const stale = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'d'.repeat(64)}`,
      size: 9,
      artifactType: BUNDLE_MEDIA_TYPE,
    };
    registry.manifests.set(
      referrersTag(DIGEST),
      Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [stale, { digest: 'nonsense' }, null] })),
    );
    const bundles = registryBundles(registry.client, tags, Promise.resolve(key));
    await expect(bundles.read(DIGEST)).resolves.toBe(false);
    await bundles.write(DIGEST);
    await expect(bundles.read(DIGEST)).resolves.toBe(true);
    const index = JSON.parse(registry.manifests.get(referrersTag(DIGEST))!.toString()) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests.map((entry) => entry.digest)).toEqual([
      stale.digest,
      expect.stringMatching(/^sha256:/),
    ]);
  });

  test('signed before its push: the subject is named as given, with no read of a manifest the registry does not hold yet', async () => {
    const key = await keyOf();
    const registry = memoryRegistry({ api: true });
    const staged = Buffer.from('{"schemaVersion":2,"staged":true}');
    const subject = {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: digestOf(staged),
      size: staged.length,
    };
    await registryBundles(registry.client, tags, Promise.resolve(key)).write(subject.digest, subject);
    const referrer = [...registry.manifests.values()]
      .map((bytes) => JSON.parse(bytes.toString()) as { subject?: unknown })
      .find((json) => json.subject);
    expect(referrer?.subject).toEqual(subject);
  });

  test('a registry that takes the referrer but lists it nowhere: no consumer could find it, the run stops', async () => {
    const key = await keyOf();
    const registry = memoryRegistry({ api: true, unlisted: true });
    await expect(registryBundles(registry.client, tags, Promise.resolve(key)).write(DIGEST)).rejects.toThrow(
      `neither the referrers API nor the referrers tag ${referrersTag(DIGEST)} lists it: no consumer could find it. Nothing more was written.`,
    );
  });
});
