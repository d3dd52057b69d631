// npm run bench: measures, on one image (about 100 MB of incompressible data in several layers)
// and the local zot-like registry of the test bed, in one run, on every engine of the test bed
// (Docker 20.10 on the socket; Docker 26 over tcp with the classic and with the containerd image
// store, and the classic store behind TLS), the variants interleaved:
//   1. this action, whole run (node start to the end of the post step);
//   2. what docker/build-push-action does: `docker login`, then `docker buildx build --push`
//      of both tags, pushed by the engine's BuildKit (with buildx's default attestations);
//   3. the old composite flow: buildx --load, docker save to a tarball, skopeo copy
//      docker-archive: to the version tag and again to the commit tag;
// then, on the default engine, the time to refuse an existing tag, the time of a re-run, the
// requests of the tag check in a repository with thousands of tags, and the bundle's size and
// cold start; and per engine the bytes uploaded per run. Each sample builds fresh content into
// a fresh repository, so no layer is cached or mounted from an earlier sample. BENCH_RUNS
// (default 3) samples per variant and engine.
// Then two platforms (linux/amd64 and linux/arm64, arm64 RUN steps under qemu) on the
// containerd-store engine: this action against `docker buildx build --platform … --push`.
// BENCH_ONLY=platforms runs that part alone. BENCH_ONLY=signing: this action without
// `signing_key`, with the `.sig` alone and with both formats (wall time, the action's requests). BENCH_ONLY=parts: the same RUN-heavy
// two-platform image built by one job (arm64 under qemu) and by two jobs at once with
// `build_platforms`, amd64 on the socket engine and arm64 on the containerd-store engine.
// BENCH_ONLY=peers: on the socket engine, the same image published with both tags by this action,
// by `buildx --push`, and by two other registry clients the test bed builds from the Go module
// proxy, crane (`crane push` of the saved image, `crane copy` to the second tag) and regctl
// (`regctl image import`, `regctl image copy`); wall time, and each tool's requests and uploaded
// bytes from the registry front's access log. The full run includes it.
// BENCH_ONLY=stores: the same Docker (26) with each image store, as a DinD sidecar is with and
// without `containerd-snapshotter` in its daemon.json: this action (its hand-over, and the time
// of its Build and commit-tag push phases) against `buildx --push`, interleaved.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root, runAction } from './local-runner.mjs';
import { addManyTags, compressedSize, readTestbed } from './testbed/testbed.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LAYERS = Number(process.env.BENCH_LAYERS ?? 4);
const LAYER_MB = Number(process.env.BENCH_LAYER_MB ?? 25);
const ONLY = process.env.BENCH_ONLY ?? '';
const TWO_PLATFORMS = 'linux/amd64,linux/arm64';
/** The engine that builds two platforms: the containerd image store (see the test bed). */
const MULTI_ENGINE = 'tcp://127.0.0.1:2376';
const bed = readTestbed();
const { registry, username, apiKey } = bed;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-bench-'));
const sha = () => randomBytes(20).toString('hex');
const name = (kind) => `bench/${kind}-${randomBytes(4).toString('hex')}`;

/** A fresh context: LAYERS layers of LAYER_MB random bytes each, FROM scratch. */
function makeContext() {
  const dir = fs.mkdtempSync(path.join(work, 'context-'));
  const lines = ['FROM scratch'];
  for (let i = 0; i < LAYERS; i++) {
    fs.writeFileSync(path.join(dir, `layer${i}.bin`), randomBytes(LAYER_MB * 1024 * 1024));
    lines.push(`COPY layer${i}.bin /layer${i}.bin`);
  }
  fs.writeFileSync(path.join(dir, 'Dockerfile'), lines.join('\n') + '\n');
  return dir;
}

/**
 * A fresh two-platform context: LAYERS/2 shared layers copied in, then a RUN step per platform
 * writing LAYER_MB of its own random bytes (under qemu for arm64), on the test bed's
 * two-platform base image.
 */
function makeTwoPlatformContext() {
  const dir = fs.mkdtempSync(path.join(work, 'context-'));
  const lines = ['FROM build-push-image-test/busybox:multi'];
  for (let i = 0; i < Math.max(1, LAYERS / 2); i++) {
    fs.writeFileSync(path.join(dir, `layer${i}.bin`), randomBytes(LAYER_MB * 1024 * 1024));
    lines.push(`COPY layer${i}.bin /layer${i}.bin`);
  }
  lines.push(`RUN busybox head -c ${LAYER_MB * 1024 * 1024} /dev/urandom > /platform.bin`);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), lines.join('\n') + '\n');
  return dir;
}

