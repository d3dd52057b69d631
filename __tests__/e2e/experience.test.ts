// What users of the best build actions expect: a job summary, a warning before the key
// expires, and skopeo brought through the tool cache when the runner has none.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFaultRegistry } from './fault-registry.js';
import { builds, errors, pushInputs, randomSha, runAction, testbed, uniqueName } from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();

const warnings = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('::warning::'));

describe('the job summary', () => {
  test('a push: references, digest, result, commit and the time of each phase', async () => {
    const name = uniqueName('summary');
    const sha = randomSha();
    const run = await runAction({ inputs: pushInputs(bed, name), sha });
    expect(run.outputs.result).toBe('pushed');
    expect(run.summary).toContain(`### ${bed.registry}/${name}:v1.0.0: pushed`);
    expect(run.summary).toContain(`| Version | \`${bed.registry}/${name}:v1.0.0\` |`);
    expect(run.summary).toContain(`| Commit | \`${bed.registry}/${name}:${sha}\` |`);
    expect(run.summary).toContain(`| Digest | \`${run.outputs.digest}\` |`);
    for (const phase of ['Check the registry', 'Build', 'Push the commit tag', 'Push the version tag'])
      expect(run.summary).toMatch(new RegExp(`\\| ${phase} \\| \\d+\\.\\d s \\|`));
  });

  test('a refusal gets its own short summary: why, and what to do', async () => {
    const name = uniqueName('summary');
    await runAction({ inputs: pushInputs(bed, name), sha: randomSha() });
    const refused = await runAction({ inputs: pushInputs(bed, name), sha: randomSha() });
    expect(refused.exitCode).toBe(1);
    expect(refused.summary).toContain(`### ${bed.registry}/${name}:v1.0.0: not published`);
    expect(refused.summary).toContain('already exists');
    expect(refused.summary).toContain('bump `version`');
    expect(refused.summary).not.toContain('| Build |');
  });
});

describe('the key-expiry warning', () => {
  const soon = bed.apiKeys.find((key) => key.label === 'ci-expiring-soon')!;

  test('names the soonest-expiring valid key and its date', async () => {
    const run = await runAction({ inputs: pushInputs(bed, uniqueName('expiry')), sha: randomSha() });
    expect(errors(run)).toEqual([]);
    const [warning, ...more] = warnings(run.stdout);
    expect(more).toEqual([]);
    expect(warning).toContain(
      `::warning::The API key "ci-expiring-soon" expires on ${soon.expirationDate.slice(0, 10)}`,
    );
    expect(warning).toMatch(/\(in \d days?\)\. Create a new key in zot/);
  });

  test('stays quiet when the threshold is shorter than the time left', async () => {
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName('expiry'), { key_expiry_warning_days: '1' }),
      sha: randomSha(),
    });
    expect(errors(run)).toEqual([]);
    expect(warnings(run.stdout)).toEqual([]);
  });

  test.each([404, 500])('a registry that answers %i for the key list never fails the run', async (status) => {
    const registry = await startFaultRegistry(bed.registry, ({ path }) =>
      path === '/zot/auth/apikey' ? { status } : 'pass',
    );
    try {
      const run = await runAction({
        inputs: pushInputs(bed, uniqueName('expiry'), { registry: registry.address }),
        sha: randomSha(),
      });
      expect(errors(run)).toEqual([]);
      expect(run.outputs.result).toBe('pushed');
      expect(warnings(run.stdout)).toEqual([]);
      expect(run.stdout).toContain('skipping the expiry check');
    } finally {
      await registry.close();
    }
  });
});

describe("zot's release", () => {
  // The test bed's key list holds a key that expires soon: its warning is not the one looked at.
  const quietKey = { key_expiry_warning_days: '1' };
  const mgmt = (releaseTag: string) =>
    startFaultRegistry(bed.registry, ({ path }) =>
      path === '/v2/_zot/ext/mgmt'
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ distSpecVersion: '1.1.1', releaseTag, binaryType: '-search-mgmt' }),
          }
        : 'pass',
    );

  test.each([
    [
      'v2.1.14',
      'lets an identity with `create` alone overwrite the tag `latest` (CVE-2026-31801, fixed in v2.1.15)',
    ],
    [
      'v2.1.17',
      'lets an identity with `create` alone move a tag that exists by a manifest PUT by digest with `?tag=` (fixed in v2.1.19)',
    ],
  ])(
    '%s: one warning that a create-only policy has a hole there, and the run goes on',
    async (release, hole) => {
      const registry = await mgmt(release);
      try {
        const run = await runAction({
          inputs: pushInputs(bed, uniqueName('zot-release'), { registry: registry.address, ...quietKey }),
          sha: randomSha(),
        });
        expect(errors(run)).toEqual([]);
        expect(run.outputs.result).toBe('pushed');
        expect(warnings(run.stdout)).toEqual([
          `::warning::zot "${release}" ${hole}: a create-only policy does not keep published tags from being overwritten there. Upgrade zot.`,
        ]);
      } finally {
        await registry.close();
      }
    },
  );

  test('v2.1.20: no warning, the release noted; a release holding a workflow command stays one quoted line', async () => {
    const registry = await mgmt('v2.1.20');
    try {
      const run = await runAction({
        inputs: pushInputs(bed, uniqueName('zot-release'), { registry: registry.address, ...quietKey }),
        sha: randomSha(),
      });
      expect(warnings(run.stdout)).toEqual([]);
      expect(run.stdout).toContain('zot "v2.1.20".');
    } finally {
      await registry.close();
    }
    const hostile = await mgmt('v2.1.0\n::error::planted');
    try {
      const run = await runAction({
        inputs: pushInputs(bed, uniqueName('zot-release'), { registry: hostile.address, ...quietKey }),
        sha: randomSha(),
      });
      expect(errors(run)).toEqual([]);
      expect(run.stdout.split('\n').filter((line) => line.startsWith('::error::'))).toEqual([]);
    } finally {
      await hostile.close();
    }
  });
});

