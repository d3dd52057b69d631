// Registry and runner faults: every failure stops before anything is pushed on a guess, says
// what happened and what to do, and a run that failed half-way can be completed by the next.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { closedPort, startFaultRegistry, type Fault, type FaultRegistry } from './fault-registry.js';
import {
  builds,
  engine,
  handOverOf,
  errors,
  inspect,
  makeContext,
  randomSha,
  runAction,
  testbed,
  uniqueName,
  pushInputs,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
let registry: FaultRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

const writes = (requests: string[]) => requests.filter((line) => /^(PUT|POST|PATCH|DELETE) /.test(line));

describe('the registry cannot answer: the action stops, nothing is built or pushed', () => {
  test('connection refused', async () => {
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: await closedPort() }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toMatch(/ECONNREFUSED.*after 4 attempts\. Nothing was pushed/);
    expect(builds(run)).toEqual([]);
  });

  test('a 5xx on the tag check fails closed', async () => {
    const fault: Fault = ({ path }) =>
      path.includes('/manifests/')
        ? { status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}' }
        : 'pass';
    registry = await startFaultRegistry(bed.registry, fault);
    const name = uniqueName();
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(
      /Could not read the manifest .*HTTP 503: UNAVAILABLE down for maintenance after 4 attempts\. Nothing was pushed/,
    );
    expect(builds(run)).toEqual([]);
    expect(writes(registry.requests)).toEqual([]);
    expect(run.stdout).toMatch(/retrying in 1s[\s\S]*retrying in 2s[\s\S]*retrying in 4s/);
  });

  test('a registry that accepts the connection and never answers times out', async () => {
    registry = await startFaultRegistry(bed.registry, () => 'hang');
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: registry.address }),
      sha: randomSha(),
      env: { BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: '1' },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(
      /Could not reach the registry .*no complete answer within 1s after 4 attempts/,
    );
    expect(builds(run)).toEqual([]);
  });

  test.each([
    [
      'trickles a byte a second',
      { stream: 'trickle' } as const,
      /no complete answer within 2s after 4 attempts/,
    ],
    ['sends an endless body', { stream: 'flood' } as const, /answer is larger than 4 MiB/],
    [
      'sends a 100 MB manifest',
      { status: 200, body: ' '.repeat(100 * 1024 * 1024) },
      /answer is larger than 4 MiB/,
    ],
  ])('a manifest that %s ends the run within its bound, with nothing built', async (_, answer, message) => {
    registry = await startFaultRegistry(bed.registry, ({ method, path }) =>
      method === 'GET' && path.includes('/manifests/') ? answer : 'pass',
    );
    const started = Date.now();
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: registry.address }),
      sha: randomSha(),
      env: { BUILD_PUSH_IMAGE_TIMEOUT_SECONDS: '2' },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(message);
    expect(builds(run)).toEqual([]);
    // The stated worst case: 4 attempts of 2 s each and waits of 1 + 2 + 4 s, per lookup; the two
    // lookups run at once. A count of seconds, asserted loosely: the bound, not a timing.
    expect(Date.now() - started).toBeLessThan((4 * 2 + 7) * 1000 + 10_000);
  });

  test('a registry whose HEAD and GET disagree is named as such, not taken for another run', async () => {
    const phantom = `sha256:${'e'.repeat(64)}`;
    registry = await startFaultRegistry(bed.registry, ({ method, path }) =>
      method === 'HEAD' && path.endsWith('/manifests/v1.0.0')
        ? { status: 200, headers: { 'docker-content-digest': phantom } }
        : 'pass',
    );
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: registry.address }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toMatch(
      /The registry contradicts itself: a HEAD of .*:v1.0.0 answers 200 \(sha256:e+\) but a GET finds no such manifest/,
    );
    expect(errors(run)[0]).not.toContain('pushed by another run');
  });

  test('registry text cannot issue workflow commands through the log', async () => {
    const message = 'busy\n::set-output name=digest::sha256:evil\n  ::warning::pwned';
    registry = await startFaultRegistry(bed.registry, ({ method, path, seen }) =>
      method === 'GET' && path.includes('/manifests/') && seen === 0
        ? { status: 503, body: JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message }] }) }
        : 'pass',
    );
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: registry.address }),
      sha: randomSha(),
    });
    expect(errors(run)).toEqual([]);
    expect(run.stdout).toContain('retrying in');
    const commands = run.stdout.split('\n').filter((line) => /^\s*::(set-output|warning::pwned)/.test(line));
    expect(commands).toEqual([]);
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('a certificate that is not trusted fails clearly and is never downgraded to http', async () => {
    registry = await startFaultRegistry(bed.registry, () => 'pass', { tls: true });
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: registry.address, insecure_registry: 'false' }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(/TLS with the registry .* failed .*insecure_registry: true/);
    expect(registry.requests).toEqual([]);
    expect(builds(run)).toEqual([]);
  });
});

