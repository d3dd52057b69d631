import { describe, expect, test } from '@jest/globals';
import {
  attests,
  buildArgs,
  buildSpec,
  loadInto,
  makesIndex,
  provenanceLabels,
  secretEnvironment,
  type BuildInputs,
} from '../../src/build/buildx.js';
import {
  explainRefusedWrite,
  isTransientCopyFailure,
  loginArgs,
  pushArgs,
  tagInRegistryArgs,
  type SkopeoConfig,
} from '../../src/skopeo/commands.js';
import { TagTaken, ToolError } from '../../src/errors.js';
import { tagsOf } from '../../src/publication/tags.js';
import { childEnvironment } from '../../src/process/tools.js';

const build: BuildInputs = {
  context: '/work/app',
  dockerfile: '/work/app/Dockerfile',
  buildArgs: ['A=1'],
  labels: ['team=ops'],
  target: '',
  network: '',
  platforms: [],
  secrets: [],
  cacheFrom: [],
  cacheTo: [],
  noCache: false,
  pull: false,
  annotations: [],
  provenance: 'false',
  sbom: 'false',
};
const tags = tagsOf('registry.example:5000', 'team/app', 'v1.0.0', 'a'.repeat(40));
const now = new Date('2026-01-02T03:04:05.000Z');
const env = { GITHUB_SERVER_URL: 'https://forgejo.example', GITHUB_REPOSITORY: 'ops/infra' };
const spec = (override: Partial<BuildInputs> = {}, environment: NodeJS.ProcessEnv = env) =>
  buildSpec({ ...build, ...override }, tags, environment, now);

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

describe('skopeo argv never holds the key', () => {
  const session: SkopeoConfig = {
    registry: 'r.example',
    insecure: false,
    authFile: '/run/auth.json',
    secrets: ['zak_secret'],
  };
  const all = [
    loginArgs(session, 'ci'),
    pushArgs(session, { reference: 'docker-daemon:sha256:abc', options: [] }, 'r.example/a:b', '/run/d'),
    tagInRegistryArgs(session, 'r.example/a@sha256:abc', 'r.example/a:v1'),
    loginArgs({ ...session, insecure: true }, 'ci'),
  ];
  test.each(all)('%j', (...args) => {
    expect(args.join(' ')).not.toContain('zak_secret');
    expect(args).toContain('/run/auth.json');
  });

  test('login reads the key from stdin', () => {
    expect(loginArgs(session, 'ci')).toEqual([
      'login',
      '--command-timeout',
      '120s',
      '--authfile',
      '/run/auth.json',
      '--username',
      'ci',
      '--password-stdin',
      'r.example',
    ]);
  });

  test('every skopeo command has a timeout: a push 30 minutes, a login 2, a copy inside the registry 5', () => {
    expect(all.map((args) => args.slice(1, 3))).toEqual([
      ['--command-timeout', '120s'],
      ['--command-timeout', '1800s'],
      ['--command-timeout', '300s'],
      ['--command-timeout', '120s'],
    ]);
  });

  test("every copy: the run's auth file and skopeo's own three retries", () => {
    const args = tagInRegistryArgs(session, 'r/a@sha256:abc', 'r/a:v1');
    expect(args.slice(0, 7)).toEqual([
      'copy',
      '--command-timeout',
      '300s',
      '--authfile',
      '/run/auth.json',
      '--retry-times',
      '3',
    ]);
    expect(args).not.toContain('--src-tls-verify=false');
    expect(args).not.toContain('--dest-tls-verify=false');
  });

  test('a retried copy gets what the budget has left, rounded up, at least a second', () => {
    const source = { reference: 'oci:/run/oci-layout', options: [] };
    expect(pushArgs(session, source, 'r/a:b', '/run/d', 61.2).slice(1, 3)).toEqual([
      '--command-timeout',
      '62s',
    ]);
    expect(tagInRegistryArgs(session, 'r/a@sha256:abc', 'r/a:v1', 0.2).slice(1, 3)).toEqual([
      '--command-timeout',
      '1s',
    ]);
  });

  test('the tag copy preserves digests (an index with all it names); insecure turns off verification on both sides', () => {
    const args = tagInRegistryArgs(
      { ...session, insecure: true },
      'r.example/a@sha256:abc',
      'r.example/a:v1',
    );
    expect(args).toEqual(
      expect.arrayContaining([
        '--all',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
      ]),
    );
    expect(args.slice(-2)).toEqual(['docker://r.example/a@sha256:abc', 'docker://r.example/a:v1']);
  });

  test.each([
    [{ reference: 'oci:/run/oci-layout', options: [] }],
    [{ reference: 'docker-daemon:sha256:abc', options: ['--src-daemon-host', 'http://127.0.0.1:2375'] }],
    [{ reference: 'docker-archive:/run/image.tar', options: [] }],
  ])('the push reads the hand-over %j and records the digest', (source) => {
    const args = pushArgs(session, source, 'r.example/a:b', '/run/d');
    expect(args.slice(-2)).toEqual([source.reference, 'docker://r.example/a:b']);
    expect(args).toEqual(expect.arrayContaining(['--digestfile', '/run/d', ...source.options]));
    expect(args).not.toContain('--dest-tls-verify=false');
    expect(pushArgs({ ...session, insecure: true }, source, 'r.example/a:b', '/run/d')).toContain(
      '--dest-tls-verify=false',
    );
  });
});

