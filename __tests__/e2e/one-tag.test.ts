// One tag (`commit_tag: false`, with the `tags` template): the version tag `<version>-<sha7>` is
// the image's only tag, as a Dagger `publish` function pushed it; a re-run converges on it, and
// another commit's run never overwrites it.
import { describe, expect, jest, test } from '@jest/globals';
import {
  accessLogMark,
  builds,
  errors,
  inspect,
  manifestWrites,
  makeContext,
  pushInputs,
  randomSha,
  runAction,
  testbed,
  uniqueName,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();

describe('one tag', () => {
  test('built and pushed under <version>-<sha7> alone; a re-run writes nothing; another commit with the same version builds its own tag', async () => {
    const name = uniqueName('one-tag');
    const sha = randomSha();
    const context = makeContext();
    const inputs = pushInputs(bed, name, {
      context,
      version: 'v1.2.3',
      tags: '{{version}}-{{sha7}}',
      commit_tag: 'false',
    });
    const run = await runAction({ inputs, sha });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(builds(run)).toHaveLength(1);
    const tag = `v1.2.3-${sha.slice(0, 7)}`;
    expect(run.outputs.version_ref).toBe(`${bed.registry}/${name}:${tag}`);
    expect(run.outputs.sha_ref).toBeUndefined();
    const image = await inspect(`${bed.registry}/${name}:${tag}`);
    expect(image?.Digest).toBe(run.outputs.digest);
    expect(image?.Labels['org.opencontainers.image.revision']).toBe(sha);
    expect(await inspect(`${bed.registry}/${name}:${sha}`)).toBeUndefined();
    expect(run.summary).toContain(`| Commit | \`${sha} (no commit tag)\` |`);

    const mark = await accessLogMark(bed);
    const again = await runAction({ inputs, sha });
    expect(again.outputs.result).toBe('already-published');
    expect(builds(again)).toEqual([]);
    const lines = (await mark()).filter((line) => line.includes(`/v2/${name}/`));
    expect(manifestWrites(lines, name)).toEqual([]);
    // The one tag read, and no request for a tag of the full commit.
    expect(lines.filter((line) => line.includes(sha))).toEqual([]);

    const next = randomSha();
    const other = await runAction({ inputs: { ...inputs, context: makeContext() }, sha: next });
    expect(other.outputs.result).toBe('pushed');
    expect(other.outputs.version_ref).toBe(`${bed.registry}/${name}:v1.2.3-${next.slice(0, 7)}`);
    expect((await inspect(`${bed.registry}/${name}:${tag}`))?.Digest).toBe(run.outputs.digest);
  });

  test('the same one tag from another commit (a template without the commit): refused before any build', async () => {
    const name = uniqueName('one-tag');
    const inputs = pushInputs(bed, name, { version: 'v3.0.0', commit_tag: 'false' });
    const first = await runAction({ inputs, sha: randomSha() });
    expect(first.outputs.result).toBe('pushed');
    const mark = await accessLogMark(bed);
    const second = await runAction({ inputs: { ...inputs, context: makeContext() }, sha: randomSha() });
    expect(second.exitCode).toBe(1);
    expect(errors(second)[0]).toContain(`${bed.registry}/${name}:v3.0.0 already exists`);
    expect(builds(second)).toEqual([]);
    expect(manifestWrites(await mark(), name)).toEqual([]);
  });
});
