// Push-only mode against the test bed: an image made the way nix's dockerTools makes it (a
// docker-archive written by the test, no engine involved) published by `source`, with the
// engine out of reach: DOCKER_HOST names a port where nothing listens, and the docker shim
// records every call the action makes.
import { describe, expect, jest, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REVISION_LABEL } from '../../src/names.js';
import { dockerArchive } from '../helpers/archives.js';
import {
  accessLogMark,
  errors,
  inspect,
  manifestWrites,
  pushInputs,
  pushTagDirectly,
  randomSha,
  runAction,
  testbed,
  uniqueName,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
const NO_ENGINE = { DOCKER_HOST: 'tcp://127.0.0.1:9' };

/** A workspace holding `result`, a docker-archive labelled with `labels`, and its one file's content (`hello`). */
function nixResult(labels: Record<string, string>): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-nix-'));
  const hello = `built for ${JSON.stringify(labels)} ${Math.random()}`;
  fs.writeFileSync(path.join(workspace, 'hello'), hello);
  dockerArchive(path.join(workspace, 'result'), labels, { hello });
  return workspace;
}

function pushOnly(
  name: string,
  workspace: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return pushInputs(bed, name, {
    context: '',
    source: `docker-archive:${path.join(workspace, 'result')}`,
    tags: '{{version}}-{{sha7}}',
    version: 'v1.2.3',
    ...overrides,
  });
}

describe('push-only mode (`source`)', () => {
  test('a nix-like archive with this commit: both tags published with no engine; a re-run writes nothing', async () => {
    const name = uniqueName('push-only');
    const sha = randomSha();
    const workspace = nixResult({ [REVISION_LABEL]: sha });
    const run = await runAction({ inputs: pushOnly(name, workspace), sha, env: NO_ENGINE });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(run.dockerCalls).toEqual([]);
    const versionTag = `v1.2.3-${sha.slice(0, 7)}`;
    expect(run.outputs.version_ref).toBe(`${bed.registry}/${name}:${versionTag}`);
    const version = await inspect(`${bed.registry}/${name}:${versionTag}`);
    const commit = await inspect(`${bed.registry}/${name}:${sha}`);
    expect(version?.Digest).toBe(run.outputs.digest);
    expect(commit?.Digest).toBe(run.outputs.digest);
    expect(version?.Labels[REVISION_LABEL]).toBe(sha);
    expect(run.stdout).toContain(`carries ${REVISION_LABEL}=${sha}, this commit`);
    // The one place the key may stand is the mask command that hides it from the runner's log.
    expect(run.stdout.replaceAll(`::add-mask::${bed.apiKey}`, '')).not.toContain(bed.apiKey);
    // The source is left as it was, and nothing of the run stays beside it.
    expect(fs.readdirSync(workspace).sort()).toEqual(['hello', 'result']);

    const mark = await accessLogMark(bed);
    const again = await runAction({ inputs: pushOnly(name, workspace), sha, env: NO_ENGINE });
    expect(again.outputs.result).toBe('already-published');
    expect(again.outputs.digest).toBe(run.outputs.digest);
    expect(manifestWrites(await mark(), name)).toEqual([]);
    expect(again.dockerCalls).toEqual([]);
  });

  test.each([
    ['no revision label', {}, `carries no ${REVISION_LABEL} label`],
    ['another commit', { [REVISION_LABEL]: 'f'.repeat(40) }, `was built from commit "${'f'.repeat(40)}"`],
  ])('an archive with %s: refused naming what to add, nothing pushed', async (_, labels, why) => {
    const name = uniqueName('push-only');
    const sha = randomSha();
    const workspace = nixResult(labels);
    const mark = await accessLogMark(bed);
    const run = await runAction({ inputs: pushOnly(name, workspace), sha, env: NO_ENGINE });
    expect(run.exitCode).not.toBe(0);
    expect(errors(run).join('\n')).toContain(why);
    expect(errors(run).join('\n')).toContain('Nothing was pushed.');
    expect(manifestWrites(await mark(), name)).toEqual([]);
    expect(await inspect(`${bed.registry}/${name}:${sha}`)).toBeUndefined();
  });

  test.each([
    ['the same content', true],
    ['other content', false],
  ])(
    'the version tag pushed before the action by skopeo, with no label, holding %s: compared with the source',
    async (_, same) => {
      const name = uniqueName('push-only');
      const sha = randomSha();
      const workspace = nixResult({ [REVISION_LABEL]: sha });
      // What Dagger's publish left: the image without the label, under the one tag.
      const before = path.join(os.tmpdir(), `bpi-unlabelled-${sha}.tar`);
      const hello = same ? fs.readFileSync(path.join(workspace, 'hello'), 'utf8') : 'other bytes';
      dockerArchive(before, {}, { hello });
      const tag = `v1.2.3-${sha.slice(0, 7)}`;
      const digest = await pushTagDirectly(bed, bed.registry, `${name}:${tag}`, undefined, before);
      fs.rmSync(before);
      const mark = await accessLogMark(bed);
      const run = await runAction({
        inputs: pushOnly(name, workspace, { commit_tag: 'false' }),
        sha,
        env: NO_ENGINE,
      });
      expect(manifestWrites(await mark(), name)).toEqual([]);
      if (same) {
        expect(errors(run)).toEqual([]);
        expect(run.outputs.result).toBe('already-published');
        expect(run.outputs.digest).toBe(digest);
        expect(run.stdout).toContain('its content is what this run built');
      } else {
        expect(run.exitCode).toBe(1);
        expect(errors(run)[0]).toContain('carries no org.opencontainers.image.revision label');
        expect(errors(run)[0]).toContain('It is not this build either');
      }
    },
  );

  test('a build input given with a source: one error naming it, before the registry is asked', async () => {
    const name = uniqueName('push-only');
    const sha = randomSha();
    const workspace = nixResult({ [REVISION_LABEL]: sha });
    const mark = await accessLogMark(bed);
    const run = await runAction({
      inputs: pushOnly(name, workspace, { build_args: 'A=1' }),
      sha,
      env: NO_ENGINE,
    });
    expect(errors(run)).toEqual([
      expect.stringContaining('`build_args` has no use with `source`: the image is built already'),
    ]);
    expect((await mark()).filter((line) => line.includes(name))).toEqual([]);
  });
});
