import { info } from '../log.js';
import { REVISION_LABEL } from '../names.js';
import type { Publication, TaggedImage, Tags } from '../tags.js';
import type { RegistryClient } from './client.js';

// What the registry holds for this run's two tags, read for the re-run policy.

/**
 * Both tags at once, each with its image's revision label: the manifests (1 request each), and
 * the configuration when a tag exists (once, when both tags hold one image), whatever the number
 * of tags in the repository.
 */
export async function readPublication(client: RegistryClient, tags: Tags): Promise<Publication> {
  const [version, commit] = await Promise.all([
    readTag(client, tags.repository, tags.version),
    readTag(client, tags.repository, tags.sha),
  ]);
  for (const [tag, state] of [
    [tags.version, version],
    [tags.sha, commit],
  ] as const)
    info(
      `${tag}: ${state.exists ? `${state.digest}, built from ${state.revision ?? 'an unknown commit'}` : 'absent'}`,
    );
  return { version, commit };
}

/** A tag's digest and the commit its image was built from (its revision label). */
export async function readTag(client: RegistryClient, name: string, tag: string): Promise<TaggedImage> {
  const image = await client.image(name, tag);
  return image.exists
    ? { exists: true, digest: image.digest, revision: image.labels[REVISION_LABEL] }
    : image;
}