describe('child processes', () => {
  test("get the environment without the action's inputs (the key is INPUT_API_KEY)", () => {
    const clean = childEnvironment({ PATH: '/bin', INPUT_API_KEY: 'zak_x', INPUT_VERSION: 'v1', HOME: '/h' });
    expect(clean).toEqual({ PATH: '/bin', HOME: '/h' });
  });
});

describe('a failed skopeo copy', () => {
  test.each([
    ['reading manifest sha256:d8 in r/a: received unexpected HTTP status: 500 Internal Server Error', true],
    ['writing blob: received unexpected HTTP status: 503 Service Unavailable', true],
    ['received unexpected HTTP status: 429 Too Many Requests', true],
    ['writing blob: failed to read from destination repository r/a: 500 (Internal Server Error)', true],
    ['reading blob sha256:ab: fetching blob: 502 (Bad Gateway)', true],
    ['writing blob: Patch "http://r/v2/a/blobs/uploads/x": read: connection reset by peer', true],
    ['pinging container registry r: Get "https://r/v2/": dial tcp: i/o timeout', true],
    ['writing manifest: uploading manifest v1 to r/a: denied: stable tag is immutable', false],
    ['initializing source: reading manifest v1 in r/a: manifest unknown', false],
    ['writing blob: initiating layer upload to /v2/a/blobs/uploads/ in r: unauthorized', false],
  ])('%s: tried again %s', (detail, transient) => {
    expect(isTransientCopyFailure(detail)).toBe(transient);
  });
});

describe('a refused write', () => {
  const skopeoSaid = (end: string) =>
    new ToolError(
      'skopeo copy',
      1,
      `time="x" level=fatal msg="writing manifest: uploading manifest v1 to r/a: ${end}"`,
    );
  test.each([
    // zot's refusal of an overwrite, as skopeo 1.9.3 prints it: a bare "denied".
    [skopeoSaid('denied'), '(403 DENIED)'],
    // With a policy condition's detail.reason, skopeo prints the standard message.
    [
      skopeoSaid('denied: requested access to the resource is denied'),
      '(403 DENIED: requested access to the resource is denied)',
    ],
    [skopeoSaid('denied: stable tag is immutable'), '(403 DENIED: stable tag is immutable)'],
    [new ToolError('skopeo copy', 1, 'denied\nwriting manifest: 403 Forbidden'), '(403 DENIED)'],
    [new ToolError('skopeo copy', 1, 'requested access is Forbidden by policy'), '(403 DENIED)'],
  ])("a refusal from skopeo is explained with the registry's words: %#", (error, wording) => {
    const explained = explainRefusedWrite(error, 'r/a:v1') as Error;
    expect(explained).toBeInstanceOf(TagTaken);
    expect(explained.message).toContain(`refused to write r/a:v1 ${wording}.`);
    expect(explained.message).toContain('`update`');
  });

  test.each([
    'connection refused',
    'writing manifest: uploading manifest v1 to r/a: manifest invalid',
    'reading manifest v1 in r/a: denied access token expired', // "denied" inside a word sequence, not the end
    'the file /var/denied.txt is missing',
  ])('any other failure is left as it is: %s', (detail) => {
    const error = new ToolError('skopeo copy', 1, detail);
    expect(explainRefusedWrite(error, 'r/a:v1')).toBe(error);
  });
});
