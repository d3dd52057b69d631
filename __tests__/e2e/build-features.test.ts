// What users of docker/build-push-action expect of the build, on the engine under test: two
// platforms in one index, attestations, annotations, a build cache round trip. The engine that
// writes OCI images (the containerd store) does them; the classic store refuses what it cannot
// keep before anything is built, and says what would.
import { describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  accessLogMark,
  builds,
  dockerEnvFor,
  engine,
  errors,
  handOverOf,
  inspect,
  makeContext,
  manifestWrites,
  pushInputs,
  randomSha,
  runAction,
  testbed,
  uniqueName,
} from './harness.js';
import { fileInImage, imageConfig, rawManifest } from './image-contents.js';

jest.setTimeout(300_000);
const execFileAsync = promisify(execFile);
const bed = testbed();
/** The engine under test writes OCI images (the containerd image store); the others are classic. */
const writesOci = handOverOf(engine) === 'oci-layout';
const REVISION = 'org.opencontainers.image.revision';
const TWO_PLATFORMS = 'linux/amd64,linux/arm64';
/** A RUN step on the two-platform base image that only the containerd-store engine holds. */
const TWO_PLATFORM_CONTEXT =
  'FROM build-push-image-test/busybox:multi\nRUN busybox uname -m > /arch\nCOPY payload /payload\n';

/** Requests that wrote to a repository (uploads, manifests) in an access-log slice. */
function writesTo(lines: string[], name: string): string[] {
  return lines.filter((line) => line.includes(`/v2/${name}/`) && /^(PUT|POST|PATCH|DELETE) /.test(line));
}

const refusal = (named: string) =>
  `${named} a builder that writes OCI images, and this one is the docker driver on the classic image store, which keeps one platform and no annotations or attestations. ` +
  'Turn on the containerd image store in the engine (`"features": {"containerd-snapshotter": true}` in daemon.json), ' +
  'or use a `docker-container` builder (`docker buildx create --use --driver docker-container`). Nothing was built or pushed.';

