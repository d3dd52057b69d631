// The example workflow files, run by a real workflow runner: nektos/act (built by the test bed
// from the Go module proxy) in host mode, the way a self-hosted runner runs a job, on a scratch
// repository that holds the committed action at the path the examples name. Forgejo's runner is
// a fork of act; it is not served by the Go module proxy this machine reaches, so act runs the
// Forgejo examples too (`runs-on: docker` mapped to the host).
//
// What each example is given, and why, is in `adapt()`: the test bed's registry, and the few
// steps that need something this machine cannot reach or must not change.
import { describe, expect, jest, test } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { accessLogMark, inspect, testbed, toolShims } from './harness.js';

const execFileAsync = promisify(execFile);
jest.setTimeout(300_000);
const root = path.resolve(import.meta.dirname, '../..');
const bed = testbed();
const nodeBin = process.env.BPI_NODE || process.execPath;

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

/** A node action whose post step runs after build-push-image's (posts run in reverse order). */
const PROBE = {
  'action.yaml':
    'name: probe\ndescription: what the job left\nruns:\n  using: node20\n  main: main.js\n  post: post.js\n',
  'main.js': "console.log('probe node ' + process.version);\n",
  'post.js':
    "const fs = require('fs');\n" +
    "console.log('probe RUNNER_TEMP holds [' + fs.readdirSync(process.env.RUNNER_TEMP).join(',') + ']');\n",
};

/**
 * The example as the test runs it. Each change, and why:
 * - `registry`: the test bed's, over plain HTTP on loopback (`insecure_registry`); the examples
 *   name a placeholder host or leave the action's default;
 * - `image_name` where the example fixes it: one of the test's own, since the bed's registry
 *   outlives a test and a second commit may not take the same version;
 * - a `run` step that installs skopeo with apt-get: dropped; it would change the machine, and the
 *   test bed installed skopeo already;
 * - `ref` on actions/checkout: dropped; act skips the checkout of the repository it runs only
 *   when no other ref is named (it would clone from the network), and the scratch repository's
 *   commit is the one the workflow runs for;
 * - added: the probe after the checkout (its post step reports what RUNNER_TEMP holds once the
 *   action's post step ran) and a last step that prints the action's outputs and the secret.
 * `actions/checkout` stays: act skips the checkout of the repository it runs, with no network.
 */
