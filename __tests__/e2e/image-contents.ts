// Independent looks at a pushed image: its raw manifest or index, every blob it is made of
// (layers unpacked), a file inside its layers. skopeo reads anonymously, as the test bed's
// zot-like front allows; nothing here uses the action's code.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);

export interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}

export interface RawManifest {
  mediaType?: string;
  manifests?: Descriptor[];
  layers?: Descriptor[];
  config?: Descriptor;
  annotations?: Record<string, string>;
}

/** `skopeo inspect` with `options`, anonymously, parsed. */
async function skopeoInspect<T>(reference: string, options: string[]): Promise<T> {
  const { stdout } = await execFileAsync('skopeo', [
    'inspect',
    ...options,
    '--tls-verify=false',
    `docker://${reference}`,
  ]);
  return JSON.parse(stdout) as T;
}

const platformOption = (arch?: string) => (arch ? ['--override-arch', arch] : []);

/** The manifest or index a reference names, as the registry holds it. */
export function rawManifest(reference: string): Promise<RawManifest> {
  return skopeoInspect(reference, ['--raw']);
}

/** The image configuration of one platform's image (the host's without `arch`). */
export function imageConfig(
  reference: string,
  arch?: string,
): Promise<{ rootfs: { diff_ids: string[] }; config?: { Labels?: Record<string, string> } }> {
  return skopeoInspect(reference, ['--config', ...platformOption(arch)]);
}

/** One platform's image copied out of the registry into an OCI layout: its folder. */
async function copyOut(reference: string, arch?: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-image-'));
  await execFileAsync('skopeo', [
    'copy',
    ...platformOption(arch),
    '--src-tls-verify=false',
    `docker://${reference}`,
    `oci:${dir}/layout`,
  ]);
  return dir;
}

/** Every blob of one platform's image (manifest, configuration, layers), each layer unpacked. */
export async function imageBlobs(reference: string, arch?: string): Promise<Buffer[]> {
  const dir = await copyOut(reference, arch);
  try {
    const blobs = path.join(dir, 'layout/blobs/sha256');
    return fs.readdirSync(blobs).map((blob) => {
      const bytes = fs.readFileSync(path.join(blobs, blob));
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A file out of one platform's image, read from the last layer that holds it. */
export async function fileInImage(
  reference: string,
  file: string,
  arch?: string,
): Promise<string | undefined> {
  const dir = await copyOut(reference, arch);
  try {
    const layout = path.join(dir, 'layout');
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as RawManifest;
    const blob = (digest: string) => path.join(layout, 'blobs', digest.replace(':', '/'));
    const manifest = JSON.parse(fs.readFileSync(blob(index.manifests![0].digest), 'utf8')) as RawManifest;
    let found: string | undefined;
    for (const layer of manifest.layers ?? []) {
      const listing = await execFileAsync('tar', ['-tf', blob(layer.digest)]);
      const names = listing.stdout.split('\n').map((name) => name.replace(/^\.\//, ''));
      if (!names.includes(file)) continue;
      const member = listing.stdout.split('\n').find((name) => name.replace(/^\.\//, '') === file)!;
      found = (await execFileAsync('tar', ['-xOf', blob(layer.digest), member])).stdout;
    }
    return found;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
