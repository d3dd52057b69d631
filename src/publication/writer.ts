import { forPlatform, type BuildSpec } from '../build/buildx.js';
import type { BuilderFacts } from '../build/engine.js';
import { asOciManifest, buildAndHandOver, buildOnly, discard } from '../build/hand-over.js';
import { handOverSource } from '../build/source.js';
import type { SourceImage } from '../inputs/source.js';
import type { Timeline } from '../report/timeline.js';
import { pushImage, tagInRegistry, type SkopeoConfig } from '../skopeo/commands.js';
import { ensureSkopeo, type SkopeoDownload } from '../skopeo/install.js';
import { stage } from '../skopeo/stage.js';
import { RegistryError } from '../errors.js';
import type { RegistryClient } from '../registry/client.js';
import type { Writer } from './context.js';
import { OCI_INDEX } from '../image/media-types.js';
import { pinnedRef, type Tags } from '../image/tags.js';

/** What the real writer needs: the build, where skopeo comes from, and its login. */
export interface RealWriterOptions {
  tags: Tags;
  spec: BuildSpec;
  runDirectory: string;
  timeline: Timeline;
  /** Writes what skopeo cannot: an index assembled from parts already in the registry. */
  client: RegistryClient;
  /**
   * With platform parts, the tags of the index are copied by the client, byte for byte: skopeo
   * would offer the index in another format when a tag is refused, and fail on that instead.
   */
  assemblesParts?: boolean;
  skopeoDownload?: SkopeoDownload;
  /** Push-only mode: the image built elsewhere, handed over instead of a build. */
  source?: SourceImage;
  /** The builder as the tools check found it: the build does not ask again. */
  builder?: Promise<BuilderFacts>;
  /** Logs skopeo in; started once, when the first registry write is prepared. */
  logIn: () => Promise<SkopeoConfig>;
}

/**
 * The publication's writes as this action makes them: buildx builds, skopeo pushes and copies,
 * the action's own client writes an index of parts.
 */
export function realWriter(options: RealWriterOptions): Writer {
  const { tags, spec, runDirectory, timeline, client, builder } = options;
  let loggedIn: Promise<SkopeoConfig> | undefined;
  const skopeo = (): Promise<SkopeoConfig> => {
    if (!loggedIn) throw new Error('skopeo used before the writer was prepared');
    return loggedIn;
  };
  return {
    // skopeo comes first (from PATH, the tool cache or a download), then logs in while the
    // image builds; the first push waits for it.
    prepare: async () => {
      if (loggedIn) return;
      await ensureSkopeo(options.skopeoDownload, runDirectory);
      loggedIn = options.logIn();
      loggedIn.catch(() => undefined);
    },
    build: async (platform) => {
      const source = options.source;
      if (source)
        return timeline.phase('Take the source', async () =>
          handOverSource(source, tags.sha, runDirectory, (await skopeo()).secrets),
        );
      return platform
        ? asOciManifest(await buildAndHandOver(forPlatform(spec, platform), runDirectory, timeline, builder))
        : buildAndHandOver(spec, runDirectory, timeline, builder);
    },
    push: async (built, reference) => pushImage(await skopeo(), built, reference, runDirectory),
    stage: async (built) => {
      const staged = await stage(built, runDirectory, (await skopeo()).secrets);
      built.files.push(...staged.files);
      return staged;
    },
    pushStaged: async (staged, reference) => {
      const digest = await pushImage(await skopeo(), staged.source, reference, runDirectory);
      if (digest !== staged.digest)
        throw new RegistryError(
          `${reference} was pushed as ${digest}, not as the ${staged.digest} this run signed: the registry changed the image. Nothing more was written.`,
        );
      return digest;
    },
    discard,
    load: () => buildOnly(spec, runDirectory, timeline, builder),
    copy: async (digest, reference) =>
      options.assemblesParts
        ? client.tagManifest(tags.repository, digest, reference.slice(tags.image.length + 1))
        : tagInRegistry(await skopeo(), pinnedRef(tags, digest), reference),
    putIndex: (bytes) => client.putManifest(tags.repository, tags.sha, bytes, OCI_INDEX),
  };
}