/**
 * The two-platform context for parts: as makeTwoPlatformContext, on each platform's own base
 * image (`busybox:<arch>`), which an engine that builds one platform holds too.
 */
function makePartsContext() {
  const dir = makeTwoPlatformContext();
  const dockerfile = fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
  fs.writeFileSync(
    path.join(dir, 'Dockerfile'),
    dockerfile.replace(/^FROM .*$/m, 'FROM build-push-image-test/busybox:${TARGETARCH}'),
  );
  return dir;
}

/** @param {string} command @param {string[]} args @param {string} [input] @param {NodeJS.ProcessEnv} [env] */
function run(command, args, input, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'], env: env ?? process.env });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(input ?? '');
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(undefined) : reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)),
    );
  });
}

/** @param {() => Promise<unknown>} work */
async function timed(work) {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function actionInputs(image, context, version = 'v1.0.0') {
  return {
    context,
    image_name: image,
    version,
    registry,
    username,
    api_key: apiKey,
    insecure_registry: 'true',
  };
}

async function thisAction(context, more = {}) {
  const image = name('action');
  const result = await runAction({ inputs: { ...actionInputs(image, context), ...more }, sha: sha() });
  if (result.exitCode !== 0) throw new Error(`the action failed:\n${result.stdout}`);
  // The action's own account of where the time went, from the result block at the end of its log.
  process.stdout.write(`    ${/^ {2}phases +(.*)$/m.exec(result.stdout)?.[1] ?? ''}\n`);
  return image;
}

const authFile = path.join(work, 'auth.json');
async function login() {
  await run(
    'skopeo',
    ['login', '--authfile', authFile, '--tls-verify=false', '-u', username, '--password-stdin', registry],
    apiKey,
  );
}

async function oldFlow(context) {
  const image = name('old');
  const tarball = path.join(work, 'image.tar');
  await run('docker', [
    'buildx',
    'build',
    '--tag',
    `${image}:v1.0.0`,
    '--file',
    path.join(context, 'Dockerfile'),
    '--load',
    context,
  ]);
  await run('docker', ['save', '-o', tarball, `${image}:v1.0.0`]);
  for (const tag of ['v1.0.0', sha()])
    await run('skopeo', [
      'copy',
      '--authfile',
      authFile,
      '--dest-tls-verify=false',
      `docker-archive:${tarball}`,
      `docker://${registry}/${image}:${tag}`,
    ]);
  fs.rmSync(tarball);
  return image;
}

const dockerConfig = path.join(work, 'docker-config');
async function buildxPush(context, more = []) {
  const image = name('buildx-push');
  fs.mkdirSync(dockerConfig, { recursive: true });
  const env = { ...process.env, DOCKER_CONFIG: dockerConfig };
  await run('docker', ['login', '-u', username, '--password-stdin', registry], apiKey, env);
  await run(
    'docker',
    [
      'buildx',
      'build',
      '--push',
      '--tag',
      `${registry}/${image}:${sha()}`,
      '--tag',
      `${registry}/${image}:v1.0.0`,
      ...more,
      context,
    ],
    undefined,
    env,
  );
  await run('docker', ['logout', registry], undefined, env);
  return image;
}

function accessLogFrom(offset) {
  const text = fs.readFileSync(bed.accessLog, 'utf8');
  return Buffer.from(text).subarray(offset).toString().split('\n').filter(Boolean);
}
const logSize = () => fs.statSync(bed.accessLog).size;

/** Bytes sent in blob uploads for one repository (request lengths of PATCH/PUT/POST to uploads). */
function uploadedBytes(lines, image) {
  return lines
    .filter((line) => line.includes(`/v2/${image}/blobs/uploads/`) && /^(PATCH|PUT|POST) /.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ')[3]), 0);
}

/** Two platforms on the containerd-store engine: this action, then buildx --push, interleaved. */
async function twoPlatforms() {
  process.env.DOCKER_HOST = MULTI_ENGINE;
  const samples = { action: [], push: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, variant] of [
      ['action', (context) => thisAction(context, { platforms: TWO_PLATFORMS, network: 'none' })],
      ['push', (context) => buildxPush(context, ['--platform', TWO_PLATFORMS, '--network', 'none'])],
    ]) {
      const context = makeTwoPlatformContext();
      samples[kind].push(await timed(() => variant(context)));
      fs.rmSync(context, { recursive: true, force: true });
      process.stdout.write(`  two platforms sample ${i + 1} ${kind}: ${seconds(samples[kind].at(-1))}\n`);
    }
  }
  delete process.env.DOCKER_HOST;
  const [mine, push] = [median(samples.action), median(samples.push)];
  return [
    [`${MULTI_ENGINE}, ${TWO_PLATFORMS}: this action (median)`, seconds(mine)],
    [`${MULTI_ENGINE}, ${TWO_PLATFORMS}: docker login + buildx --push (median)`, seconds(push)],
    [`${MULTI_ENGINE}, ${TWO_PLATFORMS}: action / buildx --push`, (mine / push).toFixed(3)],
  ];
}

