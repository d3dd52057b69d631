import * as core from '@actions/core';
import { buildSpec, provenanceLabels } from './build/buildx.js';
import { InputError, UserError, messageOf } from './errors.js';
import { parseInputs, type Inputs } from './inputs/parse.js';
import { describeInputs, readRawInputs } from './inputs/read.js';
import { readSecrets } from './inputs/secrets.js';
import type { Secrets } from './secrets.js';
import { endChildren, recordChildrenIn } from './process/children.js';
import { defaultRetryPolicy } from './process/retry.js';
import { childrenDirectory, createRunDirectory } from './process/run-folder.js';
import { markMainStep } from './process/saved-state.js';
import { indexAnnotations, partsOf, type Parts } from './image/parts.js';
import type { PublicationContext } from './publication/context.js';
import { publish } from './publication/executor.js';
import { plan, publicationFor, type Plan } from './publication/plan.js';
import { tagsOf } from './image/tags.js';
import { realWriter } from './publication/writer.js';
import { RegistryClient } from './registry/client.js';
import { warnOfKeyExpiry } from './registry/key-expiry.js';
import { registryView } from './publication/registry-view.js';
import { info, neutralise } from './report/log.js';
import {
  report,
  setDigestOutput,
  setPartOutput,
  setReferenceOutputs,
  setResultOutputs,
  setSignatureOutput,
} from './report/result.js';
import { KeyProblem, openSigningKey, type SigningKey } from './signing/key.js';
import { signatureTag } from './signing/signature.js';
import { registrySignatures } from './signing/signatures.js';
import { Timeline } from './report/timeline.js';
import { authFileIn, login, type SkopeoConfig } from './skopeo/commands.js';

/** The main step. The state it saves first tells the post step (see index.ts) apart. */
export async function run(): Promise<void> {
  markMainStep();
  // Every input is read once, here; the secrets among them are masked before anything else.
  const raw = readRawInputs((name) => core.getInput(name));
  const secrets = readSecrets(raw);
  core.debug(describeInputs(raw));
  endChildrenWhenCancelled();
  try {
    await main(parseInputs(raw), secrets);
  } catch (error) {
    // The last line of defence: no message leaves with the key in it, or as a workflow command.
    core.setFailed(neutralise(secrets.scrub(messageOf(error))));
  }
}

/**
 * Prove the key; read what the registry holds and plan what is missing; write it, the
 * version tag last (or, without `push`, only build); report.
 */
async function main(inputs: Inputs, secrets: Secrets): Promise<void> {
  const tags = tagsOf(inputs.registry, inputs.imageName, inputs.version, inputs.sha);
  setReferenceOutputs(tags);
  const parts = partsFor(inputs, tags);
  // Without `push` nothing is pushed: there is no part to name.
  if (parts && inputs.push) setPartOutput(tags, parts);
  const runDirectory = await createRunDirectory();
  recordChildrenIn(childrenDirectory(runDirectory));
  const client = new RegistryClient({
    host: inputs.registry,
    insecure: inputs.insecureRegistry,
    credentials: inputs.credentials,
    timeoutMs: inputs.registryTimeoutMs,
    log: info,
  });
  const timeline = new Timeline();
  // The signing key is opened (scrypt, about 0.25 s) while the API key and the registry are
  // checked; a wrong password still stops the run before anything is built.
  const signingKey = inputs.push && inputs.signing ? openKey(inputs.signing) : undefined;
  signingKey?.catch(() => undefined);
  try {
    await timeline.phase('Check the key', () => checkKey(inputs, client));
    const signatures = signingKey && registrySignatures(client, tags, signingKey);
    const registry = registryView(client, tags, signatures, parts);
    const publication = publicationFor(inputs.push, signatures !== undefined, parts !== undefined);
    const planNow = async (phase: string): Promise<Plan> =>
      plan(await timeline.phase(phase, () => registry.readHeld()), tags, publication, parts);
    const first = await planNow('Check the registry');
    info(first.reason);
    // A wrong password stops the run here at the latest, before anything is built.
    await signingKey;
    const context: PublicationContext = {
      tags,
      registry,
      signatures,
      parts,
      writer: realWriter({
        tags,
        client,
        parts: parts !== undefined,
        spec: buildSpec(inputs.build, tags, process.env, new Date()),
        runDirectory,
        timeline,
        skopeoDownload: inputs.skopeoDownload,
        logIn: () => logIn(inputs, secrets, runDirectory),
      }),
      phase: (name, work) => timeline.phase(name, work),
      sleep: defaultRetryPolicy.sleep,
      log: info,
      pushed: setDigestOutput,
    };
    const { result, digest, reason, missing } = await publish(first, context, () =>
      planNow('Check the registry again'),
    );
    setResultOutputs(result, digest);
    const published = signatures && digest && !missing;
    const signature = published ? `${tags.image}:${signatureTag(digest)}` : undefined;
    if (signature) setSignatureOutput(signature);
    await report({ tags, result, digest, signature, missing, detail: reason, phases: timeline.phases });
  } catch (error) {
    await report({ tags, detail: messageOf(error), phases: timeline.phases });
    throw error;
  } finally {
    await client.close();
  }
}

/**
 * With `build_platforms`: the index's platforms, this job's, and the index's annotations: the
 * provenance of the commit without the time of the run, so that every job assembles the same bytes.
 */
function partsFor(inputs: Inputs, tags: ReturnType<typeof tagsOf>): Parts | undefined {
  if (!inputs.parts) return undefined;
  const provenance = provenanceLabels(tags, process.env, new Date());
  const annotations = indexAnnotations([...inputs.build.annotations, ...provenance]);
  return partsOf(inputs.parts.platforms, inputs.parts.build, annotations);
}

/** A cancelled step ends what it started (a build, a push holding credentials), then dies of the same signal. */
function endChildrenWhenCancelled(): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      void endChildren().finally(() => process.kill(process.pid, signal));
    });
}

/** The signing key opened with its password; a problem names its input, as every bad input does. */
async function openKey(signing: NonNullable<Inputs['signing']>): Promise<SigningKey> {
  try {
    return await openSigningKey(signing.key, signing.password);
  } catch (error) {
    if (error instanceof KeyProblem) throw new InputError([`\`${error.input}\` ${error.message}`]);
    throw error;
  }
}

/** One authenticated request proves the key before anything is built or pushed. */
async function checkKey(inputs: Inputs, client: RegistryClient): Promise<void> {
  await client.proveAccess();
  if (!inputs.credentials) {
    info(`Reading ${inputs.registry} anonymously (not pushing).`);
    return;
  }
  info(`${inputs.registry} accepted the API key of ${inputs.credentials.username}.`);
  await warnOfKeyExpiry(client, inputs.keyExpiryWarningDays, new Date());
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
