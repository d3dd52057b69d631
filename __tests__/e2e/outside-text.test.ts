// Outside text, build contexts and odd paths, run as a runner runs the action: no text from a
// registry, a tool or an input becomes a workflow command; the key never reaches a build
// context; every digest reported is the hash of bytes read; the registry checked is the one
// pushed to; any RUNNER_TEMP works; the post step touches only this run's folder.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root } from '../../scripts/local-runner.mjs';
import { startTime } from '../../src/process/children.js';
import { anyCommandIn } from '../helpers/workflow-commands.js';
import { startFaultRegistry, type FaultRegistry } from './fault-registry.js';
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
let registry: FaultRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** The commands this action itself writes; any other command line came from outside. */
const OWN = /^::(add-mask|debug|error|warning|group|endgroup)::/;
const forged = (stdout: string) => anyCommandIn(stdout).filter((line) => !OWN.test(line));

describe('no outside text acts as a workflow command', () => {
  test("a tag's revision annotation holding ##[set-output] is refused and shown inert", async () => {
    const name = uniqueName('hostile');
    const revision = `deadbeef\n##[set-output name=digest;]sha256:${'e'.repeat(64)}\n\u0085::save-state name=runDirectory::/tmp`;
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${'c'.repeat(64)}`,
        size: 2,
      },
      layers: [],
      annotations: { 'org.opencontainers.image.revision': revision },
    });
    registry = await startFaultRegistry(bed.registry, ({ method, path: p }) =>
      method === 'GET' && p.endsWith(`/${name}/manifests/v1.0.0`)
        ? {
            status: 200,
            headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
            body: manifest,
          }
        : 'pass',
    );
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toContain('was built from commit deadbeef');
    expect(run.stdout).toContain('##\\[set-output name=digest;]');
    expect(forged(run.stdout)).toEqual([]);
    expect(run.outputs.digest).toBeUndefined();
    expect(run.state.runDirectory).toMatch(new RegExp(`^${run.runnerTemp}/build-push-image-`));
    expect(builds(run)).toEqual([]);
  });

  test('a label holding ##[…] is echoed inert in the build command, and published as given', async () => {
    const name = uniqueName('hostile');
    const label = `##[set-output name=digest;]sha256:${'e'.repeat(64)}`;
    const run = await runAction({
      inputs: pushInputs(bed, name, { labels: `note=${label}` }),
      sha: randomSha(),
    });
    expect(errors(run)).toEqual([]);
    expect(run.stdout).toMatch(/\[command\]docker buildx build .*--label note=##\\\[set-output/);
    expect(forged(run.stdout)).toEqual([]);
    expect(run.outputs.digest).toMatch(DIGEST);
    expect((await inspect(`${bed.registry}/${name}:v1.0.0`))?.Labels.note).toBe(label);
  });

  test("a 500's message is shown inert in the retry line", async () => {
    const name = uniqueName('hostile');
    const body = JSON.stringify({
      errors: [
        {
          code: 'UNKNOWN',
          message: `x\n##[save-state name=runDirectory;]/tmp\n\u0085::set-output name=result::pushed`,
        },
      ],
    });
    registry = await startFaultRegistry(bed.registry, ({ path: p, seen }) =>
      p.endsWith('/manifests/v1.0.0') && seen === 0 ? { status: 500, body } : 'pass',
    );
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address, push: 'false' }),
      sha: randomSha(),
    });
    expect(run.stdout).toContain('Registry: HTTP 500: UNKNOWN x');
    expect(forged(run.stdout)).toEqual([]);
    expect(run.state.runDirectory).toMatch(new RegExp(`^${run.runnerTemp}/`));
  });
});

describe('every digest reported or decided on is the hash of bytes read', () => {
  test.each([
    ['a digest that is not the manifest', `sha256:${'b'.repeat(64)}`, `\`sha256:${'b'.repeat(64)}\``],
    ['markup', '<img src=x onerror=alert(1)>', '`?img?src?x?onerror?alert?1??`'],
  ])('a re-run against a registry whose Docker-Content-Digest is %s fails closed', async (_, lie, shown) => {
    const name = uniqueName('hostile');
    const sha = randomSha();
    const context = makeContext();
    const first = await runAction({ inputs: pushInputs(bed, name, { context }), sha });
    expect(first.outputs.result).toBe('pushed');
    registry = await startFaultRegistry(bed.registry, ({ path: p }) =>
      p.includes('/manifests/') ? { passWith: { 'docker-content-digest': lie } } : 'pass',
    );
    const rerun = await runAction({
      inputs: pushInputs(bed, name, { context, registry: registry.address }),
      sha,
    });
    expect(rerun.exitCode).toBe(1);
    expect(errors(rerun)[0]).toContain(
      `with Docker-Content-Digest ${shown}, but the manifest's bytes hash to sha256:`,
    );
    expect(rerun.outputs.result).toBeUndefined();
    expect(rerun.outputs.digest).toBeUndefined();
    expect(rerun.summary).not.toContain('<img');
    expect(builds(rerun)).toEqual([]);
  });
});