/** The engine that builds the amd64 part: Docker 20.10's classic store, on the socket. */
const AMD64_ENGINE = 'unix:///var/run/docker.sock';

/** One job of a matrix with `build_platforms`, on its own engine; its wall time and phases. */
async function partJob(image, commit, context, platform, engine) {
  const inputs = {
    ...actionInputs(image, context),
    platforms: TWO_PLATFORMS,
    build_platforms: platform,
    network: 'none',
  };
  const start = performance.now();
  const result = await runAction({ inputs, sha: commit, env: { DOCKER_HOST: engine } });
  const ms = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`the ${platform} job failed:\n${result.stdout}`);
  return { ms, result: result.outputs.result, phases: /^ {2}phases +(.*)$/m.exec(result.stdout)?.[1] ?? '' };
}

/**
 * Parts across runners against one job: the RUN-heavy two-platform image built by one job on
 * the containerd-store engine (arm64 under qemu), and by two jobs at once, amd64 on the socket
 * engine and arm64 on the containerd-store engine (still under qemu: one host). A native arm64
 * runner would build its part about as fast as the amd64 job: that job's time is the estimate.
 */
async function parts() {
  // The socket engine builds amd64 on the same base image the containerd-store engine has.
  await run('docker', [
    '-H',
    AMD64_ENGINE,
    'tag',
    'build-push-image-test/busybox:local',
    'build-push-image-test/busybox:amd64',
  ]);
  const samples = { one: [], two: [], amd64: [] };
  for (let i = 0; i < RUNS; i++) {
    let context = makePartsContext();
    process.env.DOCKER_HOST = MULTI_ENGINE;
    samples.one.push(await timed(() => thisAction(context, { platforms: TWO_PLATFORMS, network: 'none' })));
    delete process.env.DOCKER_HOST;
    fs.rmSync(context, { recursive: true, force: true });
    context = makePartsContext();
    const [image, commit] = [name('parts'), sha()];
    const start = performance.now();
    const jobs = await Promise.all([
      partJob(image, commit, context, 'linux/amd64', AMD64_ENGINE),
      partJob(image, commit, context, 'linux/arm64', MULTI_ENGINE),
    ]);
    samples.two.push(performance.now() - start);
    samples.amd64.push(jobs[0].ms);
    fs.rmSync(context, { recursive: true, force: true });
    process.stdout.write(
      `  parts sample ${i + 1}: one job ${seconds(samples.one.at(-1))}, two jobs ${seconds(samples.two.at(-1))} ` +
        `(amd64 ${seconds(jobs[0].ms)} ${jobs[0].result}, arm64 ${seconds(jobs[1].ms)} ${jobs[1].result})\n` +
        jobs.map((job) => `    ${job.phases}\n`).join(''),
    );
  }
  const [one, two, amd64] = [median(samples.one), median(samples.two), median(samples.amd64)];
  return [
    [`${TWO_PLATFORMS}, one job on ${MULTI_ENGINE}, arm64 under qemu (median)`, seconds(one)],
    [
      `${TWO_PLATFORMS}, two jobs at once, amd64 on ${AMD64_ENGINE}, arm64 on ${MULTI_ENGINE} under qemu (median)`,
      seconds(two),
    ],
    ['two jobs / one job (measured)', (two / one).toFixed(3)],
    ['estimate, native arm64 runner: the amd64 job alone (median)', seconds(amd64)],
    ['estimate / one job', (amd64 / one).toFixed(3)],
  ];
}

