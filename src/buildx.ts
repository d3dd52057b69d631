import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ToolError, UserError } from './errors.js';
import { CREATED_LABEL, REVISION_LABEL, SOURCE_LABEL, VERSION_LABEL } from './names.js';
import { DIGEST, type Tags } from './tags.js';
import { runTool } from './tools.js';

/** The longest job GitHub runs; a Forgejo job's own timeout usually ends a build sooner. */
const BUILD_TIMEOUT = 6 * 60 * 60;

/**
 * Where the build puts the image: loaded into the engine (its ID written to `iidFile`), or
 * exported as an OCI layout into a folder that skopeo reads, the engine's store untouched.
 */
export type BuildOutput = LoadOutput | { kind: 'oci-layout'; directory: string };
type LoadOutput = { kind: 'load'; iidFile: string };

/** What the workflow asked of the build (the paths absolute). */
export interface BuildInputs {
  context: string;
  dockerfile: string;
  buildArgs: string[];
  labels: string[];
  target: string;
  network: string;
}

/** The build this run does, made once: the workflow's inputs plus the provenance labels. */
export interface BuildSpec extends BuildInputs {
  /** Local tags the image gets when loaded, as the old action's `<image_name>:<version>`. */
  localTags: string[];
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
  return {
    ...inputs,
    // The user's labels come first so that the provenance labels cannot be overridden.
    labels: [...inputs.labels, ...provenanceLabels(tags, env, now)],
    localTags: [`${tags.repository}:${tags.version}`, `${tags.repository}:${tags.sha}`],
  };
}

/** Loaded into the engine, the image's ID kept in this run's folder. */
export function loadInto(runDirectory: string): LoadOutput {
  return { kind: 'load', iidFile: path.join(runDirectory, 'image-id') };
}

/** The argv of `docker buildx build`: built here, checked by table tests, run by `build`. */
export function buildArgs(spec: BuildSpec, output: BuildOutput): string[] {
  const args = ['buildx', 'build', '--file', spec.dockerfile];
  for (const label of spec.labels) args.push('--label', label);
  for (const arg of spec.buildArgs) args.push('--build-arg', arg);
  if (spec.target) args.push('--target', spec.target);
  if (spec.network) args.push('--network', spec.network);
  if (output.kind === 'load') {
    for (const tag of spec.localTags) args.push('--tag', tag);
    args.push('--load', '--iidfile', output.iidFile);
  } else {
    // Layers go out uncompressed: skopeo compresses them while it pushes, on every core, which
    // is quicker than BuildKit compressing them before they are even written out.
    // No attestation manifests (platform unknown/unknown): they are what made the user's
    // registry choke on Docker's own pushes. An engine's load never carries them.
    args.push(
      '--output',
      `type=oci,tar=false,compression=uncompressed,${csvField(`dest=${output.directory}`)}`,
    );
    args.push('--provenance=false', '--sbom=false');
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
  await runTool('docker', buildArgs(spec, output), { timeoutSeconds: BUILD_TIMEOUT }).catch(
    (error: unknown) => {
      throw explainBuildFailure(error);
    },
  );
  if (output.kind !== 'load') return undefined;
  const id = (await fs.readFile(output.iidFile, 'utf8')).trim();
  if (!DIGEST.test(id))
    throw new UserError(`docker buildx wrote an unexpected image ID: ${JSON.stringify(id)}.`);
  return id;
}

/**
 * The build is the first docker command, so it is where a runner without buildx or without a
 * reachable engine shows: such failures are named, with what to install or start.
 */
export function explainBuildFailure(error: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (!(error instanceof ToolError)) return error;
  if (/'buildx' is not a docker command|unknown command "buildx"|unknown flag: --file/.test(error.detail))
    return new UserError(
      "The docker buildx plugin is missing. Install it: Debian and Ubuntu `apt-get install docker-buildx`, or Docker's `docker-buildx-plugin`.",
      { cause: error },
    );
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
