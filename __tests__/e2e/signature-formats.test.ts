// The two signature formats (`signature_formats`), each checked the way its consumer checks it:
// a Sigstore bundle referrer for cosign v3 (the referrers tag here: the test bed's registry has
// no referrers API), the `.sig` tag for skopeo 1.18, cosign 2.5 and cosign v3's legacy reading.
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import {
  accessLogMark,
  builds,
  errors,
  inspect,
  pushInputs,
  randomSha,
  runAction,
  testbed,
  uniqueName,
  type Testbed,
} from './harness.js';
import { cosignAccepts, generateKeyPair, skopeoAccepts, type KeyPair } from './verifiers.js';

jest.setTimeout(240_000);
const bed = testbed();
const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

let key: KeyPair;
let other: KeyPair;
beforeAll(async () => {
  [key, other] = await Promise.all([generateKeyPair('formats-ci'), generateKeyPair('formats-other')]);
});

const signed = (name: string, overrides: Record<string, string> = {}) =>
  pushInputs(bed, name, { signing_key: key.privateKey, signing_key_password: key.password, ...overrides });

/** A manifest of the registry as a client reads it (the test identity): its JSON, or none. */
async function manifestAt(
  registry: Testbed['registry'],
  name: string,
  reference: string,
): Promise<{ manifests?: { artifactType?: string; digest: string }[] } | undefined> {
  const authorization = `Basic ${Buffer.from(`${bed.username}:${bed.apiKey}`).toString('base64')}`;
  const answer = await fetch(`http://${registry}/v2/${name}/manifests/${reference}`, {
    headers: { authorization, accept: ACCEPT },
  });
  if (answer.status === 404) return undefined;
  if (!answer.ok) throw new Error(`GET ${reference}: ${answer.status}`);
  return (await answer.json()) as { manifests?: { artifactType?: string; digest: string }[] };
}

/** The bundle referrers listed under the referrers tag of `digest`. */
async function bundlesListed(registry: string, name: string, digest: string): Promise<string[]> {
  const index = await manifestAt(registry, name, digest.replace(':', '-'));
  return (index?.manifests ?? []).filter((entry) => entry.artifactType === BUNDLE).map((e) => e.digest);
}

const sigTag = (digest: string) => `${digest.replace(':', '-')}.sig`;

