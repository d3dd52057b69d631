import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UserError } from './errors.js';
import type { Inputs } from './inputs.js';
import { CREATED_LABEL, REVISION_LABEL, SOURCE_LABEL, VERSION_LABEL } from './names.js';
import { runTool, runToolAllowingFailure } from './tools.js';

/** A question to docker that a healthy engine answers at once. */
const CHECK_TIMEOUT = 60;
/** The longest job GitHub runs; a Forgejo job's own timeout usually ends a build sooner. */
const BUILD_TIMEOUT = 6 * 60 * 60;

export interface BuildPlan {
  /** Local tags the image gets, as the old action's `<image_name>:<version>`. */
  tags: string[];
  labels: string[];
  iidFile: string;
}

/** The OCI labels that record where the image came from; the revision is what re-runs read. */
export function provenanceLabels(
  inputs: Pick<Inputs, 'sha' | 'version'>,
  env: NodeJS.ProcessEnv,
  now: Date,
): string[] {
  const labels = [`${REVISION_LABEL}=${inputs.sha}`, `${VERSION_LABEL}=${inputs.version}`];
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY)
    labels.push(`${SOURCE_LABEL}=${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`);
  labels.push(`${CREATED_LABEL}=${now.toISOString()}`);
  return labels;
}

export function buildPlan(
  inputs: Inputs,
  runDirectory: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): BuildPlan {
  return {
    tags: [`${inputs.imageName}:${inputs.version}`, `${inputs.imageName}:${inputs.sha}`],
    // The user's labels come first so that the provenance labels cannot be overridden.
    labels: [...inputs.labels, ...provenanceLabels(inputs, env, now)],
    iidFile: path.join(runDirectory, 'image-id'),
  };
}

/** The argv of `docker buildx build`: built here, checked by table tests, run by `build`. */
export function buildArgs(inputs: Inputs, plan: BuildPlan): string[] {
  const args = ['buildx', 'build', '--file', inputs.dockerfile];
  for (const tag of plan.tags) args.push('--tag', tag);
  for (const label of plan.labels) args.push('--label', label);
  for (const arg of inputs.buildArgs) args.push('--build-arg', arg);
  if (inputs.target) args.push('--target', inputs.target);
  if (inputs.network) args.push('--network', inputs.network);
  args.push('--load', '--iidfile', plan.iidFile, inputs.context);
  return args;
}

/** Fails early, naming what to install or start, when docker, buildx or the engine is missing. */
export async function checkDocker(): Promise<void> {
  const [plugin, engine] = await Promise.all([
    runToolAllowingFailure('docker', ['buildx', 'version'], { silent: true, timeoutSeconds: CHECK_TIMEOUT }),
    runToolAllowingFailure('docker', ['version', '--format', '{{.Server.Version}}'], {
      silent: true,
      timeoutSeconds: CHECK_TIMEOUT,
    }),
  ]);
  if (plugin.exitCode !== 0)
    throw new UserError(
      "The docker buildx plugin is missing (`docker buildx version` failed). Install it: Debian and Ubuntu `apt-get install docker-buildx`, or Docker's `docker-buildx-plugin`.",
    );
  if (engine.exitCode !== 0)
    throw new UserError(
      `The Docker engine is not reachable${process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : ''}: ` +
        `${lastLine(engine.stderr)}. Start dockerd or give the job access to its socket.`,
    );
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

/** Builds into the local engine and returns the image ID, which names exactly what was built. */
export async function build(inputs: Inputs, plan: BuildPlan): Promise<string> {
  await runTool('docker', buildArgs(inputs, plan), { timeoutSeconds: BUILD_TIMEOUT });
  const id = (await fs.readFile(plan.iidFile, 'utf8')).trim();
  if (!/^sha256:[0-9a-f]{64}$/.test(id))
    throw new UserError(`docker buildx wrote an unexpected image ID: ${JSON.stringify(id)}.`);
  return id;
}
