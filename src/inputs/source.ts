import * as path from 'node:path';
import { INPUT_DEFAULTS, Input } from '../names.js';
import { isA } from './paths.js';
import { quote, type Problems } from './problems.js';
import type { RawInputs } from './read.js';

// Push-only mode: `source` names an image built elsewhere (Dagger, nix, another job), which
// the run publishes under the same rules instead of building one.

/** The transports a source may use, and what each must name on disk. */
const TRANSPORTS = { oci: 'directory', 'oci-archive': 'file', 'docker-archive': 'file' } as const;

export type SourceTransport = keyof typeof TRANSPORTS;

/** An image built elsewhere: its transport and its absolute path. */
export interface SourceImage {
  transport: SourceTransport;
  path: string;
}

/**
 * The inputs that shape a build: with `source` the image is built already, so each of them
 * given with it would be silently ignored; they are refused instead.
 */
const BUILD_ONLY = [
  Input.Context,
  Input.Dockerfile,
  Input.BuildArgs,
  Input.Labels,
  Input.Target,
  Input.Network,
  Input.Platforms,
  Input.Secrets,
  Input.CacheFrom,
  Input.CacheTo,
  Input.NoCache,
  Input.Pull,
  Input.Annotations,
  Input.Provenance,
  Input.Sbom,
  Input.BuildPlatforms,
] as const;

/** `source` checked: its transport, and that its path is there (relative to the workspace). */
export function checkSource(
  raw: RawInputs,
  push: boolean,
  cwd: string,
  problems: Problems,
): SourceImage | undefined {
  const source = raw[Input.Source];
  if (!source) return undefined;
  const match = /^(oci|oci-archive|docker-archive):(.+)$/.exec(source);
  if (!match) {
    problems.add(
      Input.Source,
      `must be \`oci:<directory>\`, \`oci-archive:<file>\` or \`docker-archive:<file>\`, not ${quote(source)}.`,
    );
    return undefined;
  }
  const transport = match[1] as SourceTransport;
  const where = path.resolve(cwd, match[2]);
  const kind = TRANSPORTS[transport];
  if (!isA(kind, where))
    problems.add(Input.Source, `names no ${kind}: ${quote(match[2])} (resolved to ${where}).`);
  if (!push)
    problems.add(
      Input.Source,
      'needs `push: true`: the image is built already, so without a push there is nothing to do.',
    );
  for (const input of BUILD_ONLY)
    if (raw[input] && raw[input] !== (INPUT_DEFAULTS[input] ?? ''))
      problems.add(
        input,
        `has no use with \`source\`: the image is built already (${quote(source)}). Remove \`${input}\`, or remove \`source\` to build.`,
      );
  return { transport, path: where };
}
