import type { BuildSpec } from '../build/buildx.js';
import { buildAndHandOver, buildOnly, discard } from '../build/hand-over.js';
import type { Timeline } from '../report/timeline.js';
import { pushImage, tagInRegistry, type SkopeoConfig } from '../skopeo/commands.js';
import { ensureSkopeo, type SkopeoDownload } from '../skopeo/install.js';
import type { Writer } from './context.js';
import { pinnedRef, type Tags } from './tags.js';

/** What the real writer needs: the build, where skopeo comes from, and its login. */
export interface WriterParts {
  tags: Tags;
  spec: BuildSpec;
  runDirectory: string;
  timeline: Timeline;
  skopeoDownload?: SkopeoDownload;
  /** Logs skopeo in; started once, when the first registry write is prepared. */
  logIn: () => Promise<SkopeoConfig>;
}

/** The publication's writes as this action makes them: buildx builds, skopeo pushes and copies. */
export function realWriter(parts: WriterParts): Writer {
  const { tags, spec, runDirectory, timeline } = parts;
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
      await ensureSkopeo(parts.skopeoDownload);
      loggedIn = parts.logIn();
      loggedIn.catch(() => undefined);
    },
    build: () => buildAndHandOver(spec, runDirectory, timeline),
    push: async (built, reference) => pushImage(await skopeo(), built, reference, runDirectory),
    discard,
    load: () => buildOnly(spec, runDirectory, timeline),
    copy: async (digest, reference) => tagInRegistry(await skopeo(), pinnedRef(tags, digest), reference),
  };
}
