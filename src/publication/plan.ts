import { partRef, type Parts } from '../image/parts.js';
import { shaRef, versionRef, type TaggedImage, type Tags } from '../image/tags.js';
import type { Held } from './context.js';
import { foreignCommitTag, foreignPart, refusal, unsignedImage } from './refusals.js';
import { heldUnder, publicationFor, type ObjectKind } from './kinds.js';

// The planner: which of the writes a publication (kinds.ts) asks for are missing, decided from
// what the registry holds alone.

/**
 * One missing object: its step, whether it replaces another image of this commit (a repair),
 * and for a part, its platform.
 */
export interface Write {
  /** The name of its kind (a `StepKind` of the table, or of a kind added to it). */
  step: string;
  repair?: boolean;
  platform?: string;
}

/**
 * The image a plan publishes: a new build when no image of this commit is in the registry, an
 * index to be assembled from platform parts, or the one the registry holds (by its digest).
 */
export type PlannedImage = { kind: 'build' } | { kind: 'assemble' } | { kind: 'held'; digest: string };

export const BUILD: PlannedImage = { kind: 'build' };
export const ASSEMBLE: PlannedImage = { kind: 'assemble' };

export function heldAt(digest: string): PlannedImage {
  return { kind: 'held', digest };
}

/** The digest of a held image; none for one still to be built or assembled. */
export function digestHeld(image: PlannedImage): string | undefined {
  return image.kind === 'held' ? image.digest : undefined;
}

/** What the run writes: the image it publishes and the objects missing, in publication order. */
export interface Plan {
  image: PlannedImage;
  /** Empty: everything is there already. */
  writes: Write[];
  reason: string;
}

/**
 * The whole re-run policy in one place. A version or commit tag from another commit is refused;
 * an image whose commit tag exists is never rebuilt. The image published is the version tag's
 * when it exists, else the commit tag's, else a new build; every object that does not hold it
 * is written, in the publication's order, every tag by the same rule (tagWrites). The one
 * repair: two runs of this commit interleaved on a registry that lets tags be overwritten, each
 * with its own image; a published version tag stays and the commit tag follows it.
 */
export function plan(
  held: Held,
  tags: Tags,
  publication: readonly ObjectKind[] = publicationFor({ push: true }),
  parts?: Parts,
): Plan {
  const { version, commit } = held;
  if (version.exists && version.revision !== tags.sha) throw refusal(version, tags);
  if (commit.exists && commit.revision !== tags.sha) throw foreignCommitTag(commit, tags);
  for (const [platform, part] of Object.entries(held.parts ?? {}))
    if (part.exists && part.revision !== tags.sha) throw foreignPart(part, platform, tags);
  const leaves = (name: string) => publication.some((kind) => kind.name === name);
  if (leaves('signature') || leaves('bundle')) refuseUnsigned(held, tags);
  const assembled = parts !== undefined && leaves('part');
  const there = heldImage(held);
  const image = there ? heldAt(there) : assembled ? ASSEMBLE : BUILD;
  const writes = publication.flatMap(({ name: step, tag }): Write[] => {
    // A build, or an index assembled, is signed in every format before any tag names it (by the
    // step that pushes it): only an image found in the registry may lack a signature.
    if ((step === 'signature' || step === 'bundle') && image.kind !== 'held') return [];
    if (step === 'signature') return signed(held, image, tags) ? [] : [{ step }];
    if (step === 'bundle') return bundled(held, image) ? [] : [{ step }];
    // Parts are built only while no index of this commit is out; each once.
    if (step === 'part')
      return image.kind !== 'assemble' || !parts
        ? []
        : parts.mine
            .filter((platform) => !held.parts?.[platform]?.exists)
            .map((platform) => ({ step, platform }));
    // What the registry cannot hold (the engine's image) is always written.
    if (!tag) return [{ step }];
    return tagWrites(step, heldUnder(held, tag(tags), tags), there, tags);
  });
  const reason = image.kind === 'assemble' && parts ? partsReason(held, tags, parts) : reasonFor(held, tags);
  return { image, writes, reason };
}

/**
 * The rule of every tag that must name the image published (`there`; none yet when it is still
 * to be built or assembled): nothing to write when it does, a write when it is absent, a repair
 * when it names another image of this commit (two runs interleaved). One of another commit is
 * written over: the version and commit tags never get here with one (refused above).
 */
function tagWrites(step: string, tagged: TaggedImage, there: string | undefined, tags: Tags): Write[] {
  if (!tagged.exists) return [{ step }];
  if (tagged.digest === there) return [];
  return tagged.revision === tags.sha ? [{ step, repair: true }] : [{ step }];
}

