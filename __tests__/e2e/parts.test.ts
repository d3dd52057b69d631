// Each platform built by its own job: two "runners" are two engines of the test bed, the
// engine under test for linux/amd64 and the containerd-store engine for linux/arm64. They run
// one after the other, at the same time, and again; the index they leave is checked with
// skopeo alone, and every write is counted in the registry front's log.
import { describe, expect, jest, test } from '@jest/globals';
import {
  accessLogMark,
  builds,
  dockerEnvFor,
  engine,
  errors,
  inspect,
  makeContext,
  manifestWrites,
  pushInputs,
  randomSha,
  runAction,
  testbed,
  uniqueName,
  type ActionRun,
} from './harness.js';
import { rawManifest } from './image-contents.js';

jest.setTimeout(300_000);
const bed = testbed();
const REVISION = 'org.opencontainers.image.revision';
/** The arm64 "runner": the engine of the bed that writes OCI (qemu runs its arm64 steps). */
const ARM64_RUNNER = 'tcp://127.0.0.1:2376';
const PLATFORMS = 'linux/arm64,linux/amd64';

/** One job of the matrix: its platform, on its runner's engine, with the inputs every job shares. */
function job(
  platform: 'linux/amd64' | 'linux/arm64',
  name: string,
  sha: string,
  shared: Record<string, string>,
): Promise<ActionRun> {
  const host = platform === 'linux/arm64' ? ARM64_RUNNER : engine;
  return runAction({
    inputs: pushInputs(bed, name, { ...shared, platforms: PLATFORMS, build_platforms: platform }),
    sha,
    env: runnerEnv(host),
  });
}

/** A runner's engine: the TLS engine's certificate settings only for the TLS engine. */
function runnerEnv(host: string): Record<string, string> {
  const env = dockerEnvFor(host);
  return {
    DOCKER_HOST: host,
    DOCKER_TLS_VERIFY: env.DOCKER_TLS_VERIFY ?? '',
    DOCKER_CERT_PATH: env.DOCKER_CERT_PATH ?? '',
  };
}

/** Requests that wrote to a repository (uploads, manifests). */
const writesTo = (lines: string[], name: string) =>
  lines.filter((line) => line.includes(`/v2/${name}/`) && /^(PUT|POST|PATCH|DELETE) /.test(line));

