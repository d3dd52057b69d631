// The re-run table, against the create-only door: the registry itself refuses to write a tag
// that exists (403 DENIED), as zot does for a CI identity with `create` but not `update`.
import { describe, expect, jest, test } from '@jest/globals';
import {
  accessLogMark,
  blobUploads,
  builds,
  errors,
  inspect,
  makeContext,
  manifestWrites,
  pushTagDirectly,
  randomSha,
  runAction,
  testbed,
  uniqueName,
  pushInputs,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
const registry = bed.createOnlyRegistry;

describe('each row of the re-run table', () => {
  test('version absent, commit absent: build and push both', async () => {
    const name = uniqueName('rerun');
    const sha = randomSha();
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(builds(run)).toHaveLength(1);
    expect(run.stdout).toContain('Neither v1.0.0 nor the commit tag exists');
    expect(manifestWrites(await log(), name)).toEqual([
      `PUT /v2/${name}/manifests/${sha} 201`,
      `PUT /v2/${name}/manifests/v1.0.0 201`,
    ]);
    expect((await inspect(`${registry}/${name}:v1.0.0`))?.Digest).toBe(run.outputs.digest);
  });

  test('version absent, commit present (a run that died half-way): tag it, no build, no upload', async () => {
    const name = uniqueName('rerun');
    const sha = randomSha();
    const commitDigest = await pushTagDirectly(bed, registry, `${name}:${sha}`, sha);
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('completed');
    expect(run.outputs.digest).toBe(commitDigest);
    expect(builds(run)).toEqual([]);
    expect(run.stdout).toContain('The commit tag exists but v1.0.0 does not');
    const lines = await log();
    expect(blobUploads(lines, name)).toEqual([]);
    expect(manifestWrites(lines, name)).toEqual([`PUT /v2/${name}/manifests/v1.0.0 201`]);
    expect((await inspect(`${registry}/${name}:v1.0.0`))?.Digest).toBe(commitDigest);
  });

  test('both present from this commit: nothing written, nothing built', async () => {
    const name = uniqueName('rerun');
    const sha = randomSha();
    const first = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(first.outputs.result).toBe('pushed');
    const log = await accessLogMark(bed);
    const rerun = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(errors(rerun)).toEqual([]);
    expect(rerun.outputs).toEqual({ ...first.outputs, result: 'already-published' });
    expect(builds(rerun)).toEqual([]);
    const lines = await log();
    expect(blobUploads(lines, name)).toEqual([]);
    expect(manifestWrites(lines, name)).toEqual([]);
  });

  test('version present from this commit, commit tag absent: add the commit tag, no build, no upload', async () => {
    const name = uniqueName('rerun');
    const sha = randomSha();
    const versionDigest = await pushTagDirectly(bed, registry, `${name}:v1.0.0`, sha);
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('completed');
    expect(run.outputs.digest).toBe(versionDigest);
    expect(builds(run)).toEqual([]);
    const lines = await log();
    expect(blobUploads(lines, name)).toEqual([]);
    expect(manifestWrites(lines, name)).toEqual([`PUT /v2/${name}/manifests/${sha} 201`]);
    expect((await inspect(`${registry}/${name}:${sha}`))?.Digest).toBe(versionDigest);
  });

  test.each([
    ['from another commit', randomSha()],
    ['without a revision label', undefined],
  ])('version present %s: refused, nothing written', async (_, revision) => {
    const name = uniqueName('rerun');
    const sha = randomSha();
    const existing = await pushTagDirectly(bed, registry, `${name}:v1.0.0`, revision);
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(run.exitCode).toBe(1);
    // Another commit's image is refused before the build; one with no label is compared with
    // the build first (an image pushed before the action may be this very image), then refused.
    expect(builds(run)).toHaveLength(revision ? 0 : 1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toContain(`${name}:v1.0.0 already exists (${existing})`);
    expect(errors(run)[0]).toContain(
      revision
        ? `built from commit ${revision}`
        : 'no org.opencontainers.image.revision label (it was not pushed by this action)',
    );
    if (!revision) expect(errors(run)[0]).toContain('It is not this build either');
    expect(manifestWrites(await log(), name)).toEqual([]);
    expect((await inspect(`${registry}/${name}:v1.0.0`))?.Digest).toBe(existing);
    expect(await inspect(`${registry}/${name}:${sha}`)).toBeUndefined();
    expect(run.post.exitCode).toBe(0);
  });
});

describe('two runs racing for one version', () => {
  test("exactly one wins; the other fails naming the tag; the tag holds the winner's image", async () => {
    const name = uniqueName('race');
    const [shaA, shaB] = [randomSha(), randomSha()];
    const log = await accessLogMark(bed);
    const runs = await Promise.all([
      runAction({ inputs: pushInputs(bed, name, { registry }), sha: shaA }),
      runAction({ inputs: pushInputs(bed, name, { registry }), sha: shaB }),
    ]);
    const winners = runs.filter((run) => run.exitCode === 0);
    const losers = runs.filter((run) => run.exitCode !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const [winner] = winners;
    const [loser] = losers;
    expect(winner.outputs.result).toBe('pushed');
    expect(errors(loser)).toHaveLength(1);
    expect(errors(loser)[0]).toContain(`${registry}/${name}:v1.0.0`);
    // Whichever way it lost (refused by the registry, found taken at the last look, or read
    // again after either), it ends on the plain refusal naming the winner's commit.
    expect(errors(loser)[0]).toMatch(/already exists \(sha256:[0-9a-f]{64}\) and was built from commit/);

    const version = await inspect(`${registry}/${name}:v1.0.0`);
    expect(version?.Digest).toBe(winner.outputs.digest);
    const winnerSha = winner === runs[0] ? shaA : shaB;
    expect(version?.Labels['org.opencontainers.image.revision']).toBe(winnerSha);
    // The version tag was written once; a refused write, if the loser got that far, was a 403.
    const versionWrites = manifestWrites(await log(), name).filter((line) =>
      line.includes('/manifests/v1.0.0 '),
    );
    expect(versionWrites.filter((line) => line.endsWith(' 201'))).toHaveLength(1);
  });
});

describe('two runs of the same commit racing (a second re-run while one is in flight)', () => {
  test('both succeed, with one image under both tags', async () => {
    const name = uniqueName('race');
    const sha = randomSha();
    const context = makeContext();
    const runs = await Promise.all([
      runAction({ inputs: pushInputs(bed, name, { registry, context }), sha }),
      runAction({ inputs: pushInputs(bed, name, { registry, context }), sha }),
    ]);
    for (const run of runs) expect(errors(run)).toEqual([]);
    const version = await inspect(`${registry}/${name}:v1.0.0`);
    const commit = await inspect(`${registry}/${name}:${sha}`);
    expect(commit?.Digest).toBe(version?.Digest);
    expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
    // Which run wrote which tag depends on timing (each may have written one of the two, then
    // found the other written): every result is a success.
    for (const run of runs)
      expect(['pushed', 'completed', 'already-published']).toContain(run.outputs.result);
    for (const run of runs) expect(run.outputs.digest).toBe(version?.Digest);
  });
});

describe("a commit tag that another commit's image holds", () => {
  test('is refused before building, never used for the version, never overwritten', async () => {
    const name = uniqueName('rerun');
    const sha = randomSha();
    const existing = await pushTagDirectly(bed, registry, `${name}:${sha}`, randomSha());
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: pushInputs(bed, name, { registry }), sha });
    expect(run.exitCode).toBe(1);
    expect(builds(run)).toEqual([]);
    expect(errors(run)[0]).toContain(`${name}:${sha} already exists (${existing}) and was built from commit`);
    expect(manifestWrites(await log(), name)).toEqual([]);
    expect(await inspect(`${registry}/${name}:v1.0.0`)).toBeUndefined();
  });
});

describe('two runs of the same commit racing on a registry that lets tags be overwritten', () => {
  test('both succeed, with both tags and both digests on one image, round after round', async () => {
    for (let round = 0; round < 3; round++) {
      const name = uniqueName('race');
      const sha = randomSha();
      const context = makeContext();
      const open = (version: string) => pushInputs(bed, name, { version, context }); // no door
      const runs = await Promise.all([
        runAction({ inputs: open('v1.0.0'), sha }),
        runAction({ inputs: open('v1.0.0'), sha }),
      ]);
      for (const run of runs) expect(errors(run)).toEqual([]);
      const version = await inspect(`${bed.registry}/${name}:v1.0.0`);
      const commit = await inspect(`${bed.registry}/${name}:${sha}`);
      expect(`round ${round}: ${commit?.Digest}`).toBe(`round ${round}: ${version?.Digest}`);
      expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
      for (const run of runs) expect(run.outputs.digest).toBe(version?.Digest);
    }
  });
});

describe('a 403 on a tag write', () => {
  test("is reported with the registry's own message and what it usually means", async () => {
    const name = uniqueName('denied');
    const sha = randomSha();
    const run = await runAction({ inputs: pushInputs(bed, name, { registry, version: 'denied-v1' }), sha });
    expect(run.exitCode).toBe(1);
    const [error] = errors(run);
    expect(error).toContain(
      `refused to write ${registry}/${name}:denied-v1 (403 DENIED: requested access to the resource is denied)`,
    );
    expect(error).toContain("lacks zot's `update` permission");
    // Read again (the commit tag now there: point the version at it), refused again, read again,
    // found the registry unchanged, and stopped: bounded, no loop.
    expect(run.stdout.match(/Reading the registry again/g)).toHaveLength(2);
    // The commit tag was written before and is reported; the next run can complete from it.
    expect(run.outputs.digest).toBe((await inspect(`${registry}/${name}:${sha}`))?.Digest);
    expect(run.outputs.result).toBeUndefined();
  });
});
