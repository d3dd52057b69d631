import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ToolError, UserError } from '../errors.js';
import { CREATED_LABEL, Input, REVISION_LABEL, SOURCE_LABEL, VERSION_LABEL } from '../names.js';
import { DIGEST } from '../image/digest.js';
import type { Tags } from '../image/tags.js';
import { runTool } from '../process/tools.js';
import { buildxIsMissing, missingToolsMessage } from '../tools/job-image.js';

/** The longest job GitHub runs; a Forgejo job's own timeout usually ends a build sooner. */
const BUILD_TIMEOUT = 6 * 60 * 60;

/**
 * Where the build puts the image: loaded into the engine (its ID written to `iidFile`), or
 * exported as an OCI layout into a folder that skopeo reads, the engine's store untouched.
 */
export type BuildOutput = LoadOutput | { kind: 'oci-layout'; directory: string };
type LoadOutput = { kind: 'load'; iidFile: string };

/** A build secret: its id (`RUN --mount=type=secret,id=…`) and its value, never put in argv. */
export interface BuildSecret {
  id: string;
  value: string;
}

/** What the workflow asked of the build (the paths absolute). */
export interface BuildInputs {
  context: string;
  dockerfile: string;
  buildArgs: string[];
  labels: string[];
  target: string;
  network: string;
  /** `os/arch[/variant]` each; none: the engine's own platform. */
  platforms: string[];
  secrets: BuildSecret[];
  /** buildx's cache specifications, one `--cache-from` / `--cache-to` each, as given. */
  cacheFrom: string[];
  cacheTo: string[];
  noCache: boolean;
  pull: boolean;
  /** `KEY=VALUE` OCI annotations, put on the manifest and on the index when there is one. */
  annotations: string[];
  /** buildx's `--provenance` and `--sbom` values: `false` when off (the default). */
  provenance: string;
  sbom: string;
}

/** The build this run does, made once: the workflow's inputs plus the provenance labels and annotations. */
export interface BuildSpec extends BuildInputs {
  /** Local tags the image gets when loaded: `<image_name>:<version>`. */
  localTags: string[];
  /**
   * The inputs this build uses that only a builder writing OCI images can honour: decided from
   * the workflow's inputs, before the provenance annotations join the user's.
   */
  needsOci: Input[];
}

/** The OCI labels that record where the image came from; the revision is what re-runs read. */
export function provenanceLabels(
  tags: Pick<Tags, 'sha' | 'version'>,
  env: NodeJS.ProcessEnv,
  now: Date,
): string[] {
  const labels = [`${REVISION_LABEL}=${tags.sha}`, `${VERSION_LABEL}=${tags.version}`];
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY)
    labels.push(`${SOURCE_LABEL}=${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`);
  labels.push(`${CREATED_LABEL}=${now.toISOString()}`);
  return labels;
}

export function buildSpec(inputs: BuildInputs, tags: Tags, env: NodeJS.ProcessEnv, now: Date): BuildSpec {
  const provenance = provenanceLabels(tags, env, now);
  return {
    ...inputs,
    // The user's come first so that the provenance labels and annotations cannot be overridden.
    labels: [...inputs.labels, ...provenance],
    annotations: [...inputs.annotations, ...provenance],
    localTags: [`${tags.repository}:${tags.version}`, `${tags.repository}:${tags.sha}`],
    needsOci: needsOci(inputs),
  };
}

/** The build of one platform's part: one platform needs no builder that writes OCI for it. */
export function forPlatform(spec: BuildSpec, platform: string): BuildSpec {
  return {
    ...spec,
    platforms: [platform],
    needsOci: spec.needsOci.filter((input) => input !== Input.Platforms),
  };
}

/** Attestation manifests are asked for: the image becomes an index, whatever its platforms. */
export function attests(inputs: Pick<BuildInputs, 'provenance' | 'sbom'>): boolean {
  return inputs.provenance !== 'false' || inputs.sbom !== 'false';
}

/** The build makes an OCI image index: two platforms or more, or attestations. */
export function makesIndex(inputs: Pick<BuildInputs, 'platforms' | 'provenance' | 'sbom'>): boolean {
  return inputs.platforms.length > 1 || attests(inputs);
}

/**
 * What only a builder that writes OCI images can do: an index of several platforms,
 * attestation manifests, annotations (an engine's classic image store keeps none of them).
 */
function needsOci(inputs: BuildInputs): Input[] {
  const needs: Input[] = [];
  if (inputs.platforms.length > 1) needs.push(Input.Platforms);
  if (inputs.provenance !== 'false') needs.push(Input.Provenance);
  if (inputs.sbom !== 'false') needs.push(Input.Sbom);
  if (inputs.annotations.length > 0) needs.push(Input.Annotations);
  return needs;
}

