import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { attests, build, explainBuildFailure, loadInto, type BuildSpec } from './buildx.js';
import { UserError } from '../errors.js';
import { info } from '../report/log.js';
import {
  canExportOci,
  probeBuilder,
  probeEndpoint,
  skopeoDaemonAccess,
  type BuilderFacts,
  type HandOverKind,
} from './engine.js';
import type { ImageSource } from '../skopeo/commands.js';
import type { Timeline } from '../report/timeline.js';
import { runTool } from '../process/tools.js';

/** The built image, ready for skopeo, and what was written for it (deleted after the push). */
export interface HandOver extends ImageSource {
  kind: HandOverKind;
  files: string[];
}

/**
 * What the hand-over writes in the run's folder. skopeo reads it by these names, relative to
 * the folder it runs in (the run's): its `oci:` and `docker-archive:` references end the path at
 * the first `:`, so a RUNNER_TEMP holding one would send it to another file.
 */
const OCI_LAYOUT = 'oci-layout';
const ARCHIVE = 'image.tar';

/** `docker save` of a large image over a slow sidecar link: bounded like the build, generously. */
const SAVE_TIMEOUT = 60 * 60;

/**
 * Builds the image and hands it to skopeo the fastest way this builder and engine allow,
 * saying which in the log:
 *   - an OCI layout written by the builder itself (any driver but `docker`, or the docker driver
 *     on the containerd image store): no load into the engine, no export out of it;
 *   - else the engine's image, read by skopeo's `docker-daemon:` transport where it can speak
 *     the engine's API (Docker 24 and older, not over TLS);
 *   - else `docker save` into this run's folder and `docker-archive:` (Docker 25 and later
 *     refuse skopeo's API version; a TLS endpoint would need skopeo to have the certificates).
 */
export async function buildAndHandOver(
  spec: BuildSpec,
  runDirectory: string,
  timeline: Timeline,
  probed?: Promise<BuilderFacts>,
): Promise<HandOver> {
  return timeline.phase('Build', async () => {
    const builder = await capableBuilder(spec, probed);
    if (canExportOci(builder)) {
      const directory = path.join(runDirectory, OCI_LAYOUT);
      info(
        `Hand-over (oci-layout): the builder writes an OCI layout that skopeo pushes (${builder.driver} driver${builder.driver === 'docker' ? ' on the containerd image store' : ''}); nothing is loaded into the engine.`,
      );
      await build(spec, { kind: 'oci-layout', directory });
      // `--all`: an index goes with every image it names. With attestations, whose manifests
      // name the images by digest, skopeo must change no digest (the layers are compressed).
      const options = ['--all', ...(attests(spec) ? ['--preserve-digests'] : [])];
      return { kind: 'oci-layout', reference: `oci:${OCI_LAYOUT}`, options, files: [directory] };
    }
    // The engine's endpoint is asked while the image builds: the choice below needs it only after.
    const endpoint = probeEndpoint();
    endpoint.catch(() => undefined);
    const imageId = await build(spec, loadInto(runDirectory));
    const access = skopeoDaemonAccess(await endpoint);
    if ('host' in access) {
      info(
        `Hand-over (engine-daemon): skopeo reads the image from the engine at ${access.host} (the docker driver on the classic image store cannot write an OCI layout).`,
      );
      return {
        kind: 'engine-daemon',
        reference: `docker-daemon:${imageId}`,
        options: ['--src-daemon-host', access.host],
        files: [],
      };
    }
    info(
      `Hand-over (engine-archive): \`docker save\` into this run's folder, then skopeo reads the archive (the docker driver on the classic image store cannot write an OCI layout; ${access.why}).`,
    );
    const archive = path.join(runDirectory, ARCHIVE);
    await runTool('docker', ['save', '--output', archive, imageId], { timeoutSeconds: SAVE_TIMEOUT });
    return { kind: 'engine-archive', reference: `docker-archive:${ARCHIVE}`, options: [], files: [archive] };
  });
}

/**
 * A part is pushed as an OCI image manifest whatever the engine hands over: the index of parts
 * is an OCI index, and skopeo copies an index (to the version tag) keeping its digest only when
 * every image it names is of the index's kind (it would convert a mix, which changes digests).
 */
export function asOciManifest(handOver: HandOver): HandOver {
  return { ...handOver, options: [...handOver.options, '--format', 'oci'] };
}

/** `push: false`: the image is built and loaded into the engine, under its local tags. */
export async function buildOnly(
  spec: BuildSpec,
  runDirectory: string,
  timeline: Timeline,
  probed?: Promise<BuilderFacts>,
): Promise<void> {
  await timeline.phase('Build', async () => {
    await capableBuilder(spec, probed);
    await build(spec, loadInto(runDirectory));
  });
}

/**
 * The current builder (as `probed` when the tools check asked already), once it is known to do
 * what the inputs ask: several platforms, attestations and annotations need one that writes OCI
 * images. Refused before the build.
 */
async function capableBuilder(spec: BuildSpec, probed = probeBuilder()): Promise<BuilderFacts> {
  const builder = await probed.catch((error: unknown) => {
    throw explainBuildFailure(error);
  });
  if (spec.needsOci.length > 0 && !canExportOci(builder))
    throw new UserError(
      `${spec.needsOci.map((input) => `\`${input}\``).join(', ')} ${spec.needsOci.length > 1 ? 'need' : 'needs'} a builder that writes OCI images, ` +
        'and this one is the docker driver on the classic image store, which keeps one platform and no annotations or attestations. ' +
        'Turn on the containerd image store in the engine (`"features": {"containerd-snapshotter": true}` in daemon.json), ' +
        'or use a `docker-container` builder (`docker buildx create --use --driver docker-container`). Nothing was built or pushed.',
    );
  return builder;
}

/** Deletes what the hand-over wrote, as soon as the push is over (the post step would, later). */
export async function discard(handOver: HandOver): Promise<void> {
  await Promise.all(handOver.files.map((file) => fs.rm(file, { recursive: true, force: true })));
}