describe('transient faults are ridden out', () => {
  test('429 with Retry-After is honoured, then the push goes through', async () => {
    const fault: Fault = ({ method, path, seen }) =>
      method === 'HEAD' && path.endsWith('/manifests/v1.0.0') && seen < 2
        ? { status: 429, headers: { 'retry-after': '1' } }
        : 'pass';
    registry = await startFaultRegistry(bed.registry, fault);
    const name = uniqueName();
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address }),
      sha: randomSha(),
    });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(registry.requests.filter((line) => line.endsWith('/manifests/v1.0.0 429'))).toHaveLength(2);
    expect(run.stdout.match(/HTTP 429; retrying in 1s/g)).toHaveLength(2);
  });

  test('a 500 on the version tag write is tried again, and the run succeeds', async () => {
    const fault: Fault = ({ method, path, seen }) =>
      method === 'PUT' && path.endsWith('/manifests/v1.0.0') && seen === 0
        ? { status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"try later"}]}' }
        : 'pass';
    registry = await startFaultRegistry(bed.registry, fault);
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { registry: registry.address }),
      sha: randomSha(),
    });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    expect(
      registry.requests.filter((line) => line.includes('/manifests/v1.0.0') && line.startsWith('PUT ')),
    ).toEqual([expect.stringMatching(/ 500$/), expect.stringMatching(/ 201$/)]);
  });

  test('an insecure registry over TLS with a self-signed certificate works without verification', async () => {
    registry = await startFaultRegistry(bed.registry, () => 'pass', { tls: true });
    const name = uniqueName();
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address }),
      sha: randomSha(),
    });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
  });
});

describe('skopeo failing half-way', () => {
  test('shows its exit code and error, claims no success, and the next run completes the push', async () => {
    const fault: Fault = ({ method, path }) =>
      method === 'PUT' && path.endsWith('/manifests/v1.0.0')
        ? { status: 500, body: '{"errors":[{"code":"UNKNOWN","message":"disk full"}]}' }
        : 'pass';
    registry = await startFaultRegistry(bed.registry, fault);
    const name = uniqueName();
    const sha = randomSha();
    const context = makeContext();
    const failed = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address, context }),
      sha,
    });
    expect(failed.exitCode).toBe(1);
    expect(errors(failed)[0]).toMatch(/`skopeo copy` failed with exit code 1/);
    expect(errors(failed)[0]).toMatch(/500|disk full|Internal Server Error/);
    expect(failed.outputs.result).toBeUndefined();
    const commit = await inspect(`${bed.registry}/${name}:${sha}`);
    expect(failed.outputs.digest).toBe(commit?.Digest);
    expect(await inspect(`${bed.registry}/${name}:v1.0.0`)).toBeUndefined();

    const next = await runAction({ inputs: pushInputs(bed, name, { context }), sha });
    expect(errors(next)).toEqual([]);
    expect(next.outputs.result).toBe('completed');
    expect(builds(next)).toEqual([]);
    expect((await inspect(`${bed.registry}/${name}:v1.0.0`))?.Digest).toBe(commit?.Digest);
  });
});