/** The environment variable that hands the i-th build secret to buildx (`--secret id=…,env=…`). */
export function secretVariable(index: number): string {
  return `BUILD_PUSH_IMAGE_SECRET_${index}`;
}

/** The build secrets as buildx reads them: from its own environment, never from argv. */
export function secretEnvironment(spec: Pick<BuildInputs, 'secrets'>): Record<string, string> {
  return Object.fromEntries(spec.secrets.map((secret, index) => [secretVariable(index), secret.value]));
}

/** Loaded into the engine, the image's ID kept in this run's folder. */
export function loadInto(runDirectory: string): LoadOutput {
  return { kind: 'load', iidFile: path.join(runDirectory, 'image-id') };
}

/** The argv of `docker buildx build`: built here, checked by table tests, run by `build`. */
export function buildArgs(spec: BuildSpec, output: BuildOutput): string[] {
  const args = ['buildx', 'build', '--file', spec.dockerfile];
  if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
  for (const label of spec.labels) args.push('--label', label);
  for (const arg of spec.buildArgs) args.push('--build-arg', arg);
  if (spec.target) args.push('--target', spec.target);
  if (spec.network) args.push('--network', spec.network);
  spec.secrets.forEach(({ id }, index) => args.push('--secret', `id=${id},env=${secretVariable(index)}`));
  for (const cache of spec.cacheFrom) args.push('--cache-from', cache);
  for (const cache of spec.cacheTo) args.push('--cache-to', cache);
  if (spec.noCache) args.push('--no-cache');
  if (spec.pull) args.push('--pull');
  if (output.kind === 'load') {
    // A loaded image keeps labels only: annotations go with the OCI layout that is pushed.
    for (const tag of spec.localTags) args.push('--tag', tag);
    args.push('--load', '--iidfile', output.iidFile);
    if (attests(spec)) args.push(`--provenance=${spec.provenance}`, `--sbom=${spec.sbom}`);
  } else {
    for (const annotation of spec.annotations) {
      args.push('--annotation', `manifest:${annotation}`);
      // BuildKit refuses index annotations where it writes no index (one platform, no attestations).
      if (makesIndex(spec)) args.push('--annotation', `index:${annotation}`);
    }
    // Layers go out uncompressed: skopeo compresses them while it pushes, on every core, which
    // is quicker than BuildKit compressing them before they are even written out. Attestation
    // manifests name the image manifests by digest, so with them the layers are compressed
    // here and skopeo pushes every digest as it is (see hand-over.ts).
    const compression = attests(spec) ? 'gzip' : 'uncompressed';
    args.push(
      '--output',
      `type=oci,tar=false,compression=${compression},${csvField(`dest=${output.directory}`)}`,
    );
    // Attestation manifests (platform unknown/unknown) only when asked for: they are what made
    // the user's registry choke on Docker's own pushes.
    args.push(`--provenance=${spec.provenance}`, `--sbom=${spec.sbom}`);
  }
  args.push(spec.context);
  return args;
}

/** buildx reads `--output` as one CSV record: a field holding `,` or `"` is quoted. */
function csvField(field: string): string {
  return /[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Builds; returns the image ID when the image was loaded into the engine. */
export async function build(spec: BuildSpec, output: LoadOutput): Promise<string>;
export async function build(spec: BuildSpec, output: BuildOutput): Promise<string | undefined>;
export async function build(spec: BuildSpec, output: BuildOutput): Promise<string | undefined> {
  await runTool('docker', buildArgs(spec, output), {
    timeoutSeconds: BUILD_TIMEOUT,
    env: secretEnvironment(spec),
    secrets: spec.secrets.map((secret) => secret.value),
  }).catch((error: unknown) => {
    throw explainBuildFailure(error);
  });
  if (output.kind !== 'load') return undefined;
  const id = (await fs.readFile(output.iidFile, 'utf8')).trim();
  if (!DIGEST.test(id))
    throw new UserError(`docker buildx wrote an unexpected image ID: ${JSON.stringify(id)}.`);
  return id;
}

/**
 * A runner without buildx is named before the build (tools/job-image.ts); these failures are
 * named here too, with what to install or start, for an engine that stops answering in between.
 */
export function explainBuildFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (!(error instanceof ToolError)) return error;
  if (buildxIsMissing(error.detail)) return new UserError(missingToolsMessage(['buildx']), { cause: error });
  if (
    /Cannot connect to the Docker daemon|error during connect|docker daemon is not running|connect: no such file or directory/i.test(
      error.detail,
    )
  )
    return new UserError(
      `The Docker engine is not reachable${env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : ''}: start dockerd, or give the job access to its socket. Nothing was pushed.`,
      { cause: error },
    );
  return error;
}