/** The image a run publishes when the registry holds one of this commit: the version tag's, else the commit tag's. */
export function heldImage({ version, commit }: Pick<Held, 'version' | 'commit'>): string | undefined {
  return version.exists ? version.digest : commit.exists ? commit.digest : undefined;
}

/**
 * With a signing key, an image a run would publish or a part it would put in an index counts
 * only where this key signed it for this commit: a run with the key signs before any tag names
 * an image, so an unsigned one under a tag was pushed by someone else, whatever its label says,
 * and is never signed now.
 */
function refuseUnsigned(held: Held, tags: Tags): void {
  const candidate = heldImage(held);
  // Read in the formats the run writes (a `.sig`, a bundle): this key's signature in either counts.
  const readings = [held.signature, held.bundle].filter((read) => read?.digest === candidate);
  if (candidate && readings.length > 0 && !readings.some((read) => read?.vouched))
    throw unsignedImage(held.version.exists ? versionRef(tags) : shaRef(tags), candidate);
  for (const [platform, part] of Object.entries(held.parts ?? {}))
    if (part.exists && part.signed === false)
      throw unsignedImage(`${partRef(tags, platform)} (the ${platform} part)`, part.digest);
}

/** The image there is signed by this run's key for pulls by both tags (a new build never is). */
function signed(held: Held, image: PlannedImage, tags: Tags): boolean {
  const signature = held.signature;
  if (image.kind !== 'held' || signature?.digest !== image.digest) return false;
  return [versionRef(tags), shaRef(tags)].every((identity) => signature.identities.includes(identity));
}

/** The image there has a bundle of this run's key (a new build never has). */
function bundled(held: Held, image: PlannedImage): boolean {
  return image.kind === 'held' && held.bundle?.digest === image.digest && held.bundle.vouched;
}

/** The plan in the user's words, one sentence for each row of the table. */
function reasonFor({ version, commit }: Held, tags: Tags): string {
  if (tags.oneTag)
    return version.exists
      ? `${tags.version} already exists and was built from this commit: nothing to write (no commit tag: \`commit_tag: false\`).`
      : `${tags.version} does not exist: building and pushing it, the one tag (no commit tag: \`commit_tag: false\`).`;
  if (version.exists && commit.exists && commit.digest !== version.digest)
    return (
      `The commit tag holds another image of this commit (${commit.digest}) than ${tags.version} (${version.digest}): two runs interleaved on a registry that lets tags be overwritten. ` +
      `Pointing the commit tag at ${tags.version}'s image, no build.`
    );
  if (version.exists && commit.exists)
    return `${tags.version} and the commit tag already exist and were built from this commit: nothing to write.`;
  if (version.exists)
    return `${tags.version} was built from this commit but the commit tag is missing: adding it, no build.`;
  if (commit.exists)
    return `The commit tag exists but ${tags.version} does not (an earlier run stopped half-way): pointing ${tags.version} at it, no build.`;
  return `Neither ${tags.version} nor the commit tag exists: building and pushing both.`;
}

/** The plan with parts and no index of this commit out yet: which parts are built, which are there. */
function partsReason(held: Held, tags: Tags, parts: Parts): string {
  const there = parts.all.filter((platform) => held.parts?.[platform]?.exists);
  const building = parts.mine.filter((platform) => !there.includes(platform));
  const others = parts.all.filter((platform) => !there.includes(platform) && !parts.mine.includes(platform));
  const sentences = [`Neither ${tags.version} nor the commit tag exists.`];
  sentences.push(
    building.length > 0
      ? `Building the ${list(building)} part${building.length > 1 ? 's' : ''} of this commit.`
      : `This job's part${parts.mine.length > 1 ? 's are' : ' is'} there already (${list(parts.mine)}): no build.`,
  );
  if (there.length > 0 && building.length > 0) sentences.push(`Already there: ${list(there)}.`);
  sentences.push(
    others.length > 0
      ? `The index is assembled by the job that finds every part there; ${list(others)} ${others.length > 1 ? 'are' : 'is'} not yet.`
      : 'Every other part is there: assembling the index and publishing it.',
  );
  return sentences.join(' ');
}

function list(platforms: string[]): string {
  return platforms.join(', ');
}

/** Two plans that would write the same objects from the same image. */
export function samePlan(a: Plan, b: Plan): boolean {
  return (
    JSON.stringify(a.image) === JSON.stringify(b.image) &&
    JSON.stringify(a.writes) === JSON.stringify(b.writes)
  );
}