function adapt(example: string, imageName?: string): { workflow: string; actionDir: string } {
  const workflow = parse(fs.readFileSync(path.join(root, 'examples/workflows', example), 'utf8')) as Workflow;
  let actionDir = '';
  for (const job of Object.values(workflow.jobs)) {
    const steps = job.steps.filter((step) => !/apt-get install/.test(step.run ?? ''));
    const action = steps.find((step) => step.uses?.endsWith('/actions/build-push-image'));
    if (!action) continue;
    actionDir = action.uses!.replace(/^\.\//, '');
    action.id ??= 'image';
    action.with = { ...action.with, registry: bed.registry, insecure_registry: 'true' };
    if (imageName) action.with.image_name = imageName;
    const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
    if (steps[checkout]?.with) delete steps[checkout].with.ref;
    steps.splice(checkout + 1, 0, { uses: './.probe' });
    steps.push({
      run: 'echo "probe outputs result=$RESULT digest=$DIGEST sha_ref=$SHA_REF version_ref=$VERSION_REF key=$KEY"',
      env: {
        RESULT: `\${{ steps.${action.id}.outputs.result }}`,
        DIGEST: `\${{ steps.${action.id}.outputs.digest }}`,
        SHA_REF: `\${{ steps.${action.id}.outputs.sha_ref }}`,
        VERSION_REF: `\${{ steps.${action.id}.outputs.version_ref }}`,
        KEY: '${{ secrets.ZOT_CI_API_KEY }}',
      },
    });
    job.steps = steps;
  }
  if (!actionDir) throw new Error(`${example} has no build-push-image step`);
  return { workflow: stringify(workflow), actionDir };
}

/**
 * A git repository of one commit holding the examples (each at its path), the action where they
 * load it from (action.yaml and the committed dist/), the probe, and a build context; with
 * `dockerfile`, a second commit that changes the context's Dockerfile to it (what a push to
 * main that touches a container looks like).
 */
async function scratchRepository(
  work: string,
  workflows: Record<string, string>,
  context: string,
  imageName?: string,
  dockerfile?: string,
): Promise<{ repo: string; sha: string }> {
  const repo = path.join(work, 'repo');
  for (const [workflowPath, example] of Object.entries(workflows)) {
    const { workflow, actionDir } = adapt(example, imageName);
    fs.mkdirSync(path.join(repo, actionDir), { recursive: true });
    fs.copyFileSync(path.join(root, 'action.yaml'), path.join(repo, actionDir, 'action.yaml'));
    fs.cpSync(path.join(root, 'dist'), path.join(repo, actionDir, 'dist'), { recursive: true });
    fs.mkdirSync(path.dirname(path.join(repo, workflowPath)), { recursive: true });
    fs.writeFileSync(path.join(repo, workflowPath), workflow);
  }
  fs.mkdirSync(path.join(repo, '.probe'));
  for (const [file, text] of Object.entries(PROBE)) fs.writeFileSync(path.join(repo, '.probe', file), text);
  fs.mkdirSync(path.join(repo, context), { recursive: true });
  fs.writeFileSync(path.join(repo, context, 'Dockerfile'), 'FROM scratch\nCOPY payload /payload\n');
  fs.writeFileSync(path.join(repo, context, 'payload'), randomBytes(64));
  const git = (...args: string[]) => execFileAsync('git', ['-C', repo, ...args]);
  await git('init', '-q');
  await git('add', '-A');
  const commit = (message: string) =>
    git('-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qam', message);
  await commit('scratch');
  if (dockerfile) {
    fs.writeFileSync(path.join(repo, context, 'Dockerfile'), dockerfile);
    await commit('a new version');
  }
  // Only read by act to name the repository; never contacted.
  await git('remote', 'add', 'origin', 'https://forgejo.example.invalid/team/app.git');
  const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
  return { repo, sha };
}

interface ActRun {
  exitCode: number | null;
  log: string;
  builds: string[];
  /** What the probe printed: `node`, `outputs` and `temp` lines, without act's prefix. */
  probe: {
    node?: string;
    result?: string;
    digest?: string;
    shaRef?: string;
    versionRef?: string;
    key?: string;
    temp?: string;
  };
}

/**
 * `act <event>` on `repo` in host mode: no container, no cache server, no artifact server, no
 * version check (act asks its project's server for notices unless ACT_DISABLE_VERSION_CHECK=1),
 * every address it could bind on loopback, its caches in `work`; the secret from a 0600 file
 * (never in act's argv), the identity as a variable; the engine under test and the Node of the
 * matrix row first on PATH. (act still finds its default bind address with a UDP connect to a
 * public address, which sends no packet; the flags then replace that address.)
 */
async function act(
  work: string,
  repo: string,
  event: string,
  workflowPath: string,
  options: { runsOn: string; eventJson?: object; inputs?: Record<string, string> },
): Promise<ActRun> {
  const secrets = path.join(work, 'secrets');
  fs.writeFileSync(secrets, `ZOT_CI_API_KEY=${bed.apiKey}\n`, { mode: 0o600 });
  const args = [
    event,
    '-C',
    repo,
    '-W',
    workflowPath,
    '-P',
    `${options.runsOn}=-self-hosted`,
    '--no-cache-server',
    '--cache-server-addr',
    '127.0.0.1',
    '--artifact-server-addr',
    '127.0.0.1',
    '--action-cache-path',
    path.join(work, 'act-cache'),
    '--var',
    `ZOT_CI_USER=${bed.username}`,
    '--secret-file',
    secrets,
  ];
  if (options.eventJson) {
    const eventFile = path.join(work, `event-${randomBytes(4).toString('hex')}.json`);
    fs.writeFileSync(eventFile, JSON.stringify(options.eventJson));
    args.push('-e', eventFile);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) args.push('--input', `${name}=${value}`);
  const shimsDir = fs.mkdtempSync(path.join(work, 'shims-'));
  const shims = await toolShims(shimsDir);
  // The matrix row's Node, beside the shims: act runs an action's `node` from PATH.
  fs.symlinkSync(nodeBin, path.join(shimsDir, 'bin', 'node'));
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { recursive: true });
  const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn(bed.act, args, {
        cwd: work,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          HOME: home,
          PATH: shims.searchPath,
          ACT_DISABLE_VERSION_CHECK: '1',
          NO_COLOR: '1',
        },
      });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.stderr.on('data', (chunk) => (text += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, output: text });
      });
    },
  );
  const stepLines = output.split('\n').map((line) => line.replace(/^\[[^\]]+\]\s+\|\s?/, ''));
  const field = (pattern: RegExp) =>
    stepLines.map((line) => pattern.exec(line)?.[1]).find((found) => found !== undefined);
  const outputs = stepLines.find((line) => line.startsWith('probe outputs ')) ?? '';
  const value = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(outputs)?.[1];
  return {
    exitCode,
    log: output,
    builds: shims.calls().dockerCalls.filter((call) => call.startsWith('buildx build')),
    probe: {
      node: field(/^probe node (\S+)$/),
      result: value('result'),
      digest: value('digest'),
      shaRef: value('sha_ref'),
      versionRef: value('version_ref'),
      key: value('key'),
      temp: field(/^probe RUNNER_TEMP holds \[(.*)\]$/),
    },
  };
}

