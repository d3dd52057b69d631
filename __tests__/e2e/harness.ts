// What the e2e tests share: the test bed's coordinates, the local runner (which runs the
// committed dist/ as a runner does) with a docker that counts builds, and independent checks.
// The test bed (engine, registry, zot-like front) is started by scripts/testbed/start.sh;
// without it these tests fail, they never skip.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runAction as runStep } from '../../scripts/local-runner.mjs';
import { readTestbed } from '../../scripts/testbed/testbed.mjs';
export { addManyTags, compressedSize } from '../../scripts/testbed/testbed.mjs';

const execFileAsync = promisify(execFile);

/** registry, createOnlyRegistry (the door that refuses overwrites), accessLog, credentials, apiKeys. */
export type Testbed = ReturnType<typeof readTestbed>;

/** The test bed's coordinates, from what scripts/testbed/start.sh wrote. */
export function testbed(): Testbed {
  return readTestbed();
}

/** The engine under test: DOCKER_HOST, as a runner's job container has it (the socket when unset). */
export const engine = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

/** How each engine of the test bed hands the built image to skopeo. */
export const HAND_OVERS: Record<string, 'engine-daemon' | 'engine-archive' | 'oci-layout'> = {
  'unix:///var/run/docker.sock': 'engine-daemon', // Docker 20.10 speaks skopeo's API 1.22
  'tcp://127.0.0.1:2375': 'engine-archive', // Docker 26 refuses 1.22: docker save
  'tcp://127.0.0.1:2376': 'oci-layout', // the containerd image store exports OCI
  'tcp://127.0.0.1:2377': 'engine-archive', // behind TLS: skopeo would need the certificates
};

/** The environment in which docker talks to `host`: with the client certificate for the TLS engine. */
export function dockerEnvFor(host: string): NodeJS.ProcessEnv {
  const bed = readTestbed();
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host };
  delete env.DOCKER_TLS_VERIFY;
  delete env.DOCKER_CERT_PATH;
  if (host === bed.tlsEngine) Object.assign(env, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: bed.tlsCerts });
  return env;
}

export function handOverOf(host: string): (typeof HAND_OVERS)[string] {
  const handOver = HAND_OVERS[host];
  if (!handOver) throw new Error(`${host} is not an engine of the test bed`);
  return handOver;
}

export interface ActionRun extends Awaited<ReturnType<typeof runStep>> {
  /** Each docker command the action ran, as its argv joined by spaces. */
  dockerCalls: string[];
  /** The environments docker and skopeo were started with, one `env` dump after another. */
  childEnvironment: string;
}

const toolPaths = new Map<string, string>();
async function toolPath(tool: string): Promise<string> {
  if (!toolPaths.has(tool))
    toolPaths.set(tool, (await execFileAsync('sh', ['-c', `command -v ${tool}`])).stdout.trim());
  return toolPaths.get(tool)!;
}

/**
 * One whole job step through the local runner, with a docker on PATH that records its argv
 * so tests can count builds. BPI_NODE picks the node that runs the bundle (20 or 24).
 */
export async function runAction(options: {
  inputs: Record<string, string>;
  sha: string;
  env?: Record<string, string>;
  onStart?: (pid: number) => void;
  /** Called after the main step ended, before the post step starts. */
  betweenSteps?: () => Promise<void>;
  /** Run on a PATH that has docker and the basics (sh, tar, gzip, timeout) but no skopeo. */
  withoutSkopeo?: boolean;
}): Promise<ActionRun> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-e2e-'));
  const shims = await toolShims(work, { withoutSkopeo: options.withoutSkopeo });
  const run = await runStep({
    ...options,
    workDirectory: work,
    node: process.env.BPI_NODE || undefined,
    env: {
      PATH: shims.searchPath,
      GITHUB_SERVER_URL: 'https://forgejo.example.invalid',
      GITHUB_REPOSITORY: 'ops/infrastructure',
      ...options.env,
    },
  });
  return { ...run, ...shims.calls() };
}

/**
 * A folder `work/bin` of docker and skopeo shims that record docker's argv (so tests can count
 * builds) and the environment each child got, then run the real tool; `searchPath` puts it first
 * (alone with sh, tar, gzip, timeout and env when `withoutSkopeo`), `calls()` reads the records.
 */
