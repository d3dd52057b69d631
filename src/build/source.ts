import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import type { SourceImage } from '../inputs/source.js';
import { REVISION_LABEL } from '../names.js';
import { runTool } from '../process/tools.js';
import { info } from '../report/log.js';
import type { HandOver } from './hand-over.js';

// Push-only mode: the image built elsewhere is handed to skopeo as it is. Its bytes cannot be
// changed without changing what was built, so the commit is not added to it: the image must
// carry the revision label of this run's commit already, or it is refused before any push.

/** The link to the source in the run's folder: skopeo reads it by this name (a path holding `:` would mislead it). */
const LINK = 'source';

/** How long reading a large archive's configuration may take. */
const INSPECT_TIMEOUT = 10 * 60;

/**
 * The source, linked into the run's folder for skopeo, once its revision label is this commit.
 * An OCI layout or archive keeps its digests on the push; a docker archive is converted.
 */
export async function handOverSource(
  source: SourceImage,
  commit: string,
  runDirectory: string,
  secrets: readonly string[],
): Promise<HandOver> {
  const link = path.join(runDirectory, LINK);
  await fs.rm(link, { force: true });
  await fs.symlink(source.path, link);
  const handOver: HandOver =
    source.transport === 'oci'
      ? {
          kind: 'oci-layout',
          reference: `oci:${LINK}`,
          options: ['--all', '--preserve-digests'],
          files: [link],
        }
      : {
          kind: 'source-archive',
          reference: `${source.transport}:${LINK}`,
          options: source.transport === 'oci-archive' ? ['--all', '--preserve-digests'] : [],
          files: [link],
        };
  try {
    const revision = await revisionOf(handOver, runDirectory, secrets);
    requireCommit(revision, commit, `${source.transport}:${source.path}`);
  } catch (error) {
    await fs.rm(link, { force: true });
    throw error;
  }
  info(
    `Push-only: ${source.transport}:${source.path} carries ${REVISION_LABEL}=${commit}, this commit; it is published as it was built (nothing is added to its bytes).`,
  );
  return handOver;
}

/** The source's revision label, from its configuration as skopeo reads it. */
async function revisionOf(
  handOver: HandOver,
  runDirectory: string,
  secrets: readonly string[],
): Promise<string | undefined> {
  const { stdout } = await runTool('skopeo', ['inspect', '--config', handOver.reference], {
    cwd: runDirectory,
    env: { TMPDIR: runDirectory },
    secrets,
    silent: true,
    timeoutSeconds: INSPECT_TIMEOUT,
  });
  const config = JSON.parse(stdout) as { config?: { Labels?: Record<string, unknown> } };
  const label = config.config?.Labels?.[REVISION_LABEL];
  return typeof label === 'string' ? label : undefined;
}

/** The source must say it was built from this commit: a push-only run cannot add the label. */
export function requireCommit(revision: string | undefined, commit: string, source: string): void {
  if (revision === commit) return;
  const how =
    `Add the label where the image is made: in a Dockerfile \`ARG REVISION\` and \`LABEL ${REVISION_LABEL}=$REVISION\` (built with \`--build-arg REVISION=<full commit>\`), ` +
    `in a nix dockerTools image \`config.Labels."${REVISION_LABEL}" = <full commit>;\`.`;
  if (revision === undefined)
    throw new UserError(
      `\`source\` (${source}) carries no ${REVISION_LABEL} label: the action cannot tell which commit it was built from, and does not change an image built elsewhere. ${how} Nothing was pushed.`,
    );
  throw new UserError(
    `\`source\` (${source}) was built from commit ${JSON.stringify(revision)} (its ${REVISION_LABEL} label), not from \`sha\` ${commit}. ` +
      'Publish it from a run of that commit, or rebuild it from this one. Nothing was pushed.',
  );
}
