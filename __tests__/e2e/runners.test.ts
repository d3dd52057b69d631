// The user's runner as it is: a job image with Node and the docker CLI but no buildx plugin and
// no skopeo, told what to add before anything is built; and a checkout of another commit than
// `sha`, warned about.
import { describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  builds,
  errors,
  inspect,
  makeContext,
  pushInputs,
  randomSha,
  runAction,
  testbed,
  uniqueName,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
const which = (tool: string) =>
  execFileSync('sh', ['-c', `command -v ${tool}`])
    .toString()
    .trim();

/**
 * A PATH holding only the basics (sh, env, tar, gzip, timeout) and a docker CLI without the
 * buildx plugin, which answers `docker buildx …` as Docker 28's CLI does when the plugin is not
 * installed; the real CLI for everything else. No skopeo.
 */
function jobImageWithoutBuildxOrSkopeo(): string {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-job-image-'));
  fs.writeFileSync(
    path.join(bin, 'docker'),
    '#!/bin/sh\n' +
      'if [ "$1" = buildx ]; then\n' +
      '  printf "docker: unknown command: docker buildx\\n\\nRun \'docker --help\' for more information\\n" >&2\n' +
      '  exit 1\n' +
      'fi\n' +
      `exec '${which('docker')}' "$@"\n`,
    { mode: 0o755 },
  );
  for (const tool of ['sh', 'env', 'tar', 'gzip', 'timeout'])
    fs.symlinkSync(which(tool), path.join(bin, tool));
  return bin;
}

const checkoutWarnings = (stdout: string) =>
  stdout.split('\n').filter((line) => line.startsWith('::warning::') && line.includes('checked-out commit'));

describe('a job image without buildx or skopeo', () => {
  test('one error names both and what to add, after the key check and before any build; nothing is pushed', async () => {
    const name = uniqueName('runners');
    const sha = randomSha();
    const run = await runAction({
      inputs: pushInputs(bed, name),
      sha,
      withoutSkopeo: true,
      env: { PATH: jobImageWithoutBuildxOrSkopeo() },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    const [error] = errors(run);
    expect(error).toContain(
      "::error::This job's image lacks the docker buildx plugin and skopeo. Add to the job image:",
    );
    expect(error).toContain('`apt-get install docker-buildx`');
    expect(error).toContain('`docker-buildx-plugin`');
    expect(error).toContain('~/.docker/cli-plugins/docker-buildx');
    expect(error).toContain('`skopeo_download_url` and `skopeo_sha256`');
    expect(error).toContain(
      'On Debian 13 or Ubuntu 24.04, all at once: `apt-get install docker-buildx skopeo`.',
    );
    expect(run.stdout.indexOf(`accepted the API key of ${bed.username}`)).toBeGreaterThan(-1);
    expect(run.stdout.indexOf(`accepted the API key of ${bed.username}`)).toBeLessThan(
      run.stdout.indexOf('::error::'),
    );
    expect(run.summary).toContain('lacks the docker buildx plugin and skopeo');
    expect(builds(run)).toEqual([]);
    expect(await inspect(`${bed.registry}/${name}:${sha}`)).toBeUndefined();
  });

  test('push: false needs buildx alone, and says so', async () => {
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName('runners'), { push: 'false', username: '', api_key: '' }),
      sha: randomSha(),
      withoutSkopeo: true,
      env: { PATH: jobImageWithoutBuildxOrSkopeo() },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringMatching(
        /^::error::This job's image lacks the docker buildx plugin, needed to build the image/,
      ),
    ]);
    expect(errors(run)[0]).not.toContain('skopeo');
  });

  test('a re-run of a published commit needs neither: it succeeds on that job image', async () => {
    const name = uniqueName('runners');
    const sha = randomSha();
    const context = makeContext();
    const first = await runAction({ inputs: pushInputs(bed, name, { context }), sha });
    expect(first.outputs.result).toBe('pushed');
    const rerun = await runAction({
      inputs: pushInputs(bed, name, { context }),
      sha,
      withoutSkopeo: true,
      env: { PATH: jobImageWithoutBuildxOrSkopeo() },
    });
    expect(errors(rerun)).toEqual([]);
    expect(rerun.outputs.result).toBe('already-published');
  });
});

describe('the checkout and `sha`', () => {
  /** A context in a git repository of one commit; its HEAD. */
  function checkedOutContext(): { context: string; head: string } {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-checkout-'));
    const context = makeContext();
    fs.cpSync(context, path.join(repo, 'containers', 'app'), { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', [
        '-C',
        repo,
        '-c',
        'user.name=e2e',
        '-c',
        'user.email=e2e@example.invalid',
        ...args,
      ])
        .toString()
        .trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'scratch');
    return { context: path.join(repo, 'containers', 'app'), head: git('rev-parse', 'HEAD') };
  }

  test('another commit than the checkout: one warning naming both, and the lines that keep them one', async () => {
    const { context, head } = checkedOutContext();
    const sha = randomSha();
    // On the job image without the tools the run stops before a build; the warning came first.
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName('runners'), { context }),
      sha,
      withoutSkopeo: true,
      env: { PATH: jobImageWithoutBuildxOrSkopeo() },
    });
    const warnings = checkoutWarnings(run.stdout);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`whose checked-out commit (HEAD) is ${head}, but \`sha\` is ${sha}`);
    expect(warnings[0]).toContain('`sha: ${{ inputs.ref || github.sha }}`');
  });

  test('the checked-out commit itself: no warning', async () => {
    const { context, head } = checkedOutContext();
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName('runners'), { context }),
      sha: head,
      withoutSkopeo: true,
      env: { PATH: jobImageWithoutBuildxOrSkopeo() },
    });
    expect(run.exitCode).toBe(1);
    expect(checkoutWarnings(run.stdout)).toEqual([]);
  });
});
