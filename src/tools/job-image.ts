import { probeBuilder, type BuilderFacts } from '../build/engine.js';
import { ToolError, UserError } from '../errors.js';
import { Input } from '../names.js';
import { findOnPath } from '../process/tools.js';
import { info } from '../report/log.js';

// What the job image must hold for a run: the docker CLI with buildx to build, skopeo to push.
// Checked once the plan says what the run will do and before anything is built, so that a job
// image lacking both is told about both at once, with what to add.

/** The tools a run's writes need: buildx to build (or load into the engine), skopeo to push or copy. */
export interface ToolNeeds {
  buildx: boolean;
  skopeo: boolean;
}

/** What a job image can lack. */
export type MissingTool = 'docker' | 'buildx' | 'skopeo';

/** What the check found: the builder probe, which the build then reuses instead of asking again. */
export interface CheckedTools {
  /** The builder's facts, or why the CLI could not give them (the build names that). */
  builder?: Promise<BuilderFacts>;
}

/**
 * What a docker CLI without the buildx plugin says to `docker buildx …`: Docker 28 `unknown
 * command: docker buildx`, older CLIs `'buildx' is not a docker command` or `unknown command
 * "buildx"`, and some `unknown flag: --file` (the build's first flag, read as `docker`'s own).
 */
export function buildxIsMissing(said: string): boolean {
  return /'buildx' is not a docker command|unknown command: docker buildx|unknown command "buildx"|unknown flag: --file/.test(
    said,
  );
}

const WHAT: Record<MissingTool, { name: string; for: string; add: string; debian: string[] }> = {
  docker: {
    name: 'the docker CLI and its buildx plugin',
    for: 'to build the image',
    add: "Debian 13 and Ubuntu 24.04 `apt-get install docker.io docker-buildx`; Docker's apt repository `docker-ce-cli docker-buildx-plugin`",
    debian: ['docker.io', 'docker-buildx'],
  },
  buildx: {
    name: 'the docker buildx plugin',
    for: 'to build the image (`docker buildx version` must answer)',
    add:
      "Debian 13 and Ubuntu 24.04 `apt-get install docker-buildx` (Debian 12 has no such package); Docker's apt repository `docker-buildx-plugin`; " +
      'or a buildx release binary copied to `~/.docker/cli-plugins/docker-buildx` and made executable',
    debian: ['docker-buildx'],
  },
  skopeo: {
    name: 'skopeo',
    for: 'to push the image',
    add:
      `Debian and Ubuntu \`apt-get install skopeo\` (or, instead, set \`${Input.SkopeoDownloadUrl}\` and \`${Input.SkopeoSha256}\`: ` +
      'the action then downloads skopeo, checks it and keeps it in the tool cache)',
    debian: ['skopeo'],
  },
};

/** What to add to the job image for each missing tool, in one message. */
export function missingToolsMessage(missing: readonly MissingTool[]): string {
  const tools = MISSING_ORDER.filter((tool) => missing.includes(tool)).map((tool) => WHAT[tool]);
  const [only] = tools;
  if (tools.length === 1)
    return `This job's image lacks ${only.name}, needed ${only.for}. Add to the job image: ${only.add}. Nothing was built or pushed.`;
  const packages = tools.flatMap((tool) => tool.debian).join(' ');
  return [
    `This job's image lacks ${tools.map((tool) => tool.name).join(' and ')}. Add to the job image:`,
    ...tools.map((tool) => `- ${tool.name}, needed ${tool.for}: ${tool.add};`),
    `On Debian 13 or Ubuntu 24.04, all at once: \`apt-get install ${packages}\`. Nothing was built or pushed.`,
  ].join('\n');
}

const MISSING_ORDER: readonly MissingTool[] = ['docker', 'buildx', 'skopeo'];

/**
 * Checks the job image for the tools `needs` names (skopeo is not needed on PATH when the
 * workflow gives a download of it) and throws one UserError naming everything missing. buildx
 * is asked through the builder probe the build needs anyway (`docker buildx inspect` and
 * `docker info`), so the check costs the run no extra docker command.
 */
export async function checkTools(needs: ToolNeeds, skopeoDownload: boolean): Promise<CheckedTools> {
  const missing: MissingTool[] = [];
  const found: string[] = [];
  let builder: Promise<BuilderFacts> | undefined;
  if (needs.buildx) {
    const docker = await findOnPath('docker');
    if (!docker) missing.push('docker');
    else {
      builder = probeBuilder();
      const failure = await builder.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure instanceof ToolError && buildxIsMissing(failure.detail)) missing.push('buildx');
      else found.push(`docker buildx (${docker})`);
    }
  }
  if (needs.skopeo) {
    const skopeo = await findOnPath('skopeo');
    if (skopeo) found.push(`skopeo (${skopeo})`);
    else if (skopeoDownload) found.push(`skopeo from \`${Input.SkopeoDownloadUrl}\``);
    else missing.push('skopeo');
  }
  if (missing.length > 0) throw new UserError(missingToolsMessage(missing));
  info(`The job image has what this run needs: ${found.join(', ')}.`);
  return { builder };
}
