import { describe, expect, test } from '@jest/globals';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../../src/errors.js';
import { readLayout } from '../../../src/skopeo/stage.js';

// A staged layout, as the signing before the push reads it: the digest, and what a referrer
// names as its subject (the manifest's media type and size), before the registry holds it.

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function layoutOf(top: Record<string, unknown>, descriptor: (digest: string, size: number) => object) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-stage-'));
  const bytes = Buffer.from(JSON.stringify(top));
  const hex = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), bytes);
  const index = { schemaVersion: 2, manifests: [descriptor(`sha256:${hex}`, bytes.length)] };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
  return { dir, digest: `sha256:${hex}`, size: bytes.length };
}

describe('readLayout', () => {
  test("an index: its digest, its media type and its bytes' size, and its platform images without attestations", async () => {
    const amd64 = `sha256:${'2'.repeat(64)}`;
    const { dir, digest, size } = layoutOf(
      {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: amd64,
            size: 1,
            platform: { os: 'linux', architecture: 'amd64' },
          },
          {
            mediaType: OCI_MANIFEST,
            digest: `sha256:${'3'.repeat(64)}`,
            size: 1,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          },
        ],
      },
      (d) => ({ mediaType: OCI_INDEX, digest: d, size: 1 }),
    );
    await expect(readLayout(dir)).resolves.toEqual({
      digest,
      mediaType: OCI_INDEX,
      size,
      platforms: [amd64],
    });
  });

  test("a descriptor without a media type: the manifest's own field names it", async () => {
    const { dir, digest, size } = layoutOf(
      { schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] },
      (d) => ({
        digest: d,
      }),
    );
    await expect(readLayout(dir)).resolves.toEqual({ digest, mediaType: OCI_MANIFEST, size, platforms: [] });
  });

  test('a layout of two images: nothing to sign before the push', async () => {
    const { dir } = layoutOf({ schemaVersion: 2 }, (d) => ({ digest: d }));
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
    index.manifests.push(index.manifests[0]);
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
    await expect(readLayout(dir)).rejects.toThrow(UserError);
  });
});
