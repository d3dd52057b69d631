// An image under the version tag with no revision label, compared with what the run builds: the
// same content is already published, other content is refused; the build is discarded either way.
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HandOver } from '../../../src/build/hand-over.js';
import { matchUnlabelled } from '../../../src/core/unlabelled.js';
import { digestOf } from '../../../src/image/digest.js';
import { tagsOf } from '../../../src/image/tags.js';
import { Result } from '../../../src/names.js';
import type { Writer } from '../../../src/publication/context.js';
import { UnlabelledVersion } from '../../../src/publication/refusals.js';
import type { RegistryClient } from '../../../src/registry/client.js';

const tags = tagsOf('r.example', 'team/app', 'v1.2.3', 'a'.repeat(40));
const LAYER = 'sha256:' + '1'.repeat(64);
const configOf = (labels: Record<string, string>, layer = LAYER) => ({
  architecture: 'amd64',
  os: 'linux',
  created: new Date().toISOString(),
  config: { Cmd: ['/hello'], Labels: labels },
  rootfs: { type: 'layers', diff_ids: [layer] },
});

/** An OCI layout of one image with `config`, in the run's folder as the writer stages it. */
function stagedLayout(runDirectory: string, config: object): string {
  const layout = path.join(runDirectory, 'staged');
  const blobs = path.join(layout, 'blobs', 'sha256');
  fs.mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer) => {
    fs.writeFileSync(path.join(blobs, digestOf(bytes).slice(7)), bytes);
    return digestOf(bytes);
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      config: { digest: put(configBytes), size: configBytes.length },
      layers: [],
    }),
  );
  const top = put(manifest);
  fs.writeFileSync(
    path.join(layout, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ digest: top }] }),
  );
  return top;
}

function setUp(held: object, built: object) {
  const runDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-unlabelled-'));
  const log: string[] = [];
  const heldConfig = Buffer.from(JSON.stringify(held));
  const HELD = 'sha256:' + '9'.repeat(64);
  const client = {
    manifest: async () => ({ json: { config: { digest: digestOf(heldConfig) } } }),
    config: async () => JSON.parse(heldConfig.toString()) as Record<string, unknown>,
  } as unknown as RegistryClient;
  const writer = {
    prepare: async () => void log.push('prepare'),
    build: async () => {
      log.push('build');
      return { kind: 'oci-layout', reference: 'oci:x', options: [], files: [] } as HandOver;
    },
    stage: async () => {
      const digest = stagedLayout(runDirectory, built);
      return {
        source: { reference: 'oci:staged', options: [] },
        digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 500,
        platforms: [],
        files: [],
      };
    },
    discard: async () => void log.push('discard'),
  } as unknown as Writer;
  const refused = new UnlabelledVersion(
    'r.example/team/app:v1.2.3 already exists (…) and carries no label.',
    HELD,
  );
  return { run: () => matchUnlabelled(refused, { tags, client, writer, runDirectory }), log, HELD };
}

describe('an unlabelled version tag compared with the build', () => {
  test('the same content (labels and times aside): already published, nothing written, the build discarded', async () => {
    const { run, log, HELD } = setUp(
      configOf({}),
      configOf({ 'org.opencontainers.image.revision': tags.sha }),
    );
    await expect(run()).resolves.toMatchObject({ result: Result.AlreadyPublished, digest: HELD });
    expect(log).toEqual(['prepare', 'build', 'discard']);
  });

  test('other layers: the refusal stands, saying the content differs too; the build discarded', async () => {
    const { run, log } = setUp(configOf({}), configOf({}, 'sha256:' + '2'.repeat(64)));
    await expect(run()).rejects.toThrow(
      'carries no label. It is not this build either: its content (layers, platform, configuration) differs from what this run built.',
    );
    expect(log).toEqual(['prepare', 'build', 'discard']);
  });
});