describe('skopeo through the tool cache', () => {
  let server: http.Server;
  let base = '';
  const requests: string[] = [];
  const files = new Map<string, Buffer>();
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

  beforeAll(async () => {
    const skopeo = fs.readFileSync(execFileSync('sh', ['-c', 'command -v skopeo']).toString().trim());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-skopeo-archive-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin/skopeo'), skopeo, { mode: 0o755 });
    execFileSync('tar', ['-czf', path.join(dir, 'skopeo.tar.gz'), '-C', dir, 'bin']);
    files.set('/skopeo-linux-amd64.tar.gz', fs.readFileSync(path.join(dir, 'skopeo.tar.gz')));
    files.set('/skopeo', skopeo);
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404);
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test.each(['/skopeo-linux-amd64.tar.gz', '/skopeo'])(
    'downloads %s once, checks it, caches it; a second run on the runner uses the cache',
    async (file) => {
      const toolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-tool-cache-'));
      const download = { skopeo_download_url: `${base}${file}`, skopeo_sha256: sha256(files.get(file)!) };
      const before = requests.length;
      const first = await runAction({
        inputs: pushInputs(bed, uniqueName('toolcache'), download),
        sha: randomSha(),
        withoutSkopeo: true,
        env: { RUNNER_TOOL_CACHE: toolCache },
      });
      expect(errors(first)).toEqual([]);
      expect(first.outputs.result).toBe('pushed');
      expect(requests.slice(before)).toEqual([file]);
      expect(first.stdout).toContain(`[command]skopeo copy`);

      const second = await runAction({
        inputs: pushInputs(bed, uniqueName('toolcache'), download),
        sha: randomSha(),
        withoutSkopeo: true,
        env: { RUNNER_TOOL_CACHE: toolCache },
      });
      expect(errors(second)).toEqual([]);
      expect(second.outputs.result).toBe('pushed');
      expect(requests.slice(before)).toEqual([file]);
      expect(second.stdout).toContain('skopeo from the tool cache');
    },
  );

  test('a cached download that changed after it was cached is not run: the run says so and downloads it again', async () => {
    const toolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-tool-cache-'));
    const download = { skopeo_download_url: `${base}/skopeo`, skopeo_sha256: sha256(files.get('/skopeo')!) };
    const before = requests.length;
    const run = () =>
      runAction({
        inputs: pushInputs(bed, uniqueName('toolcache'), download),
        sha: randomSha(),
        withoutSkopeo: true,
        env: { RUNNER_TOOL_CACHE: toolCache },
      });
    expect((await run()).outputs.result).toBe('pushed');
    const [cached] = execFileSync('find', [toolCache, '-type', 'f', '-name', 'skopeo'])
      .toString()
      .split('\n');
    const marker = path.join(os.tmpdir(), `bpi-tampered-${randomSha().slice(0, 8)}`);
    fs.writeFileSync(cached, `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
    const second = await run();
    expect(errors(second)).toEqual([]);
    expect(second.outputs.result).toBe('pushed');
    expect(second.stdout).toMatch(
      /^::warning::The tool cache's \S+ has SHA-256 [0-9a-f]{64}, not [0-9a-f]{64} \(`skopeo_sha256`\): it changed after it was cached\./m,
    );
    expect(fs.existsSync(marker)).toBe(false);
    expect(requests.slice(before)).toEqual(['/skopeo', '/skopeo']);
    expect(sha256(fs.readFileSync(cached))).toBe(download.skopeo_sha256);
  });

  test('a checksum mismatch is refused before skopeo runs or anything is built', async () => {
    const toolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-tool-cache-'));
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName('toolcache'), {
        skopeo_download_url: `${base}/skopeo`,
        skopeo_sha256: 'f'.repeat(64),
      }),
      sha: randomSha(),
      withoutSkopeo: true,
      env: { RUNNER_TOOL_CACHE: toolCache },
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(
      new RegExp(`has SHA-256 ${sha256(files.get('/skopeo')!)}, not f{64}.*refusing to run it`),
    );
    expect(builds(run)).toEqual([]);
    expect(fs.readdirSync(toolCache)).toEqual([]);
  });

  test('without skopeo and without a download, the run fails early saying how to install it', async () => {
    const run = await runAction({
      inputs: pushInputs(bed, uniqueName('toolcache')),
      sha: randomSha(),
      withoutSkopeo: true,
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toMatch(
      /lacks skopeo, needed to push the image.*apt-get install skopeo.*skopeo_download_url/,
    );
    expect(builds(run)).toEqual([]);
  });
});