describe(`two platforms on ${engine}`, () => {
  test(
    writesOci
      ? 'one index with both tags on its digest; arm64 RUN ran under qemu; a re-run writes nothing; another commit is refused naming the one that built it'
      : 'refused before the build, naming what would build it, nothing written',
    async () => {
      const name = uniqueName('platforms');
      const sha = randomSha();
      const inputs = pushInputs(bed, name, {
        context: makeContext(TWO_PLATFORM_CONTEXT),
        network: 'none',
        platforms: TWO_PLATFORMS,
      });
      const log = await accessLogMark(bed);
      const run = await runAction({ inputs, sha });
      if (!writesOci) {
        expect(run.exitCode).toBe(1);
        expect(errors(run)).toEqual([`::error::${refusal('`platforms` needs')}`]);
        expect(builds(run)).toEqual([]);
        expect(writesTo(await log(), name)).toEqual([]);
        return;
      }
      expect(errors(run)).toEqual([]);
      expect(run.outputs.result).toBe('pushed');
      expect(builds(run)).toEqual([expect.stringContaining(`--platform ${TWO_PLATFORMS}`)]);
      const reference = `${bed.registry}/${name}`;
      const index = await rawManifest(`${reference}:v1.0.0`);
      expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(index.manifests?.map((entry) => entry.platform)).toEqual([
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ]);
      expect(index.annotations?.[REVISION]).toBe(sha);
      // Both tags and the output name the index.
      const versionDigest = (await inspect(`${reference}:v1.0.0`))?.Digest;
      expect(versionDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect((await inspect(`${reference}:${sha}`))?.Digest).toBe(versionDigest);
      expect(run.outputs.digest).toBe(versionDigest);
      // The arm64 image: its configuration, its label, and what its RUN step saw.
      const arm64 = await inspect(`${reference}:v1.0.0`, 'arm64');
      expect(arm64?.Architecture).toBe('arm64');
      expect(arm64?.Labels[REVISION]).toBe(sha);
      expect(await fileInImage(`${reference}:v1.0.0`, 'arch', 'arm64')).toBe('aarch64\n');
      expect(await fileInImage(`${reference}:v1.0.0`, 'arch', 'amd64')).toBe('x86_64\n');

      // A re-run: the index is read, nothing is built or written.
      const again = await accessLogMark(bed);
      const rerun = await runAction({ inputs, sha });
      expect(rerun.outputs.result).toBe('already-published');
      expect(rerun.outputs.digest).toBe(versionDigest);
      expect(builds(rerun)).toEqual([]);
      expect(writesTo(await again(), name)).toEqual([]);

      // Another commit, the same version: refused before the build, naming the commit that built the index.
      const other = await runAction({ inputs, sha: randomSha() });
      expect(other.exitCode).toBe(1);
      expect(errors(other)[0]).toContain(
        `${reference}:v1.0.0 already exists (${versionDigest}) and was built from commit ${sha}`,
      );
      expect(builds(other)).toEqual([]);
    },
  );
});

describe(`attestations on ${engine}`, () => {
  test(
    writesOci
      ? 'provenance on request: an index whose attestation points at the image pushed with it; a re-run converges'
      : 'provenance is refused before the build, nothing written',
    async () => {
      const name = uniqueName('attest');
      const sha = randomSha();
      const inputs = pushInputs(bed, name, { provenance: 'true' });
      const log = await accessLogMark(bed);
      const run = await runAction({ inputs, sha });
      if (!writesOci) {
        expect(run.exitCode).toBe(1);
        expect(errors(run)).toEqual([`::error::${refusal('`provenance` needs')}`]);
        expect(builds(run)).toEqual([]);
        expect(writesTo(await log(), name)).toEqual([]);
        return;
      }
      expect(errors(run)).toEqual([]);
      expect(run.outputs.result).toBe('pushed');
      const index = await rawManifest(`${bed.registry}/${name}:v1.0.0`);
      const [image, attestation] = index.manifests ?? [];
      expect(index.manifests).toHaveLength(2);
      expect(attestation.platform).toEqual({ os: 'unknown', architecture: 'unknown' });
      // The attestation names the image manifest by the digest the registry holds.
      expect(attestation.annotations?.['vnd.docker.reference.digest']).toBe(image.digest);
      expect(attestation.annotations?.['vnd.docker.reference.type']).toBe('attestation-manifest');
      expect(index.annotations?.[REVISION]).toBe(sha);

      const rerun = await runAction({ inputs, sha });
      expect(rerun.outputs.result).toBe('already-published');
      expect(builds(rerun)).toEqual([]);
    },
  );

  test('off by default: a single image, no attestation manifest', async () => {
    const name = uniqueName('attest');
    const run = await runAction({ inputs: pushInputs(bed, name), sha: randomSha() });
    expect(run.outputs.result).toBe('pushed');
    const manifest = await rawManifest(`${bed.registry}/${name}:v1.0.0`);
    expect(manifest.manifests).toBeUndefined();
    expect(manifest.layers?.length).toBeGreaterThan(0);
  });
});

describe(`annotations on ${engine}`, () => {
  test(
    writesOci
      ? "source, revision, version and created on the manifest with the labels' values, plus the input's"
      : 'the input is refused before the build; the labels alone carry the provenance',
    async () => {
      const name = uniqueName('annotate');
      const sha = randomSha();
      const description = 'org.opencontainers.image.description=A test image';
      const run = await runAction({ inputs: pushInputs(bed, name, { annotations: description }), sha });
      if (!writesOci) {
        expect(run.exitCode).toBe(1);
        expect(errors(run)).toEqual([`::error::${refusal('`annotations` needs')}`]);
        expect(builds(run)).toEqual([]);
        const plain = await runAction({ inputs: pushInputs(bed, name), sha });
        expect(plain.outputs.result).toBe('pushed');
        expect((await rawManifest(`${bed.registry}/${name}:v1.0.0`)).annotations).toBeUndefined();
        return;
      }
      expect(errors(run)).toEqual([]);
      const manifest = await rawManifest(`${bed.registry}/${name}:v1.0.0`);
      const labels = (await imageConfig(`${bed.registry}/${name}:v1.0.0`)).config?.Labels ?? {};
      for (const key of ['source', 'revision', 'version', 'created'].map(
        (k) => `org.opencontainers.image.${k}`,
      ))
        expect(`${key}=${manifest.annotations?.[key]}`).toBe(`${key}=${labels[key]}`);
      expect(manifest.annotations?.[REVISION]).toBe(sha);
      expect(manifest.annotations?.['org.opencontainers.image.source']).toBe(
        'https://forgejo.example.invalid/ops/infrastructure',
      );
      expect(manifest.annotations?.['org.opencontainers.image.description']).toBe('A test image');
    },
  );
});

describe(`the build cache on ${engine}`, () => {
  /** The layers (uncompressed digests) of a pushed image. */
  const layers = async (reference: string) => (await imageConfig(reference)).rootfs.diff_ids;

  test(
    writesOci
      ? 'a round trip: exported to a folder, the builder pruned, imported by the next build, whose RUN layer is the same; no_cache builds it afresh'
      : "a cache export is refused by buildx for the classic store's docker driver, before anything is pushed",
    async () => {
      const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-cache-'));
      // A RUN step whose output differs at every execution: the same layer means it came from the cache.
      const context = makeContext(
        'FROM build-push-image-test/busybox:local\nRUN busybox head -c 32 /dev/urandom > /random\n',
      );
      const name = uniqueName('cache');
      const push = (version: string, more: Record<string, string>) =>
        runAction({
          inputs: pushInputs(bed, name, { context, network: 'none', version, ...more }),
          sha: randomSha(),
        });

      const first = await push('v1', { cache_to: `type=local,dest=${cache}/export,mode=max` });
      if (!writesOci) {
        expect(first.exitCode).toBe(1);
        expect(errors(first)[0]).toContain('Cache export is not supported for the docker driver');
        expect(builds(first)).toEqual([
          expect.stringContaining(`--cache-to type=local,dest=${cache}/export,mode=max`),
        ]);
        expect(first.outputs.digest).toBeUndefined();
        return;
      }
      expect(errors(first)).toEqual([]);
      expect(fs.existsSync(path.join(cache, 'export/index.json'))).toBe(true);
      // The builder forgets everything it had: only the exported cache can supply the RUN layer.
      await execFileAsync('docker', ['buildx', 'prune', '--all', '--force'], { env: dockerEnvFor(engine) });

      const second = await push('v2', { cache_from: `type=local,src=${cache}/export` });
      expect(errors(second)).toEqual([]);
      expect(builds(second)).toEqual([
        expect.stringContaining(`--cache-from type=local,src=${cache}/export`),
      ]);
      const third = await push('v3', { cache_from: `type=local,src=${cache}/export`, no_cache: 'true' });
      expect(builds(third)).toEqual([expect.stringContaining('--no-cache')]);

      const [v1, v2, v3] = await Promise.all(
        ['v1', 'v2', 'v3'].map((v) => layers(`${bed.registry}/${name}:${v}`)),
      );
      expect(v1).toHaveLength(2);
      expect(v2).toEqual(v1);
      expect(v3[0]).toBe(v1[0]);
      expect(v3[1]).not.toBe(v1[1]);
      fs.rmSync(cache, { recursive: true, force: true });
    },
  );

  test('an inline cache read back from the registry: no cache tag, nothing but reads, the RUN layer the same after the builder was pruned', async () => {
    const context = makeContext(
      'FROM build-push-image-test/busybox:local\nRUN busybox head -c 32 /dev/urandom > /random\n',
    );
    const name = uniqueName('inline');
    const push = (version: string, more: Record<string, string>) =>
      runAction({
        inputs: pushInputs(bed, name, { context, network: 'none', version, ...more }),
        sha: randomSha(),
      });
    const first = await push('v1', { cache_to: 'type=inline' });
    expect(errors(first)).toEqual([]);
    await execFileAsync('docker', ['buildx', 'prune', '--all', '--force'], { env: dockerEnvFor(engine) });
    const log = await accessLogMark(bed);
    const second = await push('v2', { cache_from: `type=registry,ref=${bed.registry}/${name}:v1` });
    expect(errors(second)).toEqual([]);
    expect(second.stdout).toContain(`importing cache manifest from ${bed.registry}/${name}:v1`);
    const [v1, v2] = await Promise.all(['v1', 'v2'].map((v) => layers(`${bed.registry}/${name}:${v}`)));
    expect(v2).toEqual(v1);
    // The builder only read v1: the only tags written are the run's own two.
    const tagWrites = manifestWrites(await log(), name).map(
      (write) => write.split(' ')[1].split('/manifests/')[1],
    );
    expect(tagWrites.filter((tag) => !tag.startsWith('sha256:')).sort()).toEqual(
      [second.outputs.sha_ref.split(':').at(-1), 'v2'].sort(),
    );
  });
});
