import { messageOf } from '../errors.js';
import { tagsOf } from '../image/tags.js';
import { warnOfAnotherCheckout } from '../inputs/checkout.js';
import type { Inputs } from '../inputs/parse.js';
import { recordChildrenIn } from '../process/children.js';
import { childrenDirectory, createRunDirectory } from '../process/run-folder.js';
import { publish } from '../publication/executor.js';
import { publicationFor } from '../publication/kinds.js';
import { plan, type Plan } from '../publication/plan.js';
import { UnlabelledVersion } from '../publication/refusals.js';
import { matchUnlabelled } from './unlabelled.js';
import { registryView } from '../publication/registry-view.js';
import { info } from '../report/log.js';
import {
  report,
  setPartOutput,
  setReferenceOutputs,
  setResultOutputs,
  setSignatureOutput,
} from '../report/result.js';
import { Timeline } from '../report/timeline.js';
import type { Secrets } from '../secrets.js';
import { signatureRef } from '../signing/signature.js';
import { registrySignatures } from '../signing/signatures.js';
import { registryBundles } from '../signing/bundles.js';
import { checkAsConsumers } from '../signing/consumers.js';
import { vouchedByKey } from '../signing/vouched.js';
import { Result } from '../names.js';
import {
  checkKey,
  checkToolsFor,
  openKey,
  partsFor,
  publicationContext,
  registryClientFor,
} from './wiring.js';

// The core of the behaviour, the same for the action and the command line: from parsed inputs
// to a published image and its report.

/**
 * Prove the key; read what the registry holds and plan what is missing; write it, the
 * version tag last (or, without `push`, only build); report.
 */
export async function publishImage(inputs: Inputs, secrets: Secrets): Promise<void> {
  const tags = tagsOf(inputs.registry, inputs.imageName, inputs.version, inputs.sha, {
    commitTag: inputs.commitTag,
  });
  setReferenceOutputs(tags);
  const parts = partsFor(inputs, tags);
  // Without `push` nothing is pushed: there is no part to name.
  if (parts && inputs.push) setPartOutput(tags, parts);
  // A source was built elsewhere: its revision label, not a checkout, says which commit it is.
  if (!inputs.source) warnOfAnotherCheckout(inputs.build.context, inputs.sha);
  const runDirectory = await createRunDirectory();
  recordChildrenIn(childrenDirectory(runDirectory));
  const client = registryClientFor(inputs);
  const timeline = new Timeline();
  // The signing key is opened (scrypt, about 0.25 s) while the API key and the registry are
  // checked; a wrong password still stops the run before anything is built.
  const signingKey = inputs.push && inputs.signing ? openKey(inputs.signing) : undefined;
  signingKey?.catch(() => undefined);
  try {
    await timeline.phase('Check the key', () => checkKey(inputs, client));
    // Both formats of the key are read; those of `signature_formats` are written.
    const readers = signingKey && {
      signatures: registrySignatures(client, tags, signingKey),
      bundles: registryBundles(client, tags, signingKey),
    };
    const formats = inputs.signing?.formats;
    const signatures = formats?.sig ? readers?.signatures : undefined;
    const bundles = formats?.bundle ? readers?.bundles : undefined;
    const publication = publicationFor({
      push: inputs.push,
      sign: signatures !== undefined,
      bundle: bundles !== undefined,
      parts: parts !== undefined,
      commitTag: inputs.commitTag,
    });
    const registry = registryView({ client, tags, ...readers, parts, publication });
    const planNow = async (phase: string): Promise<Plan> =>
      plan(await timeline.phase(phase, () => registry.readHeld()), tags, publication, parts);
    const first = await planNow('Check the registry').catch((error: unknown) => {
      // An image pushed before this action, with no label: compared with this build below.
      if (error instanceof UnlabelledVersion && inputs.push && !parts) return error;
      throw error;
    });
    if (!(first instanceof UnlabelledVersion)) info(first.reason);
    // What the job image lacks for what the plan writes is named at once, before any build.
    const { builder } = await checkToolsFor(
      first instanceof UnlabelledVersion ? undefined : first,
      inputs,
      timeline,
    );
    // A wrong password stops the run here at the latest, before anything is built.
    await signingKey;
    const context = publicationContext({
      inputs,
      secrets,
      tags,
      parts,
      client,
      registry,
      signatures,
      bundles,
      vouches: readers && ((digest: string) => vouchedByKey(readers, tags, digest)),
      timeline,
      runDirectory,
      builder,
    });
    const { result, digest, reason, missing } =
      first instanceof UnlabelledVersion
        ? await matchUnlabelled(first, { tags, client, writer: context.writer, runDirectory })
        : await publish(first, context, () => planNow('Check the registry again'));
    // Each format written is found as its consumer finds it before the run is a success.
    if ((signatures || bundles) && digest && !missing && result !== Result.AlreadyPublished)
      await timeline.phase('Check the signatures as consumers read them', async () => {
        const found = await checkAsConsumers(
          { tags, signatures, bundles, imagesOf: registry.imagesOf },
          digest,
        );
        info(`Found as consumers find them: ${found.join('; ')}.`);
      });
    setResultOutputs(result, digest);
    // An image found the same as the build was not signed by this run (nor is it now).
    const published = signatures && digest && !missing && !(first instanceof UnlabelledVersion);
    const signature = published ? signatureRef(tags, digest) : undefined;
    if (signature) setSignatureOutput(signature);
    await report({ tags, result, digest, signature, missing, detail: reason, phases: timeline.phases });
  } catch (error) {
    await report({ tags, detail: messageOf(error), phases: timeline.phases });
    throw error;
  } finally {
    await client.close();
  }
}
