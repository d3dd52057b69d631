import type { Inputs } from './inputs.js';
import { info } from './log.js';
import { REVISION_LABEL } from './names.js';
import type { Publication } from './publication.js';
import type { RegistryClient } from './registry.js';

// What the registry holds for this run's two tags, read for the re-run table.

/**
 * Both tags at once, each with its image's revision label: the manifests (1 request each), and
 * the configuration when a tag exists (once, when both tags hold one image), whatever the number
 * of tags in the repository.
 */
export async function readPublication(
  registry: RegistryClient,
  inputs: Pick<Inputs, 'imageName' | 'version' | 'sha'>,
): Promise<Publication> {
  const [version, commit] = await Promise.all([
    readTag(registry, inputs.imageName, inputs.version),
    readTag(registry, inputs.imageName, inputs.sha),
  ]);
  for (const [tag, state] of [
    [inputs.version, version],
    [inputs.sha, commit],
  ] as const)
    info(
      `${tag}: ${state.exists ? `${state.digest}, built from ${state.revision ?? 'an unknown commit'}` : 'absent'}`,
    );
  return { version, commit };
}

/** A tag's digest and the commit its image was built from (its revision label). */
export async function readTag(
  registry: RegistryClient,
  name: string,
  tag: string,
): Promise<Publication['commit']> {
  const image = await registry.image(name, tag);
  return image.exists
    ? { exists: true, digest: image.digest, revision: image.labels[REVISION_LABEL] }
    : image;
}
