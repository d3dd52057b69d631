// docker buildx build's argv as the action writes it, and the spec it is written from: no docker needed.
import { describe, expect, test } from '@jest/globals';
import {
  attests,
  buildArgs,
  loadInto,
  makesIndex,
  provenanceLabels,
  secretEnvironment,
  type BuildInputs,
} from '../../../src/build/buildx.js';
import { tagsOf } from '../../../src/image/tags.js';
import { buildInputs, specWith } from '../../helpers/build-inputs.js';

const build = buildInputs({ buildArgs: ['A=1'], labels: ['team=ops'] });
const tags = tagsOf('registry.example:5000', 'team/app', 'v1.0.0', 'a'.repeat(40));
const now = new Date('2026-01-02T03:04:05.000Z');
const env = { GITHUB_SERVER_URL: 'https://forgejo.example', GITHUB_REPOSITORY: 'ops/infra' };
const spec = (override: Partial<BuildInputs> = {}, environment: NodeJS.ProcessEnv = env) =>
  specWith({ ...build, ...override }, { tags, environment, now });

describe('docker buildx build argv', () => {
  test('loaded into the engine: the file, labels, build args, tags, --load and the image-id file, then the context', () => {
    const args = buildArgs(spec(), loadInto('/tmp/run'));
    expect(args).toEqual([
      'buildx',
      'build',
      '--file',
      '/work/app/Dockerfile',
      '--label',
      'team=ops',
      '--label',
      `org.opencontainers.image.revision=${'a'.repeat(40)}`,
      '--label',
      'org.opencontainers.image.version=v1.0.0',
      '--label',
      'org.opencontainers.image.source=https://forgejo.example/ops/infra',
      '--label',
      'org.opencontainers.image.created=2026-01-02T03:04:05.000Z',
      '--build-arg',
      'A=1',
      '--tag',
      'team/app:v1.0.0',
      '--tag',
      `team/app:${'a'.repeat(40)}`,
      '--load',
      '--iidfile',
      '/tmp/run/image-id',
      '/work/app',
    ]);
  });

  test('into an OCI layout: no tags, no load, no attestation manifests, the folder as the destination', () => {
    const args = buildArgs(spec(), { kind: 'oci-layout', directory: '/tmp/run/oci' });
    expect(args.slice(-5)).toEqual([
      '--output',
      'type=oci,tar=false,compression=uncompressed,dest=/tmp/run/oci',
      '--provenance=false',
      '--sbom=false',
      '/work/app',
    ]);
    expect(args).not.toContain('--load');
    expect(args).not.toContain('--tag');
    expect(args).toContain(`org.opencontainers.image.revision=${'a'.repeat(40)}`);
  });

  test('a layout folder whose path holds a comma is quoted as one CSV field', () => {
    const args = buildArgs(spec(), { kind: 'oci-layout', directory: '/tmp/a,b"c' });
    expect(args[args.indexOf('--output') + 1]).toBe(
      'type=oci,tar=false,compression=uncompressed,"dest=/tmp/a,b""c"',
    );
  });

  test.each([
    [{ target: 'prod' }, ['--target', 'prod']],
    [{ network: 'none' }, ['--network', 'none']],
  ])('optional %j', (override, expected) => {
    const args = buildArgs(spec(override), loadInto('/tmp/run'));
    const at = args.indexOf(expected[0]);
    expect(args.slice(at, at + 2)).toEqual(expected);
  });

  const oci = { kind: 'oci-layout', directory: '/tmp/run/oci' } as const;
  /** The values that follow each `flag` in argv, in order. */
  const valuesOf = (args: string[], flag: string) =>
    args.flatMap((arg, i) => (args[i - 1] === flag ? [arg] : []));
  const REVISION = `org.opencontainers.image.revision=${'a'.repeat(40)}`;

  test.each<[string, Partial<BuildInputs>, string[]]>([
    ["no platform: the engine's own", {}, []],
    ['one platform', { platforms: ['linux/arm64'] }, ['--platform', 'linux/arm64']],
    [
      'two platforms, as one list',
      { platforms: ['linux/amd64', 'linux/arm64'] },
      ['--platform', 'linux/amd64,linux/arm64'],
    ],
  ])('%s', (_, override, expected) => {
    for (const output of [oci, loadInto('/r')]) {
      const args = buildArgs(spec(override), output);
      expect(args.slice(0, 4 + expected.length)).toEqual([
        'buildx',
        'build',
        '--file',
        '/work/app/Dockerfile',
        ...expected,
      ]);
      expect(args.filter((arg) => arg === '--platform')).toHaveLength(expected.length / 2);
    }
  });

  test('build secrets: by id and environment variable in argv, their values only in the environment', () => {
    const secrets = [
      { id: 'token', value: 's3cret-token' },
      { id: 'npmrc', value: 'registry=x' },
    ];
    const args = buildArgs(spec({ secrets }), oci);
    expect(valuesOf(args, '--secret')).toEqual([
      'id=token,env=BUILD_PUSH_IMAGE_SECRET_0',
      'id=npmrc,env=BUILD_PUSH_IMAGE_SECRET_1',
    ]);
    expect(args.join(' ')).not.toMatch(/s3cret-token|registry=x/);
    expect(secretEnvironment({ secrets })).toEqual({
      BUILD_PUSH_IMAGE_SECRET_0: 's3cret-token',
      BUILD_PUSH_IMAGE_SECRET_1: 'registry=x',
    });
    expect(secretEnvironment({ secrets: [] })).toEqual({});
  });

  test.each<[string, Partial<BuildInputs>, string, string[]]>([
    [
      'cache sources, one flag each, as given',
      { cacheFrom: ['type=local,src=/c', 'user/app:cache'] },
      '--cache-from',
      ['type=local,src=/c', 'user/app:cache'],
    ],
    [
      'cache exports, one flag each, as given',
      { cacheTo: ['type=local,dest=/c,mode=max', 'type=inline'] },
      '--cache-to',
      ['type=local,dest=/c,mode=max', 'type=inline'],
    ],
  ])('%s', (_, override, flag, expected) => {
    for (const output of [oci, loadInto('/r')])
      expect(valuesOf(buildArgs(spec(override), output), flag)).toEqual(expected);
  });

  test.each<[Partial<BuildInputs>, string[]]>([
    [{}, []],
    [{ noCache: true }, ['--no-cache']],
    [{ pull: true }, ['--pull']],
    [{ noCache: true, pull: true }, ['--no-cache', '--pull']],
  ])('switches %j', (override, expected) => {
    const args = buildArgs(spec(override), oci);
    expect(args.filter((arg) => arg === '--no-cache' || arg === '--pull')).toEqual(expected);
  });

  test("one platform: the provenance annotations and the user's on the manifest only (BuildKit writes no index)", () => {
    const args = buildArgs(spec({ annotations: ['org.example.team=ops'] }), oci);
    expect(valuesOf(args, '--annotation')).toEqual([
      'manifest:org.example.team=ops',
      `manifest:${REVISION}`,
      'manifest:org.opencontainers.image.version=v1.0.0',
      'manifest:org.opencontainers.image.source=https://forgejo.example/ops/infra',
      'manifest:org.opencontainers.image.created=2026-01-02T03:04:05.000Z',
    ]);
  });

  test.each<[string, Partial<BuildInputs>]>([
    ['two platforms', { platforms: ['linux/amd64', 'linux/arm64'] }],
    ['one platform with provenance', { provenance: 'true' }],
    ['one platform with an SBOM', { sbom: 'true' }],
  ])(
    "%s: every annotation on the manifests and on the index, the user's first so that ours win",
    (_, override) => {
      const args = buildArgs(spec({ ...override, annotations: [`${REVISION.split('=')[0]}=forged`] }), oci);
      const annotations = valuesOf(args, '--annotation');
      expect(annotations).toHaveLength(10);
      expect(annotations.slice(0, 4)).toEqual([
        'manifest:org.opencontainers.image.revision=forged',
        'index:org.opencontainers.image.revision=forged',
        `manifest:${REVISION}`,
        `index:${REVISION}`,
      ]);
    },
  );

  test('a loaded image gets no annotations (an engine keeps none): labels only', () => {
    const args = buildArgs(
      spec({ annotations: ['a=b'], platforms: ['linux/amd64', 'linux/arm64'] }),
      loadInto('/r'),
    );
    expect(args).not.toContain('--annotation');
    expect(args).toContain(`${REVISION}`);
  });

  test.each<[string, Partial<BuildInputs>, string, string[]]>([
    [
      'off: no attestation manifests, layers left to skopeo to compress',
      {},
      'uncompressed',
      ['--provenance=false', '--sbom=false'],
    ],
    [
      'provenance: compressed here, as the attestations name the digests',
      { provenance: 'mode=max' },
      'gzip',
      ['--provenance=mode=max', '--sbom=false'],
    ],
    ['an SBOM', { sbom: 'true' }, 'gzip', ['--provenance=false', '--sbom=true']],
  ])('attestations %s', (_, override, compression, flags) => {
    const args = buildArgs(spec(override), oci);
    expect(args.slice(-4)).toEqual([
      `type=oci,tar=false,compression=${compression},dest=/tmp/run/oci`,
      ...flags,
      '/work/app',
    ]);
  });

  test('attestations reach a load only when asked for (the classic store refuses them before the build)', () => {
    expect(buildArgs(spec(), loadInto('/r')).filter((arg) => /^--(provenance|sbom)/.test(arg))).toEqual([]);
    expect(
      buildArgs(spec({ provenance: 'true' }), loadInto('/r')).filter((arg) =>
        /^--(provenance|sbom)/.test(arg),
      ),
    ).toEqual(['--provenance=true', '--sbom=false']);
  });

  test.each<[Partial<BuildInputs>, string[]]>([
    [{}, []],
    [{ platforms: ['linux/arm64'] }, []],
    [{ platforms: ['linux/amd64', 'linux/arm64'] }, ['platforms']],
    [{ provenance: 'true', sbom: 'true' }, ['provenance', 'sbom']],
    [{ annotations: ['a=b'] }, ['annotations']],
    [{ secrets: [{ id: 'a', value: 'b' }], cacheFrom: ['x'], noCache: true, pull: true }, []],
  ])('%j needs a builder that writes OCI for %j', (override, expected) => {
    expect(spec(override).needsOci).toEqual(expected);
  });

  test.each<[Partial<BuildInputs>, boolean, boolean]>([
    [{}, false, false],
    [{ platforms: ['linux/arm64'] }, false, false],
    [{ platforms: ['linux/amd64', 'linux/arm64'] }, true, false],
    [{ provenance: 'true' }, true, true],
    [{ sbom: 'generator=x' }, true, true],
  ])('%j makes an index: %s, attests: %s', (override, index, attestations) => {
    expect(makesIndex({ ...build, ...override })).toBe(index);
    expect(attests({ ...build, ...override })).toBe(attestations);
  });

  test('a user label cannot override a provenance label: buildx keeps the last of a key, and ours come last', () => {
    const forged = ['revision', 'version', 'source', 'created'].map(
      (key) => `org.opencontainers.image.${key}=forged`,
    );
    const args = buildArgs(spec({ labels: forged }), loadInto('/r'));
    const labels = args.flatMap((arg, i) => (args[i - 1] === '--label' ? [arg] : []));
    const last = (key: string) =>
      labels.filter((label) => label.startsWith(`org.opencontainers.image.${key}=`)).at(-1);
    expect(last('revision')).toBe(`org.opencontainers.image.revision=${'a'.repeat(40)}`);
    expect(last('version')).toBe('org.opencontainers.image.version=v1.0.0');
    expect(last('source')).toBe('org.opencontainers.image.source=https://forgejo.example/ops/infra');
    expect(last('created')).toBe('org.opencontainers.image.created=2026-01-02T03:04:05.000Z');
  });

  test('the source label needs both the server and the repository', () => {
    expect(provenanceLabels(tags, {}, now)).toEqual([
      `org.opencontainers.image.revision=${'a'.repeat(40)}`,
      'org.opencontainers.image.version=v1.0.0',
      'org.opencontainers.image.created=2026-01-02T03:04:05.000Z',
    ]);
    expect(provenanceLabels(tags, { GITHUB_SERVER_URL: 'https://f' }, now)).toHaveLength(3);
    expect(provenanceLabels(tags, { GITHUB_REPOSITORY: 'o/r' }, now)).toHaveLength(3);
  });
});