describe('the hand-over from the build to skopeo', () => {
  const handOverFiles = (files: string[]) => files.filter((file) => /oci-layout|image\.tar/.test(file));

  test('is deleted when the push of the commit tag fails, before the post step', async () => {
    const fault: Fault = ({ method, path }) =>
      method === 'PUT' && /\/manifests\/[0-9a-f]{40}$/.test(path)
        ? { status: 400, body: '{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}' }
        : 'pass';
    registry = await startFaultRegistry(bed.registry, fault);
    const name = uniqueName();
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: registry.address }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(/`skopeo copy` failed/);
    expect(builds(run)).toHaveLength(1);
    expect(run.leftByMain.length).toBeGreaterThan(0); // the run's folder is there for the post step
    expect(handOverFiles(run.leftByMain)).toEqual([]);
    expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
  });

  // skopeo streams the engine's image without spooling it (engine-daemon): nothing lands in
  // RUNNER_TEMP then, and the run goes through; the other hand-overs write there first.
  test(`a full disk under RUNNER_TEMP is named as such, and nothing is pushed (${handOverOf(engine)})`, async () => {
    const small = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', small]);
    try {
      const name = uniqueName();
      const sha = randomSha();
      const run = await runAction({
        inputs: pushInputs(bed, name, { context: makeContext(undefined, 4 * 1024 * 1024) }),
        sha,
        env: { RUNNER_TEMP: small },
      });
      if (handOverOf(engine) === 'engine-daemon') {
        expect(errors(run)).toEqual([]);
        expect(run.outputs.result).toBe('pushed');
      } else {
        expect(run.exitCode).toBe(1);
        expect(errors(run)).toHaveLength(1);
        expect(errors(run)[0]).toMatch(
          /ran out of disk space \(no space left on device\).*RUNNER_TEMP.*Nothing was pushed/,
        );
        expect(await inspect(`${bed.registry}/${name}:${sha}`)).toBeUndefined();
        expect(await inspect(`${bed.registry}/${name}:v1.0.0`)).toBeUndefined();
      }
      expect(fs.readdirSync(small)).toEqual([]);
    } finally {
      execFileSync('umount', [small]);
      fs.rmdirSync(small);
    }
  });
});

describe('a cancelled step', () => {
  /** Processes whose command line names `marker` (the build's context folder), with their argv. */
  function processesNaming(marker: string): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)))
      try {
        const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
        if (argv.includes(marker)) found.push(`${pid}: ${argv}`);
      } catch {
        // ended between the listing and the read
      }
    return found;
  }

  /** Runs a step whose build sleeps; once the build runs, the runner sends `signal` to the main step. */
  async function cancelled(signal: NodeJS.Signals) {
    const context = makeContext('FROM build-push-image-test/busybox:local\nRUN sleep 60\n');
    let main = 0;
    let signalled = false;
    let afterMain: string[] = [];
    const watcher = setInterval(() => {
      // The build itself, not the `sh -c` that records it and then becomes it: a signal sent
      // between the two (a window of microseconds) would find no record yet.
      const building = processesNaming(context).some(
        (line) => line.includes('buildx build') && !line.includes('/bin/sh -c'),
      );
      if (main && !signalled && building) {
        signalled = true;
        process.kill(main, signal);
      }
    }, 50);
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName(), { context, network: 'none' }),
      sha: randomSha(),
      onStart: (pid) => (main = pid),
      betweenSteps: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        afterMain = processesNaming(context);
      },
    }).finally(() => clearInterval(watcher));
    expect(signalled).toBe(true);
    expect(run.exitCode).not.toBe(0);
    return { run, afterMain };
  }

  test.each(['SIGTERM', 'SIGINT'] as const)(
    'by %s ends its children itself: none runs 1 s after the step',
    async (signal) => {
      const { run, afterMain } = await cancelled(signal);
      expect(afterMain).toEqual([]);
      expect(run.post.exitCode).toBe(0);
      expect(fs.readdirSync(run.runnerTemp)).toEqual([]);
    },
  );
});

describe('the runner lacks a part', () => {
  function pathWith(tools: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-path-'));
    for (const [name, script] of Object.entries(tools))
      fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return dir;
  }
  const realDocker = `exec ${execFileSync('sh', ['-c', 'command -v docker']).toString().trim()} "$@"`;

  test('the Docker engine is not running: named at the build, nothing pushed', async () => {
    const name = uniqueName();
    const sha = randomSha();
    const run = await runAction({
      inputs: pushInputs(bed, name),
      sha,
      env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toMatch(
      /The Docker engine is not reachable at DOCKER_HOST=unix:\/\/\/nonexistent\/docker.sock.*Nothing was pushed/,
    );
    expect(await inspect(`${bed.registry}/${name}:${sha}`)).toBeUndefined();
    expect(await inspect(`${bed.registry}/${name}:v1.0.0`)).toBeUndefined();
  });

  // What Docker 28's CLI says to `docker buildx build --file …` when the plugin is not there.
  test('the buildx plugin is missing', async () => {
    const dir = pathWith({
      docker: `if [ "$1" = buildx ]; then echo "unknown flag: --file" >&2; exit 125; fi\n${realDocker}`,
    });
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName()),
      sha: randomSha(),
      env: { PATH: `${dir}:${process.env.PATH}` },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toHaveLength(1);
    expect(errors(run)[0]).toMatch(/lacks the docker buildx plugin.*apt-get install docker-buildx/);
    expect(builds(run)).toEqual([]);
  });
});
