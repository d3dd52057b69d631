import type { BuildInputs, BuildSecret } from '../build/buildx.js';
import { Input } from '../names.js';
import { lines, parseBoolean, parseKeyValueLines, splitSecretLine } from './grammar.js';
import { quote, type Problems } from './problems.js';
import type { RawInputs } from './read.js';

// The build's own inputs, checked as build-push-action's users would write them.

const STAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NETWORK = /^(?:default|none|host)$/;
/** `os/arch` with an optional variant, as buildx's `--platform` takes each entry. */
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
/** buildx's attestation options after `--provenance=` or `--sbom=`, such as `mode=max`. */
const ATTESTATION_OPTIONS = /^[a-z-]+=[^\s,=]+(?:,[a-z-]+=[^\s,=]+)*$/;

export function checkBuildOptions(
  raw: RawInputs,
  problems: Problems,
): Omit<BuildInputs, 'context' | 'dockerfile'> {
  const { [Input.Target]: target, [Input.Network]: network } = raw;
  if (target && !STAGE.test(target))
    problems.add(Input.Target, `is not a build stage name: ${quote(target)}.`);
  if (network && !NETWORK.test(network))
    problems.add(Input.Network, `must be \`default\`, \`none\` or \`host\`, not ${quote(network)}.`);
  return {
    buildArgs: parseKeyValueLines(raw[Input.BuildArgs], Input.BuildArgs, problems),
    labels: parseKeyValueLines(raw[Input.Labels], Input.Labels, problems),
    target,
    network,
    platforms: checkPlatforms(raw[Input.Platforms], problems),
    secrets: checkBuildSecrets(raw[Input.Secrets], problems),
    cacheFrom: lines(raw[Input.CacheFrom]),
    cacheTo: lines(raw[Input.CacheTo]),
    noCache: parseBoolean(raw[Input.NoCache], Input.NoCache, problems),
    pull: parseBoolean(raw[Input.Pull], Input.Pull, problems),
    annotations: parseKeyValueLines(raw[Input.Annotations], Input.Annotations, problems),
    provenance: checkAttestation(raw[Input.Provenance], Input.Provenance, problems),
    sbom: checkAttestation(raw[Input.Sbom], Input.Sbom, problems),
  };
}

/** `linux/amd64,linux/arm64`: separated by commas or lines, as build-push-action reads it. */
export function checkPlatforms(value: string, problems: Problems, input = Input.Platforms): string[] {
  const platforms = value
    .split(/[,\n]/)
    .map((platform) => platform.trim())
    .filter(Boolean);
  for (const platform of platforms)
    if (!PLATFORM.test(platform))
      problems.add(
        input,
        `has ${quote(platform)}, which is not a platform such as \`linux/amd64\` or \`linux/arm/v7\`.`,
      );
  const twice = platforms.filter((platform, index) => platforms.indexOf(platform) !== index);
  if (twice.length > 0) problems.add(input, `lists ${quote(twice[0])} twice.`);
  return platforms;
}

/**
 * `build_platforms`: the platforms this job builds, each a part of the index of `platforms`.
 * Empty: the job builds every platform, as without it.
 */
export function checkBuildPlatforms(
  raw: RawInputs,
  platforms: string[],
  problems: Problems,
): { platforms: string[]; build: string[] } | undefined {
  const build = checkPlatforms(raw[Input.BuildPlatforms], problems, Input.BuildPlatforms);
  if (build.length === 0) return undefined;
  if (platforms.length === 0)
    problems.add(
      Input.BuildPlatforms,
      'names platforms of the index `platforms` lists, and `platforms` is empty: set it to every platform of the image, the same in every job.',
    );
  else
    for (const platform of build)
      if (!platforms.includes(platform))
        problems.add(
          Input.BuildPlatforms,
          `has ${quote(platform)}, which \`platforms\` does not list (${platforms.join(', ')}): a job builds parts of that index only.`,
        );
  for (const input of [Input.Provenance, Input.Sbom])
    if (raw[input] && raw[input].toLowerCase() !== 'false')
      problems.add(
        input,
        'cannot be used with `build_platforms`: each part would become an index of its own, with its attestation manifest, and an index of parts holds images. Leave it off.',
      );
  return { platforms, build };
}

/** `id=value` lines; a problem names the line and the id, never the value. */
export function checkBuildSecrets(value: string, problems: Problems): BuildSecret[] {
  const secrets: BuildSecret[] = [];
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const { id, value: secret } = splitSecretLine(line);
    const where = `line ${index + 1}`;
    // Without `=`, the line may be the value itself: it is never quoted.
    if (!line.includes('='))
      problems.add(
        Input.Secrets,
        `${where} is not \`id=value\` (the line is not shown: it may be the secret).`,
      );
    else if (!SECRET_ID.test(id))
      problems.add(
        Input.Secrets,
        `${where} is not \`id=value\` with an id of letters, digits, \`_ . -\`: ${quote(`${id.slice(0, 40)}=…`)}.`,
      );
    else if (!secret) problems.add(Input.Secrets, `${where} gives the secret ${quote(id)} no value.`);
    else if (secrets.some((known) => known.id === id))
      problems.add(Input.Secrets, `${where} gives the secret ${quote(id)} a second time.`);
    else secrets.push({ id, value: secret });
  });
  return secrets;
}

/** `false` (the default), `true`, or buildx's options for the attestation (`mode=max`). */
export function checkAttestation(value: string, input: Input, problems: Problems): string {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase();
  if (ATTESTATION_OPTIONS.test(value)) return value;
  problems.add(
    input,
    `must be \`true\`, \`false\` or buildx's options such as \`mode=max\`, not ${quote(value)}.`,
  );
  return 'false';
}