describe('signature_formats', () => {
  test('bundle: cosign v3 accepts the key and refuses another; no .sig, so cosign 2.5, cosign v3 reading .sig alone and skopeo refuse; a re-run writes nothing', async () => {
    const name = uniqueName('bundle-only');
    const sha = randomSha();
    const inputs = signed(name, { signature_formats: 'bundle' });
    const run = await runAction({ inputs, sha });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    const digest = run.outputs.digest;
    // No .sig: the `signature` output names the `.sig` format alone.
    expect(run.outputs.signature ?? '').toBe('');
    expect(await manifestAt(bed.registry, name, sigTag(digest))).toBeUndefined();
    expect(await bundlesListed(bed.registry, name, digest)).toHaveLength(1);
    expect(run.stdout).toContain(`Found as consumers find them: bundle (${bed.registry}/${name}@${digest}).`);

    const reference = `${bed.registry}/${name}:v1.0.0`;
    expect(await cosignAccepts(bed.cosignV3, reference, key.publicKey)).toBe(true);
    expect(await cosignAccepts(bed.cosignV3, reference, other.publicKey)).toBe(false);
    expect(await cosignAccepts(bed.cosignV3, reference, key.publicKey, { legacy: true })).toBe(false);
    expect(await cosignAccepts(bed.cosign, reference, key.publicKey)).toBe(false);
    expect((await skopeoAccepts(reference, key.publicKey)).ok).toBe(false);

    const log = await accessLogMark(bed);
    const rerun = await runAction({ inputs, sha });
    expect(rerun.outputs.result).toBe('already-published');
    expect(builds(rerun)).toEqual([]);
    expect(
      (await log()).filter((line) => line.includes(`/v2/${name}/`) && /^(PUT|POST|PATCH|DELETE) /.test(line)),
    ).toEqual([]);
  });

  test('both (the default): one bundle and the .sig; cosign v3 either way, cosign 2.5 and skopeo by both tags accept', async () => {
    const name = uniqueName('both-formats');
    const sha = randomSha();
    const run = await runAction({ inputs: signed(name), sha });
    expect(errors(run)).toEqual([]);
    const digest = run.outputs.digest;
    expect(run.outputs.signature).toBe(`${bed.registry}/${name}:${sigTag(digest)}`);
    expect(await bundlesListed(bed.registry, name, digest)).toHaveLength(1);
    expect(run.stdout).toContain(
      `Found as consumers find them: sig (${bed.registry}/${name}:v1.0.0, ${bed.registry}/${name}:${sha}); bundle (${bed.registry}/${name}@${digest}).`,
    );
    const reference = `${bed.registry}/${name}:v1.0.0`;
    expect(await cosignAccepts(bed.cosignV3, reference, key.publicKey)).toBe(true);
    expect(await cosignAccepts(bed.cosignV3, reference, key.publicKey, { legacy: true })).toBe(true);
    expect(await cosignAccepts(bed.cosign, reference, key.publicKey)).toBe(true);
    for (const tag of ['v1.0.0', sha])
      expect(await skopeoAccepts(`${bed.registry}/${name}:${tag}`, key.publicKey)).toEqual({
        ok: true,
        stderr: '',
      });
  });

  test('an image published with the .sig alone (`sig`): the default re-run adds its bundle and writes nothing else, no build', async () => {
    const name = uniqueName('add-bundle');
    const sha = randomSha();
    const first = await runAction({ inputs: signed(name, { signature_formats: 'sig' }), sha });
    expect(errors(first)).toEqual([]);
    const digest = first.outputs.digest;
    expect(await bundlesListed(bed.registry, name, digest)).toEqual([]);
    const reference = `${bed.registry}/${name}:v1.0.0`;
    expect(await cosignAccepts(bed.cosignV3, reference, key.publicKey, { legacy: true })).toBe(true);

    const log = await accessLogMark(bed);
    const rerun = await runAction({ inputs: signed(name), sha });
    expect(errors(rerun)).toEqual([]);
    expect(builds(rerun)).toEqual([]);
    expect(rerun.outputs.digest).toBe(digest);
    const writes = (await log()).filter(
      (line) => /^(PUT|POST|PATCH) /.test(line) && line.includes(`/v2/${name}/`),
    );
    // The empty configuration and the bundle (blobs), the referrer by digest, the referrers tag.
    expect(
      writes
        .filter((line) => line.includes('/manifests/'))
        .map((line) => line.split(' ')[1].split('/manifests/')[1]),
    ).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/), digest.replace(':', '-')]);
    expect(await bundlesListed(bed.registry, name, digest)).toHaveLength(1);
    expect(await cosignAccepts(bed.cosignV3, reference, key.publicKey)).toBe(true);
  });

  test('bundle, on a create-only registry: two runs of one commit at once both end green on one image, each vouched for by its bundle', async () => {
    const name = uniqueName('bundle-race');
    const sha = randomSha();
    const inputs = signed(name, { signature_formats: 'bundle', registry: bed.createOnlyRegistry });
    const runs = await Promise.all([runAction({ inputs, sha }), runAction({ inputs, sha })]);
    const published = (await inspect(`${bed.createOnlyRegistry}/${name}:v1.0.0`))?.Digest;
    for (const run of runs) {
      expect(errors(run)).toEqual([]);
      expect(run.outputs.digest).toBe(published);
    }
    expect(await bundlesListed(bed.createOnlyRegistry, name, published!)).not.toEqual([]);
    expect(await cosignAccepts(bed.cosignV3, `${bed.createOnlyRegistry}/${name}:v1.0.0`, key.publicKey)).toBe(
      true,
    );
  });
});