export async function toolShims(
  work: string,
  options: { withoutSkopeo?: boolean } = {},
): Promise<{ searchPath: string; calls: () => Pick<ActionRun, 'dockerCalls' | 'childEnvironment'> }> {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const dockerLog = path.join(work, 'docker-calls');
  const childEnv = path.join(work, 'child-env');
  fs.writeFileSync(dockerLog, '');
  fs.writeFileSync(childEnv, '');
  const shims = [['docker', await toolPath('docker')]];
  if (!options.withoutSkopeo) shims.push(['skopeo', await toolPath('skopeo')]);
  for (const [tool, real] of shims) {
    const record = tool === 'docker' ? `printf '%s\\n' "$*" >> '${dockerLog}'\n` : '';
    fs.writeFileSync(
      path.join(bin, tool),
      `#!/bin/sh\n${record}env >> '${childEnv}'\nexec '${real}' "$@"\n`,
      { mode: 0o755 },
    );
  }
  let searchPath = `${bin}:${process.env.PATH}`;
  if (options.withoutSkopeo) {
    for (const tool of ['sh', 'tar', 'gzip', 'timeout', 'env'])
      fs.symlinkSync(await toolPath(tool), path.join(bin, tool));
    searchPath = bin;
  }
  return {
    searchPath,
    calls: () => ({
      dockerCalls: fs.readFileSync(dockerLog, 'utf8').split('\n').filter(Boolean),
      childEnvironment: fs.readFileSync(childEnv, 'utf8'),
    }),
  };
}

export function builds(run: ActionRun): string[] {
  return run.dockerCalls.filter((call) => call.startsWith('buildx build'));
}

export function randomSha(): string {
  return randomBytes(20).toString('hex');
}

export function uniqueName(prefix = 'e2e'): string {
  return `${prefix}/${randomBytes(4).toString('hex')}`;
}

/** The inputs of a push to the test bed as the test identity; `overrides` wins. */
export function pushInputs(
  bed: Testbed,
  name: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    context: overrides.context ?? makeContext(),
    image_name: name,
    version: 'v1.0.0',
    registry: bed.registry,
    username: bed.username,
    api_key: bed.apiKey,
    insecure_registry: 'true',
    ...overrides,
  };
}

/** A build context whose image is unique to the test (a random payload FROM scratch). */
export function makeContext(dockerfile = 'FROM scratch\nCOPY payload /payload\n', payloadBytes = 64): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-context-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  fs.writeFileSync(path.join(dir, 'payload'), randomBytes(payloadBytes));
  return dir;
}

/**
 * skopeo inspect, anonymously: an independent client's view of a tag (of one platform's image
 * in an index with `arch`); undefined where there is no such tag.
 */
export async function inspect(
  reference: string,
  arch?: string,
): Promise<{ Digest: string; Architecture: string; Labels: Record<string, string> } | undefined> {
  try {
    const { stdout } = await execFileAsync('skopeo', [
      'inspect',
      ...(arch ? ['--override-arch', arch] : []),
      '--tls-verify=false',
      `docker://${reference}`,
    ]);
    return JSON.parse(stdout) as { Digest: string; Architecture: string; Labels: Record<string, string> };
  } catch (error) {
    if (
      /manifest unknown|not found|MANIFEST_UNKNOWN|NAME_UNKNOWN/i.test(
        String((error as { stderr?: string }).stderr),
      )
    )
      return undefined;
    throw error;
  }
}

/**
 * Where the registry front's access log stands once every request answered so far is in it.
 * nginx writes a line after it has sent the answer, so a client can see its answer before the
 * line is there. The front runs one worker, which logs a request in the same turn as its last
 * write: once a request sent now is logged, every request answered before it is too.
 */