/** The key in every form a log could carry it: plain, and Basic-encoded with the identity. */
function keyInLog(log: string): boolean {
  const basic = Buffer.from(`${bed.username}:${bed.apiKey}`).toString('base64');
  return log.includes(bed.apiKey) || log.includes(basic) || log.includes(encodeURIComponent(bed.apiKey));
}

/** Registry writes (anything but a read) to `name` in an access-log slice. */
const writesTo = (lines: string[], name: string) =>
  lines.filter((line) => line.includes(`/v2/${name}/`) && /^(PUT|POST|PATCH|DELETE) /.test(line));

const expectedNode = async () => (await execFileAsync(nodeBin, ['--version'])).stdout.trim();

describe('nektos/act runs the example workflows in host mode', () => {
  test('GitHub example: a tag push publishes both tags, the post step empties RUNNER_TEMP, the key stays masked; a re-run converges without a build; a pull request only builds', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-act-'));
    try {
      const name = `act-github/app-${randomBytes(4).toString('hex')}`;
      const workflowPath = '.github/workflows/image.yaml';
      const { repo, sha } = await scratchRepository(work, { [workflowPath]: 'github.yaml' }, '.', name);
      const tagPush = { runsOn: 'ubuntu-latest', eventJson: { ref: 'refs/tags/v1.0.0' } };

      const first = await act(work, repo, 'push', workflowPath, tagPush);
      expect(keyInLog(first.log)).toBe(false); // not toContain: its failure would print the key
      expect(first.exitCode).toBe(0);
      expect(first.log).toMatch(/Job succeeded/);
      expect(first.probe.node).toBe(await expectedNode());
      expect(first.probe.result).toBe('pushed');
      expect(first.probe.shaRef).toBe(`${bed.registry}/${name}:${sha}`);
      expect(first.probe.key).toBe('***');
      expect(first.builds).toHaveLength(1);
      const version = await inspect(`${bed.registry}/${name}:v1.0.0`);
      expect(version?.Digest).toBe(first.probe.digest);
      expect((await inspect(`${bed.registry}/${name}:${sha}`))?.Digest).toBe(first.probe.digest);
      expect(version?.Labels['org.opencontainers.image.revision']).toBe(sha);
      // The post step ran, removed the run's folder, and left RUNNER_TEMP empty.
      expect(first.log).toMatch(/Post \.\/\.github\/actions\/build-push-image/);
      expect(first.log).toMatch(/\| Removed \S+\/tmp\/build-push-image-\S+ \(credentials of this run\)\./);
      expect(first.probe.temp).toBe('');

      const log = await accessLogMark(bed);
      const rerun = await act(work, repo, 'push', workflowPath, tagPush);
      expect(rerun.exitCode).toBe(0);
      expect(rerun.probe.result).toBe('already-published');
      expect(rerun.probe.digest).toBe(first.probe.digest);
      expect(rerun.builds).toEqual([]);
      expect(writesTo(await log(), name)).toEqual([]);

      const pullRequest = await act(work, repo, 'pull_request', workflowPath, {
        runsOn: 'ubuntu-latest',
        eventJson: { number: 7, pull_request: { number: 7 } },
      });
      expect(pullRequest.exitCode).toBe(0);
      expect(pullRequest.probe.result).toBe('built');
      expect(pullRequest.builds).toHaveLength(1);
      expect(await inspect(`${bed.registry}/${name}:pr-7`)).toBeUndefined();
      expect(writesTo(await log(), name)).toEqual([]);
      expect(keyInLog(rerun.log + pullRequest.log)).toBe(false);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('Forgejo examples: a tag push publishes; a dispatch of the same commit converges without a build', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-act-'));
    try {
      const container = `hello${randomBytes(4).toString('hex')}`;
      const tagWorkflow = '.forgejo/workflows/build-image.yaml';
      const dispatchWorkflow = '.forgejo/workflows/build-image-manual.yaml';
      const { repo, sha } = await scratchRepository(
        work,
        { [tagWorkflow]: 'forgejo-tag.yaml', [dispatchWorkflow]: 'forgejo-dispatch.yaml' },
        `containers/${container}`,
      );
      const tag = await act(work, repo, 'push', tagWorkflow, {
        runsOn: 'docker',
        eventJson: { ref: `refs/tags/${container}-v1.2.0` },
      });
      expect(keyInLog(tag.log)).toBe(false);
      expect(tag.exitCode).toBe(0);
      expect(tag.probe.result).toBe('pushed');
      expect(tag.probe.shaRef).toBe(`${bed.registry}/blumeops/${container}:${sha}`);
      expect((await inspect(`${bed.registry}/blumeops/${container}:v1.2.0`))?.Digest).toBe(tag.probe.digest);
      expect(tag.probe.temp).toBe('');

      // The manual workflow of the same repository, dispatched from the UI for the same commit.
      const log = await accessLogMark(bed);
      const dispatch = await act(work, repo, 'workflow_dispatch', dispatchWorkflow, {
        runsOn: 'docker',
        inputs: { container, version: 'v1.2.0' },
      });
      expect(keyInLog(dispatch.log)).toBe(false);
      expect(dispatch.exitCode).toBe(0);
      expect(dispatch.probe.result).toBe('already-published');
      expect(dispatch.probe.digest).toBe(tag.probe.digest);
      expect(dispatch.builds).toEqual([]);
      expect(writesTo(await log(), `blumeops/${container}`)).toEqual([]);
      expect(dispatch.probe.temp).toBe('');
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('Forgejo containers example: a push to main builds what changed, the version from the Dockerfile; a dispatch of that commit converges', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-act-'));
    try {
      const container = `app${randomBytes(4).toString('hex')}`;
      const workflowPath = '.forgejo/workflows/build-container.yaml';
      const { repo, sha } = await scratchRepository(
        work,
        { [workflowPath]: 'forgejo-containers.yaml' },
        `containers/${container}`,
        undefined,
        'FROM scratch\nARG CONTAINER_APP_VERSION=1.2.3\nCOPY payload /payload\n',
      );
      const push = await act(work, repo, 'push', workflowPath, {
        runsOn: 'k8s',
        eventJson: { ref: 'refs/heads/main' },
      });
      expect(keyInLog(push.log)).toBe(false);
      expect(push.exitCode).toBe(0);
      expect(push.log).toContain(`containers to build: ["${container}"]`);
      expect(push.probe.result).toBe('pushed');
      expect(push.builds).toHaveLength(1);
      // The one tag `v1.2.3-<sha7>`, and no tag of the full commit (`commit_tag: false`).
      expect(push.probe.versionRef).toBe(`${bed.registry}/blumeops/${container}:v1.2.3-${sha.slice(0, 7)}`);
      expect(await inspect(`${bed.registry}/blumeops/${container}:${sha}`)).toBeUndefined();
      const image = await inspect(push.probe.versionRef!);
      expect(image?.Digest).toBe(push.probe.digest);
      expect(image?.Labels['org.opencontainers.image.revision']).toBe(sha);

      // The same container dispatched from the UI, `ref` empty: the same commit, nothing to write.
      const log = await accessLogMark(bed);
      const dispatch = await act(work, repo, 'workflow_dispatch', workflowPath, {
        runsOn: 'k8s',
        inputs: { container },
      });
      expect(keyInLog(dispatch.log)).toBe(false);
      expect(dispatch.exitCode).toBe(0);
      expect(dispatch.probe.result).toBe('already-published');
      expect(dispatch.probe.digest).toBe(push.probe.digest);
      expect(dispatch.builds).toEqual([]);
      expect(writesTo(await log(), `blumeops/${container}`)).toEqual([]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