/** A sigstore key pair made by trixie's skopeo (the test bed's verifier), for the signing variant. */
async function signingKey() {
  const pass = path.join(work, 'signing.pass');
  fs.writeFileSync(pass, 'bench passphrase', { mode: 0o600 });
  const prefix = path.join(work, 'signing');
  await run(bed.skopeoVerifier, [
    'generate-sigstore-key',
    '--output-prefix',
    prefix,
    '--passphrase-file',
    pass,
  ]);
  return {
    signing_key: fs.readFileSync(`${prefix}.private`, 'utf8'),
    signing_key_password: 'bench passphrase',
  };
}

/** The action's own requests to one repository in an access-log slice. */
function actionRequestCount(lines, image) {
  return lines.filter((line) => line.includes(` /v2/${image}/`) && line.endsWith('"build-push-image"'))
    .length;
}

/**
 * What signing adds: this action without `signing_key`, with it writing the `.sig` alone
 * (`signature_formats: sig`), and with both formats (the default), on the default engine, the
 * same image size, interleaved; wall time and the action's own requests (skopeo's are the same).
 */
async function signing() {
  const key = await signingKey();
  const variants = [
    ['plain', {}],
    ['sig', { ...key, signature_formats: 'sig' }],
    ['both', key],
  ];
  const samples = Object.fromEntries(variants.map(([kind]) => [kind, []]));
  const requests = Object.fromEntries(variants.map(([kind]) => [kind, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, more] of variants) {
      const context = makeContext();
      const offset = logSize();
      let image = '';
      samples[kind].push(await timed(async () => (image = await thisAction(context, more))));
      requests[kind].push(actionRequestCount(accessLogFrom(offset), image));
      fs.rmSync(context, { recursive: true, force: true });
      process.stdout.write(
        `  signing sample ${i + 1} ${kind}: ${seconds(samples[kind].at(-1))}, ${requests[kind].at(-1)} requests\n`,
      );
    }
  }
  const [plain, sig, both] = ['plain', 'sig', 'both'].map((kind) => median(samples[kind]));
  return [
    ['signing: this action without signing_key (median)', seconds(plain)],
    ['signing: with signing_key, the .sig alone (median)', seconds(sig)],
    ['signing: with signing_key, both formats (median)', seconds(both)],
    [
      'signing: added wall time, .sig / both (median difference)',
      `${seconds(sig - plain)} / ${seconds(both - plain)}`,
    ],
    [
      "signing: the action's requests without / .sig / both (median)",
      `${median(requests.plain)} / ${median(requests.sig)} / ${median(requests.both)}`,
    ],
  ];
}

/**
 * The image of `context` built and saved as `docker save` writes it (what crane and regctl take),
 * on the engine of DOCKER_HOST; the build is part of each peer's time, as it is of the action's.
 */
async function savedImage(context) {
  const tag = `bench-peer/${randomBytes(4).toString('hex')}:build`;
  const tarball = path.join(work, `${tag.replace(/[/:]/g, '-')}.tar`);
  await run('docker', ['buildx', 'build', '--tag', tag, '--load', context]);
  await run('docker', ['save', '-o', tarball, tag]);
  await run('docker', ['rmi', tag]);
  return tarball;
}

const peerHome = path.join(work, 'peer-home');
/** crane and regctl, logged in once with the key on stdin, their configuration under peerHome. */
async function peerLogin() {
  fs.mkdirSync(peerHome, { recursive: true });
  const env = { ...process.env, HOME: peerHome, DOCKER_CONFIG: path.join(peerHome, '.docker') };
  await run(bed.crane, ['auth', 'login', registry, '-u', username, '--password-stdin'], apiKey, env);
  await run(bed.regctl, ['registry', 'set', registry, '--tls', 'disabled'], undefined, env);
  await run(bed.regctl, ['registry', 'login', registry, '-u', username, '--pass-stdin'], apiKey, env);
  return env;
}

/** crane: the saved image pushed to the version tag, then copied to the commit tag. */
async function cranePush(context, env) {
  const image = name('crane');
  const tarball = await savedImage(context);
  await run(bed.crane, ['push', '--insecure', tarball, `${registry}/${image}:v1.0.0`], undefined, env);
  await run(
    bed.crane,
    ['copy', '--insecure', `${registry}/${image}:v1.0.0`, `${registry}/${image}:${sha()}`],
    undefined,
    env,
  );
  fs.rmSync(tarball);
  return image;
}

