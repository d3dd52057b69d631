import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { runTool } from '../process/tools.js';
import { DIGEST } from '../image/digest.js';
import { OCI_MANIFEST } from '../image/media-types.js';
import { SKOPEO_BUDGET, type ImageSource } from './commands.js';

// With a signing key, the image is signed before any tag names it: a re-run, or another job,
// that finds an image under a tag without this key's signature knows that no run with the key
// pushed it. So its digest must be known before the push: the built image is first written as
// an OCI layout in the run's folder (the builder's own layout where it wrote one), and pushed
// from there with every digest kept.

/** An image staged for a push whose digest is known: the layout, its top digest, its platform images. */
export interface Staged {
  source: ImageSource;
  /** The image's (or the index's) digest, as the registry will hold it. */
  digest: string;
  /** Its manifest's media type and size: what a referrer names as its subject. */
  mediaType: string;
  size: number;
  /** For an index: its platforms' images (attestations left out); none for an image. */
  platforms: string[];
  /** What the staging wrote in the run's folder, deleted with the hand-over. */
  files: string[];
}

/** The layout skopeo writes a staged image to, relative to the run's folder (where skopeo runs). */
const STAGED = 'staged';

/**
 * `source` as an OCI layout: the builder's own (`oci:` already), else skopeo writes one from the
 * engine's image or archive (which makes it an OCI image). The push then keeps every digest.
 */
export async function stage(
  source: ImageSource & { kind: string },
  runDirectory: string,
  secrets: readonly string[],
): Promise<Staged> {
  let layout: string;
  const files: string[] = [];
  if (source.kind === 'oci-layout') {
    layout = source.reference.replace(/^oci:/, '');
  } else {
    layout = STAGED;
    files.push(path.join(runDirectory, STAGED));
    const options = source.options.filter((option) => option !== '--format' && option !== 'oci');
    await runTool('skopeo', ['copy', '--remove-signatures', ...options, source.reference, `oci:${STAGED}`], {
      cwd: runDirectory,
      env: { TMPDIR: runDirectory },
      secrets,
      silent: true,
      timeoutSeconds: SKOPEO_BUDGET.push,
    });
  }
  const { digest, mediaType, size, platforms } = await readLayout(path.join(runDirectory, layout));
  return {
    source: { reference: `oci:${layout}`, options: ['--all', '--preserve-digests'] },
    digest,
    mediaType,
    size,
    platforms,
    files,
  };
}

interface Descriptor {
  digest?: unknown;
  mediaType?: unknown;
  size?: unknown;
  platform?: { os?: unknown };
  annotations?: Record<string, unknown>;
}

/** The layout's one image (or index), as a descriptor names it, and, for an index, its platforms' images. */
export async function readLayout(
  layout: string,
): Promise<{ digest: string; mediaType: string; size: number; platforms: string[] }> {
  const index = JSON.parse(await fs.readFile(path.join(layout, 'index.json'), 'utf8')) as {
    manifests?: Descriptor[];
  };
  const top = index.manifests?.[0];
  if (index.manifests?.length !== 1 || typeof top?.digest !== 'string' || !DIGEST.test(top.digest))
    throw new UserError(
      `The built image's OCI layout holds ${index.manifests?.length ?? 0} images, not one: there is nothing to sign before the push.`,
    );
  const bytes = await fs.readFile(path.join(layout, 'blobs', 'sha256', top.digest.slice('sha256:'.length)));
  const blob = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: Descriptor[] };
  const platforms = (Array.isArray(blob.manifests) ? blob.manifests : [])
    .filter(
      (entry) =>
        entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        entry.platform?.os !== 'unknown',
    )
    .map((entry) => entry.digest)
    .filter((digest): digest is string => typeof digest === 'string' && DIGEST.test(digest));
  // The size is the bytes' own; the media type the descriptor's, else the manifest's own field.
  const mediaType = [top.mediaType, blob.mediaType].find((type) => typeof type === 'string') as string;
  return { digest: top.digest, mediaType: mediaType ?? OCI_MANIFEST, size: bytes.length, platforms };
}

/**
 * The configuration of a layout's one image, as its bytes say; none for an index (a layout of
 * several platforms has no one configuration).
 */
export async function layoutConfig(layout: string): Promise<Record<string, unknown> | undefined> {
  const blob = async (digest: string): Promise<Record<string, unknown>> =>
    JSON.parse(
      await fs.readFile(path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8'),
    ) as Record<string, unknown>;
  const { digest } = await readLayout(layout);
  const manifest = (await blob(digest)) as { config?: { digest?: unknown } };
  const config = manifest.config?.digest;
  return typeof config === 'string' && DIGEST.test(config) ? blob(config) : undefined;
}
