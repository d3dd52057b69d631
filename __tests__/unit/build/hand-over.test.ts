// The docker commands the action runs, against a stand-in `docker` on PATH that answers as the
// CLI does: the builder and endpoint probes, and the build with its failures named.
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, loadInto, type BuildInputs } from '../../../src/build/buildx.js';
import { buildAndHandOver, buildOnly } from '../../../src/build/hand-over.js';
import { Timeline } from '../../../src/report/timeline.js';
import { probeBuilder, probeEndpoint } from '../../../src/build/engine.js';
import { UserError } from '../../../src/errors.js';
import { specWith as specOf } from '../../helpers/build-inputs.js';
import { fakeTools } from '../../helpers/fake-tools.js';
import { capturingStdout } from '../../helpers/stdout.js';

const ID = `sha256:${'f'.repeat(64)}`;
const tools = fakeTools('bpi-docker-');
const work = tools.work;
const calls = path.join(work, 'calls');
tools.install(
  'docker',
  `#!/bin/sh
echo "$*" >> '${calls}'
if [ -n "$FAKE_ERROR" ]; then printf '%s\\n' "$FAKE_ERROR" >&2; exit 1; fi
case "$*" in
  "buildx inspect") printf 'Name:   default\\nDriver: %s\\n' "$FAKE_DRIVER" ;;
  "info --format {{json .DriverStatus}}") echo "$FAKE_STATUS" ;;
  "context inspect --format {{json .}}") echo '{"Name":"default","Endpoints":{"docker":{"Host":"tcp://127.0.0.1:2375"}},"TLSMaterial":{}}' ;;
  "version --format {{.Server.MinAPIVersion}}") echo ' 1.24 ' ;;
  "buildx build"*)
    env | grep '^BUILD_PUSH_IMAGE_SECRET_' >> '${calls}'
    while [ $# -gt 0 ]; do
      if [ "$1" = --iidfile ]; then shift; printf '%s\\n' "$FAKE_ID" > "$1"; fi
      shift
    done ;;
esac
`,
);
afterAll(() => {
  for (const name of ['FAKE_ERROR', 'FAKE_DRIVER', 'FAKE_STATUS', 'FAKE_ID']) delete process.env[name];
});
beforeEach(() => {
  fs.writeFileSync(calls, '');
  process.env.FAKE_ERROR = '';
  process.env.FAKE_DRIVER = 'docker';
  process.env.FAKE_STATUS = '[["driver-type","io.containerd.snapshotter.v1"]]';
  process.env.FAKE_ID = ID;
});

/** The spec of a build of `work` with build-push-action's `features` (all off unless given). */
const specWith = (features: Partial<BuildInputs> = {}) =>
  specOf({ context: work, dockerfile: `${work}/Dockerfile`, ...features });
const spec = specWith();

/** Runs `work` with stdout captured (the build echoes its command and output). */
async function quietly<T>(work: () => Promise<T>): Promise<T | unknown> {
  const { outcome } = await capturingStdout(() => work().catch((error: unknown) => error));
  return outcome;
}

describe('the probes', () => {
  test('the builder: its driver and whether the engine stores images in containerd, quietly', async () => {
    const { chunks } = await capturingStdout(async () => {
      expect(await probeBuilder()).toEqual({ driver: 'docker', containerdStore: true });
      expect(await probeEndpoint()).toMatchObject({ minApiVersion: '1.24' });
    });
    expect(chunks).toEqual([]);
    process.env.FAKE_DRIVER = 'docker-container';
    process.env.FAKE_STATUS = '[["Backing Filesystem","extfs"]]';
    expect(await probeBuilder()).toEqual({ driver: 'docker-container', containerdStore: false });
    expect(fs.readFileSync(calls, 'utf8')).toContain('info --format {{json .DriverStatus}}');
  });

  test("the endpoint: the current context's host and the oldest API the engine takes", async () => {
    expect(await probeEndpoint()).toEqual({
      host: 'tcp://127.0.0.1:2375',
      tls: false,
      minApiVersion: '1.24',
    });
  });
});