async function settledAccessLog(bed: Testbed): Promise<number> {
  const token = randomBytes(8).toString('hex');
  const line = `GET /__settled__/${token} 404`;
  await fetch(`http://${bed.registry}/__settled__/${token}`).then((answer) => answer.arrayBuffer());
  for (let attempt = 0; attempt < 500; attempt++) {
    const text = fs.readFileSync(bed.accessLog, 'utf8');
    const at = text.lastIndexOf(line);
    if (at >= 0) return Buffer.byteLength(text.slice(0, text.indexOf('\n', at) + 1));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the registry front never logged ${line}`);
}

/**
 * The registry front's access log lines from here on: every request answered before the mark
 * is left out and every one answered before the read is in (other tests' lines too: filter).
 */
export async function accessLogMark(bed: Testbed): Promise<() => Promise<string[]>> {
  const start = await settledAccessLog(bed);
  return async () => {
    const end = await settledAccessLog(bed);
    const fd = fs.openSync(bed.accessLog, 'r');
    try {
      const buffer = Buffer.alloc(end - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      return buffer
        .toString('utf8')
        .split('\n')
        .filter((line) => line && !line.includes(' /__settled__/'));
    } finally {
      fs.closeSync(fd);
    }
  };
}

/** The `::error::` annotations a step printed. */
export function errors(run: { stdout: string }): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
}

/**
 * Builds a fresh image (labelled with `revision`, or unlabelled) in the engine under test and
 * saves it into `work` as a docker archive: skopeo reads that whatever API versions the engine takes.
 */
export async function buildArchive(work: string, revision?: string): Promise<string> {
  const labels = revision ? ['--label', `org.opencontainers.image.revision=${revision}`] : [];
  const iid = path.join(work, 'iid');
  await execFileAsync('docker', [
    'buildx',
    'build',
    '-q',
    ...labels,
    '--load',
    '--iidfile',
    iid,
    makeContext(),
  ]);
  const archive = path.join(work, 'image.tar');
  await execFileAsync('docker', ['save', '--output', archive, fs.readFileSync(iid, 'utf8').trim()]);
  return archive;
}

/**
 * Pushes one tag without the action (as a run that died half-way would leave it): a fresh
 * image labelled with `revision` (or unlabelled), through skopeo with the test identity.
 */
export async function pushTagDirectly(
  bed: Testbed,
  registry: string,
  reference: string,
  revision?: string,
  /** A docker-archive to push instead of a fresh build. */
  given?: string,
): Promise<string> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-direct-'));
  const archive = given ?? (await buildArchive(work, revision));
  const authFile = path.join(work, 'auth.json');
  await new Promise<void>((resolve, reject) => {
    const login = execFile(
      'skopeo',
      [
        'login',
        '--authfile',
        authFile,
        '--tls-verify=false',
        '-u',
        bed.username,
        '--password-stdin',
        registry,
      ],
      (error) => (error ? reject(error) : resolve()),
    );
    login.stdin?.end(bed.apiKey);
  });
  const digestFile = path.join(work, 'digest');
  await execFileAsync('skopeo', [
    'copy',
    '--authfile',
    authFile,
    '--dest-tls-verify=false',
    '--digestfile',
    digestFile,
    `docker-archive:${archive}`,
    `docker://${registry}/${reference}`,
  ]);
  const digest = fs.readFileSync(digestFile, 'utf8').trim();
  fs.rmSync(work, { recursive: true, force: true });
  return digest;
}

/** Requests in an access-log slice that upload blob bytes (a mount or a HEAD is not one). */
export function blobUploads(lines: string[], name: string): string[] {
  return lines.filter(
    (line) =>
      line.includes(`/v2/${name}/blobs/uploads/`) &&
      (/^(PATCH|PUT) /.test(line) || /^POST \S+ 202 /.test(line)),
  );
}

/** Manifest writes in an access-log slice, as `METHOD path status`. */
export function manifestWrites(lines: string[], name: string): string[] {
  return lines
    .filter((line) => /^PUT /.test(line) && line.includes(`/v2/${name}/manifests/`))
    .map((line) => line.split(' ').slice(0, 3).join(' '));
}

/** Requests the action's own HTTP client made for one repository, as `METHOD path status`. */
export function actionRequests(lines: string[], name: string): string[] {
  return lines
    .filter((line) => line.includes(` /v2/${name}/`) && line.endsWith('"build-push-image"'))
    .map((line) => line.split(' ').slice(0, 3).join(' '));
}

/** Bytes sent in blob uploads (request lengths of POST, PATCH and PUT to uploads). */
export function uploadedBytes(lines: string[], name: string): number {
  return blobUploads(lines, name).reduce((sum, line) => sum + Number(line.split(' ')[3]), 0);
}
