// No redundant work, counted exactly from the registry's access log and the docker shim:
// requests of the tag check, builds, blob uploads and the bytes they carry.
import { describe, expect, jest, test } from '@jest/globals';
import {
  accessLogMark,
  actionRequests,
  addManyTags,
  blobUploads,
  builds,
  engine,
  handOverOf,
  compressedSize,
  errors,
  makeContext,
  randomSha,
  runAction,
  testbed,
  uniqueName,
  uploadedBytes,
  pushInputs,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();

describe('counts', () => {
  test('a fresh push: one build, each blob uploaded once and only for the commit tag, 7 tag lookups', async () => {
    const name = uniqueName('counts');
    const sha = randomSha();
    const log = await accessLogMark(bed);
    const run = await runAction({
      inputs: pushInputs(bed, name, { context: makeContext(undefined, 2 * 1024 * 1024) }),
      sha,
    });
    expect(errors(run)).toEqual([]);
    expect(builds(run)).toHaveLength(1);
    const lines = await log();
    // The two tags read at once; the look at the commit tag before it is pushed; both tags
    // looked at before the version tag is written, and both proved after it.
    expect(actionRequests(lines, name).sort()).toEqual(
      [
        `GET /v2/${name}/manifests/v1.0.0 404`,
        `GET /v2/${name}/manifests/${sha} 404`,
        `GET /v2/${name}/manifests/${sha} 404`,
        `HEAD /v2/${name}/manifests/v1.0.0 404`,
        `HEAD /v2/${name}/manifests/${sha} 200`,
        `HEAD /v2/${name}/manifests/v1.0.0 200`,
        `HEAD /v2/${name}/manifests/${sha} 200`,
      ].sort(),
    );
    // Every upload comes before the commit tag's manifest; the version tag uploads nothing.
    const commitManifest = lines.findIndex((line) => line.startsWith(`PUT /v2/${name}/manifests/${sha} 201`));
    const uploads = blobUploads(lines, name);
    expect(uploads.length).toBeGreaterThan(0);
    expect(blobUploads(lines.slice(commitManifest), name)).toEqual([]);
    // Bytes uploaded (request lengths, headers included) against the image's compressed size.
    const size = compressedSize(`${bed.registry}/${name}:v1.0.0`);
    expect(size).toBeGreaterThan(2 * 1024 * 1024);
    expect(uploadedBytes(lines, name)).toBeLessThanOrEqual(1.05 * size);
  });

  test('the tag check of a re-run is 2 or 3 requests in a repository with 400 other tags, no tags/list', async () => {
    const name = uniqueName('counts');
    const sha = randomSha();
    const context = makeContext();
    const first = await runAction({ inputs: pushInputs(bed, name, { context }), sha });
    expect(first.outputs.result).toBe('pushed');
    await addManyTags(bed, name, 400);

    const log = await accessLogMark(bed);
    const rerun = await runAction({ inputs: pushInputs(bed, name, { context }), sha });
    expect(rerun.outputs.result).toBe('already-published');
    const lines = await log();
    const requests = actionRequests(lines, name).sort();
    // Both manifests; the configuration once, where the manifest carries no revision annotation
    // (an OCI layout's manifest does, an image from the classic store's engine only the label).
    const config = expect.stringMatching(new RegExp(`^GET /v2/${name}/blobs/sha256:[0-9a-f]{64} 200$`));
    expect(requests).toEqual([
      ...(handOverOf(engine) === 'oci-layout' ? [] : [config]),
      `GET /v2/${name}/manifests/${sha} 200`,
      `GET /v2/${name}/manifests/v1.0.0 200`,
    ]);
    expect(lines.filter((line) => line.includes('/tags/list'))).toEqual([]);
    expect(builds(rerun)).toEqual([]);
    expect(blobUploads(lines, name)).toEqual([]);
  });

  test('a refusal in a repository with 400 tags: the same 3 requests, nothing written', async () => {
    const name = uniqueName('counts');
    await addManyTags(bed, name, 400);
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: pushInputs(bed, name, { version: 'old-7' }), sha: randomSha() });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toContain(`${name}:old-7 already exists`);
    // The tags hold an image with no revision label: it is compared with this run's build
    // (docs/reruns.md), which has other content, and refused with no more registry requests.
    expect(errors(run)[0]).toContain('It is not this build either');
    const lines = await log();
    expect(actionRequests(lines, name)).toHaveLength(3);
    expect(lines.filter((line) => line.includes(`/v2/${name}/`) && /^(PUT|POST|PATCH) /.test(line))).toEqual(
      [],
    );
    expect(builds(run)).toHaveLength(1);
  });
});
