import { describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  accessLogMark,
  buildArchive,
  dockerEnvFor,
  engine,
  handOverOf,
  HAND_OVERS,
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
const execFileAsync = promisify(execFile);
const bed = testbed();

/** Images (IDs, once each whatever their tags) labelled with this commit in one engine of the test bed. */
async function imagesOf(host: string, sha: string): Promise<string[]> {
  const { stdout } = await execFileAsync(
    'docker',
    ['image', 'ls', '--quiet', '--filter', `label=org.opencontainers.image.revision=${sha}`],
    { env: dockerEnvFor(host) },
  );
  return [...new Set(stdout.split('\n').filter(Boolean))];
}

describe(`the engine under test, ${engine}`, () => {
  test('builds the image and hands it over its own way; no other engine sees it; the hand-over is gone after the push', async () => {
    const handOver = handOverOf(engine);
    expect(`${engine}: ${handOver}`).toMatch(/: (engine-daemon|engine-archive|oci-layout)$/);
    expect(bed.engines.sort()).toEqual(Object.keys(HAND_OVERS).sort());
    const name = uniqueName();
    const sha = randomSha();
    const run = await runAction({ inputs: pushInputs(bed, name), sha });

    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(run.stdout).toContain(`Hand-over (${handOver}):`);
    if (engine === bed.tlsEngine) expect(run.stdout).toContain(`the engine at ${engine} needs TLS`);
    const version = await inspect(`${bed.registry}/${name}:v1.0.0`);
    expect((await inspect(`${bed.registry}/${name}:${sha}`))?.Digest).toBe(version?.Digest);
    expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
    // Loaded into the engine under test only (an OCI layout is loaded nowhere).
    for (const host of bed.engines)
      expect(`${host}: ${(await imagesOf(host, sha)).length}`).toBe(
        `${host}: ${host === engine && handOver !== 'oci-layout' ? 1 : 0}`,
      );
    // The layout or archive was deleted when the push ended, before the post step.
    expect(run.leftByMain.filter((file) => /oci-layout|image\.tar/.test(file))).toEqual([]);
    expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  });
});

describe('a fresh push', () => {
  test('creates both tags on one digest, labelled with the commit whatever the user labels say, and cleans up after itself', async () => {
    const name = uniqueName();
    const sha = randomSha();
    const labels =
      'team=ops\norg.opencontainers.image.revision=forged\norg.opencontainers.image.version=forged';
    const run = await runAction({ inputs: pushInputs(bed, name, { labels }), sha });

    expect(errors(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(builds(run)).toHaveLength(1);
    const version = await inspect(`${bed.registry}/${name}:v1.0.0`);
    const commit = await inspect(`${bed.registry}/${name}:${sha}`);
    expect(version?.Digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(commit?.Digest).toBe(version?.Digest);
    expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
    // A user label cannot pass for provenance: the action's come last and win.
    expect(version?.Labels['org.opencontainers.image.version']).toBe('v1.0.0');
    expect(version?.Labels.team).toBe('ops');
    expect(run.outputs).toEqual({
      image: `${bed.registry}/${name}`,
      version_ref: `${bed.registry}/${name}:v1.0.0`,
      sha_ref: `${bed.registry}/${name}:${sha}`,
      digest: version?.Digest,
      result: 'pushed',
    });
    expect(run.summary).toContain(version!.Digest);
    // The post step removed this run's folder (auth file included) and did not fail.
    expect(run.post.exitCode).toBe(0);
    expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  });

  test('with push: false builds and checks but writes nothing', async () => {
    const name = uniqueName();
    const sha = randomSha();
    const log = await accessLogMark(bed);
    const run = await runAction({
      inputs: pushInputs(bed, name, { push: 'false', username: '', api_key: '' }),
      sha,
    });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('built');
    expect(builds(run)).toHaveLength(1);
    expect(await inspect(`${bed.registry}/${name}:v1.0.0`)).toBeUndefined();
    const writes = (await log()).filter((line) => line.includes(name) && !/^(GET|HEAD) /.test(line));
    expect(writes).toEqual([]);
  });

  test('runs RUN instructions with network none on a locally made base image', async () => {
    const name = uniqueName();
    const sha = randomSha();
    const context = makeContext(
      'FROM build-push-image-test/busybox:local\nRUN echo built > /built\nCOPY payload /payload\n',
    );
    const run = await runAction({
      inputs: pushInputs(bed, name, { version: 'v2.0.0', context, network: 'none' }),
      sha,
    });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(builds(run)[0]).toContain('--network none');
  });
});

describe('credentials', () => {
  test("the front answers like zot: 401 to a Docker client's anonymous ping, 200 with a challenge to others; docker login works", async () => {
    for (const [agent, status] of [
      ['docker/26.1.5 go/go1.22 git-commit/411e817 os/linux arch/amd64', 401],
      ['Go-http-client/1.1 Docker-Client/26.1.5 (linux)', 401],
      ['skopeo/1.9.3', 200],
    ] as const) {
      const answer = await fetch(`http://${bed.registry}/v2/`, { headers: { 'user-agent': agent } });
      expect(`${agent}: ${answer.status} ${answer.headers.get('www-authenticate')}`).toBe(
        `${agent}: ${status} Basic realm="zot"`,
      );
    }
    // The engine under test logs in (it is the engine that pings the registry for `docker login`).
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-docker-config-'));
    const login = execFile('docker', ['login', '-u', bed.username, '--password-stdin', bed.registry], {
      env: { ...process.env, DOCKER_CONFIG: config },
    });
    login.stdin?.end(bed.apiKey);
    const code = await new Promise((resolve) => login.on('close', resolve));
    expect(code).toBe(0);
    fs.rmSync(config, { recursive: true, force: true });
  });

  test('the registry rejects an unauthenticated push with 401', async () => {
    const name = uniqueName();
    const archive = await buildArchive(fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-anonymous-')));
    const push = execFileAsync('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      `docker-archive:${archive}`,
      `docker://${bed.registry}/${name}:anonymous`,
    ]);
    await expect(push).rejects.toMatchObject({ stderr: expect.stringMatching(/unauthorized|401/i) });
    const answer = await fetch(`http://${bed.registry}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    expect(answer.status).toBe(401);
  });

  test('a wrong key fails before any build, and the key is not printed', async () => {
    const name = uniqueName();
    const wrongKey = `zak_${'0'.repeat(32)}`;
    const run = await runAction({ inputs: pushInputs(bed, name, { api_key: wrongKey }), sha: randomSha() });
    expect(run.exitCode).toBe(1);
    expect(builds(run)).toEqual([]);
    const [error] = errors(run);
    expect(error).toMatch(/rejected the API key/);
    expect(error).toMatch(/expired or been revoked/);
    expect(run.stdout.replace(`::add-mask::${wrongKey}`, '')).not.toContain(wrongKey);
    expect(run.stderr).not.toContain(wrongKey);
    expect(await inspect(`${bed.registry}/${name}:v1.0.0`)).toBeUndefined();
  });
});

describe('bad input', () => {
  // Every input's rules are unit-tested (inputs.test.ts); end to end, the bundle reports them
  // as the step's one error before docker runs, and never echoes a key-like value.
  test.each([
    ['api_key', { api_key: 'hunter2' }],
    ['dockerfile', { dockerfile: 'Containerfile' }],
    ['version', { version: 'v1\nv2' }],
  ])('a bad %s gets one error naming it, before docker runs', async (input, override) => {
    const run = await runAction({ inputs: pushInputs(bed, uniqueName(), override), sha: randomSha() });
    expect(run.exitCode).toBe(1);
    const found = errors(run);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`\`${input}\``);
    expect(run.dockerCalls).toEqual([]);
    // Only the runner's mask instruction carries it (the runner hides it from the log).
    const shown = (run.stdout + run.stderr).split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(shown.join('\n')).not.toContain('hunter2');
  });
});