describe('inputs that would leak the key or push elsewhere are refused before anything runs', () => {
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  test.each([
    ['labels', () => `auth=${base64(`${bed.username}:${bed.apiKey}`)}`],
    ['build_args', () => `TOKEN=${base64(bed.apiKey)}`],
  ])('an encoding of the key in `%s`', async (input, value) => {
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { [input]: value() }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([expect.stringContaining(`\`${input}\` contains the API key`)]);
    expect(errors(run)[0]).not.toContain(value().split('=')[1]);
    expect(builds(run)).toEqual([]);
  });

  test.each([
    ['zot', 'is a host name without a dot or a port'],
    ['[::1]:5765', 'is an IPv6 address'],
  ])('registry %j', async (value, problem) => {
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: value }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([expect.stringContaining(`\`registry\` ${problem}`)]);
    expect(builds(run)).toEqual([]);
  });
});

describe("the build context never holds the run's folder", () => {
  /** A context whose Dockerfile copies everything it holds into the image. */
  const copyingContext = () => makeContext('FROM scratch\nCOPY . /ctx/\n');

  test('RUNNER_TEMP inside the context is refused before the build', async () => {
    const context = copyingContext();
    const runnerTemp = path.join(context, '_temp');
    fs.mkdirSync(runnerTemp);
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { context }),
      sha: randomSha(),
      env: { RUNNER_TEMP: runnerTemp },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      expect.stringContaining(
        `\`context\` "${context}" contains RUNNER_TEMP (${fs.realpathSync(runnerTemp)})`,
      ),
    ]);
    expect(builds(run)).toEqual([]);
    expect(fs.readdirSync(runnerTemp)).toEqual([]);
  });

  test('a RUNNER_TEMP that is a link into the context is refused too', async () => {
    const context = copyingContext();
    fs.mkdirSync(path.join(context, 'inner'));
    const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-link-')), 'runner-temp');
    fs.symlinkSync(path.join(context, 'inner'), link);
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { context }),
      sha: randomSha(),
      env: { RUNNER_TEMP: link },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toContain(
      `contains RUNNER_TEMP (${fs.realpathSync(path.join(context, 'inner'))})`,
    );
    expect(builds(run)).toEqual([]);
    expect(fs.readdirSync(path.join(context, 'inner'))).toEqual([]);
  });
});

describe('any RUNNER_TEMP a runner hands over works', () => {
  test('one holding `:` and `,`: skopeo reads only what the action wrote', async () => {
    const top = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-odd-'));
    const runnerTemp = path.join(top, 'a:b,c', 'rt');
    fs.mkdirSync(runnerTemp, { recursive: true });
    // What skopeo would open if it cut the path at the `:`.
    fs.writeFileSync(path.join(top, 'a'), 'not an image');
    const name = uniqueName('odd');
    const run = await runAction({
      inputs: pushInputs(bed, name),
      sha: randomSha(),
      env: { RUNNER_TEMP: runnerTemp },
    });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect((await inspect(`${bed.registry}/${name}:v1.0.0`))?.Digest).toBe(run.outputs.digest);
    expect(fs.readdirSync(runnerTemp)).toEqual([]);
  });
});

describe('the post step acts only on the folder this run made', () => {
  test('a state naming another folder of the right prefix, with a child record of an unrelated process, changes nothing', async () => {
    const victim = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-victim-')),
      'important',
      'build-push-image-x',
    );
    fs.mkdirSync(path.join(victim, 'children'), { recursive: true });
    const other = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    other.unref();
    await new Promise((resolve) => setTimeout(resolve, 200));
    fs.writeFileSync(path.join(victim, 'children', '0.sleep'), `${other.pid} ${startTime(other.pid!)}\n`);
    fs.writeFileSync(path.join(victim, '.build-push-image-run'), 'token');
    const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-rt-'));
    const post = execFileSync(process.env.BPI_NODE || process.execPath, [path.join(root, 'dist/index.js')], {
      env: {
        PATH: process.env.PATH,
        RUNNER_TEMP: runnerTemp,
        STATE_isPost: 'true',
        STATE_runDirectory: victim,
        STATE_runToken: 'token',
      },
      encoding: 'utf8',
    });
    expect(post).toContain(
      `::warning::Not removing ${JSON.stringify(victim)}: it is not directly under RUNNER_TEMP`,
    );
    expect(fs.existsSync(path.join(victim, 'children', '0.sleep'))).toBe(true);
    expect(() => process.kill(other.pid!, 0)).not.toThrow();
    process.kill(other.pid!, 'SIGKILL');
  });
});
