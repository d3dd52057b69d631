// The registry hardening plan's verification checklist, one test an item, against the test bed:
// what a user checks on their zot after setting it up (anonymous read, authenticated create, no
// overwrite), as independent clients see it. The registry is the bed's zot-like front: zot
// itself is not served by the Go module proxy this machine reaches (docs/development.md). Two
// items of the plan need a real zot and are not here: an API key made through
// `POST /zot/auth/apikey`, and zot's metrics endpoint. OIDC login needs an identity provider;
// the action needs nothing of it, since it signs in with the API key (docs/zot-access.md).
import { describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  errors,
  makeContext,
  pushInputs,
  pushTagDirectly,
  randomSha,
  runAction,
  testbed,
  uniqueName,
} from './harness.js';

const execFileAsync = promisify(execFile);
jest.setTimeout(240_000);
const bed = testbed();
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** One image published by the action, shared by the read checks. */
let published: { name: string; sha: string; digest: string } | undefined;
async function publishedImage(): Promise<{ name: string; sha: string; digest: string }> {
  if (!published) {
    const name = uniqueName('checklist');
    const sha = randomSha();
    const run = await runAction({ inputs: pushInputs(bed, name), sha });
    if (run.outputs.result !== 'pushed') throw new Error(`the action did not publish:\n${run.stdout}`);
    published = { name, sha, digest: run.outputs.digest };
  }
  return published;
}

describe('the verification checklist', () => {
  test('anonymous pull with curl: the manifest and every blob, no credentials', async () => {
    const { name, digest } = await publishedImage();
    const curl = async (url: string, accept = '*/*') =>
      (await execFileAsync('curl', ['-fsS', '-D', '-', '-H', `Accept: ${accept}`, url])).stdout;
    const manifest = await curl(`http://${bed.registry}/v2/${name}/manifests/v1.0.0`, MANIFEST_TYPES);
    expect(manifest).toMatch(/^HTTP\/1\.1 200 /);
    expect(manifest).toMatch(new RegExp(`^docker-content-digest: ${digest}\r$`, 'im'));
    const body = JSON.parse(manifest.slice(manifest.indexOf('\r\n\r\n') + 4)) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    for (const blob of [body.config, ...body.layers]) {
      const answer = await curl(`http://${bed.registry}/v2/${name}/blobs/${blob.digest}`);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    }
  });

  test('anonymous pull with skopeo: copied to a directory with no credentials', async () => {
    const { name } = await publishedImage();
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-checklist-'));
    try {
      await execFileAsync('skopeo', [
        'copy',
        '--src-no-creds',
        '--src-tls-verify=false',
        `docker://${bed.registry}/${name}:v1.0.0`,
        `dir:${target}`,
      ]);
      expect(fs.readdirSync(target)).toContain('manifest.json');
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });

  test("anonymous pull with containerd: ctr pulls into a namespace of its own on the sidecar's containerd", async () => {
    const { name, digest } = await publishedImage();
    const ctr = [
      path.join(bed.dir, 'trixie/usr/bin/ctr'),
      '--address',
      path.join(bed.dir, 'engine-containerd/exec/containerd/containerd.sock'),
      '--namespace',
      'checklist',
    ];
    const reference = `${bed.registry}/${name}:v1.0.0`;
    await execFileAsync(ctr[0], [...ctr.slice(1), 'images', 'pull', '--plain-http', reference]);
    try {
      const { stdout } = await execFileAsync(ctr[0], [...ctr.slice(1), 'images', 'ls', '-q']);
      expect(stdout.split('\n')).toContain(reference);
      const listed = await execFileAsync(ctr[0], [...ctr.slice(1), 'images', 'ls']);
      expect(listed.stdout).toContain(digest);
    } finally {
      await execFileAsync(ctr[0], [...ctr.slice(1), 'images', 'rm', reference]);
    }
  });

  test('an unauthenticated push is refused with 401, by the registry and to skopeo', async () => {
    const name = uniqueName('checklist');
    const upload = await fetch(`http://${bed.registry}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    expect(upload.status).toBe(401);
    const manifest = await fetch(`http://${bed.registry}/v2/${name}/manifests/v1.0.0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: '{}',
    });
    expect(manifest.status).toBe(401);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-checklist-'));
    try {
      const refused = await execFileAsync('skopeo', [
        'copy',
        '--dest-no-creds',
        '--dest-tls-verify=false',
        `oci:${emptyImageLayout(work)}`,
        `docker://${bed.registry}/${name}:v1.0.0`,
      ]).then(
        () => '',
        (error: { stderr?: string }) => String(error.stderr),
      );
      expect(refused).toMatch(/authentication required|401|unauthorized/i);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('pushing with the API key: both tags created, and the key-expiry warning from the key list', async () => {
    const name = uniqueName('checklist');
    const run = await runAction({ inputs: pushInputs(bed, name), sha: randomSha() });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    const soon = bed.apiKeys.find((key) => key.label === 'ci-expiring-soon');
    expect(soon).toBeDefined();
    expect(run.stdout).toMatch(
      /^::warning::The API key "ci-expiring-soon" expires on \d{4}-\d\d-\d\d \(in 3 days\)\./m,
    );
  });

  test('a duplicate version tag is refused; a new commit tag is accepted (create without update)', async () => {
    const name = uniqueName('checklist');
    const door = bed.createOnlyRegistry;
    const sha = randomSha();
    await pushTagDirectly(bed, door, `${name}:v1.0.0`, sha);
    // The registry itself refuses to overwrite the tag for the create-only identity.
    const overwrite = await pushTagDirectly(bed, door, `${name}:v1.0.0`, sha).then(
      () => 'written',
      (error: { stderr?: string }) => String(error.stderr),
    );
    expect(overwrite).toMatch(/denied|403/i);
    // A new tag (another commit's) is created.
    const other = randomSha();
    expect(await pushTagDirectly(bed, door, `${name}:${other}`, other)).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The action refuses the taken version before building.
    const run = await runAction({
      inputs: pushInputs(bed, name, { registry: door, context: makeContext() }),
      sha: other,
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run).join('\n')).toMatch(/v1\.0\.0/);
    expect(run.dockerCalls.filter((call) => call.startsWith('buildx build'))).toEqual([]);
  });
});

/** An image with no layers, as an OCI layout written by hand (no engine needed). */
function emptyImageLayout(work: string): string {
  const layout = path.join(work, 'layout');
  const blobs = path.join(layout, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const write = (text: string) => {
    const digest = createHash('sha256').update(text).digest('hex');
    fs.writeFileSync(path.join(blobs, digest), text);
    return { digest: `sha256:${digest}`, size: Buffer.byteLength(text) };
  };
  const config = write(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const manifest = write(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [],
    }),
  );
  fs.writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }],
    }),
  );
  return layout;
}