/** regctl: the saved image imported to the version tag, then copied to the commit tag. */
async function regctlPush(context, env) {
  const image = name('regctl');
  const tarball = await savedImage(context);
  await run(bed.regctl, ['image', 'import', `${registry}/${image}:v1.0.0`, tarball], undefined, env);
  await run(
    bed.regctl,
    ['image', 'copy', `${registry}/${image}:v1.0.0`, `${registry}/${image}:${sha()}`],
    undefined,
    env,
  );
  fs.rmSync(tarball);
  return image;
}

/** Requests to one repository (and the /v2/ ping and token paths) in an access-log slice. */
function requestsOf(lines, image) {
  return lines.filter((line) => line.includes(` /v2/${image}/`)).length;
}

/**
 * Peers on the socket engine, interleaved: this action, `buildx --push`, crane and regctl, each
 * publishing both tags of a fresh image; the wall time, and from the access log each tool's
 * requests to the repository and the blob bytes it uploaded.
 */
async function peers() {
  const env = await peerLogin();
  const variants = [
    ['this action', (context) => thisAction(context)],
    ['docker login + buildx --push', (context) => buildxPush(context)],
    ['crane push + crane copy', (context) => cranePush(context, env)],
    ['regctl image import + image copy', (context) => regctlPush(context, env)],
  ];
  /** @type {Record<string, { ms: number[], requests: number[], bytes: number[] }>} */
  const samples = Object.fromEntries(variants.map(([kind]) => [kind, { ms: [], requests: [], bytes: [] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const [kind, variant] of variants) {
      const context = makeContext();
      const offset = logSize();
      let image = '';
      samples[kind].ms.push(await timed(async () => (image = await variant(context))));
      const lines = accessLogFrom(offset);
      samples[kind].requests.push(requestsOf(lines, image));
      samples[kind].bytes.push(uploadedBytes(lines, image));
      fs.rmSync(context, { recursive: true, force: true });
      process.stdout.write(
        `  peers sample ${i + 1} ${kind}: ${seconds(samples[kind].ms.at(-1))}, ` +
          `${samples[kind].requests.at(-1)} requests, ${(samples[kind].bytes.at(-1) / 1e6).toFixed(1)} MB uploaded\n`,
      );
    }
  }
  const mine = median(samples['this action'].ms);
  return variants.map(([kind]) => [
    `peers on ${bed.engines[0]}: ${kind} (median)`,
    `${seconds(median(samples[kind].ms))}, action / it ${(mine / median(samples[kind].ms)).toFixed(3)}, ` +
      `${median(samples[kind].requests)} requests, ${(median(samples[kind].bytes) / 1e6).toFixed(1)} MB uploaded`,
  ]);
}

/** @param {[string, string][]} rows */
/** Docker 26 with the classic image store, and with the containerd image store (the test bed's). */
const STORE_ENGINES = [
  ['classic store', 'tcp://127.0.0.1:2375'],
  ['containerd store', 'tcp://127.0.0.1:2376'],
];

/** A phase's seconds from the action's `phases` line ("Build 4.4 s, …"). */
function phaseSeconds(phases, phase) {
  const found = new RegExp(`(?:^|, )${phase} (\\d+\\.\\d) s`).exec(phases);
  if (!found) throw new Error(`no ${phase} phase in: ${phases}`);
  return Number(found[1]) * 1000;
}

/**
 * One Docker version, each image store (what `containerd-snapshotter` in a DinD sidecar's
 * daemon.json changes): the action's hand-over and where its time goes, against buildx --push.
 */
async function stores() {
  const samples = new Map(
    STORE_ENGINES.map(([, engine]) => [engine, { run: [], build: [], push: [], buildx: [], handOver: '' }]),
  );
  for (let i = 0; i < RUNS; i++)
    for (const [label, engine] of STORE_ENGINES) {
      process.env.DOCKER_HOST = engine;
      const of = samples.get(engine);
      let context = makeContext();
      const start = performance.now();
      const result = await runAction({ inputs: actionInputs(name('stores'), context), sha: sha() });
      of.run.push(performance.now() - start);
      if (result.exitCode !== 0) throw new Error(`the action failed:\n${result.stdout}`);
      const phases = /^ {2}phases +(.*)$/m.exec(result.stdout)?.[1] ?? '';
      of.build.push(phaseSeconds(phases, 'Build'));
      of.push.push(phaseSeconds(phases, 'Push the commit tag'));
      of.handOver = /Hand-over \(([a-z-]+)\)/.exec(result.stdout)?.[1] ?? '?';
      fs.rmSync(context, { recursive: true, force: true });
      process.stdout.write(`  ${label} sample ${i + 1} action: ${seconds(of.run.at(-1))} (${phases})\n`);
      context = makeContext();
      of.buildx.push(await timed(() => buildxPush(context)));
      fs.rmSync(context, { recursive: true, force: true });
      process.stdout.write(`  ${label} sample ${i + 1} buildx --push: ${seconds(of.buildx.at(-1))}\n`);
    }
  delete process.env.DOCKER_HOST;
  return STORE_ENGINES.flatMap(([label, engine]) => {
    const of = samples.get(engine);
    const run = median(of.run);
    return [
      [`${label} (${engine}): hand-over`, of.handOver],
      [`${label}: this action (median)`, seconds(run)],
      [`${label}: its Build phase (median)`, seconds(median(of.build))],
      [`${label}: its Push the commit tag phase (median)`, seconds(median(of.push))],
      [`${label}: docker login + buildx --push (median)`, seconds(median(of.buildx))],
      [`${label}: action / buildx --push`, (run / median(of.buildx)).toFixed(3)],
    ];
  });
}

function printTable(rows) {
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log('\n| measure | value |\n|---|---|');
  for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${value} |`);
  console.log(
    `\nnode ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
  );
}

async function main() {
  if (ONLY === 'signing') {
    console.log(`signing benchmark: ${RUNS} samples a variant, registry ${registry}\n`);
    printTable(await signing());
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'parts') {
    console.log(`parts benchmark: ${RUNS} samples a variant, registry ${registry}\n`);
    printTable(await parts());
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'peers') {
    console.log(`peers benchmark: ${RUNS} samples a variant, registry ${registry}\n`);
    printTable(await peers());
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'stores') {
    console.log(`image-store benchmark: ${RUNS} samples a variant and store, registry ${registry}\n`);
    printTable(await stores());
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }
  if (ONLY === 'platforms') {
    console.log(`two-platform benchmark: ${RUNS} samples a variant, registry ${registry}\n`);
    printTable(await twoPlatforms());
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }
  console.log(
    `build-push-image benchmark: ${RUNS} samples a variant and engine, image of ${LAYERS} x ${LAYER_MB} MB random layers, registry ${registry}\n`,
  );
  await login();
  /** @type {{ engine: string, action: number[], push: number[], old: number[], uploads: { bytes: number, image: string }[] }[]} */
  const perEngine = [];
  for (const engine of bed.engines) {
    // The action, docker and skopeo all take the engine from DOCKER_HOST, as on a runner.
    process.env.DOCKER_HOST = engine;
    delete process.env.DOCKER_TLS_VERIFY;
    delete process.env.DOCKER_CERT_PATH;
    if (engine === bed.tlsEngine)
      Object.assign(process.env, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: bed.tlsCerts });
    const samples = { engine, action: [], push: [], old: [], uploads: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const [kind, variant] of [
        ['action', thisAction],
        ['push', buildxPush],
        ['old', oldFlow],
      ]) {
        const context = makeContext();
        const offset = logSize();
        let image;
        samples[kind].push(await timed(async () => (image = await variant(context))));
        if (kind === 'action')
          samples.uploads.push({ bytes: uploadedBytes(accessLogFrom(offset), image), image });
        fs.rmSync(context, { recursive: true, force: true });
        process.stdout.write(`  ${engine} sample ${i + 1} ${kind}: ${seconds(samples[kind].at(-1))}\n`);
      }
    }
    perEngine.push(samples);
  }
  for (const name of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete process.env[name];

  // Refusal and re-run, on a published image.
  const context = makeContext();
  const published = name('published');
  const commit = sha();
  const first = await runAction({ inputs: actionInputs(published, context), sha: commit });
  if (first.exitCode !== 0) throw new Error(first.stdout);
  const refusal = [];
  const rerun = [];
  for (let i = 0; i < RUNS; i++) {
    refusal.push(
      await timed(async () => {
        const r = await runAction({ inputs: actionInputs(published, context), sha: sha() });
        if (r.exitCode !== 1) throw new Error('expected a refusal');
      }),
    );
    rerun.push(
      await timed(async () => {
        const r = await runAction({ inputs: actionInputs(published, context), sha: commit });
        if (r.outputs.result !== 'already-published') throw new Error('expected already-published');
      }),
    );
  }

  // Requests of the tag check, in a repository with few and with thousands of tags.
  const tagCheck = {};
  for (const count of [10, 3000]) {
    const image = name(`tags${count}`);
    await addManyTags(bed, image, count);
    const offset = logSize();
    const r = await runAction({ inputs: { ...actionInputs(image, context, 'old-1') }, sha: sha() });
    if (r.exitCode !== 1) throw new Error('expected a refusal of old-1');
    const lines = accessLogFrom(offset).filter(
      (line) => line.includes(`/v2/${image}/`) && line.includes('"build-push-image"'),
    );
    tagCheck[count] = {
      total: lines.length,
      tagsList: lines.filter((line) => line.includes('/tags/list')).length,
      heads: lines.filter((line) => line.startsWith('HEAD ')).length,
    };
  }

  const bundle = path.join(root, 'dist/index.js');
  const coldStart = [];
  for (let i = 0; i < 10; i++)
    coldStart.push(
      await timed(
        () =>
          new Promise((resolve) => {
            const child = spawn(process.execPath, [bundle], {
              env: { PATH: process.env.PATH, GITHUB_OUTPUT: '/dev/null', GITHUB_STATE: '/dev/null' },
              stdio: 'ignore',
            });
            child.on('close', resolve);
          }),
      ),
    );

  const dist = path.join(root, 'dist');
  const distSize = fs
    .readdirSync(dist)
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + fs.statSync(path.join(dist, file)).size, 0);
  const bareNode = [];
  for (let i = 0; i < 10; i++)
    bareNode.push(
      await timed(
        () =>
          new Promise((resolve) =>
            spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).on('close', resolve),
          ),
      ),
    );
  const action = median(perEngine[0].action);
  const rows = [];
  for (const samples of perEngine) {
    const [mine, push, old] = [median(samples.action), median(samples.push), median(samples.old)];
    const size = compressedSize(`${registry}/${samples.uploads[0].image}:v1.0.0`);
    const maxUpload = Math.max(...samples.uploads.map((u) => u.bytes));
    rows.push(
      [`${samples.engine}: this action (median)`, seconds(mine)],
      [`${samples.engine}: docker login + buildx --push (median)`, seconds(push)],
      [`${samples.engine}: old composite flow (median)`, seconds(old)],
      [`${samples.engine}: action / buildx --push`, (mine / push).toFixed(3)],
      [`${samples.engine}: action / old flow`, (mine / old).toFixed(3)],
      [
        `${samples.engine}: blob bytes uploaded per run (max)`,
        `${(maxUpload / 1e6).toFixed(1)} MB = ${(maxUpload / size).toFixed(3)} x compressed size ${(size / 1e6).toFixed(1)} MB`,
      ],
    );
  }
  rows.push(
    [
      'refusal of an existing tag (median)',
      `${seconds(median(refusal))} = ${(median(refusal) / action).toFixed(3)} of a run on ${perEngine[0].engine}`,
    ],
    [
      're-run of a published commit (median)',
      `${seconds(median(rerun))} = ${(median(rerun) / action).toFixed(3)} of a run on ${perEngine[0].engine}`,
    ],
    [
      'tag-check requests, 10 tags',
      `${tagCheck[10].total} (HEAD ${tagCheck[10].heads}, tags/list ${tagCheck[10].tagsList})`,
    ],
    [
      'tag-check requests, 3000 tags',
      `${tagCheck[3000].total} (HEAD ${tagCheck[3000].heads}, tags/list ${tagCheck[3000].tagsList})`,
    ],
    ['bundle size (dist/*.js, all chunks)', `${(distSize / 1024).toFixed(0)} KiB`],
    ['cold start of dist/ (median of 10)', seconds(median(coldStart))],
    ['bare node start (median of 10)', seconds(median(bareNode))],
  );
  rows.push(...(await twoPlatforms()));
  rows.push(...(await peers()));
  printTable(rows);
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