/** The index under `reference` holds both parts, amd64 first, each this commit's image of its platform. */
async function expectIndexOfBoth(reference: string, name: string, sha: string): Promise<void> {
  const index = await rawManifest(reference);
  expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
  expect(index.manifests?.map((entry) => entry.platform)).toEqual([
    expect.objectContaining({ os: 'linux', architecture: 'amd64' }),
    expect.objectContaining({ os: 'linux', architecture: 'arm64' }),
  ]);
  expect(index.annotations?.[REVISION]).toBe(sha);
  expect(index.annotations?.['org.opencontainers.image.created']).toBeUndefined();
  for (const [position, arch] of ['amd64', 'arm64'].entries()) {
    const image = await inspect(reference, arch);
    expect(image?.Architecture).toBe(arch);
    expect(image?.Labels[REVISION]).toBe(sha);
    // The index names the part's own manifest, an OCI one.
    const part = await inspect(`${bed.registry}/${name}:${sha}-linux-${arch}`);
    expect(index.manifests?.[position].digest).toBe(part?.Digest);
    expect(index.manifests?.[position].mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  }
}

describe('two jobs, one platform each', () => {
  test('one after the other: the first leaves a part and says what is missing, the second publishes one index; re-runs build and write nothing', async () => {
    const name = uniqueName('parts');
    const sha = randomSha();
    const shared = { context: makeContext(), network: 'none' };
    const reference = `${bed.registry}/${name}`;

    const first = await job('linux/amd64', name, sha, shared);
    expect(errors(first)).toEqual([]);
    expect(first.outputs.result).toBe('part-pushed');
    expect(first.outputs.part_ref).toBe(`${reference}:${sha}-linux-amd64`);
    expect(builds(first)).toEqual([expect.stringContaining('--platform linux/amd64 ')]);
    expect(first.outputs.digest).toBe((await inspect(`${reference}:${sha}-linux-amd64`))?.Digest);
    expect(first.stdout).toContain('  missing  linux/arm64');
    expect(first.summary).toContain('| Parts missing | `linux/arm64` |');
    expect(await inspect(`${reference}:v1.0.0`)).toBeUndefined();
    expect(await inspect(`${reference}:${sha}`)).toBeUndefined();

    const second = await job('linux/arm64', name, sha, shared);
    expect(errors(second)).toEqual([]);
    expect(second.outputs.result).toBe('pushed');
    expect(builds(second)).toEqual([expect.stringContaining('--platform linux/arm64 ')]);
    const version = await inspect(`${reference}:v1.0.0`, 'amd64');
    expect(second.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await rawManifest(`${reference}:v1.0.0`)).manifests).toHaveLength(2);
    await expectIndexOfBoth(`${reference}:v1.0.0`, name, sha);
    await expectIndexOfBoth(`${reference}:${sha}`, name, sha);
    expect(version?.Labels[REVISION]).toBe(sha);

    // Re-runs of either job: the index is out; nothing is built or written.
    const log = await accessLogMark(bed);
    const reruns = [await job('linux/amd64', name, sha, shared), await job('linux/arm64', name, sha, shared)];
    for (const rerun of reruns) {
      expect(errors(rerun)).toEqual([]);
      expect(rerun.outputs.result).toBe('already-published');
      expect(rerun.outputs.digest).toBe(second.outputs.digest);
      expect(builds(rerun)).toEqual([]);
    }
    expect(writesTo(await log(), name)).toEqual([]);

    // Another commit, the same version: refused in each job before it builds.
    const other = randomSha();
    for (const platform of ['linux/amd64', 'linux/arm64'] as const) {
      const refused = await job(platform, name, other, shared);
      expect(refused.exitCode).toBe(1);
      expect(errors(refused)[0]).toContain(`${reference}:v1.0.0 already exists`);
      expect(errors(refused)[0]).toContain(`was built from commit ${sha}`);
      expect(builds(refused)).toEqual([]);
    }
  });

  test('at the same time: both succeed, and one index of both parts is published', async () => {
    const name = uniqueName('parts');
    const sha = randomSha();
    const shared = { context: makeContext(), network: 'none' };
    const reference = `${bed.registry}/${name}`;
    const runs = await Promise.all([
      job('linux/amd64', name, sha, shared),
      job('linux/arm64', name, sha, shared),
    ]);
    for (const run of runs) expect(errors(run)).toEqual([]);
    // Each read the parts after its own push, so at least one found both and published.
    const results = runs.map((run) => run.outputs.result);
    expect(results.filter((result) => result !== 'part-pushed').length).toBeGreaterThan(0);
    const published = (await inspect(`${reference}:v1.0.0`, 'amd64'))?.Labels[REVISION];
    expect(published).toBe(sha);
    const index = (await rawManifest(`${reference}:v1.0.0`)).manifests;
    expect(index).toHaveLength(2);
    await expectIndexOfBoth(`${reference}:${sha}`, name, sha);
    const digest = (await inspect(`${reference}:v1.0.0`))?.Digest;
    for (const run of runs) if (run.outputs.result !== 'part-pushed') expect(run.outputs.digest).toBe(digest);
  });

  test('two re-runs that both find every part assemble the same bytes: both succeed on one digest, the index written once', async () => {
    const name = uniqueName('parts');
    const sha = randomSha();
    // A create-only registry, as zot without `update`: a second write of the commit tag is refused.
    const shared = { context: makeContext(), network: 'none', registry: bed.createOnlyRegistry };
    // Both parts out and no index yet: the amd64 job ran first, the arm64 job's push is there
    // but it stopped before assembling (its part pushed by a run whose other platform was unknown).
    expect((await job('linux/amd64', name, sha, shared)).outputs.result).toBe('part-pushed');
    const arm64Alone = await runAction({
      inputs: pushInputs(bed, name, {
        ...shared,
        platforms: 'linux/arm64,linux/s390x',
        build_platforms: 'linux/arm64',
      }),
      sha,
      env: runnerEnv(ARM64_RUNNER),
    });
    expect(arm64Alone.outputs.result).toBe('part-pushed');

    const log = await accessLogMark(bed);
    const runs = await Promise.all([
      job('linux/amd64', name, sha, shared),
      job('linux/arm64', name, sha, shared),
    ]);
    for (const run of runs) {
      expect(errors(run)).toEqual([]);
      expect(builds(run)).toEqual([]);
      expect(['pushed', 'completed', 'already-published']).toContain(run.outputs.result);
    }
    const digest = (await inspect(`${bed.createOnlyRegistry}/${name}:v1.0.0`))?.Digest;
    for (const run of runs) expect(run.outputs.digest).toBe(digest);
    // The index reached the commit tag once: a second PUT, if both got that far, was refused.
    const indexWrites = manifestWrites(await log(), name).filter((line) =>
      line.includes(`/manifests/${sha} `),
    );
    expect(indexWrites.filter((line) => line.endsWith(' 201'))).toHaveLength(1);
  });
});
