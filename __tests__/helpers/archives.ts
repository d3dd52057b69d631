import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Images made the way nix's dockerTools hands them over: a docker-archive (the format of
// `docker save`) written file by file, with no engine and no registry.

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A docker-archive at `file` holding one layer (`files`, name → content) and a configuration
 * with `labels`; the same arguments make the same bytes. Returns the configuration's digest.
 */
export function dockerArchive(
  file: string,
  labels: Record<string, string>,
  files: Record<string, string>,
): string {
  const work = fs.mkdtempSync(`${file}.work-`);
  try {
    const root = path.join(work, 'root');
    fs.mkdirSync(root);
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(root, name), content);
    const layerTar = path.join(work, 'layer.tar');
    const fixed = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'];
    execFileSync('tar', ['-cf', layerTar, ...fixed, '-C', root, '.']);
    const layer = sha256(fs.readFileSync(layerTar));
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: { Labels: labels, Cmd: ['/hello'] },
        rootfs: { type: 'layers', diff_ids: [`sha256:${layer}`] },
        history: [{ created_by: 'test archive' }],
      }),
    );
    const configName = `${sha256(config)}.json`;
    const archive = path.join(work, 'archive');
    fs.mkdirSync(archive);
    fs.writeFileSync(path.join(archive, configName), config);
    fs.mkdirSync(path.join(archive, layer));
    fs.renameSync(layerTar, path.join(archive, layer, 'layer.tar'));
    fs.writeFileSync(
      path.join(archive, 'manifest.json'),
      JSON.stringify([{ Config: configName, RepoTags: null, Layers: [`${layer}/layer.tar`] }]),
    );
    execFileSync('tar', ['-cf', file, ...fixed, '-C', archive, '.']);
    return `sha256:${sha256(config)}`;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