describe('the build', () => {
  test("loaded into the engine: the image ID from buildx's iidfile", async () => {
    expect(await quietly(() => build(spec, loadInto(work)))).toBe(ID);
  });

  test('into an OCI layout: no image ID', async () => {
    expect(
      await quietly(() => build(spec, { kind: 'oci-layout', directory: `${work}/oci` })),
    ).toBeUndefined();
  });

  test.each(['', 'sha256:abc', `x${ID}`])('an unexpected image ID %j is an error', async (id) => {
    process.env.FAKE_ID = id;
    const error = await quietly(() => build(spec, loadInto(work)));
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `docker buildx wrote an unexpected image ID: ${JSON.stringify(id)}.`,
    );
  });

  test.each([
    [
      "docker: 'buildx' is not a docker command.",
      /^This job's image lacks the docker buildx plugin, needed to build the image .* `apt-get install docker-buildx`/,
    ],
    ['docker: unknown command: docker buildx', /^This job's image lacks the docker buildx plugin/], // Docker 28
    ['unknown command "buildx" for "docker"', /^This job's image lacks the docker buildx plugin/],
    ['unknown flag: --file', /^This job's image lacks the docker buildx plugin/],
    [
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      /^The Docker engine is not reachable at DOCKER_HOST=tcp:\/\/10\.0\.0\.1:2375: start dockerd, or give the job access to its socket\. Nothing was pushed\.$/,
    ],
    [
      'error during connect: Get "http://docker:2375/v1.24/info": EOF',
      /^The Docker engine is not reachable at/,
    ],
    [
      'failed to solve: process "/bin/sh -c false" did not complete',
      /^`docker buildx` failed with exit code 1:\nfailed to solve/,
    ],
  ])('%j is named for what to do', async (said, message) => {
    process.env.FAKE_ERROR = said;
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://10.0.0.1:2375';
    try {
      const error = await quietly(() => build(spec, loadInto(work)));
      expect((error as Error).message).toMatch(message);
      // What docker said stays reachable as the cause.
      expect(((error as Error).cause as Error | undefined)?.message ?? (error as Error).message).toContain(
        said,
      );
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  test('an engine not reachable without DOCKER_HOST set says so without naming one', async () => {
    process.env.FAKE_ERROR = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.';
    const saved = process.env.DOCKER_HOST;
    delete process.env.DOCKER_HOST;
    try {
      const error = await quietly(() => probeBuilder());
      // The probes' failures are not explained here: the hand-over names them (see hand-over.ts).
      expect(error).toBeInstanceOf(Error);
      const built = await quietly(() => build(spec, loadInto(work)));
      expect((built as Error).message).toMatch(/^The Docker engine is not reachable: start dockerd/);
    } finally {
      if (saved !== undefined) process.env.DOCKER_HOST = saved;
    }
  });
});

describe('the hand-over and the builder it needs', () => {
  const CLASSIC = '[["Backing Filesystem","extfs"]]';
  const builds = () =>
    fs
      .readFileSync(calls, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('buildx build'));

  test.each<[string, Partial<BuildInputs>]>([
    ['`platforms` needs', { platforms: ['linux/amd64', 'linux/arm64'] }],
    ['`provenance`, `sbom` need', { provenance: 'true', sbom: 'true' }],
    ['`annotations` needs', { annotations: ['a=b'] }],
  ])(
    'the classic store with the docker driver: %s …, refused before the build, push or not',
    async (named, features) => {
      process.env.FAKE_STATUS = CLASSIC;
      for (const attempt of [
        async () => void (await buildAndHandOver(specWith(features), work, new Timeline())),
        () => buildOnly(specWith(features), work, new Timeline()),
      ]) {
        const error = await quietly(attempt);
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toBe(
          `${named} a builder that writes OCI images, and this one is the docker driver on the classic image store, which keeps one platform and no annotations or attestations. ` +
            'Turn on the containerd image store in the engine (`"features": {"containerd-snapshotter": true}` in daemon.json), ' +
            'or use a `docker-container` builder (`docker buildx create --use --driver docker-container`). Nothing was built or pushed.',
        );
      }
      expect(builds()).toEqual([]);
    },
  );

  test.each<[string, string, string]>([
    ['the containerd store', 'docker', '[["driver-type","io.containerd.snapshotter.v1"]]'],
    ['a docker-container builder', 'docker-container', CLASSIC],
  ])('%s builds two platforms into an OCI layout, pushed with --all', async (_, driver, status) => {
    process.env.FAKE_DRIVER = driver;
    process.env.FAKE_STATUS = status;
    const handOver = await quietly(() =>
      buildAndHandOver(specWith({ platforms: ['linux/amd64', 'linux/arm64'] }), work, new Timeline()),
    );
    expect(handOver).toMatchObject({ kind: 'oci-layout', options: ['--all'] });
    expect(builds()).toEqual([expect.stringContaining('--platform linux/amd64,linux/arm64')]);
  });

  test.each<[string, string, string, string]>([
    [
      'an OCI layout',
      '[["driver-type","io.containerd.snapshotter.v1"]]',
      'oci:oci-layout',
      '--output type=oci,',
    ],
    ['a docker save archive', CLASSIC, 'docker-archive:image.tar', 'save --output '],
  ])(
    "%s is handed to skopeo by a name relative to the run's folder, whatever RUNNER_TEMP holds (`:` ends skopeo's path)",
    async (_, status, reference, written) => {
      process.env.FAKE_STATUS = status;
      const odd = fs.mkdtempSync(path.join(work, 'a:b,c-'));
      const handOver = await quietly(() => buildAndHandOver(specWith({}), odd, new Timeline()));
      expect(handOver).toMatchObject({ reference });
      expect(fs.readFileSync(calls, 'utf8')).toContain(written);
      expect((handOver as { files: string[] }).files.every((file) => file.startsWith(`${odd}/`))).toBe(true);
    },
  );

  test('a builder the tools check probed already is not asked again, with or without push', async () => {
    const probed = Promise.resolve({ driver: 'docker', containerdStore: true });
    const handOver = await quietly(() => buildAndHandOver(specWith({}), work, new Timeline(), probed));
    expect(handOver).toMatchObject({ kind: 'oci-layout' });
    await quietly(() => buildOnly(specWith({}), work, new Timeline(), probed));
    const asked = fs.readFileSync(calls, 'utf8').split('\n');
    expect(asked.filter((call) => call === 'buildx inspect' || call.startsWith('info '))).toEqual([]);
    expect(builds()).toHaveLength(2);
  });

  test('with attestations, skopeo is told to change no digest', async () => {
    const handOver = await quietly(() =>
      buildAndHandOver(specWith({ provenance: 'true' }), work, new Timeline()),
    );
    expect(handOver).toMatchObject({ kind: 'oci-layout', options: ['--all', '--preserve-digests'] });
  });

  test('one platform needs nothing more of the classic store: loaded, as before', async () => {
    process.env.FAKE_STATUS = CLASSIC;
    await quietly(() => buildOnly(specWith({ platforms: ['linux/arm64'] }), work, new Timeline()));
    expect(builds()).toEqual([expect.stringContaining('--platform linux/arm64')]);
    expect(builds()[0]).toContain('--load');
  });

  test('build secrets reach buildx through its environment: values there, ids in argv', async () => {
    await quietly(() =>
      build(
        specWith({
          secrets: [
            { id: 'token', value: 's3cret' },
            { id: 'npmrc', value: 'a=b' },
          ],
        }),
        loadInto(work),
      ),
    );
    const lines = fs.readFileSync(calls, 'utf8').split('\n');
    expect(lines.filter((line) => line.startsWith('BUILD_PUSH_IMAGE_SECRET_')).sort()).toEqual([
      'BUILD_PUSH_IMAGE_SECRET_0=s3cret',
      'BUILD_PUSH_IMAGE_SECRET_1=a=b',
    ]);
    expect(builds()[0]).toContain(
      '--secret id=token,env=BUILD_PUSH_IMAGE_SECRET_0 --secret id=npmrc,env=BUILD_PUSH_IMAGE_SECRET_1',
    );
    expect(builds()[0]).not.toContain('s3cret');
  });

  test('a failing build with a secret in its output shows *** in its place', async () => {
    process.env.FAKE_ERROR = 'failed to solve: the token s3cret was refused';
    const error = await quietly(() =>
      build(specWith({ secrets: [{ id: 'token', value: 's3cret' }] }), loadInto(work)),
    );
    expect((error as Error).message).toContain('the token *** was refused');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
