// The registry view (registry-view.ts) over a scripted client: what it reads for the planner,
// what it logs of each tag, and with a key, which identities count as signed for the image a
// run would publish and for each platform's part.
import { describe, expect, test } from '@jest/globals';
import { capturingStdout } from '../../helpers/stdout.js';
import { digestOf } from '../../../src/image/digest.js';
import { partsOf } from '../../../src/image/parts.js';
import { tagsOf, type Tags } from '../../../src/image/tags.js';
import { REVISION_LABEL } from '../../../src/names.js';
import { publicationFor } from '../../../src/publication/kinds.js';
import { registryView } from '../../../src/publication/registry-view.js';
import type { RegistryClient } from '../../../src/registry/client.js';
import type { Manifest } from '../../../src/registry/manifest.js';

const SHA = 'a'.repeat(40);
const TAGS = tagsOf('r.example', 'team/app', 'v1.0.0', SHA);
const ONE_TAG = tagsOf('r.example', 'team/app', 'v1.0.0-aaaaaaa', SHA, { commitTag: false });
const VERSION = 'r.example/team/app:v1.0.0';
const COMMIT = `r.example/team/app:${SHA}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const at = (c: string) => `sha256:${c.repeat(64)}`;

const manifestOf = (json: Record<string, unknown>, mediaType = OCI_MANIFEST): Manifest => {
  const bytes = Buffer.from(JSON.stringify(json));
  return { digest: digestOf(bytes), size: bytes.length, mediaType, json, bytes };
};
/** An image manifest of this commit (the revision annotated), whose configuration records `platform`. */
const image = (config: string, revision = SHA) =>
  manifestOf({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { digest: config },
    layers: [],
    annotations: { [REVISION_LABEL]: revision },
  });
const AMD64 = image(at('c'));
const ARM64 = image(at('d'));
/** An index of both images, an attestation manifest, an `unknown/unknown` entry and one whose digest is not one. */
const INDEX = manifestOf(
  {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    annotations: { [REVISION_LABEL]: SHA },
    manifests: [
      { digest: AMD64.digest, platform: { os: 'linux', architecture: 'amd64' } },
      { digest: ARM64.digest, platform: { os: 'linux', architecture: 'arm64' } },
      {
        digest: at('e'),
        platform: { os: 'linux', architecture: 'amd64' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
      { digest: at('f'), platform: { os: 'unknown', architecture: 'unknown' } },
      { digest: '../escape', platform: { os: 'linux', architecture: 'arm64' } },
    ],
  },
  OCI_INDEX,
);

/** A client holding `byTag` (tag → manifest) and every manifest by digest; each read recorded. */
function clientOf(byTag: Record<string, Manifest>, configs: Record<string, Record<string, unknown>> = {}) {
  const requests: string[] = [];
  const byDigest = new Map(
    [...Object.values(byTag), AMD64, ARM64, INDEX].map((manifest) => [manifest.digest, manifest]),
  );
  const client = {
    manifestIfAny: async (name: string, tag: string) => {
      requests.push(`GET ${name}:${tag}`);
      return byTag[tag];
    },
    manifest: async (name: string, d: string) => {
      requests.push(`GET ${name}@${d}`);
      const found = byDigest.get(d);
      if (!found) throw new Error(`no manifest ${d}`);
      return found;
    },
    config: async (name: string, tag: string, config: string) => {
      requests.push(`config ${name}:${tag} ${config}`);
      return configs[config] ?? {};
    },
    configLabels: async () => ({}),
    lookUp: async (name: string, tag: string) => {
      requests.push(`HEAD ${name}:${tag}`);
      return byTag[tag] ? { exists: true, digest: byTag[tag].digest } : { exists: false };
    },
  };
  return { client: client as unknown as RegistryClient, requests };
}

/** A key's verified reads: the identities each digest's `.sig` holds; each read recorded. */
function signaturesOf(signed: Record<string, string[]>, reads: string[] = []) {
  return {
    read: async (d: string) => {
      reads.push(d);
      return { digest: d, identities: signed[d] ?? [], layers: [], exists: d in signed };
    },
    write: async () => {
      throw new Error('the view never signs');
    },
  };
}

const signedView = (byTag: Record<string, Manifest>, signed: Record<string, string[]>, tags: Tags = TAGS) => {
  const reads: string[] = [];
  const { client, requests } = clientOf(byTag);
  const view = registryView({
    client,
    tags,
    signatures: signaturesOf(signed, reads),
    publication: publicationFor({ push: true, sign: true, commitTag: !tags.oneTag }),
  });
  return { view, reads, requests };
};

describe('with a key: the signature of the image a run would publish', () => {
  test('an image signed for both tags: both identities, vouched for this commit, and the log says so', async () => {
    const { view, reads } = signedView(
      { 'v1.0.0': AMD64, [SHA]: AMD64 },
      { [AMD64.digest]: [VERSION, COMMIT] },
    );
    const { outcome, written } = await capturingStdout(() => view.readHeld());
    expect(outcome.signature).toEqual({ digest: AMD64.digest, identities: [VERSION, COMMIT], vouched: true });
    expect(reads).toEqual([AMD64.digest]);
    expect(written).toContain(`${AMD64.digest}: signed for ${VERSION}, ${COMMIT}\n`);
  });

  test('an image signed for the version tag only: not vouched for this commit', async () => {
    const { view } = signedView({ [SHA]: AMD64 }, { [AMD64.digest]: [VERSION] });
    const { outcome } = await capturingStdout(() => view.readHeld());
    expect(outcome.signature).toEqual({ digest: AMD64.digest, identities: [VERSION], vouched: false });
  });

  test('an image this key never signed: no identity, not vouched, logged as not signed', async () => {
    const { view } = signedView({ [SHA]: AMD64 }, {});
    const { outcome, written } = await capturingStdout(() => view.readHeld());
    expect(outcome.signature).toEqual({ digest: AMD64.digest, identities: [], vouched: false });
    expect(written).toContain(`${AMD64.digest}: not signed by this key\n`);
  });

  test("the version tag's image is the one judged when both tags are there", async () => {
    const { view, reads } = signedView({ 'v1.0.0': ARM64, [SHA]: AMD64 }, {});
    const { outcome } = await capturingStdout(() => view.readHeld());
    expect(outcome.signature?.digest).toBe(ARM64.digest);
    expect(reads).toEqual([ARM64.digest]);
  });

  test('nothing there: no signature read, none reported', async () => {
    const { view, reads } = signedView({}, {});
    const { outcome } = await capturingStdout(() => view.readHeld());
    expect(outcome).toEqual({ version: { exists: false }, commit: { exists: false }, otherTags: {} });
    expect(reads).toEqual([]);
  });

  test('an index: its platform images (attestations and entries that are no digest left out) read with it; an identity counts where all carry it', async () => {
    const { view, reads } = signedView(
      { [SHA]: INDEX },
      { [INDEX.digest]: [VERSION, COMMIT], [AMD64.digest]: [VERSION, COMMIT], [ARM64.digest]: [COMMIT] },
    );
    const { outcome, written } = await capturingStdout(() => view.readHeld());
    expect(reads).toEqual([INDEX.digest, AMD64.digest, ARM64.digest]);
    expect(outcome.signature).toEqual({ digest: INDEX.digest, identities: [COMMIT], vouched: true });
    expect(written).toContain(
      `${INDEX.digest}: signed for ${COMMIT} (the index and its 2 platform images)\n`,
    );
  });

  test("one tag: vouched by the version tag's identity, the commit being no tag", async () => {
    const only = 'r.example/team/app:v1.0.0-aaaaaaa';
    const signed = signedView({ 'v1.0.0-aaaaaaa': AMD64 }, { [AMD64.digest]: [only] }, ONE_TAG);
    const { outcome } = await capturingStdout(() => signed.view.readHeld());
    expect(outcome.signature).toEqual({ digest: AMD64.digest, identities: [only], vouched: true });
    expect(signed.requests.filter((request) => request.startsWith('GET team/app:'))).toEqual([
      'GET team/app:v1.0.0-aaaaaaa',
    ]);
    const unvouched = signedView({ 'v1.0.0-aaaaaaa': AMD64 }, { [AMD64.digest]: [COMMIT] }, ONE_TAG);
    const read = await capturingStdout(() => unvouched.view.readHeld());
    expect(read.outcome.signature?.vouched).toBe(false);
  });
});

describe("the platforms' images of an index", () => {
  test('an index: its platform images by digest, attestations, unknown platforms and non-digests left out', async () => {
    const { client } = clientOf({});
    const view = registryView({ client, tags: TAGS, publication: publicationFor({ push: true }) });
    await expect(view.imagesOf(INDEX.digest)).resolves.toEqual([AMD64.digest, ARM64.digest]);
  });

  test('an image: none', async () => {
    const { client } = clientOf({});
    const view = registryView({ client, tags: TAGS, publication: publicationFor({ push: true }) });
    await expect(view.imagesOf(AMD64.digest)).resolves.toEqual([]);
  });
});

describe('one tag and a look-up, in the repository of the run', () => {
  test('read: the manifest and its revision; lookUp: a HEAD', async () => {
    const { client, requests } = clientOf({ 'v1.0.0': AMD64 });
    const view = registryView({ client, tags: TAGS, publication: publicationFor({ push: true }) });
    await expect(view.read('v1.0.0')).resolves.toEqual({ exists: true, digest: AMD64.digest, revision: SHA });
    await expect(view.lookUp('v1.0.0')).resolves.toEqual({ exists: true, digest: AMD64.digest });
    expect(requests).toEqual(['GET team/app:v1.0.0', 'HEAD team/app:v1.0.0']);
  });
});

describe('with platform parts', () => {
  const parts = partsOf(['linux/amd64', 'linux/arm64'], ['linux/amd64'], {});
  const AMD64_TAG = `${SHA}-linux-amd64`;
  const ARM64_TAG = `${SHA}-linux-arm64`;
  const configs = {
    [at('c')]: { os: 'linux', architecture: 'amd64' },
    [at('d')]: { os: 'linux', architecture: 'arm64', variant: '' },
  };
  const publication = publicationFor({ push: true, parts: true });

  test('each part tag read and logged; an empty variant is none; the parts come with both tags', async () => {
    const { client } = clientOf({ [ARM64_TAG]: ARM64 }, configs);
    const view = registryView({ client, tags: TAGS, parts, publication });
    const { outcome, written } = await capturingStdout(() => view.readHeld());
    expect(outcome.parts).toEqual({
      'linux/amd64': { exists: false },
      'linux/arm64': {
        exists: true,
        digest: ARM64.digest,
        revision: SHA,
        descriptor: {
          mediaType: OCI_MANIFEST,
          digest: ARM64.digest,
          size: ARM64.size,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      },
    });
    expect(written).toContain(`${AMD64_TAG}: absent\n`);
    expect(written).toContain(`${ARM64_TAG}: ${ARM64.digest}, built from ${SHA}\n`);
  });

  test('without parts: none read, and the held tags carry none', async () => {
    const { client, requests } = clientOf({}, configs);
    const view = registryView({ client, tags: TAGS, publication });
    await expect(view.readParts()).resolves.toEqual({});
    const { outcome } = await capturingStdout(() => view.readHeld());
    expect(outcome).not.toHaveProperty('parts');
    expect(requests).toEqual([`GET team/app:v1.0.0`, `GET team/app:${SHA}`]);
  });

  test("with a key: a part counts as signed only where this key signed it for its own part tag; an absent part's .sig is not read", async () => {
    const reads: string[] = [];
    const { client } = clientOf({ [AMD64_TAG]: AMD64, [ARM64_TAG]: ARM64 }, configs);
    const signatures = signaturesOf(
      { [AMD64.digest]: [`r.example/team/app:${AMD64_TAG}`], [ARM64.digest]: [VERSION, COMMIT] },
      reads,
    );
    // No bundle of the key: the .sig alone decides here.
    const bundles = { read: async () => false, write: async () => '' };
    const view = registryView({ client, tags: TAGS, parts, signatures, bundles, publication });
    const { outcome } = await capturingStdout(() => view.readParts());
    expect(outcome['linux/amd64']).toMatchObject({ exists: true, signed: true });
    expect(outcome['linux/arm64']).toMatchObject({ exists: true, signed: false });
    const onlyOne = registryView({
      client: clientOf({ [AMD64_TAG]: AMD64 }, configs).client,
      tags: TAGS,
      parts,
      signatures,
      bundles,
      publication,
    });
    reads.length = 0;
    const read = await capturingStdout(() => onlyOne.readParts());
    expect(read.outcome['linux/arm64']).toEqual({ exists: false });
    expect(reads).toEqual([AMD64.digest]);
  });
});
