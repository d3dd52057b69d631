import * as path from 'node:path';
import { UserError } from '../errors.js';
import { sameContent } from '../image/content.js';
import { versionRef, type Tags } from '../image/tags.js';
import { Result } from '../names.js';
import type { Writer } from '../publication/context.js';
import type { Outcome } from '../publication/executor.js';
import type { UnlabelledVersion } from '../publication/refusals.js';
import type { RegistryClient } from '../registry/client.js';
import { layoutConfig } from '../skopeo/stage.js';

// An image pushed under the version tag before this action (by Dagger's publish, by hand) has no
// revision label, so it cannot say which commit it is. The run builds (or takes its source) and
// compares: the same content (layers, platform, how it runs; labels and times aside) means the
// version is published already; anything else is refused, as before.

/**
 * `already-published` when the image under the version tag holds what this run builds; else
 * the refusal, saying that the content differs too. Nothing is written either way.
 */
export async function matchUnlabelled(
  refused: UnlabelledVersion,
  {
    tags,
    client,
    writer,
    runDirectory,
  }: { tags: Tags; client: RegistryClient; writer: Writer; runDirectory: string },
): Promise<Outcome> {
  const held = await heldConfig(client, tags, refused.digest);
  await writer.prepare();
  const built = await writer.build();
  try {
    const staged = await writer.stage(built);
    const ours = await layoutConfig(path.join(runDirectory, staged.source.reference.replace(/^oci:/, '')));
    const same = staged.digest === refused.digest || (held && ours && sameContent(held, ours));
    if (!same)
      throw new UserError(
        `${refused.message} It is not this build either: its content (layers, platform, configuration) differs from what this run built.`,
      );
    return {
      result: Result.AlreadyPublished,
      digest: refused.digest,
      reason:
        `${versionRef(tags)} holds ${refused.digest}, pushed without a revision label (not by this action), and its content is what this run built: ` +
        'the same layers, platform and configuration, labels and times aside. Nothing to write; it is not signed or tagged again.',
    };
  } finally {
    await writer.discard(built);
  }
}

/** The held image's configuration; none for an index (compared by digest alone). */
async function heldConfig(
  client: RegistryClient,
  tags: Tags,
  digest: string,
): Promise<Record<string, unknown> | undefined> {
  const manifest = await client.manifest(tags.repository, digest);
  const config = (manifest.json.config as { digest?: unknown } | undefined)?.digest;
  return typeof config === 'string' ? client.config(tags.repository, tags.version, config) : undefined;
}
