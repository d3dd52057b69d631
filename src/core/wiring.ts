import { buildSpec, provenanceLabels } from '../build/buildx.js';
import type { BuilderFacts } from '../build/engine.js';
import { InputError, UserError } from '../errors.js';
import { indexAnnotations, partsOf, type Parts } from '../image/parts.js';
import type { Tags } from '../image/tags.js';
import type { Inputs } from '../inputs/parse.js';
import { defaultRetryPolicy } from '../process/retry.js';
import type { PublicationContext, RegistryView } from '../publication/context.js';
import type { Plan } from '../publication/plan.js';
import { toolsFor } from '../publication/steps/index.js';
import { realWriter } from '../publication/writer.js';
import { RegistryClient } from '../registry/client.js';
import { warnOfKeyExpiry } from '../registry/key-expiry.js';
import { warnOfCreateOnlyHole } from '../registry/zot-release.js';
import { info } from '../report/log.js';
import { setDigestOutput } from '../report/result.js';
import type { Timeline } from '../report/timeline.js';
import type { Secrets } from '../secrets.js';
import { KeyProblem, openSigningKey, type SigningKey } from '../signing/key.js';
import type { Signatures } from '../signing/signatures.js';
import type { Bundles } from '../signing/bundles.js';
import { authFileIn, login, type SkopeoConfig } from '../skopeo/commands.js';
import { checkTools, type CheckedTools } from '../tools/job-image.js';

// The object graph of one run, built from its inputs: the registry client, the parts, the
// signing key, and the publication's context (its ports filled with the real registry, buildx
// and skopeo). publish-image.ts calls these in the order of the behaviour.

/** What the run's publication is made of, once the registry has been read through `registry`. */
export interface Run {
  inputs: Inputs;
  secrets: Secrets;
  tags: Tags;
  parts?: Parts;
  client: RegistryClient;
  registry: RegistryView;
  signatures?: Signatures;
  bundles?: Bundles;
  /** With a key: whether it vouches for an image as this commit's, in either format. */
  vouches?: (digest: string) => Promise<boolean>;
  timeline: Timeline;
  runDirectory: string;
  /** The builder as the tools check found it, when the run builds. */
  builder?: Promise<BuilderFacts>;
}

export function registryClientFor(inputs: Inputs): RegistryClient {
  return new RegistryClient({
    host: inputs.registry,
    insecure: inputs.insecureRegistry,
    credentials: inputs.credentials,
    timeoutMs: inputs.registryTimeoutMs,
    log: info,
  });
}

/** The publication's context: the ports the executor and its steps write through. */
export function publicationContext(run: Run): PublicationContext {
  const { inputs, tags, parts, client, timeline, runDirectory } = run;
  return {
    tags,
    registry: run.registry,
    signatures: run.signatures,
    bundles: run.bundles,
    vouches: run.vouches,
    parts,
    writer: realWriter({
      tags,
      client,
      assemblesParts: parts !== undefined,
      spec: buildSpec(inputs.build, tags, process.env, new Date()),
      runDirectory,
      timeline,
      skopeoDownload: inputs.skopeoDownload,
      source: inputs.source,
      builder: run.builder,
      logIn: () => logIn(inputs, run.secrets, runDirectory),
    }),
    phase: (name, work) => timeline.phase(name, work),
    sleep: defaultRetryPolicy.sleep,
    log: info,
    pushed: setDigestOutput,
  };
}

/**
 * With `build_platforms`: the index's platforms, this job's, and the index's annotations: the
 * provenance of the commit without the time of the run, so that every job assembles the same bytes.
 */
export function partsFor(inputs: Inputs, tags: Tags): Parts | undefined {
  if (!inputs.parts) return undefined;
  const provenance = provenanceLabels(tags, process.env, new Date());
  const annotations = indexAnnotations([...inputs.build.annotations, ...provenance]);
  return partsOf(inputs.parts.platforms, inputs.parts.build, annotations);
}

/** The signing key opened with its password; a problem names its input, as every bad input does. */
export async function openKey(signing: NonNullable<Inputs['signing']>): Promise<SigningKey> {
  try {
    return await openSigningKey(signing.key, signing.password);
  } catch (error) {
    if (error instanceof KeyProblem) throw new InputError([`\`${error.input}\` ${error.message}`]);
    throw error;
  }
}

/** One authenticated request proves the key before anything is built or pushed. */
export async function checkKey(inputs: Inputs, client: RegistryClient): Promise<void> {
  await client.proveAccess();
  if (!inputs.credentials) {
    info(`Reading ${inputs.registry} anonymously (not pushing).`);
    return;
  }
  info(`${inputs.registry} accepted the API key of ${inputs.credentials.username}.`);
  await Promise.all([
    warnOfKeyExpiry(client, inputs.keyExpiryWarningDays, new Date()),
    warnOfCreateOnlyHole(client),
  ]);
}

/**
 * The tools the plan's writes run, checked (as a phase of their own) when it writes anything;
 * with `source` nothing is built, so buildx is not needed.
 */
export async function checkToolsFor(
  plan: Plan | undefined,
  inputs: Inputs,
  timeline: Timeline,
): Promise<CheckedTools> {
  // No plan: an image under the version tag is compared with a build (core/unlabelled.ts).
  const needs = {
    ...(plan ? toolsFor(plan) : { buildx: true, skopeo: true }),
    ...(inputs.source ? { buildx: false } : {}),
  };
  if (!needs.buildx && !needs.skopeo) return {};
  return timeline.phase('Check the tools', () => checkTools(needs, inputs.skopeoDownload !== undefined));
}

async function logIn(inputs: Inputs, secrets: Secrets, runDirectory: string): Promise<SkopeoConfig> {
  const credentials = inputs.credentials;
  if (!credentials) throw new UserError('Pushing needs `username` and `api_key`.');
  const config = {
    registry: inputs.registry,
    insecure: inputs.insecureRegistry,
    authFile: authFileIn(runDirectory),
    secrets: secrets.list,
  };
  await login(config, credentials);
  return config;
}
