export const id = 711;
export const ids = [711];
export const modules = {

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   gl: () => (/* binding */ RegistryError),
/* harmony export */   qD: () => (/* binding */ TagTaken),
/* harmony export */   uN: () => (/* binding */ tagTaken),
/* harmony export */   v4: () => (/* binding */ ToolError),
/* harmony export */   yo: () => (/* binding */ UserError)
/* harmony export */ });
/** A failure the user can act on: its message is shown as it is, as the step's one error. */
class UserError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = 'UserError';
    }
}
/** One or more inputs are invalid; the message names each of them. */
class InputError extends UserError {
    problems;
    constructor(problems) {
        super(problems.length === 1
            ? `Invalid input: ${problems[0]}`
            : `Invalid inputs:\n${problems.map((p) => `- ${p}`).join('\n')}`);
        this.problems = problems;
        this.name = 'InputError';
    }
}
/** The registry answered in a way the action cannot act on safely; nothing was written. */
class RegistryError extends UserError {
    constructor(message, options) {
        super(message, options);
        this.name = 'RegistryError';
    }
}
/**
 * A tag this run meant to write was taken first (the registry refused the write with 403, or
 * the last look before the write found it): the registry's state has moved on, so the run
 * reads it again and decides anew.
 */
class TagTaken extends UserError {
    taken;
    constructor(message, 
    /** What was taken: the tag's reference, and the digest found there when the run looked. */
    taken, options) {
        super(message, options);
        this.taken = taken;
        this.name = 'TagTaken';
    }
}
/** `reference` taken by another run (holding `digest` when it looked): the run reads again and plans anew. */
function tagTaken(message, reference, digest) {
    return new TagTaken(message, { reference, digest });
}
/** A tool exited non-zero; `detail` is the end of its output, secrets scrubbed. */
class ToolError extends UserError {
    command;
    exitCode;
    detail;
    constructor(command, exitCode, detail) {
        super(`\`${command}\` failed with exit code ${exitCode}:\n${detail}`);
        this.command = command;
        this.exitCode = exitCode;
        this.detail = detail;
        this.name = 'ToolError';
    }
}
function messageOf(error) {
    if (error instanceof Error)
        return error.message;
    return String(error);
}


/***/ }),

/***/ 711:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 8 modules
var core = __webpack_require__(6058);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/image/tags.ts
// The two tags a run publishes and what a registry holds at a tag: the image's own vocabulary,
// shared by the planner, the registry client, the signing and the steps that write.
function versionRef(tags) {
    return `${tags.image}:${tags.version}`;
}
function shaRef(tags) {
    return `${tags.image}:${tags.sha}`;
}
/** The image by digest, as skopeo copies it inside the registry. */
function pinnedRef(tags, digest) {
    return `${tags.image}@${digest}`;
}
/** A tag of this image, `registry/name:tag`. */
function tagRef(tags, tag) {
    return `${tags.image}:${tag}`;
}
function tagsOf(registry, repository, version, sha, { commitTag = true } = {}) {
    const tags = { image: `${registry}/${repository}`, repository, version, sha };
    return commitTag ? tags : { ...tags, oneTag: true };
}
/** The references a pull of the published image names: the version tag's, and the commit tag's when there is one. */
function publishedRefs(tags) {
    return tags.oneTag ? [versionRef(tags)] : [versionRef(tags), shaRef(tags)];
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/names.ts
var names = __webpack_require__(6455);
// EXTERNAL MODULE: ./src/report/surface.ts
var surface = __webpack_require__(1997);
;// CONCATENATED MODULE: ./src/report/log.ts

// Text from outside (a registry's answer, a tool's output, an image's label, an input echoed in a
// command line) must never reach a runner as a workflow command. The runners read two forms:
//   - `::name k=v::value`: act and Gitea's runner at the very start of the raw line; GitHub's
//     runner after .NET's TrimStart(), which also strips U+0085 (NEL) and other Unicode spaces;
//   - `##[name k=v]value`: act and Gitea's runner at the start of the line; GitHub's runner
//     anywhere in it (its older parser looks for `##[` with IndexOf).
// So a line whose first visible characters are `::` gets a visible `| ` in front, and every
// `##[` becomes `##\[`, wherever it stands.
/** What may stand before `::` and still be trimmed away by some runner: white space of any kind, control and format characters. */
const COMMAND_START = /^[\s\p{Z}\p{Cc}\p{Cf}]*::/u;
function neutralise(text) {
    return text
        .split(/\r\n|\r|\n/)
        .map((line) => {
        const escaped = line.replaceAll('##[', '##\\[');
        return COMMAND_START.test(escaped) ? `| ${escaped}` : escaped;
    })
        .join('\n');
}
/** Every log line of the main step goes through here, so none can issue a workflow command. */
function info(text) {
    (0,surface/* surface */.MT)().info(neutralise(text));
}
/** A warning, guarded as a log line is: its text may come from outside. */
function warn(text) {
    (0,surface/* surface */.MT)().warning(neutralise(text));
}

;// CONCATENATED MODULE: ./src/inputs/checkout.ts




const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** How many symbolic refs are followed before giving up (git's own limit is 5). */
const MAX_SYMREF_DEPTH = 5;
/**
 * The checkout holding `directory`: the nearest work tree above it (`.git` a folder, or a
 * `gitdir:` file as in a linked work tree; a submodule's is passed over for the repository that
 * holds it) and the commit of its HEAD, detached or through a branch (loose or packed). Undefined
 * outside a repository, or where HEAD cannot be read (no commit yet, a reftable repository).
 */
function readCheckout(directory) {
    for (let dir = external_node_path_.resolve(directory);; dir = external_node_path_.dirname(dir)) {
        const gitDir = gitDirOf(dir);
        if (gitDir) {
            const head = readHead(gitDir);
            return head ? { workTree: dir, head } : undefined;
        }
        if (external_node_path_.dirname(dir) === dir)
            return undefined;
    }
}
/** Warns (once, before the key is checked) when the context's checkout is not the commit published. */
function warnOfAnotherCheckout(context, sha) {
    const warning = checkoutWarning(readCheckout(context), sha);
    if (warning)
        warn(warning);
}
/** The warning when `checkout` is not `sha`: the files built are not the commit tagged. */
function checkoutWarning(checkout, sha) {
    if (!checkout || checkout.head === sha.toLowerCase())
        return undefined;
    return (`The build context is in ${checkout.workTree}, whose checked-out commit (HEAD) is ${checkout.head}, but \`${names/* Input */.pd.Sha}\` is ${sha}: ` +
        `the image is built from the files of ${checkout.head.slice(0, 12)} and published as ${sha.slice(0, 12)}. ` +
        'Check out the commit you publish: give the checkout and this action the same commit, ' +
        '`ref: ${{ inputs.ref || github.sha }}` on actions/checkout and `sha: ${{ inputs.ref || github.sha }}` here.');
}
/** The git directory of a work tree whose top is `dir`, or undefined (none, or a submodule's). */
function gitDirOf(dir) {
    const dotGit = external_node_path_.join(dir, '.git');
    const stat = statOf(dotGit);
    if (stat?.isDirectory())
        return dotGit;
    if (!stat?.isFile())
        return undefined;
    const target = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '')?.[1];
    if (!target)
        return undefined;
    const gitDir = external_node_path_.resolve(dir, target);
    // A submodule's git directory lives under the containing repository's `.git/modules/`: the
    // workflow checked out that repository, whose HEAD is the commit that matters.
    return /[\\/]\.git[\\/]modules[\\/]/.test(gitDir) ? undefined : gitDir;
}
/** HEAD's commit: detached, or the branch it names resolved in the common git directory. */
function readHead(gitDir) {
    // A linked work tree keeps its own HEAD and names, in `commondir`, where the branches are.
    const common = readText(external_node_path_.join(gitDir, 'commondir'))?.trim();
    const commonDir = common ? external_node_path_.resolve(gitDir, common) : gitDir;
    let content = readText(external_node_path_.join(gitDir, 'HEAD'))?.trim();
    for (let depth = 0; content !== undefined && depth <= MAX_SYMREF_DEPTH; depth++) {
        const lower = content.toLowerCase();
        if (COMMIT.test(lower))
            return lower;
        const ref = /^ref:\s*(refs\/\S+)$/.exec(content)?.[1];
        if (!ref || ref.split('/').includes('..'))
            return undefined;
        content = readText(external_node_path_.join(commonDir, ref))?.trim() ?? packedRef(commonDir, ref);
    }
    return undefined;
}
/** A ref's commit in `packed-refs` (`<commit> <ref>` lines; `#` headers and `^` peeled lines skipped). */
function packedRef(commonDir, ref) {
    const packed = readText(external_node_path_.join(commonDir, 'packed-refs')) ?? '';
    for (const line of packed.split('\n')) {
        const [commit, name] = line.trim().split(' ');
        if (name === ref && commit && COMMIT.test(commit.toLowerCase()))
            return commit;
    }
    return undefined;
}
/** A folder that cannot be read (permissions, a race) is no repository: a warning never stops a run. */
function statOf(file) {
    try {
        return external_node_fs_.statSync(file, { throwIfNoEntry: false });
    }
    catch {
        return undefined;
    }
}
function readText(file) {
    try {
        return external_node_fs_.readFileSync(file, 'utf8');
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/process/children.ts
var children = __webpack_require__(1414);
// EXTERNAL MODULE: ./src/process/run-folder.ts
var run_folder = __webpack_require__(2013);
;// CONCATENATED MODULE: ./src/publication/parts-missing.ts
/**
 * Not every part of the index is in the registry yet: the job ends with `part-pushed`, and
 * the job that pushes the last part publishes. Carries what the job can report of its own.
 */
class PartsMissing extends Error {
    missing;
    mine;
    constructor(missing, 
    /** This job's parts: each platform and the digest its tag holds. */
    mine) {
        super(`Parts missing: ${missing.join(', ')}`);
        this.missing = missing;
        this.mine = mine;
        this.name = 'PartsMissing';
    }
}

;// CONCATENATED MODULE: ./src/image/media-types.ts
// The kinds of manifest a registry holds, named once: what the client accepts, what a part may
// be, what the action writes (a signature's manifest, an index of parts).
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** One platform's image, OCI or Docker's: what a part may be. */
const IMAGE_MANIFESTS = [OCI_MANIFEST, DOCKER_MANIFEST];

;// CONCATENATED MODULE: ./src/image/parts.ts



/** `<sha>-<os>-<arch>[-<variant>]`: the tag of one platform's part of this commit. */
function partTag(sha, platform) {
    return `${sha}-${platform.split('/').join('-')}`;
}
/** One platform's part of this commit, `registry/name:<sha>-<os>-<arch>[-<variant>]`. */
function partRef(tags, platform) {
    return tagRef(tags, partTag(tags.sha, platform));
}
/** The parts of an index of `platforms`, this job building `mine`. */
function partsOf(platforms, mine, annotations) {
    return { all: [...platforms].sort(platformOrder), mine, annotations };
}
/**
 * The index's annotations from `KEY=VALUE` pairs (the user's, then the provenance, which wins):
 * the time of the run left out, so that every job of the commit writes the same ones.
 */
function indexAnnotations(pairs) {
    const annotations = {};
    for (const pair of pairs) {
        const eq = pair.indexOf('=');
        const key = pair.slice(0, eq);
        if (eq > 0 && key !== names/* CREATED_LABEL */.Kh)
            annotations[key] = pair.slice(eq + 1);
    }
    return annotations;
}
/** The index's fixed order: by os, then architecture, then variant (none first). */
function platformOrder(a, b) {
    const [x, y] = [a.split('/'), b.split('/')];
    for (let i = 0; i < 3; i++) {
        const [p, q] = [x[i] ?? '', y[i] ?? ''];
        if (p !== q)
            return p < q ? -1 : 1;
    }
    return 0;
}
/**
 * Whether a part's configuration is of the platform its tag names. A part built for `os/arch`
 * may record a variant (BuildKit writes `v8` for arm64); one asked for with a variant must have it.
 */
function isOfPlatform(descriptor, platform) {
    const [os, architecture, variant] = platform.split('/');
    const actual = descriptor.platform;
    return actual.os === os && actual.architecture === architecture && (!variant || actual.variant === variant);
}
/**
 * The index of the parts: their entries in the parts' order, each with its media type, digest,
 * size and platform, and the commit's annotations, serialised with a fixed key order and no
 * white space. Two jobs that assemble it from the same parts write the same bytes, so the same
 * digest.
 */
function assembleIndex(parts, annotations) {
    const manifests = parts.map(({ mediaType, digest, size, platform }) => ({
        mediaType,
        digest,
        size,
        platform: {
            architecture: platform.architecture,
            os: platform.os,
            ...(platform.variant ? { variant: platform.variant } : {}),
        },
    }));
    const sorted = Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const index = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests,
        ...(Object.keys(sorted).length > 0 ? { annotations: sorted } : {}),
    };
    return Buffer.from(JSON.stringify(index));
}

;// CONCATENATED MODULE: ./src/publication/refusals.ts



// What the planner refuses, in the user's words: a tag of another commit, an image this key did
// not sign, an image pushed before this action. Each names the tag, what it holds and what to do.
function unsignedImage(reference, digest) {
    return new errors/* UserError */.yo(`${reference} holds ${digest}, labelled as built from this commit but not signed by this key. ` +
        'With `signing_key` the action signs an image before any tag names it, so no run with this key pushed this one (or its signature was removed), and it is not signed now. ' +
        'Find out what pushed it; delete the tag if it is wrong (where CI may only create, an admin can), then run again.');
}
/** What a refusal tells the user to do about a tag it will not overwrite. */
const FIND_OUT = 'Find out what pushed it; delete it in the registry if it is wrong, then run again.';
/** Where a tag's image came from, as a refusal says it: its commit, or the label it lacks. */
function originOf(image, unlabelled = '') {
    return image.revision
        ? `was built from commit ${image.revision}`
        : `carries no org.opencontainers.image.revision label${unlabelled}`;
}
function foreignCommitTag(commit, tags) {
    const origin = originOf(commit);
    return new errors/* UserError */.yo(`${shaRef(tags)} already exists (${commit.digest}) and ${origin}, not from ${tags.sha}: a commit tag is never overwritten. ` +
        FIND_OUT);
}
function foreignPart(part, platform, tags) {
    const origin = originOf(part);
    return new errors/* UserError */.yo(`${partRef(tags, platform)} (the ${platform} part) already exists (${part.digest}) and ${origin}, not from ${tags.sha}: a part tag is never overwritten. ` +
        FIND_OUT);
}
/**
 * The version tag holds an image with no revision label (pushed before this action, by Dagger
 * or by hand): refused, unless its content is what this run builds (see core/unlabelled.ts).
 */
class UnlabelledVersion extends errors/* UserError */.yo {
    digest;
    constructor(message, digest) {
        super(message);
        this.digest = digest;
        this.name = 'UnlabelledVersion';
    }
}
function refusal(version, tags) {
    const origin = originOf(version, ' (it was not pushed by this action)');
    if (!version.revision)
        return new UnlabelledVersion(`${versionRef(tags)} already exists (${version.digest}) and ${origin}, not from ${tags.sha}. ` +
            'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.', version.digest);
    return new errors/* UserError */.yo(`${versionRef(tags)} already exists (${version.digest}) and ${origin}, not from ${tags.sha}. ` +
        'Published versions are never overwritten: bump `version` (for example a new git tag) and run again.');
}

;// CONCATENATED MODULE: ./src/publication/kinds.ts
/**
 * Every kind, in the order of the publication: with platform parts this job's parts first,
 * then the image (or index) under the commit tag, its signatures when a key is given (the `.sig`
 * and the bundle, before the version tag, which is immutable), then the version tag, always
 * last; without `push`, the image loaded into the engine alone.
 */
const KINDS = [
    { name: 'part', when: ({ push, parts }) => push && parts },
    { name: 'commit-tag', when: ({ push, commitTag }) => push && commitTag, tag: (tags) => tags.sha },
    { name: 'signature', when: ({ push, sign }) => push && sign },
    { name: 'bundle', when: ({ push, bundle }) => push && bundle },
    { name: 'version-tag', when: ({ push }) => push, tag: (tags) => tags.version },
    { name: 'engine', when: ({ push }) => !push },
];
/** What a run with these options leaves, in order: the kinds of `kinds` (the table) it asks for. */
function publicationFor({ push, sign = false, bundle = false, parts = false, commitTag = true }, kinds = KINDS) {
    return kinds.filter((kind) => kind.when({ push, sign, bundle, parts, commitTag }));
}
/** The tags a publication writes, each named by its kind. */
function tagsWrittenBy(publication, tags) {
    return publication.flatMap((kind) => (kind.tag ? [kind.tag(tags)] : []));
}
/**
 * What the registry held at `tag` when the run read it: the version or the commit tag, or
 * another tag of the publication, read with them. A tag that was not read is never taken for a
 * free one.
 */
function heldUnder(held, tag, tags) {
    if (tag === tags.version)
        return held.version;
    if (tag === tags.sha)
        return held.commit;
    const read = held.otherTags?.[tag];
    if (!read)
        throw new Error(`${tag} was not read with the run's tags: the registry view was not given it.`);
    return read;
}

;// CONCATENATED MODULE: ./src/publication/plan.ts




const BUILD = { kind: 'build' };
const ASSEMBLE = { kind: 'assemble' };
function heldAt(digest) {
    return { kind: 'held', digest };
}
/** The digest of a held image; none for one still to be built or assembled. */
function digestHeld(image) {
    return image.kind === 'held' ? image.digest : undefined;
}
/**
 * The whole re-run policy in one place. A version or commit tag from another commit is refused;
 * an image whose commit tag exists is never rebuilt. The image published is the version tag's
 * when it exists, else the commit tag's, else a new build; every object that does not hold it
 * is written, in the publication's order, every tag by the same rule (tagWrites). The one
 * repair: two runs of this commit interleaved on a registry that lets tags be overwritten, each
 * with its own image; a published version tag stays and the commit tag follows it.
 */
function plan(held, tags, publication = publicationFor({ push: true }), parts) {
    const { version, commit } = held;
    if (version.exists && version.revision !== tags.sha)
        throw refusal(version, tags);
    if (commit.exists && commit.revision !== tags.sha)
        throw foreignCommitTag(commit, tags);
    for (const [platform, part] of Object.entries(held.parts ?? {}))
        if (part.exists && part.revision !== tags.sha)
            throw foreignPart(part, platform, tags);
    const leaves = (name) => publication.some((kind) => kind.name === name);
    if (leaves('signature') || leaves('bundle'))
        refuseUnsigned(held, tags);
    const assembled = parts !== undefined && leaves('part');
    const there = heldImage(held);
    const image = there ? heldAt(there) : assembled ? ASSEMBLE : BUILD;
    const writes = publication.flatMap(({ name: step, tag }) => {
        // A build, or an index assembled, is signed in every format before any tag names it (by the
        // step that pushes it): only an image found in the registry may lack a signature.
        if ((step === 'signature' || step === 'bundle') && image.kind !== 'held')
            return [];
        if (step === 'signature')
            return signed(held, image, tags) ? [] : [{ step }];
        if (step === 'bundle')
            return bundled(held, image) ? [] : [{ step }];
        // Parts are built only while no index of this commit is out; each once.
        if (step === 'part')
            return image.kind !== 'assemble' || !parts
                ? []
                : parts.mine
                    .filter((platform) => !held.parts?.[platform]?.exists)
                    .map((platform) => ({ step, platform }));
        // What the registry cannot hold (the engine's image) is always written.
        if (!tag)
            return [{ step }];
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
function tagWrites(step, tagged, there, tags) {
    if (!tagged.exists)
        return [{ step }];
    if (tagged.digest === there)
        return [];
    return tagged.revision === tags.sha ? [{ step, repair: true }] : [{ step }];
}
/** The image a run publishes when the registry holds one of this commit: the version tag's, else the commit tag's. */
function heldImage({ version, commit }) {
    return version.exists ? version.digest : commit.exists ? commit.digest : undefined;
}
/**
 * With a signing key, an image a run would publish or a part it would put in an index counts
 * only where this key signed it for this commit: a run with the key signs before any tag names
 * an image, so an unsigned one under a tag was pushed by someone else, whatever its label says,
 * and is never signed now.
 */
function refuseUnsigned(held, tags) {
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
function signed(held, image, tags) {
    const signature = held.signature;
    if (image.kind !== 'held' || signature?.digest !== image.digest)
        return false;
    return [versionRef(tags), shaRef(tags)].every((identity) => signature.identities.includes(identity));
}
/** The image there has a bundle of this run's key (a new build never has). */
function bundled(held, image) {
    return image.kind === 'held' && held.bundle?.digest === image.digest && held.bundle.vouched;
}
/** The plan in the user's words, one sentence for each row of the table. */
function reasonFor({ version, commit }, tags) {
    if (tags.oneTag)
        return version.exists
            ? `${tags.version} already exists and was built from this commit: nothing to write (no commit tag: \`commit_tag: false\`).`
            : `${tags.version} does not exist: building and pushing it, the one tag (no commit tag: \`commit_tag: false\`).`;
    if (version.exists && commit.exists && commit.digest !== version.digest)
        return (`The commit tag holds another image of this commit (${commit.digest}) than ${tags.version} (${version.digest}): two runs interleaved on a registry that lets tags be overwritten. ` +
            `Pointing the commit tag at ${tags.version}'s image, no build.`);
    if (version.exists && commit.exists)
        return `${tags.version} and the commit tag already exist and were built from this commit: nothing to write.`;
    if (version.exists)
        return `${tags.version} was built from this commit but the commit tag is missing: adding it, no build.`;
    if (commit.exists)
        return `The commit tag exists but ${tags.version} does not (an earlier run stopped half-way): pointing ${tags.version} at it, no build.`;
    return `Neither ${tags.version} nor the commit tag exists: building and pushing both.`;
}
/** The plan with parts and no index of this commit out yet: which parts are built, which are there. */
function partsReason(held, tags, parts) {
    const there = parts.all.filter((platform) => held.parts?.[platform]?.exists);
    const building = parts.mine.filter((platform) => !there.includes(platform));
    const others = parts.all.filter((platform) => !there.includes(platform) && !parts.mine.includes(platform));
    const sentences = [`Neither ${tags.version} nor the commit tag exists.`];
    sentences.push(building.length > 0
        ? `Building the ${list(building)} part${building.length > 1 ? 's' : ''} of this commit.`
        : `This job's part${parts.mine.length > 1 ? 's are' : ' is'} there already (${list(parts.mine)}): no build.`);
    if (there.length > 0 && building.length > 0)
        sentences.push(`Already there: ${list(there)}.`);
    sentences.push(others.length > 0
        ? `The index is assembled by the job that finds every part there; ${list(others)} ${others.length > 1 ? 'are' : 'is'} not yet.`
        : 'Every other part is there: assembling the index and publishing it.');
    return sentences.join(' ');
}
function list(platforms) {
    return platforms.join(', ');
}
/** Two plans that would write the same objects from the same image. */
function samePlan(a, b) {
    return (JSON.stringify(a.image) === JSON.stringify(b.image) &&
        JSON.stringify(a.writes) === JSON.stringify(b.writes));
}

;// CONCATENATED MODULE: ./src/publication/readings.ts



// What the steps and the executor look at while they write: a tag's last look before its
// write, both tags at once, and whether an image another run put under the commit tag is this
// commit's.
/**
 * The last look at `tag` before this run writes it: another image there means another run took
 * it first (TagTaken, with `taken` saying so; the executor reads the registry again). The same
 * image as `ours` is no taking. Returns what the tag holds.
 */
async function lastLook({ tags, registry }, tag, taken, ours) {
    const found = await registry.read(tag);
    if (found.exists && found.digest !== ours)
        throw (0,errors/* tagTaken */.uN)(taken(found.digest), tagRef(tags, tag), found.digest);
    return found;
}
/** The digests both tags name now: two look-ups at once. */
async function lookUpBoth({ tags, registry, }) {
    const [version, commit] = await Promise.all([registry.lookUp(tags.version), registry.lookUp(tags.sha)]);
    return { version, commit };
}
/**
 * The commit tag's image must be of this commit; one of another commit is left as it is.
 * Returns its digest as read from its bytes: a look-up's header (`found`) is only a hint.
 */
async function requireThisCommit(found, ours, { tags, registry, vouches }) {
    const image = await registry.read(tags.sha);
    const revision = image.exists ? image.revision : undefined;
    if (!image.exists || revision !== tags.sha)
        throw new errors/* UserError */.yo(`${shaRef(tags)} was replaced by an image of ${revision ? `commit ${revision}` : 'no known commit'} (${image.exists ? image.digest : found}) while this run published ${ours}; it was left as it is. Find out what pushed it.`);
    // With a key, the version tag goes only to an image this key signed for this commit.
    if (vouches && !(await vouches(image.digest)))
        throw unsignedImage(`${shaRef(tags)} (replaced while this run published ${ours})`, image.digest);
    return image.digest;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/image/digest.ts

// How registries name content: by the sha256 of its bytes.
/** The digest of `bytes` as registries name content: `sha256:<hex>`. */
function digestOf(bytes) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
}
/** A manifest digest as registries and skopeo write it. */
const DIGEST = /^sha256:[0-9a-f]{64}$/;

;// CONCATENATED MODULE: ./src/signing/signature.ts



// The sigstore "simple signing" form that containers/image (skopeo, podman, CRI-O) and cosign
// verify: under the tag `sha256-<hex>.sig` of the signed digest, an OCI image manifest whose
// layers are payloads (one per identity), each with the base64 DER signature of its exact bytes.
const SIGNATURE_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** The tag that holds the signatures of `digest`. */
function signatureTag(digest) {
    return `${digest.replace(':', '-')}.sig`;
}
/** The signatures of `digest` in this image's repository, `registry/name:sha256-<hex>.sig`. */
function signatureRef(tags, digest) {
    return tagRef(tags, signatureTag(digest));
}
/**
 * The payload signed for one identity: `critical` with exactly its type, the image's digest and
 * the tagged reference it may be pulled by; `optional` present and null.
 */
function payloadFor(reference, digest) {
    return Buffer.from(JSON.stringify({
        critical: {
            identity: { 'docker-reference': reference },
            image: { 'docker-manifest-digest': digest },
            type: 'cosign container image signature',
        },
        optional: null,
    }));
}
/** What a payload says, when it is one: the identity and the digest it binds. */
function readPayload(bytes) {
    try {
        const json = JSON.parse(bytes.toString('utf8'));
        const reference = json.critical?.identity?.['docker-reference'];
        const digest = json.critical?.image?.['docker-manifest-digest'];
        if (json.critical?.type !== 'cosign container image signature')
            return undefined;
        return typeof reference === 'string' && typeof digest === 'string' ? { reference, digest } : undefined;
    }
    catch {
        return undefined;
    }
}
/** The layer for one payload and its signature. */
function layerFor(payload, signature) {
    return {
        mediaType: SIGNATURE_MEDIA_TYPE,
        digest: digestOf(payload),
        size: payload.length,
        annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
    };
}
/** The configuration blob cosign and skopeo write for a signature manifest. */
function configFor(layers) {
    return Buffer.from(JSON.stringify({
        architecture: '',
        os: '',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
    }));
}
/** The signature manifest: the configuration, then every layer in order. */
function manifestFor(config, layers) {
    return Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
        layers,
    }));
}

;// CONCATENATED MODULE: ./src/signing/signatures.ts





/** The identities a published digest is signed for: pulls by the version tag and by the commit tag (when there is one). */
function identitiesOf(tags) {
    return publishedRefs(tags);
}
/**
 * The `.sig` of this run's digests through the registry client. `opening` is the key being
 * opened (scrypt runs while the registry is read): it is awaited only where a signature is
 * verified or made.
 */
function registrySignatures(client, tags, opening) {
    const repository = tags.repository;
    const read = async (digest) => {
        const manifest = await client.manifestIfAny(repository, signatureTag(digest));
        if (!manifest)
            return { digest, identities: [], layers: [], exists: false };
        const layers = Array.isArray(manifest.json.layers) ? manifest.json.layers : [];
        const key = await opening;
        // Each payload read at once; every signature verified against this key's public key.
        const verified = await Promise.all(layers.map(async (layer) => {
            const signature = layer?.annotations?.[SIGNATURE_ANNOTATION];
            if (layer?.mediaType !== SIGNATURE_MEDIA_TYPE || typeof signature !== 'string')
                return undefined;
            // A layer whose payload cannot be read (a malformed digest, no such blob, too large) is
            // no signature of this key; it is kept as it is, and stops nothing.
            if (typeof layer.digest !== 'string' || !DIGEST.test(layer.digest))
                return undefined;
            const payload = await client.signaturePayload(repository, layer.digest);
            if (!payload)
                return undefined;
            const said = readPayload(payload);
            return said?.digest === digest && key.verify(payload, Buffer.from(signature, 'base64'))
                ? said.reference
                : undefined;
        }));
        const identities = verified.filter((identity) => identity !== undefined);
        return { digest, identities, layers, exists: true };
    };
    return {
        read,
        write: async (digest, identities) => {
            const reference = signatureRef(tags, digest);
            const [before, key] = await Promise.all([read(digest), opening]);
            // A .sig that holds every identity already (verified by the read) is not written again: on
            // a registry that withholds `update`, a PUT of the same tag would be refused.
            if (identities.every((identity) => before.identities.includes(identity)))
                return reference;
            const added = identities
                .filter((identity) => !before.identities.includes(identity))
                .map((identity) => {
                const payload = payloadFor(identity, digest);
                return { payload, layer: layerFor(payload, key.sign(payload)) };
            });
            // Others' layers are kept as they are; an entry that is no layer at all (not an object, or
            // a digest no registry could hold) is dropped, or the registry would refuse the manifest.
            const kept = before.layers.filter((layer) => layer !== null && typeof layer === 'object' && DIGEST.test(String(layer.digest)));
            const layers = [...kept, ...added.map(({ layer }) => layer)];
            const config = configFor(layers);
            // The payloads and the configuration go up at once; the manifest only after all of them.
            await Promise.all([...added.map(({ payload }) => payload), config].map((blob) => client.putBlob(repository, blob)));
            try {
                await client.putManifest(repository, signatureTag(digest), manifestFor(config, layers), OCI_MANIFEST);
            }
            catch (error) {
                if (!(error instanceof errors/* TagTaken */.qD))
                    throw error;
                // Refused because another run wrote the .sig since it was read (two jobs signing one
                // index, two re-runs): what it wrote may hold every identity this run needs.
                const now = before.exists ? before : await read(digest);
                if (identities.every((identity) => now.identities.includes(identity)))
                    return reference;
                if (now.exists)
                    throw new errors/* UserError */.yo(`${reference} already holds ${now.layers.length} other signature(s), and the registry refuses to update that tag (403: the identity lacks \`update\`). ` +
                        'Nothing more was written, and the version tag is not written unsigned: give the CI identity `update` on signature tags, or remove the other signatures.', { cause: error });
                throw error;
            }
            // Read back and verified against the public key, before anything is reported signed.
            const after = await read(digest);
            const missing = identities.filter((identity) => !after.identities.includes(identity));
            if (missing.length > 0)
                throw new errors/* RegistryError */.gl(`${reference} was written, but reading it back finds no valid signature for ${missing.join(', ')}. Nothing more was written.`);
            return reference;
        },
    };
}

;// CONCATENATED MODULE: ./src/publication/steps/signature.ts


/**
 * The signature of the image published, for pulls by the version tag and by the commit tag,
 * before the version tag is written, read back and verified before the run goes on. An image
 * this run built or assembled was signed before its tag named it (see the commit-tag and part
 * steps); this step finds that signature whole and writes nothing, and adds an identity an image
 * of this commit signed by this key lacks (another version of the same commit).
 */
async function writeSignature(context, image, _write, settle) {
    const { signatures, phase } = context;
    if (!signatures)
        throw new Error('A signature step without a signing key.');
    if (image.kind !== 'held')
        throw new Error('A signature before the image is in the registry.');
    const { digest } = image;
    return phase('Sign', async () => {
        const platforms = await context.registry.imagesOf(digest);
        await signImage(context, signatures, digest, platforms, identitiesOf(context.tags));
        return heldAt(await settle({ digest, interleaved: false }));
    });
}
/**
 * Signs `digest` for `identities`, each .sig read back and verified: for an index, its platform
 * images first (a client pulling one platform, such as skopeo, podman or CRI-O, checks that
 * image's signature; cosign the index's), then the index, whose signature is the one a re-run
 * reads to know the whole is signed. Only what a .sig lacks is written.
 */
async function signImage(context, signatures, digest, platforms, identities) {
    await Promise.all(platforms.map((platform) => signatures.write(platform, identities)));
    if (platforms.length > 0)
        context.log(`The index's ${platforms.length} platform images: signed, verified.`);
    const reference = await signatures.write(digest, identities);
    context.log(`${reference}: signed for ${identities.join(' and ')}, verified.`);
    return reference;
}
/** Whether the run signs: a `.sig`, a bundle referrer, or both. */
function signs(context) {
    return context.signatures !== undefined || context.bundles !== undefined;
}
/**
 * Signs an image this run built or assembled before any tag names it, in every format the run
 * writes: the `.sig` of `subject` and of its `platforms` for `identities`, and a bundle referrer
 * of `subject` (named by its digest, media type and size, as it is not in the registry yet).
 */
async function signBeforeTag(context, subject, platforms, identities) {
    const { signatures, bundles } = context;
    await Promise.all([
        signatures && signImage(context, signatures, subject.digest, platforms, identities),
        bundles && writeBundleOf(context, subject.digest, subject),
    ]);
}
/** The bundle referrer of `digest`, written unless this key's is there, found again as cosign 3 finds it. */
async function writeBundleOf(context, digest, subject) {
    if (!context.bundles)
        return;
    context.log(`${await context.bundles.write(digest, subject)}: bundle verified, listed.`);
}

;// CONCATENATED MODULE: ./src/publication/steps/bundle.ts


/**
 * The Sigstore bundle of the image published, a referrer of its digest, before the version tag
 * is written. An image this run built or assembled got it before its tag named it (see
 * signBeforeTag); this step finds it and writes nothing, and adds it to an image of this commit
 * that has only the `.sig` (signed by a run that wrote no bundle).
 */
async function writeBundle(context, image, _write, settle) {
    if (!context.bundles)
        throw new Error('A bundle step without a signing key.');
    if (image.kind !== 'held')
        throw new Error('A bundle before the image is in the registry.');
    const { digest } = image;
    return context.phase('Sign (bundle)', async () => {
        await writeBundleOf(context, digest);
        return heldAt(await settle({ digest, interleaved: false }));
    });
}

;// CONCATENATED MODULE: ./src/publication/steps/push-build.ts




/**
 * Builds the image and pushes it under `tag`, its first tag (the commit tag, or with one tag
 * the version tag), after a last look that the tag is still free: one another run pushed while
 * this one built is left as it is (TagTaken: the executor reads again). With a key, the image
 * is signed before its tag names it: an unsigned image under a tag is then never one a run
 * with this key pushed. Returns the digest the registry holds.
 */
async function pushBuild(context, tag, phaseName) {
    const { tags, writer, phase } = context;
    const reference = tagRef(tags, tag);
    const built = await writer.build();
    try {
        const staged = signs(context) &&
            (await phase('Sign before the push', async () => {
                const ready = await writer.stage(built);
                await signBeforeTag(context, ready, ready.platforms, identitiesOf(tags));
                return ready;
            }));
        return await phase(phaseName, async () => {
            await lastLook(context, tag, (theirs) => `${reference} was pushed by another run while this one was building (${theirs}); it was left as it is.`);
            const digest = staged
                ? await writer.pushStaged(staged, reference)
                : await writer.push(built, reference);
            context.pushed(digest);
            return digest;
        });
    }
    finally {
        await writer.discard(built);
    }
}

;// CONCATENATED MODULE: ./src/publication/steps/part.ts






/** What a part is signed for: its own tag, and both tags of the index it will be in. */
function partIdentities(tags, platform) {
    return [partRef(tags, platform), ...identitiesOf(tags)];
}
/**
 * One platform's part of the index, built natively by this job and pushed under its part tag,
 * unless another run of this job pushed it while this one built (a part tag is never
 * overwritten: theirs is kept). It changes nothing in what the run publishes: the index comes after.
 */
async function writePart(context, image, write) {
    const { tags, registry, writer, phase, log } = context;
    const platform = write.platform;
    if (!platform)
        throw new Error('A part step without a platform.');
    const tag = partTag(tags.sha, platform);
    const reference = partRef(tags, platform);
    await writer.prepare();
    const built = await writer.build(platform);
    return phase(`Push the ${platform} part`, async () => {
        const meanwhile = await registry.read(tag);
        if (meanwhile.exists) {
            if (meanwhile.revision !== tags.sha)
                throw foreignPart(meanwhile, platform, tags);
            log(`${reference} was pushed by another run of this job while this one was building (${meanwhile.digest}): it is kept.`);
        }
        else if (signs(context)) {
            // Signed before its tag names it, for its part tag and for both tags of the index it will
            // be in: the job that assembles the index then has nothing to add to this .sig.
            const staged = await writer.stage(built);
            await signBeforeTag(context, staged, [], partIdentities(tags, platform));
            const digest = await writer.pushStaged(staged, reference);
            context.pushed(digest);
            log(`${reference} -> ${digest}`);
        }
        else {
            const digest = await writer.push(built, reference);
            context.pushed(digest);
            log(`${reference} -> ${digest}`);
        }
        return image;
    }).finally(() => writer.discard(built));
}
/**
 * The index of every part, read now (after this job's own pushes). Every part there must be
 * this commit's image of the platform its tag names, whichever job pushed it; then, when one
 * is not there yet, PartsMissing. This job's own parts must read back: a registry that does
 * not show a part just pushed is not trusted to say what is missing.
 */
async function indexOfParts(context, parts) {
    const { tags } = context;
    const held = await context.registry.readParts();
    const entries = parts.all.flatMap((platform) => {
        const part = held[platform];
        if (!part?.exists)
            return [];
        const reference = partRef(tags, platform);
        if (part.revision !== tags.sha)
            throw foreignPart(part, platform, tags);
        if (part.signed === false)
            throw unsignedImage(`${reference} (the ${platform} part)`, part.digest);
        if (!part.descriptor)
            throw new errors/* UserError */.yo(`${reference} (${part.digest}) is not one platform's image (an index?): a part is a single image manifest. ` +
                FIND_OUT);
        if (!isOfPlatform(part.descriptor, platform)) {
            const { os, architecture, variant } = part.descriptor.platform;
            throw new errors/* UserError */.yo(`${reference} (${part.digest}) holds an image of ${[os, architecture, variant].filter(Boolean).join('/')}, not of ${platform}. ` +
                FIND_OUT);
        }
        return [part.descriptor];
    });
    const missing = parts.all.filter((platform) => !held[platform]?.exists);
    const lost = parts.mine.filter((platform) => missing.includes(platform));
    if (lost.length > 0)
        throw new errors/* RegistryError */.gl(`${lost.map((platform) => partRef(tags, platform)).join(', ')} ${lost.length > 1 ? 'were' : 'was'} pushed by this run, but the registry reads ${lost.length > 1 ? 'them' : 'it'} back absent (a cache in front of it, or deleted meanwhile?). ` +
            'Nothing more was written; run the job again.');
    if (missing.length > 0) {
        // Every part of this job is there (else `lost` above).
        const mine = parts.mine.flatMap((platform) => {
            const part = held[platform];
            return part?.exists ? [{ platform, digest: part.digest }] : [];
        });
        throw new PartsMissing(missing, mine);
    }
    return assembleIndex(entries, parts.annotations);
}

;// CONCATENATED MODULE: ./src/publication/steps/commit-tag.ts









/** The digests an assembled index names. */
function entriesOf(index) {
    const json = JSON.parse(index.toString());
    return json.manifests.map((entry) => entry.digest);
}
/**
 * The image (or index) under the commit tag. Built and pushed when no image of this commit is
 * in the registry (unless another run of this commit pushed the tag while this one built: a
 * commit tag is never overwritten); with platform parts, the index assembled from them; else a
 * copy inside the registry of the image published.
 */
async function writeCommitTag(context, image, write, settle) {
    const { tags, writer, phase } = context;
    if (image.kind === 'assemble')
        return heldAt(await writeIndexOfParts(context, settle));
    // skopeo is made ready, and logs in while the image builds; a refusal or a re-run with
    // nothing to write never gets this far.
    await writer.prepare();
    if (image.kind === 'held')
        return phase('Push the commit tag', async () => {
            await writer.copy(image.digest, shaRef(tags));
            // A repair means runs interleaved: the other may still be writing.
            return heldAt(await settle({ digest: image.digest, interleaved: write.repair === true }));
        });
    // The phase keeps its name, which the log and the summary's timings show.
    const digest = await pushBuild(context, tags.sha, 'Push the commit tag');
    return heldAt(await settle({ digest, interleaved: false }));
}
/**
 * The index of the parts under the commit tag, written by the action's own client (skopeo
 * cannot push an index whose images are not in its source). Another job that assembled it at
 * the same time wrote the same bytes: its index is this one, and the run goes on.
 */
async function writeIndexOfParts(context, settle) {
    const { tags, writer, phase, parts, log } = context;
    if (!parts)
        throw new Error('An index of parts without parts.');
    return phase('Assemble the index', async () => {
        const index = await indexOfParts(context, parts);
        const assembled = digestOf(index);
        // Another job that assembled the index at the same time wrote the same bytes: not a taking.
        const meanwhile = await lastLook(context, tags.sha, (theirs) => `${shaRef(tags)} was pushed by another run while this one assembled ${assembled} (${theirs}); it was left as it is.`, assembled);
        if (meanwhile.exists)
            log(`${shaRef(tags)} holds this index already (${assembled}): another job assembled it.`);
        // With a key, the index and its platform images are signed before the commit tag names it.
        if (signs(context) && !meanwhile.exists)
            await signBeforeTag(context, { mediaType: OCI_INDEX, digest: assembled, size: index.length }, entriesOf(index), identitiesOf(tags));
        const digest = meanwhile.exists ? assembled : await writer.putIndex(index);
        context.pushed(digest);
        log(`${shaRef(tags)} -> ${digest} (an index of ${parts.all.join(', ')})`);
        return settle({ digest, interleaved: false });
    });
}

;// CONCATENATED MODULE: ./src/publication/steps/load-into-engine.ts
/** Without `push`: the image is built and loaded into the engine under its local tags. Nothing reaches the registry. */
async function loadIntoEngine(context, image) {
    await context.writer.load();
    return image;
}

;// CONCATENATED MODULE: ./src/publication/steps/version-tag.ts







/**
 * The version tag, always the last write: a copy inside the registry of the image the commit
 * tag holds, after a last look that it is still free; with one tag, the image built, pushed.
 */
async function writeVersionTag(context, image, _write, settle) {
    const { tags, writer, phase } = context;
    // skopeo is made ready, and logs in while the image builds; a refusal or a re-run with
    // nothing to write never gets this far.
    await writer.prepare();
    // With one tag (`commit_tag: false`) no commit tag came first: this step pushes the build.
    if (image.kind === 'build' && tags.oneTag)
        return heldAt(await settle({
            digest: await pushBuild(context, tags.version, 'Push the version tag'),
            interleaved: false,
        }));
    // The commit tag's step ran first: the image is in the registry.
    const published = version_tag_digestOf(image);
    return phase('Push the version tag', async () => {
        const { version, commit } = await lookUpBoth(context);
        if (version.exists) {
            // A registry whose HEAD and GET disagree must not send the run after a tag that is not
            // there; the digest named is the one read from the manifest's bytes, not the HEAD's header.
            await lastLook(context, tags.version, (theirs) => `${versionRef(tags)} was pushed by another run while this one was working (${theirs}); it was left as it is. ` +
                `This commit's image is at ${shaRef(tags)}. Serialise the workflow with a \`concurrency:\` group.`);
            throw new errors/* RegistryError */.gl(`The registry contradicts itself: a HEAD of ${versionRef(tags)} answers 200 (${version.digest}) but a GET finds no such manifest. ` +
                `Nothing more was written; this commit's image is at ${shaRef(tags)}. Check the registry, then run the job again.`);
        }
        const chosen = await imageToPublish(published, commit, context);
        await stillSigned(context, chosen);
        await writer.copy(chosen, versionRef(tags));
        return heldAt(await settle({ digest: chosen, interleaved: chosen !== published }));
    });
}
function version_tag_digestOf(image) {
    if (image.kind !== 'held')
        throw new Error('The version tag before the image is in the registry.');
    return image.digest;
}
/**
 * The commit tag decides which image of this commit is published. Where the registry lets
 * tags be overwritten, another run of this commit may have pushed its own image there after
 * this one did: publishing that one lets both runs publish the same image.
 */
async function imageToPublish(digest, commit, context) {
    if (!commit.exists || commit.digest === digest)
        return digest;
    const theirs = await requireThisCommit(commit.digest, digest, context);
    context.log(`${shaRef(context.tags)} holds another image of this commit (${theirs}), pushed by another run at the same time ` +
        '(this registry lets tags be overwritten): the commit tag decides, publishing that one.');
    return theirs;
}
/**
 * With a key, the image's signatures read once more just before its version tag is written: on
 * a registry that lets tags be overwritten, another run signing the same image for another
 * version can have written the `.sig` (or, without the referrers API, the referrers tag) from
 * what it read before this run's signature was there, dropping it. What is missing is signed
 * again (a read and nothing more when all is there).
 */
async function stillSigned(context, image) {
    const { signatures, registry, tags } = context;
    const sig = async () => {
        if (!signatures)
            return;
        const identities = identitiesOf(tags);
        const platforms = await registry.imagesOf(image);
        await Promise.all([...platforms, image].map((digest) => signatures.write(digest, identities)));
    };
    await Promise.all([sig(), writeBundleOf(context, image)]);
}

;// CONCATENATED MODULE: ./src/publication/steps/index.ts






/** Each kind of the table (kinds.ts), and the step that writes it. */
const STEPS = {
    part: writePart,
    'commit-tag': writeCommitTag,
    signature: writeSignature,
    bundle: writeBundle,
    'version-tag': writeVersionTag,
    engine: loadIntoEngine,
};
/**
 * The tools a plan's writes run: buildx for what is built (the image, a part, the engine's
 * image), skopeo for what is pushed or copied (the version tag's copy too: it prepares skopeo,
 * which logs in). An index of parts and a signature (or bundle) are written by the action's own client; a
 * plan with nothing to write needs neither.
 */
function toolsFor(plan) {
    const built = plan.image.kind === 'build';
    // With one tag (no commit tag to write) the version tag's step builds.
    const first = plan.writes.some((write) => write.step === 'commit-tag') ? 'commit-tag' : 'version-tag';
    const builds = (write) => write.step === 'engine' || write.step === 'part' || (write.step === first && built);
    const pushes = (write) => write.step === 'part' ||
        write.step === 'version-tag' ||
        (write.step === 'commit-tag' && plan.image.kind !== 'assemble');
    return { buildx: plan.writes.some(builds), skopeo: plan.writes.some(pushes) };
}

;// CONCATENATED MODULE: ./src/publication/executor.ts







/** How many times a run plans, when other runs keep taking its objects first. */
const MAX_PLANS = 4;
/** How long a run that saw another run of its commit interleave waits before its last look. */
const SETTLE_MS = 2000;
/**
 * Carries out `first`; when another run takes an object first (TagTaken), reads the registry
 * again (`readAgain`) and carries out the new plan. The other run's image may be this commit's
 * (two re-runs of one commit), so the run converges instead of failing. The refusal stands
 * when the new plan would build what this run built (its image or part went unpublished: never
 * build twice), or is the plan just tried (the registry did not move: a policy refused the
 * write). With platform parts, a job that finds parts missing ends with `part-pushed`.
 * `steps` names the step of each kind the plans write: STEPS, or more where kinds were added.
 */
async function publish(first, context, readAgain, steps = STEPS) {
    let plan = first;
    // The parts this run has started to build: a new plan must not build them again.
    const started = new Set();
    for (let attempt = 1;; attempt++) {
        try {
            return { ...(await carryOut(plan, context, started, steps)), reason: plan.reason };
        }
        catch (error) {
            if (error instanceof PartsMissing)
                return partPushed(error, context);
            if (!(error instanceof errors/* TagTaken */.qD) || attempt === MAX_PLANS)
                throw error;
            const { reference, digest } = error.taken;
            context.log(`${reference} was taken by another run${digest ? ` (${digest})` : ''}. Reading the registry again.`);
            const next = await readAgain();
            if (rebuilds(next, started) || samePlan(next, plan))
                throw error;
            plan = next;
            context.log(plan.reason);
        }
    }
}
/** The part a write builds, if it builds one (the image is never built twice: see rebuilds). */
function partBuiltBy(write) {
    return write.step === 'part' ? `part ${write.platform}` : undefined;
}
/**
 * A new plan that would build what this run has built already (its image or part went
 * unpublished: never build twice). A plan that builds the image is one: a run plans again only
 * after an object was taken, and the object a build is for was taken by then. A plan that
 * builds a part this run built is one too.
 */
function rebuilds(next, started) {
    if (next.image.kind === 'build')
        return true;
    return next.writes.some((write) => {
        const built = partBuiltBy(write);
        return built !== undefined && started.has(built);
    });
}
/** This job's parts are out, others not yet: the job that pushes the last one publishes. */
function partPushed({ missing, mine }, context) {
    const these = mine.map((part) => `${part.platform} (${part.digest})`).join(', ');
    return {
        result: names/* Result */.Q7.PartPushed,
        digest: mine[0]?.digest,
        missing,
        reason: `This job's part${mine.length > 1 ? 's are' : ' is'} in the registry: ${these}. ` +
            `Still missing: ${missing.join(', ')}. The job that pushes the last part assembles the index and publishes ${versionRef(context.tags)}.`,
    };
}
/** The plan's writes in order; the last one's `settle` proves both tags when a tag was written over or the version tag written. */
async function carryOut(plan, context, started, steps) {
    if (plan.writes.length === 0)
        return { result: names/* Result */.Q7.AlreadyPublished, digest: digestHeld(plan.image) };
    const wroteVersion = plan.writes.some((write) => write.step === 'version-tag');
    const needsProof = wroteVersion || plan.writes.some((write) => write.repair);
    let image = plan.image;
    for (const [index, write] of plan.writes.entries()) {
        const built = partBuiltBy(write);
        if (built)
            started.add(built);
        const last = index === plan.writes.length - 1;
        image = await steps[write.step](context, image, write, async (written) => last && needsProof ? prove(written, wroteVersion, context) : written.digest);
    }
    if (plan.writes.some((write) => write.step === 'engine'))
        return { result: names/* Result */.Q7.Built };
    const fresh = plan.image.kind !== 'held';
    return { result: fresh ? names/* Result */.Q7.Pushed : names/* Result */.Q7.Completed, digest: digestHeld(image) };
}
/**
 * After the last write, on a registry that may let tags be overwritten: the version tag must
 * hold the digest (else another run wrote it meanwhile and the registry is read again), and so
 * must the commit tag. Where another run of this commit pushed the commit tag after this run
 * chose its image, that image is the one published: the version tag this run has just written
 * gives way to it (a version tag this run did not write never does). An image of another
 * commit is never used. Once runs have interleaved, the other may still be writing what it
 * decided before: the run waits a moment and looks again. Returns the digest both tags name.
 */
async function prove(written, wroteVersion, context) {
    const { tags, writer } = context;
    let { digest, interleaved } = written;
    if (tags.oneTag)
        return versionHolds(digest, context);
    let commit = await commitTagOnceVersionHolds(digest, context);
    if (commit.exists && commit.digest !== digest) {
        if (!wroteVersion)
            throw (0,errors/* tagTaken */.uN)(`${shaRef(tags)} moved to ${commit.digest} while this run pointed it at ${digest}.`, shaRef(tags), commit.digest);
        const theirs = await requireThisCommit(commit.digest, digest, context);
        context.log(`${shaRef(tags)} now holds another image of this commit (${theirs}), pushed last by another run at the same time (this registry lets tags be overwritten): ` +
            `the commit tag decides, so ${versionRef(tags)} gives way to it.`);
        digest = theirs;
        await writer.copy(digest, versionRef(tags));
        interleaved = true;
    }
    else if (!commit.exists) {
        context.log(`${shaRef(tags)} is gone (deleted meanwhile?): pushing it again.`);
        await writer.copy(digest, shaRef(tags));
    }
    if (interleaved) {
        await context.sleep(SETTLE_MS);
        commit = await commitTagOnceVersionHolds(digest, context);
        if (!commit.exists || commit.digest !== digest)
            throw (0,errors/* tagTaken */.uN)(`${shaRef(tags)} moved again while the runs settled (${commit.exists ? commit.digest : 'gone'}).`, shaRef(tags), commit.exists ? commit.digest : undefined);
    }
    context.log(`${versionRef(tags)} and ${shaRef(tags)} -> ${digest}`);
    return digest;
}
/** With one tag, the proof is the version tag holding the image pushed (one look-up). */
async function versionHolds(published, context) {
    const version = await context.registry.lookUp(context.tags.version);
    if (!version.exists || version.digest !== published)
        throw (0,errors/* tagTaken */.uN)(`${versionRef(context.tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`, versionRef(context.tags), version.exists ? version.digest : undefined);
    context.log(`${versionRef(context.tags)} -> ${published}`);
    return published;
}
/** Both tags, looked up at once: the version tag must hold `published`; the commit tag is returned. */
async function commitTagOnceVersionHolds(published, context) {
    const { version, commit } = await lookUpBoth(context);
    if (!version.exists || version.digest !== published)
        throw (0,errors/* tagTaken */.uN)(`${versionRef(context.tags)} points at ${version.exists ? version.digest : 'nothing'} after the push, not at ${published}: another run wrote it at the same time (this registry lets tags be overwritten).`, versionRef(context.tags), version.exists ? version.digest : undefined);
    return commit;
}

;// CONCATENATED MODULE: ./src/image/content.ts
// Whether two images hold the same thing, whatever their labels and times: what decides that an
// image pushed before this action (with no revision label) is what a run builds.
/** What a configuration says besides its content: when and how it was made, and its labels. */
const MADE = ['created', 'history', 'container', 'container_config', 'docker_version', 'author'];
/** A configuration without its labels and its making: the layers (rootfs), the platform, how it runs. */
function contentOf(config) {
    const content = { ...config };
    for (const key of MADE)
        delete content[key];
    const runtime = content.config;
    if (runtime && typeof runtime === 'object') {
        const { Labels: _labels, ...rest } = runtime;
        content.config = rest;
    }
    return content;
}
/** The same content: the same layers, platform and runtime configuration (JSON, keys in any order). */
function sameContent(a, b) {
    return canonical(contentOf(a)) === canonical(contentOf(b));
}
function canonical(value) {
    if (Array.isArray(value))
        return `[${value.map(canonical).join(',')}]`;
    if (value && typeof value === 'object')
        return `{${Object.keys(value)
            .sort()
            .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
            .join(',')}}`;
    return JSON.stringify(value) ?? 'null';
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 2 modules
var exec = __webpack_require__(5260);
// EXTERNAL MODULE: ./node_modules/@actions/io/lib/io.js
var io = __webpack_require__(8701);
;// CONCATENATED MODULE: ./src/secrets.ts
// A run's secrets as every module may meet them, on the ground floor: the credentials, the
// list of every form a secret could take in text, and the scrubbing of text with it. Reading
// and masking them is inputs/secrets.ts's; sending them, registry/auth.ts's and skopeo's.
/** `username:key` as the Basic scheme encodes it: what is sent, and so a form to mask. */
function basicEncoding(username, apiKey) {
    return Buffer.from(`${username}:${apiKey}`).toString('base64');
}
/** Replaces every secret in `text` with ***. */
function scrub(text, secrets = []) {
    let result = text;
    for (const secret of secrets)
        if (secret)
            result = result.split(secret).join('***');
    return result;
}

;// CONCATENATED MODULE: ./src/process/tools.ts







/** The exit code of coreutils' and busybox's `timeout` when the time ran out. */
const TIMED_OUT = 124;
/** A stopped tool gets TERM, then KILL this much later. */
const KILL_AFTER_SECONDS = 10;
/** How much later than `timeout` the action's own timer stops a child `timeout` failed to stop. */
const BACKSTOP_SECONDS = 15;
/**
 * The environment every child process gets: the runner's, less the action's own inputs.
 * INPUT_API_KEY holds the key; docker, the build and skopeo have no business seeing it.
 */
function childEnvironment(env = process.env) {
    const clean = {};
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined || name.startsWith('INPUT_'))
            continue;
        clean[name] = value;
    }
    return clean;
}
/** Runs a tool and fails with its exit code and the end of its stderr when it fails. */
async function runTool(tool, args, options) {
    const run = await runToolAllowingFailure(tool, args, options);
    if (run.exitCode !== 0) {
        const tail = scrub(run.stderr.trim() || run.stdout.trim(), options.secrets)
            .split('\n')
            .slice(-15)
            .join('\n');
        const error = new errors/* ToolError */.v4(`${tool} ${args[0] ?? ''}`.trim(), run.exitCode, tail);
        throw /no space left on device/i.test(tail) ? fullDisk(error) : error;
    }
    return run;
}
async function runToolAllowingFailure(tool, args, options) {
    const secrets = options.secrets ?? [];
    // @actions/exec runs silent and this echoes each line, scrubbed: a tool that repeats a
    // credential in an error does not put it in the log, whatever the runner masks.
    const echo = (line) => {
        if (!options.silent)
            (0,surface/* surface */.MT)().info(neutralise(scrub(line, secrets)));
    };
    if (!(await findOnPath(tool)))
        throw new errors/* UserError */.yo(`Could not run \`${tool}\`: ${missingToolHint(tool)}`);
    if (!options.silent)
        echo(`[command]${tool} ${args.join(' ')}`);
    // @actions/exec cannot stop a child. Where the runner has `timeout` (coreutils, busybox), it
    // stops the tool and everything the tool started (it leads their process group); the
    // action's own timer, a little later, holds where it has none.
    const timeout = await findOnPath('timeout');
    const [command, commandArgs] = timeout
        ? [timeout, ['-k', String(KILL_AFTER_SECONDS), String(options.timeoutSeconds), tool, ...args]]
        : [tool, args];
    let stdout = '';
    let stderr = '';
    let stopped = false;
    const child = (0,children/* launch */.ql)(command, commandArgs);
    const limit = setTimeout(() => {
        stopped = true;
        void child.stop(KILL_AFTER_SECONDS * 1000);
    }, (options.timeoutSeconds + (timeout ? BACKSTOP_SECONDS : 0)) * 1000);
    const exitCode = await exec/* exec */.m(child.command, child.args, {
        input: options.input,
        silent: true,
        ignoreReturnCode: true,
        env: { ...childEnvironment(), ...options.env },
        cwd: options.cwd,
        listeners: {
            stdout: (data) => (stdout += data.toString()),
            stderr: (data) => (stderr += data.toString()),
            stdline: echo,
            errline: echo,
        },
    })
        .finally(() => {
        clearTimeout(limit);
        child.ended();
    });
    if (stopped || (timeout && exitCode === TIMED_OUT))
        throw new errors/* UserError */.yo(`\`${tool} ${args[0] ?? ''}\` did not finish within ${options.timeoutSeconds}s and was stopped.`);
    return { exitCode, stdout, stderr };
}
/** The tool's path when it is on PATH (or given as a path) and executable, else undefined (@actions/io's `which`). */
async function findOnPath(tool) {
    return (await io/* which */.K7(tool, false)) || undefined;
}
function missingToolHint(tool) {
    switch (tool) {
        case 'docker':
            return 'the Docker CLI is not installed on this runner. Use a runner with Docker and the buildx plugin.';
        default:
            return `${tool} is not installed on this runner.`;
    }
}
/** A full disk named as such, with where the action writes, instead of a tool's last line. */
function fullDisk(error) {
    return new errors/* UserError */.yo(`\`${error.command}\` ran out of disk space (no space left on device). The build writes to the engine's data root and ` +
        "the hand-over to skopeo to this run's folder under RUNNER_TEMP: free space there (for example `docker system prune`) and run again. Nothing was pushed.", { cause: error });
}

;// CONCATENATED MODULE: ./src/process/retry.ts
const defaultRetryPolicy = {
    attempts: 4,
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
/**
 * Runs `attempt` until it is done or the attempts run out; `giveUp` turns the last reason
 * into the error thrown. Waits grow exponentially; a server's Retry-After is honoured but
 * bounded, so a job cannot hang on a registry that asks for patience forever.
 */
async function withRetries(policy, attempt, giveUp, onRetry) {
    let reason = '';
    for (let n = 1; n <= policy.attempts; n++) {
        const outcome = await attempt();
        if (outcome.done)
            return outcome.value;
        reason = outcome.reason;
        if (n === policy.attempts)
            break;
        const backoff = policy.baseDelayMs * 2 ** (n - 1);
        const wait = Math.min(outcome.retryAfterMs ?? backoff, policy.maxDelayMs);
        onRetry?.(reason, wait);
        await policy.sleep(wait);
    }
    throw giveUp(reason, policy.attempts);
}
/** Reads a Retry-After header (seconds or an HTTP date) as milliseconds from now. */
function parseRetryAfter(value, now = Date.now()) {
    if (!value)
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    // Anything else must be an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`), not a stray number
    // that merely ends in GMT (`12 GMT`, which Date.parse reads as a date in 2001).
    if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value.trim()))
        return undefined;
    const date = Date.parse(value);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}

;// CONCATENATED MODULE: ./src/skopeo/commands.ts







/**
 * No skopeo command may hang a job. Each kind gets a budget in seconds that its retries share:
 * a push may take long over a slow link; a login or a copy of a manifest inside the registry
 * moves a few kilobytes.
 */
const SKOPEO_BUDGET = { login: 2 * 60, push: 30 * 60, tag: 5 * 60 };
/** The process is stopped from outside this much later, in case skopeo itself stops answering. */
const GRACE = 30;
function commandTimeout(seconds) {
    return ['--command-timeout', `${Math.max(1, Math.ceil(seconds))}s`];
}
function authFileIn(runDirectory) {
    return external_node_path_.join(runDirectory, 'auth.json');
}
function loginArgs(config, username) {
    const args = [
        'login',
        ...commandTimeout(SKOPEO_BUDGET.login),
        '--authfile',
        config.authFile,
        '--username',
        username,
        '--password-stdin',
    ];
    if (config.insecure)
        args.push('--tls-verify=false');
    args.push(config.registry);
    return args;
}
/** The options every `skopeo copy` of this action shares: a timeout, this run's auth file, retries. */
function copyArgs(config, timeoutSeconds) {
    // --remove-signatures: skopeo never writes a signature of its own, whatever a runner's
    // registries.d says (use-sigstore-attachments would make it PUT the `.sig` tag again on every
    // copy, which a create-only registry refuses once the version tag is out); the action signs.
    return [
        'copy',
        ...commandTimeout(timeoutSeconds),
        '--authfile',
        config.authFile,
        '--retry-times',
        '3',
        '--remove-signatures',
    ];
}
/** `skopeo copy` of the built image to a tag, recording the pushed digest. */
function pushArgs(config, source, destination, digestFile, timeoutSeconds = SKOPEO_BUDGET.push) {
    return [
        ...copyArgs(config, timeoutSeconds),
        '--digestfile',
        digestFile,
        ...source.options,
        ...(config.insecure ? ['--dest-tls-verify=false'] : []),
        source.reference,
        `docker://${destination}`,
    ];
}
/**
 * `skopeo copy` of a manifest already in the registry to another tag of the same repository:
 * the blobs are there, so nothing is uploaded but the manifest, byte for byte (an index with
 * every manifest it names: `--all`).
 */
function tagInRegistryArgs(config, source, destination, timeoutSeconds = SKOPEO_BUDGET.tag) {
    return [
        ...copyArgs(config, timeoutSeconds),
        '--all',
        '--preserve-digests',
        ...(config.insecure ? ['--src-tls-verify=false', '--dest-tls-verify=false'] : []),
        `docker://${source}`,
        `docker://${destination}`,
    ];
}
/** Hands the key to skopeo on stdin; skopeo keeps it in this run's own 0600 auth file. */
async function login(config, credentials) {
    await runTool('skopeo', loginArgs(config, credentials.username), {
        input: Buffer.from(credentials.apiKey),
        secrets: config.secrets,
        // It runs while the build prints; its one line of output would only interleave.
        silent: true,
        timeoutSeconds: SKOPEO_BUDGET.login + GRACE,
    });
    await promises_.chmod(config.authFile, 0o600);
    info(`skopeo logged in to ${config.registry} as ${credentials.username}.`);
}
/**
 * Pushes the built image to `destination` and returns the digest the registry holds. Any
 * temporary file skopeo writes goes to this run's folder, which the post step removes.
 */
async function pushImage(config, source, destination, runDirectory) {
    const digestFile = external_node_path_.join(runDirectory, 'pushed-digest');
    await copy(config, SKOPEO_BUDGET.push, (left) => pushArgs(config, source, destination, digestFile, left), destination, { env: { TMPDIR: runDirectory }, cwd: runDirectory });
    const digest = (await promises_.readFile(digestFile, 'utf8')).trim();
    if (!DIGEST.test(digest))
        throw new errors/* UserError */.yo(`skopeo reported an unexpected digest for ${destination}: ${JSON.stringify(digest)}.`);
    return digest;
}
async function tagInRegistry(config, source, destination) {
    await copy(config, SKOPEO_BUDGET.tag, (left) => tagInRegistryArgs(config, source, destination, left), destination);
}
/**
 * Failures a registry gets over: 5xx, 429, a dropped or timed-out connection, and a manifest
 * whose blob the registry does not know yet (two runs pushing the same image at once: one
 * skipped a blob the other was still uploading; pushing again finds it there).
 */
function isTransientCopyFailure(detail) {
    return /HTTP status: (5\d\d|429)|\b(5\d\d|429) \([A-Za-z ]+\)|too many requests|connection reset|connection refused|unexpected EOF|i\/o timeout|TLS handshake timeout|manifest blob unknown/i.test(detail);
}
/**
 * One `skopeo copy`, tried again while it fails in a way the registry gets over (skopeo's own
 * --retry-times leaves some of those, a 500 on a manifest among them). The attempts share one
 * budget: each gets what the ones before it left. A refused write is explained at once; the
 * last failure is shown as skopeo said it.
 */
async function copy(config, budgetSeconds, args, destination, where = {}) {
    const retry = config.retry ?? { ...defaultRetryPolicy, attempts: 3 };
    const deadline = Date.now() + budgetSeconds * 1000;
    let last;
    await withRetries(retry, async () => {
        const left = (deadline - Date.now()) / 1000;
        if (left < 1 && last)
            throw last;
        try {
            await runTool('skopeo', args(left), {
                secrets: config.secrets,
                timeoutSeconds: left + GRACE,
                ...where,
            });
            return { done: true, value: undefined };
        }
        catch (error) {
            last = explainRefusedWrite(error, destination);
            if (last instanceof errors/* ToolError */.v4 && isTransientCopyFailure(last.detail))
                return { done: false, reason: last.detail.split('\n').at(-1) ?? '' };
            throw last;
        }
    }, () => (last instanceof Error ? last : new errors/* UserError */.yo(String(last))), (reason, waitMs) => info(`skopeo copy failed (${reason}); trying again in ${waitMs / 1000}s`));
}
/**
 * A 403 on a write is the registry's policy speaking, most often zot refusing to overwrite a
 * tag for an identity without `update`: say so, with the registry's own words.
 */
function explainRefusedWrite(error, destination) {
    if (!(error instanceof errors/* ToolError */.v4))
        return error;
    // skopeo 1.9.3 words zot's 403 DENIED as a bare `…: denied` at the end of its line, or
    // `…: denied: <message>`; other clients and registries say 403 or forbidden.
    const denied = /: denied(?:: ([^\n"]*))?(?:"|$)|\b403\b|forbidden/im.exec(error.detail);
    if (!denied)
        return error;
    const registrySays = denied[1] ? `: ${denied[1].trim()}` : '';
    return new errors/* TagTaken */.qD(`The registry refused to write ${destination} (403 DENIED${registrySays}). ` +
        "This usually means the tag already exists and the CI identity lacks zot's `update` permission, as it should: " +
        'another run wrote it first. Nothing was overwritten; look at what the tag holds now.', { reference: destination }, { cause: error });
}

;// CONCATENATED MODULE: ./src/skopeo/stage.ts







/** The layout skopeo writes a staged image to, relative to the run's folder (where skopeo runs). */
const STAGED = 'staged';
/**
 * `source` as an OCI layout: the builder's own (`oci:` already), else skopeo writes one from the
 * engine's image or archive (which makes it an OCI image). The push then keeps every digest.
 */
async function stage(source, runDirectory, secrets) {
    let layout;
    const files = [];
    if (source.kind === 'oci-layout') {
        layout = source.reference.replace(/^oci:/, '');
    }
    else {
        layout = STAGED;
        files.push(external_node_path_.join(runDirectory, STAGED));
        const options = source.options.filter((option) => option !== '--format' && option !== 'oci');
        await runTool('skopeo', ['copy', '--remove-signatures', ...options, source.reference, `oci:${STAGED}`], {
            cwd: runDirectory,
            env: { TMPDIR: runDirectory },
            secrets,
            silent: true,
            timeoutSeconds: SKOPEO_BUDGET.push,
        });
    }
    const { digest, mediaType, size, platforms } = await readLayout(external_node_path_.join(runDirectory, layout));
    return {
        source: { reference: `oci:${layout}`, options: ['--all', '--preserve-digests'] },
        digest,
        mediaType,
        size,
        platforms,
        files,
    };
}
/** The layout's one image (or index), as a descriptor names it, and, for an index, its platforms' images. */
async function readLayout(layout) {
    const index = JSON.parse(await promises_.readFile(external_node_path_.join(layout, 'index.json'), 'utf8'));
    const top = index.manifests?.[0];
    if (index.manifests?.length !== 1 || typeof top?.digest !== 'string' || !DIGEST.test(top.digest))
        throw new errors/* UserError */.yo(`The built image's OCI layout holds ${index.manifests?.length ?? 0} images, not one: there is nothing to sign before the push.`);
    const bytes = await promises_.readFile(external_node_path_.join(layout, 'blobs', 'sha256', top.digest.slice('sha256:'.length)));
    const blob = JSON.parse(bytes.toString('utf8'));
    const platforms = (Array.isArray(blob.manifests) ? blob.manifests : [])
        .filter((entry) => entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        entry.platform?.os !== 'unknown')
        .map((entry) => entry.digest)
        .filter((digest) => typeof digest === 'string' && DIGEST.test(digest));
    // The size is the bytes' own; the media type the descriptor's, else the manifest's own field.
    const mediaType = [top.mediaType, blob.mediaType].find((type) => typeof type === 'string');
    return { digest: top.digest, mediaType: mediaType ?? OCI_MANIFEST, size: bytes.length, platforms };
}
/**
 * The configuration of a layout's one image, as its bytes say; none for an index (a layout of
 * several platforms has no one configuration).
 */
async function layoutConfig(layout) {
    const blob = async (digest) => JSON.parse(await promises_.readFile(external_node_path_.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8'));
    const { digest } = await readLayout(layout);
    const manifest = (await blob(digest));
    const config = manifest.config?.digest;
    return typeof config === 'string' && DIGEST.test(config) ? blob(config) : undefined;
}

;// CONCATENATED MODULE: ./src/core/unlabelled.ts






// An image pushed under the version tag before this action (by Dagger's publish, by hand) has no
// revision label, so it cannot say which commit it is. The run builds (or takes its source) and
// compares: the same content (layers, platform, how it runs; labels and times aside) means the
// version is published already; anything else is refused, as before.
/**
 * `already-published` when the image under the version tag holds what this run builds; else
 * the refusal, saying that the content differs too. Nothing is written either way.
 */
async function matchUnlabelled(refused, { tags, client, writer, runDirectory, }) {
    const held = await heldConfig(client, tags, refused.digest);
    await writer.prepare();
    const built = await writer.build();
    try {
        const staged = await writer.stage(built);
        const ours = await layoutConfig(external_node_path_.join(runDirectory, staged.source.reference.replace(/^oci:/, '')));
        const same = staged.digest === refused.digest || (held && ours && sameContent(held, ours));
        if (!same)
            throw new errors/* UserError */.yo(`${refused.message} It is not this build either: its content (layers, platform, configuration) differs from what this run built.`);
        return {
            result: names/* Result */.Q7.AlreadyPublished,
            digest: refused.digest,
            reason: `${versionRef(tags)} holds ${refused.digest}, pushed without a revision label (not by this action), and its content is what this run built: ` +
                'the same layers, platform and configuration, labels and times aside. Nothing to write; it is not signed or tagged again.',
        };
    }
    finally {
        await writer.discard(built);
    }
}
/** The held image's configuration; none for an index (compared by digest alone). */
async function heldConfig(client, tags, digest) {
    const manifest = await client.manifest(tags.repository, digest);
    const config = manifest.json.config?.digest;
    return typeof config === 'string' ? client.config(tags.repository, tags.version, config) : undefined;
}

;// CONCATENATED MODULE: ./src/signing/vouched.ts

/**
 * The reference a `.sig` of this key names when the key vouches for an image as this commit's:
 * the commit tag's, or with one tag the version tag's (an image whose revision label is this
 * commit, checked before).
 */
function vouchingIdentity(tags) {
    return tags.oneTag ? versionRef(tags) : shaRef(tags);
}
/**
 * Whether this key vouches for `digest` as this commit's image in either format: its `.sig` for
 * the commit tag (with one tag, the version tag), else a bundle of this key in this repository.
 * A run with the key writes both before any tag names an image, so either says a run with the
 * key pushed it.
 */
async function vouchedByKey({ signatures, bundles }, tags, digest) {
    if ((await signatures.read(digest)).identities.includes(vouchingIdentity(tags)))
        return true;
    return bundles.read(digest);
}

;// CONCATENATED MODULE: ./src/publication/registry-view.ts









// What the registry holds for this run's two tags, every other tag its publication writes
// and, with platform parts, its part tags: read for the re-run policy.
/** How an index marks the manifests that carry attestations rather than a platform's image. */
const ATTESTATION_TYPE = 'vnd.docker.reference.type';
/** The registry as the publication reads it: this run's tags through the client. */
function registryView({ client, tags, signatures, bundles, parts, publication, }) {
    const written = tagsWrittenBy(publication, tags);
    const readParts = async () => {
        if (!parts)
            return {};
        const held = await Promise.all(parts.all.map(async (platform) => {
            const part = await readPart(client, tags, platform);
            if (!part.exists)
                return [platform, part];
            // With a key, a part counts only where this key signed it for its own tag (its `.sig`),
            // or where a bundle of this key vouches for it (whatever formats this run writes).
            if (!signatures || !bundles)
                return [platform, part];
            const { identities } = await signatures.read(part.digest);
            const signed = identities.includes(partRef(tags, platform)) || (await bundles.read(part.digest));
            return [platform, { ...part, signed }];
        }));
        for (const [platform, part] of held)
            info(describeTag(partTag(tags.sha, platform), part));
        return Object.fromEntries(held);
    };
    const imagesOf = async (digest) => {
        const manifest = await client.manifest(tags.repository, digest);
        if (!Array.isArray(manifest.json.manifests))
            return [];
        return manifest.json.manifests
            .filter(isPlatformImage)
            .map((entry) => entry.digest)
            .filter((entry) => DIGEST.test(entry));
    };
    return {
        readHeld: async () => {
            const [images, held] = await Promise.all([
                readTaggedImages(client, tags, written),
                parts && readParts(),
            ]);
            const candidate = heldImage(images);
            const read = held ? { ...images, parts: held } : images;
            // With a key, the signatures of the image that would be published, in each format the
            // run writes: its `.sig` and its bundle referrers.
            if (!candidate)
                return read;
            const [signature, bundle] = await Promise.all([
                signatures && readSignature(signatures, candidate),
                bundles && readBundle(bundles, candidate),
            ]);
            return { ...read, ...(signature && { signature }), ...(bundle && { bundle }) };
        },
        read: (tag) => readTaggedImage(client, tags.repository, tag),
        lookUp: (tag) => client.lookUp(tags.repository, tag),
        readParts,
        imagesOf,
    };
    /**
     * The `.sig` of the image a run would publish: the identities this key signed it for; for an
     * index, its platform images' too: an identity counts as signed only where the index and
     * every platform image carry it (a pull of one platform checks that image's).
     */
    async function readSignature(signatures, candidate) {
        const platforms = await imagesOf(candidate);
        const [whole, ...each] = await Promise.all([candidate, ...platforms].map((digest) => signatures.read(digest)));
        const identities = whole.identities.filter((identity) => each.every((platform) => platform.identities.includes(identity)));
        info(`${candidate}: ${identities.length > 0 ? `signed for ${identities.join(', ')}` : 'not signed by this key'}` +
            (platforms.length > 0 ? ` (the index and its ${platforms.length} platform images)` : ''));
        const vouched = whole.identities.includes(vouchingIdentity(tags));
        return { digest: whole.digest, identities, vouched };
    }
}
/** The bundle referrers of the image a run would publish: whether one of this key vouches for it. */
async function readBundle(bundles, candidate) {
    const vouched = await bundles.read(candidate);
    info(`${candidate}: ${vouched ? 'a bundle of this key' : 'no bundle of this key'} among its referrers`);
    return { digest: candidate, vouched };
}
/**
 * One platform's part tag: its image and commit, and, for an image manifest, its entry in the
 * index, with the platform its configuration records (one more read, shared with the label).
 */
async function readPart(client, tags, platform) {
    const tag = partTag(tags.sha, platform);
    const manifest = await client.manifestIfAny(tags.repository, tag);
    if (!manifest)
        return { exists: false };
    const revision = await revisionOf(client, tags.repository, tag, manifest);
    const image = { exists: true, digest: manifest.digest, revision };
    const config = manifest.json.config?.digest;
    if (!IMAGE_MANIFESTS.includes(manifest.mediaType) || 'manifests' in manifest.json)
        return image;
    if (typeof config !== 'string' || !DIGEST.test(config))
        return image;
    const recorded = await client.config(tags.repository, tag, config);
    const { os, architecture, variant } = recorded;
    if (typeof os !== 'string' || typeof architecture !== 'string')
        return image;
    const descriptor = {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.size,
        platform: { architecture, os, ...(typeof variant === 'string' && variant ? { variant } : {}) },
    };
    return { ...image, descriptor };
}
/**
 * Both tags, and every other tag of `written` (the tags the publication writes), at once, each
 * with the commit its image was built from: the manifests (1 request each, the two tags never
 * twice), and more only where the manifest does not carry the revision (see revisionOf),
 * whatever the number of tags in the repository.
 */
async function readTaggedImages(client, tags, written = []) {
    const others = written.filter((tag) => tag !== tags.version && tag !== tags.sha);
    // With one tag, the full commit is no tag of this run's: it is not read, nor counted as held.
    const read = tags.oneTag ? [tags.version, ...others] : [tags.version, tags.sha, ...others];
    const images = await Promise.all(read.map((tag) => readTaggedImage(client, tags.repository, tag)));
    read.forEach((tag, index) => info(describeTag(tag, images[index])));
    const [version, ...rest] = images;
    const commit = tags.oneTag ? { exists: false } : rest.shift();
    return { version, commit, otherTags: Object.fromEntries(others.map((tag, index) => [tag, rest[index]])) };
}
/** A tag as the log shows what it holds: its digest and commit, or absent. */
function describeTag(tag, state) {
    return `${tag}: ${state.exists ? `${state.digest}, built from ${state.revision ?? 'an unknown commit'}` : 'absent'}`;
}
/** A tag's digest and the commit its image (or index) was built from. */
async function readTaggedImage(client, name, tag) {
    const manifest = await client.manifestIfAny(name, tag);
    if (!manifest)
        return { exists: false };
    return { exists: true, digest: manifest.digest, revision: await revisionOf(client, name, tag, manifest) };
}
/**
 * The commit an image was built from: the `org.opencontainers.image.revision` annotation of
 * its manifest or index (no further request), else its configuration's label. An index without
 * the annotation is read platform by platform (attestation entries left out): every platform's
 * revision must be the same, or the tag is not this action's to judge.
 */
async function revisionOf(client, name, tag, manifest) {
    if (!Array.isArray(manifest.json.manifests))
        return imageRevision(client, name, tag, manifest);
    const annotated = annotationsOf(manifest.json)[names/* REVISION_LABEL */.P1];
    if (annotated)
        return annotated;
    const platforms = manifest.json.manifests.filter(isPlatformImage);
    const revisions = await Promise.all(platforms.map(async (entry) => imageRevision(client, name, tag, await client.manifest(name, entry.digest))));
    const distinct = [...new Set(revisions)];
    if (distinct.length > 1)
        throw new errors/* UserError */.yo(`${name}:${tag} is an index whose platforms were built from different commits (${distinct.map((r) => r ?? 'none').join(', ')}): ` +
            'it was not pushed by this action, and is left as it is. Find out what pushed it.');
    return distinct[0];
}
/** An index entry that is a platform's image: not an attestation manifest (`unknown/unknown`). */
function isPlatformImage(entry) {
    if (typeof entry?.digest !== 'string')
        return false;
    return entry.annotations?.[ATTESTATION_TYPE] !== 'attestation-manifest' && entry.platform?.os !== 'unknown';
}
function annotationsOf(json) {
    const annotations = json.annotations;
    return annotations && typeof annotations === 'object' ? annotations : {};
}
/** An image manifest's revision: its annotation, else its configuration's label (read once per digest). */
async function imageRevision(client, name, tag, manifest) {
    const annotated = annotationsOf(manifest.json)[names/* REVISION_LABEL */.P1];
    if (annotated)
        return annotated;
    const config = manifest.json.config?.digest;
    if (!config)
        return undefined;
    return (await client.configLabels(name, tag, config))[names/* REVISION_LABEL */.P1];
}

;// CONCATENATED MODULE: ./src/report/markdown.ts
// The job summary is Markdown, and GitHub renders the HTML in it too. Text from outside (a
// registry's answer, an image's label, a tool's words, all of which reach the summary through a
// result's detail) is put there only inside code: a fenced block, or a code span in a table cell.
// Each fence is longer than any run of backticks in the text, so the text cannot close it, and
// inside code nothing is a link, an image, a table, emphasis, an autolink or HTML.
/** The longest run of backticks in `text`. */
function longestBacktickRun(text) {
    return Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
}
/** `text` as a fenced code block: shown as it is, line by line. */
function codeBlock(text) {
    const fence = '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
    return [fence, ...text.split(/\r\n|\r|\n/), fence].join('\n');
}
/**
 * `text` as a code span for a table cell: on one line, its `|` escaped (GitHub's tables split a
 * row at a bare `|` even inside code), padded where it starts or ends with a backtick.
 */
function cellCode(text) {
    const flat = text.replace(/\r\n|\r|\n/g, ' ').replaceAll('|', '\\|');
    const fence = '`'.repeat(longestBacktickRun(flat) + 1);
    const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${flat}${pad}${fence}`;
}

;// CONCATENATED MODULE: ./src/report/result.ts







/** The references are known from the inputs: set them first, so a failure still reports them. */
function setReferenceOutputs(tags) {
    (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.Image, tags.image);
    (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.VersionRef, versionRef(tags));
    // With one tag there is no commit tag to name: the output is left unset.
    if (!tags.oneTag)
        (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.ShaRef, shaRef(tags));
}
/** The commit as the report names it: its tag, or with one tag the commit alone. */
function commitShown(tags) {
    return tags.oneTag ? `${tags.sha} (no commit tag)` : shaRef(tags);
}
function setResultOutputs(result, digest) {
    if (digest)
        setDigestOutput(digest);
    (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.Result, result);
}
/** With platform parts: this job's part references, one a line, known from the inputs. */
function setPartOutput(tags, parts) {
    (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.PartRef, parts.mine.map((platform) => partRef(tags, platform)).join('\n'));
}
/** The signature's reference, once it is written and verified (or found). */
function setSignatureOutput(reference) {
    (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.Signature, reference);
}
/** The digest pushed, as soon as it is known: a failure later still says what was written. */
function setDigestOutput(digest) {
    (0,surface/* surface */.MT)().setOutput(names/* Output */.k7.Digest, digest);
}
/**
 * The run's result where every runner's users see it: the job summary (GitHub shows it) and a
 * plain block at the end of the log (Forgejo's web UI shows no summary and no annotations).
 */
async function report(result) {
    info(resultBlock(result));
    await writeSummary(result);
}
/** The result as plain lines, to read in a raw log: no markup, no workflow commands. */
function resultBlock(report) {
    const { tags } = report;
    const rows = [
        ['version', versionRef(tags)],
        ['commit', commitShown(tags)],
    ];
    if (report.digest)
        rows.push(['digest', report.digest]);
    if (report.signature)
        rows.push(['signed', report.signature]);
    rows.push(['result', report.result ?? 'not published']);
    if (report.missing)
        rows.push(['missing', report.missing.join(', ')]);
    const [first, ...rest] = report.detail.split('\n');
    rows.push([report.result ? 'why' : 'stopped', first], ...rest.map((line) => ['', line]));
    if (report.phases.length > 0)
        rows.push(['phases', report.phases.map((phase) => `${phase.name} ${seconds(phase.ms)}`).join(', ')]);
    const heading = `build-push-image: ${versionRef(tags)} ${report.result ?? 'not published'}`;
    return neutralise([heading, ...rows.map(([name, value]) => `  ${name.padEnd(8)} ${value}`.trimEnd())].join('\n'));
}
function seconds(ms) {
    return `${(ms / 1000).toFixed(1)} s`;
}
/**
 * The job summary (when the host shows one): what was written or found, the digest, the
 * result, the commit and how long each phase took; or, when the run stopped, why and what to do.
 */
async function writeSummary(report) {
    const host = (0,surface/* surface */.MT)();
    if (!host.summary)
        return;
    // A summary that cannot be written changes nothing that was done: it warns, and the result
    // stands as the log block above says.
    try {
        await host.summary(summaryMarkdown(report));
    }
    catch (error) {
        warn(`Could not write the job summary (${(0,errors/* messageOf */.bD)(error)}); the result is in the log above.`);
    }
}
function summaryMarkdown(report) {
    const { tags } = report;
    const lines = [];
    if (report.result) {
        lines.push(`### ${versionRef(tags)}: ${report.result}`, '');
        lines.push('| | |', '|---|---|');
        lines.push(`| Version | ${cellCode(versionRef(tags))} |`);
        lines.push(`| Commit | ${cellCode(commitShown(tags))} |`);
        if (report.digest)
            lines.push(`| Digest | ${cellCode(report.digest)} |`);
        if (report.signature)
            lines.push(`| Signature | ${cellCode(report.signature)} |`);
        lines.push(`| Result | ${cellCode(report.result)} |`);
        if (report.missing)
            lines.push(`| Parts missing | ${report.missing.map(cellCode).join(', ')} |`);
        lines.push('');
        lines.push(codeBlock(report.detail), '');
    }
    else {
        lines.push(`### ${versionRef(tags)}: not published`, '');
        lines.push(codeBlock(report.detail), '');
        lines.push(`Commit ${cellCode(tags.sha)}.`, '');
    }
    if (report.phases.length > 0) {
        lines.push('| Phase | Time |', '|---|---:|');
        for (const phase of report.phases)
            lines.push(`| ${phase.name} | ${seconds(phase.ms)} |`);
        lines.push('');
    }
    return lines.join('\n');
}

;// CONCATENATED MODULE: ./src/report/timeline.ts

/** Runs each phase in a log group and keeps how long it took, for the job summary. */
class Timeline {
    phases = [];
    async phase(name, work) {
        const start = performance.now();
        try {
            return await (0,surface/* surface */.MT)().group(name, work);
        }
        finally {
            this.phases.push({ name, ms: performance.now() - start });
        }
    }
}

;// CONCATENATED MODULE: ./src/signing/bundle.ts



// The Sigstore bundle (v0.3) that cosign v3 writes for a key-signed image and verifies first: a
// DSSE envelope around an in-toto statement whose subject is the image's digest, signed over
// DSSE's pre-authentication encoding, with the public key named only by a hint (no certificate,
// no transparency-log entry). It is stored as an OCI 1.1 referrer of the image: an image
// manifest whose `subject` is the image, whose one layer is the bundle, with the empty
// configuration. Measured against cosign v3.1.3 (docs/build-features.md).
const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** What cosign calls the statement of a plain image signature. */
const SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
/** The empty configuration of an OCI artifact: the two bytes `{}`. */
const EMPTY_CONFIG = Buffer.from('{}');
/**
 * The statement signed for `digest` in the repository `name` (`registry/repository`): that this
 * key vouches for those bytes there. The name binds the bundle to the repository, as the `.sig`'s
 * references do: a copy of another repository's image and its bundle vouches for nothing here.
 */
function statementFor(digest, name) {
    const [algorithm, hex] = digest.split(':');
    return Buffer.from(JSON.stringify({
        _type: STATEMENT_TYPE,
        subject: [{ name, digest: { [algorithm]: hex }, annotations: {} }],
        predicateType: SIGN_PREDICATE,
        predicate: {},
    }));
}
/** DSSE's pre-authentication encoding: what is signed, so that the payload's type is signed too. */
function preAuthEncoding(payloadType, payload) {
    const type = Buffer.from(payloadType);
    return Buffer.concat([
        Buffer.from(`DSSEv1 ${type.length} `),
        type,
        Buffer.from(` ${payload.length} `),
        payload,
    ]);
}
/** How a bundle names a public key it was not given: the base64 SHA-256 of its DER form. */
function keyHint(publicKeyPem) {
    const der = external_node_crypto_.createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
    return external_node_crypto_.createHash('sha256').update(der).digest('base64');
}
/** The bundle of `digest`, signed by `sign` (ECDSA P-256, DER) of the key whose public form is `publicKeyPem`. */
function bundleFor(digest, name, sign, publicKeyPem) {
    const payload = statementFor(digest, name);
    const signature = sign(preAuthEncoding(PAYLOAD_TYPE, payload));
    return Buffer.from(JSON.stringify({
        mediaType: BUNDLE_MEDIA_TYPE,
        verificationMaterial: { publicKey: { hint: keyHint(publicKeyPem) } },
        dsseEnvelope: {
            payload: payload.toString('base64'),
            payloadType: PAYLOAD_TYPE,
            signatures: [{ sig: signature.toString('base64') }],
        },
    }));
}
/**
 * Whether `bytes` is a bundle in which this key (`verify`) vouches for `digest` in the repository
 * `name`: its statement names exactly that digest there, as a plain image signature, and the
 * envelope's signature holds. Anything else (malformed, another key, another digest or
 * repository, another predicate) is not.
 */
function vouchesFor(bytes, digest, name, verify) {
    let bundle;
    try {
        bundle = JSON.parse(bytes.toString('utf8'));
    }
    catch {
        return false;
    }
    const envelope = bundle?.dsseEnvelope;
    if (bundle?.mediaType !== BUNDLE_MEDIA_TYPE || envelope?.payloadType !== PAYLOAD_TYPE)
        return false;
    if (typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures))
        return false;
    const payload = Buffer.from(envelope.payload, 'base64');
    if (!namesOnly(payload, digest, name))
        return false;
    const signed = preAuthEncoding(PAYLOAD_TYPE, payload);
    return envelope.signatures.some((entry) => typeof entry?.sig === 'string' && verify(signed, Buffer.from(entry.sig, 'base64')));
}
/** The statement is a plain image signature of `digest` in `name`, and of nothing else. */
function namesOnly(payload, digest, name) {
    let statement;
    try {
        statement = JSON.parse(payload.toString('utf8'));
    }
    catch {
        return false;
    }
    if (statement?._type !== STATEMENT_TYPE || statement.predicateType !== SIGN_PREDICATE)
        return false;
    const [algorithm, hex] = digest.split(':');
    const subjects = Array.isArray(statement.subject) ? statement.subject : [];
    return subjects.length === 1 && subjects[0]?.digest?.[algorithm] === hex && subjects[0]?.name === name;
}
/** The referrer that carries a bundle: an image manifest of the bundle alone, whose subject is the signed manifest. */
function referrerFor(subject, bundle) {
    return Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: BUNDLE_MEDIA_TYPE,
        config: { mediaType: EMPTY_MEDIA_TYPE, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
        layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: digestOf(bundle), size: bundle.length }],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        annotations: {
            'dev.sigstore.bundle.content': 'dsse-envelope',
            'dev.sigstore.bundle.predicateType': SIGN_PREDICATE,
        },
    }));
}

;// CONCATENATED MODULE: ./src/signing/bundles.ts




/** The referrers tag of `digest` (the distribution spec's fallback for registries without the API). */
function referrersTag(digest) {
    return digest.replace(':', '-');
}
function registryBundles(client, tags, opening) {
    const repository = tags.repository;
    /** The referrers listed for `digest`: by the API, else under the referrers tag; and which. */
    const listed = async (digest) => {
        const byApi = await client.referrers(repository, digest);
        if (byApi)
            return { descriptors: byApi, api: true };
        const index = await client.manifestIfAny(repository, referrersTag(digest));
        const entries = index?.json.manifests;
        return { descriptors: Array.isArray(entries) ? entries : [], api: false };
    };
    const vouched = async (digest, descriptor) => {
        if (descriptor?.artifactType !== BUNDLE_MEDIA_TYPE)
            return false;
        if (typeof descriptor.digest !== 'string' || !DIGEST.test(descriptor.digest))
            return false;
        // An entry whose referrer is gone (deleted, collected) vouches for nothing, and stops nothing.
        const manifest = await client.manifestIfAny(repository, descriptor.digest);
        if (!manifest)
            return false;
        const subject = manifest.json.subject;
        const layer = manifest.json.layers?.[0];
        if (subject?.digest !== digest || layer?.mediaType !== BUNDLE_MEDIA_TYPE)
            return false;
        if (typeof layer.digest !== 'string' || !DIGEST.test(layer.digest))
            return false;
        // A bundle is small: read like a signature's payload (a larger or missing blob is none).
        const bytes = await client.signaturePayload(repository, layer.digest);
        const key = await opening;
        return bytes !== undefined && vouchesFor(bytes, digest, tags.image, key.verify);
    };
    const read = async (digest) => {
        const { descriptors } = await listed(digest);
        const verdicts = await Promise.all(descriptors.map((descriptor) => vouched(digest, descriptor)));
        return verdicts.includes(true);
    };
    /** Lists the referrer under the referrers tag, keeping every other entry; another run may have listed its own first. */
    const listUnderTag = async (digest, entry) => {
        const tag = referrersTag(digest);
        const index = await client.manifestIfAny(repository, tag);
        // Others' entries are kept as they are; one that is no descriptor at all is dropped, or the
        // registry would refuse the index.
        const entries = (Array.isArray(index?.json.manifests) ? index.json.manifests : []).filter((entry) => entry !== null && typeof entry === 'object' && DIGEST.test(String(entry.digest)));
        const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...entries, entry] }));
        try {
            await client.putManifest(repository, tag, bytes, OCI_INDEX);
        }
        catch (error) {
            // Refused because the tag exists and this identity may only create (zot without
            // `update`): another run's bundle of this key under it serves as well.
            if (!(error instanceof errors/* TagTaken */.qD))
                throw error;
            if (await read(digest))
                return;
            throw new errors/* UserError */.yo(`${tags.image}:${tag} (the referrers tag of ${digest}, kept by clients where the registry has no referrers API) already lists ${entries.length} other referrer(s), and the registry refuses to update that tag (403: the identity lacks \`update\`). ` +
                'Nothing more was written, and the version tag is not written without its bundle: give the CI identity `update` on referrers tags, or use `signature_formats: sig`.', { cause: error });
        }
    };
    return {
        read,
        write: async (digest, given) => {
            const where = `${tags.image}@${digest}`;
            if (await read(digest))
                return `${where} (bundle referrer)`;
            const [key, subject] = await Promise.all([opening, given ?? client.manifest(repository, digest)]);
            const bundle = bundleFor(digest, tags.image, key.sign, key.publicKeyPem);
            const referrer = referrerFor({ mediaType: subject.mediaType, digest, size: subject.size }, bundle);
            await Promise.all([EMPTY_CONFIG, bundle].map((blob) => client.putBlob(repository, blob)));
            const written = await client.putReferrer(repository, referrer, OCI_MANIFEST);
            if (!written.listed)
                await listUnderTag(digest, {
                    mediaType: OCI_MANIFEST,
                    digest: written.digest,
                    size: referrer.length,
                    artifactType: BUNDLE_MEDIA_TYPE,
                });
            // Found again the way cosign v3 finds it, before anything is reported signed.
            if (!(await read(digest)))
                throw new errors/* RegistryError */.gl(`The bundle of ${where} was written (${written.digest}), but neither the referrers API nor the referrers tag ${referrersTag(digest)} lists it: no consumer could find it. Nothing more was written.`);
            return `${where} (bundle referrer ${written.digest})`;
        },
    };
}

;// CONCATENATED MODULE: ./src/signing/consumers.ts


/**
 * podman, skopeo and CRI-O pull by a tag and look for the `.sig` of the digest it names, signed
 * for that tag (for an index, of the platform image they pull too); cosign 3 lists the digest's
 * referrers (the API, else the referrers tag) for a bundle of the key. Each format written must
 * be found so; else an error naming the format and the tag.
 */
async function checkAsConsumers(reads, digest) {
    const { tags, signatures, bundles } = reads;
    const found = [];
    const [sigMissing, bundleFound] = await Promise.all([
        signatures && missingSig(reads, signatures, digest),
        bundles?.read(digest),
    ]);
    if (sigMissing)
        throw new errors/* RegistryError */.gl(`The \`sig\` format: a pull of ${sigMissing.reference} finds no \`.sig\` of this key for ${sigMissing.digest}, so podman, skopeo and CRI-O would take it for unsigned. ` +
            'The image is published; run the job again to sign what is missing.');
    if (signatures)
        found.push(`sig (${publishedRefs(tags).join(', ')})`);
    if (bundles && !bundleFound)
        throw new errors/* RegistryError */.gl(`The \`bundle\` format: neither the referrers API nor the referrers tag of ${tags.image}@${digest} lists a bundle of this key, so cosign 3 would find ${publishedRefs(tags)[0]} unsigned. ` +
            'The image is published; run the job again to sign what is missing.');
    if (bundles)
        found.push(`bundle (${tags.image}@${digest})`);
    return found;
}
/** The first pull (by a tag, of the whole or of one platform) whose `.sig` lacks this key's signature. */
async function missingSig({ tags, imagesOf }, signatures, digest) {
    const digests = [digest, ...(await imagesOf(digest))];
    const read = await Promise.all(digests.map((each) => signatures.read(each)));
    for (const reference of publishedRefs(tags))
        for (const state of read)
            if (!state.identities.includes(reference))
                return { reference, digest: state.digest };
    return undefined;
}

;// CONCATENATED MODULE: ./src/build/engine.ts


/** The Docker API version skopeo's `docker-daemon:` transport speaks (containers/image pins it). */
const SKOPEO_DAEMON_API = '1.22';
const PROBE_TIMEOUT = 60;
/**
 * The current builder's driver and the engine's image store: two docker commands, at once.
 * When both fail, buildx's failure is the one thrown: a missing plugin is named before an engine
 * that is not reachable, whichever answered first.
 */
async function probeBuilder() {
    const [inspect, info] = await Promise.allSettled([
        runTool('docker', ['buildx', 'inspect'], { silent: true, timeoutSeconds: PROBE_TIMEOUT }),
        runTool('docker', ['info', '--format', '{{json .DriverStatus}}'], {
            silent: true,
            timeoutSeconds: PROBE_TIMEOUT,
        }),
    ]);
    if (inspect.status === 'rejected')
        throw inspect.reason;
    if (info.status === 'rejected')
        throw info.reason;
    return {
        driver: parseDriver(inspect.value.stdout),
        containerdStore: usesContainerdStore(info.value.stdout),
    };
}
/** The engine's endpoint and the oldest API it accepts: two docker commands, at once. */
async function probeEndpoint() {
    const [context, version] = await Promise.all([
        runTool('docker', ['context', 'inspect', '--format', '{{json .}}'], {
            silent: true,
            timeoutSeconds: PROBE_TIMEOUT,
        }),
        runTool('docker', ['version', '--format', '{{.Server.MinAPIVersion}}'], {
            silent: true,
            timeoutSeconds: PROBE_TIMEOUT,
        }),
    ]);
    return { ...parseContext(context.stdout, process.env), minApiVersion: version.stdout.trim() };
}
/** `Driver: docker-container` from `docker buildx inspect`. */
function parseDriver(inspectOutput) {
    const driver = /^Driver:\s*(\S+)/m.exec(inspectOutput)?.[1];
    if (!driver)
        throw new errors/* UserError */.yo(`Could not tell which driver the buildx builder uses: \`docker buildx inspect\` said ${JSON.stringify(inspectOutput.slice(0, 200))}.`);
    return driver;
}
/** `docker info`'s DriverStatus names containerd's snapshotter when the containerd image store is on. */
function usesContainerdStore(driverStatusJson) {
    try {
        const status = JSON.parse(driverStatusJson);
        return (status ?? []).some(([key, value]) => key === 'driver-type' && value.startsWith('io.containerd.snapshotter'));
    }
    catch {
        return false;
    }
}
function parseContext(contextJson, env) {
    const context = JSON.parse(contextJson);
    const host = context.Endpoints?.docker?.Host;
    if (!host)
        throw new errors/* UserError */.yo('The current docker context names no engine endpoint.');
    const tls = Boolean(env.DOCKER_TLS_VERIFY) || Object.keys(context.TLSMaterial ?? {}).length > 0;
    return { host, tls };
}
/**
 * The builder exports an OCI layout itself (any driver but `docker`, or the docker driver on the
 * containerd image store): skopeo then pushes from that folder and the engine is not involved.
 */
function canExportOci(builder) {
    return builder.driver !== 'docker' || builder.containerdStore;
}
/**
 * Where skopeo's `docker-daemon:` transport can read this engine, in the form skopeo takes
 * (`unix://…`, or `http://host:port` for plain tcp); or why it cannot.
 */
function skopeoDaemonAccess(endpoint) {
    const { host, tls, minApiVersion } = endpoint;
    if (tls)
        return { why: `the engine at ${host} needs TLS, and skopeo would need its client certificates` };
    if (compareApiVersions(minApiVersion, SKOPEO_DAEMON_API) > 0)
        return {
            why: `the engine at ${host} refuses Docker API versions below ${minApiVersion}, and skopeo's docker-daemon transport speaks ${SKOPEO_DAEMON_API}`,
        };
    if (host.startsWith('unix://'))
        return { host };
    if (host.startsWith('tcp://'))
        return { host: `http://${host.slice('tcp://'.length)}` };
    return { why: `skopeo cannot reach an engine at ${host}` };
}
/** Compares `1.24` with `1.22` numerically; an unreadable version counts as newer than any. */
function compareApiVersions(a, b) {
    const parse = (v) => (/^\d+\.\d+$/.test(v) ? v.split('.').map(Number) : undefined);
    const [x, y] = [parse(a), parse(b)];
    if (!x || !y)
        return x ? -1 : y ? 1 : 0;
    return x[0] !== y[0] ? Math.sign(x[0] - y[0]) : Math.sign(x[1] - y[1]);
}

;// CONCATENATED MODULE: ./src/tools/job-image.ts





/**
 * What a docker CLI without the buildx plugin says to `docker buildx …`: Docker 28 `unknown
 * command: docker buildx`, older CLIs `'buildx' is not a docker command` or `unknown command
 * "buildx"`, and some `unknown flag: --file` (the build's first flag, read as `docker`'s own).
 */
function buildxIsMissing(said) {
    return /'buildx' is not a docker command|unknown command: docker buildx|unknown command "buildx"|unknown flag: --file/.test(said);
}
const WHAT = {
    docker: {
        name: 'the docker CLI and its buildx plugin',
        for: 'to build the image',
        add: "Debian 13 and Ubuntu 24.04 `apt-get install docker.io docker-buildx`; Docker's apt repository `docker-ce-cli docker-buildx-plugin`",
        debian: ['docker.io', 'docker-buildx'],
    },
    buildx: {
        name: 'the docker buildx plugin',
        for: 'to build the image (`docker buildx version` must answer)',
        add: "Debian 13 and Ubuntu 24.04 `apt-get install docker-buildx` (Debian 12 has no such package); Docker's apt repository `docker-buildx-plugin`; " +
            'or a buildx release binary copied to `~/.docker/cli-plugins/docker-buildx` and made executable',
        debian: ['docker-buildx'],
    },
    skopeo: {
        name: 'skopeo',
        for: 'to push the image',
        add: `Debian and Ubuntu \`apt-get install skopeo\` (or, instead, set \`${names/* Input */.pd.SkopeoDownloadUrl}\` and \`${names/* Input */.pd.SkopeoSha256}\`: ` +
            'the action then downloads skopeo, checks it and keeps it in the tool cache)',
        debian: ['skopeo'],
    },
};
/** What to add to the job image for each missing tool, in one message. */
function missingToolsMessage(missing) {
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
const MISSING_ORDER = ['docker', 'buildx', 'skopeo'];
/**
 * Checks the job image for the tools `needs` names (skopeo is not needed on PATH when the
 * workflow gives a download of it) and throws one UserError naming everything missing. buildx
 * is asked through the builder probe the build needs anyway (`docker buildx inspect` and
 * `docker info`), so the check costs the run no extra docker command.
 */
async function checkTools(needs, skopeoDownload) {
    const missing = [];
    const found = [];
    let builder;
    if (needs.buildx) {
        const docker = await findOnPath('docker');
        if (!docker)
            missing.push('docker');
        else {
            builder = probeBuilder();
            const failure = await builder.then(() => undefined, (error) => error);
            if (failure instanceof errors/* ToolError */.v4 && buildxIsMissing(failure.detail))
                missing.push('buildx');
            else
                found.push(`docker buildx (${docker})`);
        }
    }
    if (needs.skopeo) {
        const skopeo = await findOnPath('skopeo');
        if (skopeo)
            found.push(`skopeo (${skopeo})`);
        else if (skopeoDownload)
            found.push(`skopeo from \`${names/* Input */.pd.SkopeoDownloadUrl}\``);
        else
            missing.push('skopeo');
    }
    if (missing.length > 0)
        throw new errors/* UserError */.yo(missingToolsMessage(missing));
    info(`The job image has what this run needs: ${found.join(', ')}.`);
    return { builder };
}

;// CONCATENATED MODULE: ./src/build/buildx.ts







/** The longest job GitHub runs; a Forgejo job's own timeout usually ends a build sooner. */
const BUILD_TIMEOUT = 6 * 60 * 60;
/** The OCI labels that record where the image came from; the revision is what re-runs read. */
function provenanceLabels(tags, env, now) {
    const labels = [`${names/* REVISION_LABEL */.P1}=${tags.sha}`, `${names/* VERSION_LABEL */.Qu}=${tags.version}`];
    if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY)
        labels.push(`${names/* SOURCE_LABEL */.Rc}=${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`);
    labels.push(`${names/* CREATED_LABEL */.Kh}=${now.toISOString()}`);
    return labels;
}
function buildSpec(inputs, tags, env, now) {
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
function forPlatform(spec, platform) {
    return {
        ...spec,
        platforms: [platform],
        needsOci: spec.needsOci.filter((input) => input !== names/* Input */.pd.Platforms),
    };
}
/** Attestation manifests are asked for: the image becomes an index, whatever its platforms. */
function attests(inputs) {
    return inputs.provenance !== 'false' || inputs.sbom !== 'false';
}
/** The build makes an OCI image index: two platforms or more, or attestations. */
function makesIndex(inputs) {
    return inputs.platforms.length > 1 || attests(inputs);
}
/**
 * What only a builder that writes OCI images can do: an index of several platforms,
 * attestation manifests, annotations (an engine's classic image store keeps none of them).
 */
function needsOci(inputs) {
    const needs = [];
    if (inputs.platforms.length > 1)
        needs.push(names/* Input */.pd.Platforms);
    if (inputs.provenance !== 'false')
        needs.push(names/* Input */.pd.Provenance);
    if (inputs.sbom !== 'false')
        needs.push(names/* Input */.pd.Sbom);
    if (inputs.annotations.length > 0)
        needs.push(names/* Input */.pd.Annotations);
    return needs;
}
/** The environment variable that hands the i-th build secret to buildx (`--secret id=…,env=…`). */
function secretVariable(index) {
    return `BUILD_PUSH_IMAGE_SECRET_${index}`;
}
/** The build secrets as buildx reads them: from its own environment, never from argv. */
function secretEnvironment(spec) {
    return Object.fromEntries(spec.secrets.map((secret, index) => [secretVariable(index), secret.value]));
}
/** Loaded into the engine, the image's ID kept in this run's folder. */
function loadInto(runDirectory) {
    return { kind: 'load', iidFile: external_node_path_.join(runDirectory, 'image-id') };
}
/** The argv of `docker buildx build`: built here, checked by table tests, run by `build`. */
function buildArgs(spec, output) {
    const args = ['buildx', 'build', '--file', spec.dockerfile];
    if (spec.platforms.length > 0)
        args.push('--platform', spec.platforms.join(','));
    for (const label of spec.labels)
        args.push('--label', label);
    for (const arg of spec.buildArgs)
        args.push('--build-arg', arg);
    if (spec.target)
        args.push('--target', spec.target);
    if (spec.network)
        args.push('--network', spec.network);
    spec.secrets.forEach(({ id }, index) => args.push('--secret', `id=${id},env=${secretVariable(index)}`));
    for (const cache of spec.cacheFrom)
        args.push('--cache-from', cache);
    for (const cache of spec.cacheTo)
        args.push('--cache-to', cache);
    if (spec.noCache)
        args.push('--no-cache');
    if (spec.pull)
        args.push('--pull');
    if (output.kind === 'load') {
        // A loaded image keeps labels only: annotations go with the OCI layout that is pushed.
        for (const tag of spec.localTags)
            args.push('--tag', tag);
        args.push('--load', '--iidfile', output.iidFile);
        if (attests(spec))
            args.push(`--provenance=${spec.provenance}`, `--sbom=${spec.sbom}`);
    }
    else {
        for (const annotation of spec.annotations) {
            args.push('--annotation', `manifest:${annotation}`);
            // BuildKit refuses index annotations where it writes no index (one platform, no attestations).
            if (makesIndex(spec))
                args.push('--annotation', `index:${annotation}`);
        }
        // Layers go out uncompressed: skopeo compresses them while it pushes, on every core, which
        // is quicker than BuildKit compressing them before they are even written out. Attestation
        // manifests name the image manifests by digest, so with them the layers are compressed
        // here and skopeo pushes every digest as it is (see hand-over.ts).
        const compression = attests(spec) ? 'gzip' : 'uncompressed';
        args.push('--output', `type=oci,tar=false,compression=${compression},${csvField(`dest=${output.directory}`)}`);
        // Attestation manifests (platform unknown/unknown) only when asked for: they are what made
        // the user's registry choke on Docker's own pushes.
        args.push(`--provenance=${spec.provenance}`, `--sbom=${spec.sbom}`);
    }
    args.push(spec.context);
    return args;
}
/** buildx reads `--output` as one CSV record: a field holding `,` or `"` is quoted. */
function csvField(field) {
    return /[",]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
async function build(spec, output) {
    await runTool('docker', buildArgs(spec, output), {
        timeoutSeconds: BUILD_TIMEOUT,
        env: secretEnvironment(spec),
        secrets: spec.secrets.map((secret) => secret.value),
    }).catch((error) => {
        throw explainBuildFailure(error);
    });
    if (output.kind !== 'load')
        return undefined;
    const id = (await promises_.readFile(output.iidFile, 'utf8')).trim();
    if (!DIGEST.test(id))
        throw new errors/* UserError */.yo(`docker buildx wrote an unexpected image ID: ${JSON.stringify(id)}.`);
    return id;
}
/**
 * A runner without buildx is named before the build (tools/job-image.ts); these failures are
 * named here too, with what to install or start, for an engine that stops answering in between.
 */
function explainBuildFailure(error, env = process.env) {
    if (!(error instanceof errors/* ToolError */.v4))
        return error;
    if (buildxIsMissing(error.detail))
        return new errors/* UserError */.yo(missingToolsMessage(['buildx']), { cause: error });
    if (/Cannot connect to the Docker daemon|error during connect|docker daemon is not running|connect: no such file or directory/i.test(error.detail))
        return new errors/* UserError */.yo(`The Docker engine is not reachable${env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : ''}: start dockerd, or give the job access to its socket. Nothing was pushed.`, { cause: error });
    return error;
}

;// CONCATENATED MODULE: ./src/build/hand-over.ts







/**
 * What the hand-over writes in the run's folder. skopeo reads it by these names, relative to
 * the folder it runs in (the run's): its `oci:` and `docker-archive:` references end the path at
 * the first `:`, so a RUNNER_TEMP holding one would send it to another file.
 */
const OCI_LAYOUT = 'oci-layout';
const ARCHIVE = 'image.tar';
/** `docker save` of a large image over a slow sidecar link: bounded like the build, generously. */
const SAVE_TIMEOUT = 60 * 60;
/**
 * Builds the image and hands it to skopeo the fastest way this builder and engine allow,
 * saying which in the log:
 *   - an OCI layout written by the builder itself (any driver but `docker`, or the docker driver
 *     on the containerd image store): no load into the engine, no export out of it;
 *   - else the engine's image, read by skopeo's `docker-daemon:` transport where it can speak
 *     the engine's API (Docker 24 and older, not over TLS);
 *   - else `docker save` into this run's folder and `docker-archive:` (Docker 25 and later
 *     refuse skopeo's API version; a TLS endpoint would need skopeo to have the certificates).
 */
async function buildAndHandOver(spec, runDirectory, timeline, probed) {
    return timeline.phase('Build', async () => {
        const builder = await capableBuilder(spec, probed);
        if (canExportOci(builder)) {
            const directory = external_node_path_.join(runDirectory, OCI_LAYOUT);
            info(`Hand-over (oci-layout): the builder writes an OCI layout that skopeo pushes (${builder.driver} driver${builder.driver === 'docker' ? ' on the containerd image store' : ''}); nothing is loaded into the engine.`);
            await build(spec, { kind: 'oci-layout', directory });
            // `--all`: an index goes with every image it names. With attestations, whose manifests
            // name the images by digest, skopeo must change no digest (the layers are compressed).
            const options = ['--all', ...(attests(spec) ? ['--preserve-digests'] : [])];
            return { kind: 'oci-layout', reference: `oci:${OCI_LAYOUT}`, options, files: [directory] };
        }
        // The engine's endpoint is asked while the image builds: the choice below needs it only after.
        const endpoint = probeEndpoint();
        endpoint.catch(() => undefined);
        const imageId = await build(spec, loadInto(runDirectory));
        const access = skopeoDaemonAccess(await endpoint);
        if ('host' in access) {
            info(`Hand-over (engine-daemon): skopeo reads the image from the engine at ${access.host} (the docker driver on the classic image store cannot write an OCI layout).`);
            return {
                kind: 'engine-daemon',
                reference: `docker-daemon:${imageId}`,
                options: ['--src-daemon-host', access.host],
                files: [],
            };
        }
        info(`Hand-over (engine-archive): \`docker save\` into this run's folder, then skopeo reads the archive (the docker driver on the classic image store cannot write an OCI layout; ${access.why}).`);
        const archive = external_node_path_.join(runDirectory, ARCHIVE);
        await runTool('docker', ['save', '--output', archive, imageId], { timeoutSeconds: SAVE_TIMEOUT });
        return { kind: 'engine-archive', reference: `docker-archive:${ARCHIVE}`, options: [], files: [archive] };
    });
}
/**
 * A part is pushed as an OCI image manifest whatever the engine hands over: the index of parts
 * is an OCI index, and skopeo copies an index (to the version tag) keeping its digest only when
 * every image it names is of the index's kind (it would convert a mix, which changes digests).
 */
function asOciManifest(handOver) {
    return { ...handOver, options: [...handOver.options, '--format', 'oci'] };
}
/** `push: false`: the image is built and loaded into the engine, under its local tags. */
async function buildOnly(spec, runDirectory, timeline, probed) {
    await timeline.phase('Build', async () => {
        await capableBuilder(spec, probed);
        await build(spec, loadInto(runDirectory));
    });
}
/**
 * The current builder (as `probed` when the tools check asked already), once it is known to do
 * what the inputs ask: several platforms, attestations and annotations need one that writes OCI
 * images. Refused before the build.
 */
async function capableBuilder(spec, probed = probeBuilder()) {
    const builder = await probed.catch((error) => {
        throw explainBuildFailure(error);
    });
    if (spec.needsOci.length > 0 && !canExportOci(builder))
        throw new errors/* UserError */.yo(`${spec.needsOci.map((input) => `\`${input}\``).join(', ')} ${spec.needsOci.length > 1 ? 'need' : 'needs'} a builder that writes OCI images, ` +
            'and this one is the docker driver on the classic image store, which keeps one platform and no annotations or attestations. ' +
            'Turn on the containerd image store in the engine (`"features": {"containerd-snapshotter": true}` in daemon.json), ' +
            'or use a `docker-container` builder (`docker buildx create --use --driver docker-container`). Nothing was built or pushed.');
    return builder;
}
/** Deletes what the hand-over wrote, as soon as the push is over (the post step would, later). */
async function discard(handOver) {
    await Promise.all(handOver.files.map((file) => promises_.rm(file, { recursive: true, force: true })));
}

;// CONCATENATED MODULE: ./src/build/source.ts






// Push-only mode: the image built elsewhere is handed to skopeo as it is. Its bytes cannot be
// changed without changing what was built, so the commit is not added to it: the image must
// carry the revision label of this run's commit already, or it is refused before any push.
/** The link to the source in the run's folder: skopeo reads it by this name (a path holding `:` would mislead it). */
const LINK = 'source';
/** How long reading a large archive's configuration may take. */
const INSPECT_TIMEOUT = 10 * 60;
/**
 * The source, linked into the run's folder for skopeo, once its revision label is this commit.
 * An OCI layout or archive keeps its digests on the push; a docker archive is converted.
 */
async function handOverSource(source, commit, runDirectory, secrets) {
    const link = external_node_path_.join(runDirectory, LINK);
    await promises_.rm(link, { force: true });
    await promises_.symlink(source.path, link);
    const handOver = source.transport === 'oci'
        ? {
            kind: 'oci-layout',
            reference: `oci:${LINK}`,
            options: ['--all', '--preserve-digests'],
            files: [link],
        }
        : {
            kind: 'source-archive',
            reference: `${source.transport}:${LINK}`,
            options: source.transport === 'oci-archive' ? ['--all', '--preserve-digests'] : [],
            files: [link],
        };
    try {
        const revision = await source_revisionOf(handOver, runDirectory, secrets);
        requireCommit(revision, commit, `${source.transport}:${source.path}`);
    }
    catch (error) {
        await promises_.rm(link, { force: true });
        throw error;
    }
    info(`Push-only: ${source.transport}:${source.path} carries ${names/* REVISION_LABEL */.P1}=${commit}, this commit; it is published as it was built (nothing is added to its bytes).`);
    return handOver;
}
/** The source's revision label, from its configuration as skopeo reads it. */
async function source_revisionOf(handOver, runDirectory, secrets) {
    const { stdout } = await runTool('skopeo', ['inspect', '--config', handOver.reference], {
        cwd: runDirectory,
        env: { TMPDIR: runDirectory },
        secrets,
        silent: true,
        timeoutSeconds: INSPECT_TIMEOUT,
    });
    const config = JSON.parse(stdout);
    const label = config.config?.Labels?.[names/* REVISION_LABEL */.P1];
    return typeof label === 'string' ? label : undefined;
}
/** The source must say it was built from this commit: a push-only run cannot add the label. */
function requireCommit(revision, commit, source) {
    if (revision === commit)
        return;
    const how = `Add the label where the image is made: in a Dockerfile \`ARG REVISION\` and \`LABEL ${names/* REVISION_LABEL */.P1}=$REVISION\` (built with \`--build-arg REVISION=<full commit>\`), ` +
        `in a nix dockerTools image \`config.Labels."${names/* REVISION_LABEL */.P1}" = <full commit>;\`.`;
    if (revision === undefined)
        throw new errors/* UserError */.yo(`\`source\` (${source}) carries no ${names/* REVISION_LABEL */.P1} label: the action cannot tell which commit it was built from, and does not change an image built elsewhere. ${how} Nothing was pushed.`);
    throw new errors/* UserError */.yo(`\`source\` (${source}) was built from commit ${JSON.stringify(revision)} (its ${names/* REVISION_LABEL */.P1} label), not from \`sha\` ${commit}. ` +
        'Publish it from a run of that commit, or rebuild it from this one. Nothing was pushed.');
}

;// CONCATENATED MODULE: ./src/skopeo/install.ts







/**
 * Makes sure `skopeo` is on PATH: the runner's own, else one brought from `skopeo_download_url`.
 * The tool cache keeps the verified download, so the next job on this runner does not download
 * it again; but a tool cache is a folder other jobs can write to, so every run hashes what it
 * finds there against `skopeo_sha256` again, and runs a copy made in its own 0700 folder (an
 * archive's skopeo extracted there), never the cached file itself.
 */
async function ensureSkopeo(download, runDirectory) {
    if (await findOnPath('skopeo'))
        return;
    // Checked before the build (tools/job-image.ts); here for a PATH that changed in between.
    if (!download)
        throw new errors/* UserError */.yo(missingToolsMessage(['skopeo']));
    // The checksum names the build: one cache entry for each download the workflow pins.
    const version = `0.0.0-sha256-${download.sha256.slice(0, 16)}`;
    const name = cachedName(download);
    // The copy in the run's own folder is what is hashed and run: the cached file could change
    // between a check of it and its use.
    const cached = await cachedDownload(version, name);
    let local = cached && copyIfIntact(cached, name, download.sha256, runDirectory);
    if (local)
        info(`skopeo from the tool cache: ${cached} (SHA-256 checked)`);
    else
        local = copyIfIntact(await downloadAndCache(download, version, name), name, download.sha256, runDirectory);
    if (!local)
        throw new errors/* UserError */.yo(`The skopeo just cached does not hash to \`skopeo_sha256\`: refusing to run it.`);
    // On this step's PATH only: the folder goes with the run's folder, so later steps get no entry.
    process.env.PATH = `${await runnable(local, name, runDirectory)}${external_node_path_.delimiter}${process.env.PATH ?? ''}`;
}
/** Loaded only when skopeo has to come from the cache or a download: it costs start-up time. */
const toolCache = () => __webpack_require__.e(/* import() */ 805).then(__webpack_require__.bind(__webpack_require__, 9805));
/** The file the cache keeps: the download as it came, its kind in its name. */
function cachedName(download) {
    return isArchive(download) ? 'skopeo.tar.gz' : 'skopeo';
}
function isArchive(download) {
    return /\.(tar\.gz|tgz)$/.test(new URL(download.url).pathname);
}
function sha256Of(file) {
    return (0,external_node_crypto_.createHash)('sha256').update(external_node_fs_.readFileSync(file)).digest('hex');
}
/** The cached download's path, where the cache holds one for this checksum. */
async function cachedDownload(version, name) {
    const tc = await toolCache();
    try {
        const directory = tc.find('skopeo', version);
        const file = directory && external_node_path_.join(directory, name);
        return file && external_node_fs_.existsSync(file) ? file : '';
    }
    catch {
        return '';
    }
}
/**
 * `file` copied into the run's own folder, or '' where the copy does not hash to `sha256` (the
 * cached file changed after it was cached: reported, and not run).
 */
function copyIfIntact(file, name, sha256, runDirectory) {
    const directory = external_node_path_.join(runDirectory, 'skopeo-download');
    external_node_fs_.mkdirSync(directory, { recursive: true, mode: 0o700 });
    const copy = external_node_path_.join(directory, name);
    external_node_fs_.copyFileSync(file, copy);
    const actual = sha256Of(copy);
    if (actual === sha256)
        return copy;
    external_node_fs_.rmSync(copy, { force: true });
    warn(`The tool cache's ${file} has SHA-256 ${actual}, not ${sha256} (\`skopeo_sha256\`): it changed after it was cached. ` +
        'Not running it; downloading skopeo again.');
    return '';
}
async function downloadAndCache(download, version, name) {
    const tc = await toolCache();
    info(`Downloading skopeo from ${download.url}`);
    let file;
    try {
        file = await tc.downloadTool(download.url);
    }
    catch (error) {
        const status = error instanceof tc.HTTPError ? ` (HTTP ${error.httpStatusCode})` : '';
        throw new errors/* UserError */.yo(`Could not download skopeo from ${download.url}${status}: ${(0,errors/* messageOf */.bD)(error)}`, {
            cause: error,
        });
    }
    const actual = sha256Of(file);
    if (actual !== download.sha256) {
        external_node_fs_.rmSync(file, { force: true });
        throw new errors/* UserError */.yo(`The skopeo download from ${download.url} has SHA-256 ${actual}, not ${download.sha256} (\`skopeo_sha256\`): refusing to run it. ` +
            'Check the URL and the checksum.');
    }
    const directory = await tc.cacheFile(file, name, 'skopeo', version);
    external_node_fs_.rmSync(file, { force: true });
    info(`skopeo cached in ${directory}`);
    return external_node_path_.join(directory, name);
}
/**
 * The folder, in this run's own folder, that holds the skopeo this run executes: the verified
 * copy of the binary, or the skopeo extracted from the verified copy of the archive.
 */
async function runnable(verified, name, runDirectory) {
    const directory = external_node_path_.join(runDirectory, 'skopeo-bin');
    external_node_fs_.mkdirSync(directory, { recursive: true, mode: 0o700 });
    const binary = external_node_path_.join(directory, 'skopeo');
    if (name === 'skopeo') {
        external_node_fs_.renameSync(verified, binary);
    }
    else {
        const tc = await toolCache();
        const extracted = await tc.extractTar(verified, external_node_path_.join(runDirectory, 'skopeo-archive'));
        const found = ['skopeo', 'bin/skopeo', 'usr/bin/skopeo']
            .map((candidate) => external_node_path_.join(extracted, candidate))
            .find((candidate) => external_node_fs_.existsSync(candidate));
        if (!found)
            throw new errors/* UserError */.yo(`The skopeo archive (${verified}) holds no skopeo (looked at skopeo, bin/skopeo, usr/bin/skopeo).`);
        external_node_fs_.renameSync(found, binary);
        external_node_fs_.rmSync(extracted, { recursive: true, force: true });
    }
    external_node_fs_.chmodSync(binary, 0o700);
    return directory;
}

;// CONCATENATED MODULE: ./src/publication/writer.ts









/**
 * The publication's writes as this action makes them: buildx builds, skopeo pushes and copies,
 * the action's own client writes an index of parts.
 */
function realWriter(options) {
    const { tags, spec, runDirectory, timeline, client, builder } = options;
    let loggedIn;
    const skopeo = () => {
        if (!loggedIn)
            throw new Error('skopeo used before the writer was prepared');
        return loggedIn;
    };
    return {
        // skopeo comes first (from PATH, the tool cache or a download), then logs in while the
        // image builds; the first push waits for it.
        prepare: async () => {
            if (loggedIn)
                return;
            await ensureSkopeo(options.skopeoDownload, runDirectory);
            loggedIn = options.logIn();
            loggedIn.catch(() => undefined);
        },
        build: async (platform) => {
            const source = options.source;
            if (source)
                return timeline.phase('Take the source', async () => handOverSource(source, tags.sha, runDirectory, (await skopeo()).secrets));
            return platform
                ? asOciManifest(await buildAndHandOver(forPlatform(spec, platform), runDirectory, timeline, builder))
                : buildAndHandOver(spec, runDirectory, timeline, builder);
        },
        push: async (built, reference) => pushImage(await skopeo(), built, reference, runDirectory),
        stage: async (built) => {
            const staged = await stage(built, runDirectory, (await skopeo()).secrets);
            built.files.push(...staged.files);
            return staged;
        },
        pushStaged: async (staged, reference) => {
            const digest = await pushImage(await skopeo(), staged.source, reference, runDirectory);
            if (digest !== staged.digest)
                throw new errors/* RegistryError */.gl(`${reference} was pushed as ${digest}, not as the ${staged.digest} this run signed: the registry changed the image. Nothing more was written.`);
            return digest;
        },
        discard: discard,
        load: () => buildOnly(spec, runDirectory, timeline, builder),
        copy: async (digest, reference) => options.assemblesParts
            ? client.tagManifest(tags.repository, digest, reference.slice(tags.image.length + 1))
            : tagInRegistry(await skopeo(), pinnedRef(tags, digest), reference),
        putIndex: (bytes) => client.putManifest(tags.repository, tags.sha, bytes, OCI_INDEX),
    };
}

;// CONCATENATED MODULE: ./src/registry/classify.ts

function classifyStatus(status, expected) {
    if (expected.includes(status))
        return 'expected';
    if (status === 429 || status >= 500)
        return 'transient';
    return 'fatal';
}
/**
 * The registry's own words from an error body ({"errors":[{"code","message"}]}), if any, with
 * the reason zot gives when one of its policy conditions (CEL) refused the request
 * (`detail.reason`, the operator's message), quoted so that none of it reads as a line of its own.
 */
function registryMessage(body) {
    try {
        const json = JSON.parse(body.toString('utf8'));
        const first = json.errors?.[0];
        if (!first)
            return '';
        const words = `: ${[first.code, first.message].filter(Boolean).join(' ')}`.slice(0, 300);
        const reason = first.detail?.reason;
        return typeof reason === 'string' && reason
            ? `${words}; the registry's policy says ${JSON.stringify(reason.slice(0, 300))}`
            : words;
    }
    catch {
        return '';
    }
}
/** A `WWW-Authenticate` header: its scheme (lower case) and parameters (names lower case). */
function parseChallenge(value) {
    if (!value)
        return undefined;
    const match = /^\s*(\w+)\s*(.*)$/.exec(value);
    if (!match)
        return undefined;
    const params = {};
    for (const param of match[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g))
        params[param[1].toLowerCase()] = param[2] ?? param[3];
    return { scheme: match[1].toLowerCase(), params };
}
const MiB = 1024 * 1024;
function describeSize(bytes) {
    return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}
const TLS_CODES = new Set([
    'EPROTO',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/**
 * The most telling error code: undici wraps Node's socket and TLS errors (their codes name the
 * cause) in its own `UND_ERR_*` ones, so the `cause` chain is walked first, five levels deep.
 */
function errorCode(error) {
    let current = error;
    for (let depth = 0; current && depth < 5; depth++) {
        const code = current.code;
        if (typeof code === 'string' && !code.startsWith('UND_ERR'))
            return code;
        current = current.cause;
    }
    const code = error?.code;
    return typeof code === 'string' ? code : undefined;
}
/** A failed TLS handshake, an untrusted certificate, or plain http where https was spoken. */
function isTlsOrProtocolError(error) {
    const code = errorCode(error);
    return ((code !== undefined &&
        (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) ||
        /wrong version number|certificate|SSL routines/i.test((0,errors/* messageOf */.bD)(error)));
}
function describeTlsFailure(host, error) {
    return (`TLS with the registry ${host} failed (${errorCode(error) ?? (0,errors/* messageOf */.bD)(error)}): its certificate is not trusted or it does not speak https. ` +
        'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.');
}
/** A network failure (retried) in a few words: its code and message, or undici's timeout. */
function describeNetworkError(error, timeoutMs) {
    const code = errorCode(error);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT' ||
        code === 'UND_ERR_CONNECT_TIMEOUT')
        return `no answer within ${timeoutMs / 1000}s (${code})`;
    return code ? `${code} (${(0,errors/* messageOf */.bD)(error)})` : (0,errors/* messageOf */.bD)(error);
}

// EXTERNAL MODULE: ./node_modules/undici/lib/dispatcher/agent.js
var agent = __webpack_require__(7405);
var agent_default = /*#__PURE__*/__webpack_require__.n(agent);
// EXTERNAL MODULE: ./node_modules/undici/lib/api/api-request.js
var api_request = __webpack_require__(4043);
var api_request_default = /*#__PURE__*/__webpack_require__.n(api_request);
// EXTERNAL MODULE: ./node_modules/undici/lib/interceptor/redirect.js
var redirect = __webpack_require__(1514);
var redirect_default = /*#__PURE__*/__webpack_require__.n(redirect);
;// CONCATENATED MODULE: ./src/registry/http.ts



const Agent = (agent_default());
const redirectInterceptor = (redirect_default());
/** One request through `dispatcher` (undici's `request`, without its index). */
function request(dispatcher, url, options) {
    const { origin, pathname, search } = new URL(url);
    return api_request_default().call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
}

;// CONCATENATED MODULE: ./src/registry/transport.ts




// HTTP to the registry: one deadline per attempt, bounded bodies, retries of what is transient.
/** The largest answer read: registries cap manifests at 4 MiB (zot and distribution), configs are smaller. */
const DOCUMENT_LIMIT = 4 * MiB;
/** zot's key list: a few hundred bytes a key. */
const KEY_LIST_LIMIT = 1 * MiB;
/** An error's body is read only for its message. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** An answer longer than the limit for its kind: not retried, the registry would send it again. */
class TooLarge extends Error {
}
/** What the caller is told of an answer larger than its kind may be. */
class AnswerTooLarge extends errors/* RegistryError */.gl {
}
class Transport {
    options;
    timeoutMs;
    retry;
    log;
    agents = [];
    constructor(options) {
        this.options = options;
        this.retry = options.retry ?? defaultRetryPolicy;
        this.timeoutMs = options.timeoutMs ?? 30_000;
        this.log = options.log ?? (() => undefined);
    }
    /**
     * The dispatchers for a scheme: `redirected` follows up to three redirects (blob reads may be
     * sent to storage; undici drops the credentials on a new origin), `direct` follows none.
     */
    dispatchersFor(scheme) {
        let base = this.options.dispatcher;
        if (!base) {
            const timeout = this.timeoutMs;
            const rejectUnauthorized = !(this.options.insecure && scheme === 'https');
            base = new Agent({
                connect: { timeout, rejectUnauthorized },
                headersTimeout: timeout,
                bodyTimeout: timeout,
            });
            this.agents.push(base);
        }
        return { redirected: base.compose(redirectInterceptor({ maxRedirections: 3 })), direct: base };
    }
    /** One request, retried while the failure is transient (network, 429, 5xx). */
    send(dispatcher, method, url, ask) {
        const headers = { 'user-agent': 'build-push-image' };
        if (ask.accept)
            headers.accept = ask.accept;
        if (ask.authorization)
            headers.authorization = ask.authorization;
        if (ask.contentType)
            headers['content-type'] = ask.contentType;
        const limit = ask.limit ?? DOCUMENT_LIMIT;
        return withRetries({ ...this.retry, attempts: ask.attempts ?? this.retry.attempts }, async () => {
            let answer;
            // One deadline for the whole answer (connect, headers and body): undici's own timeouts
            // measure silence, which a registry sending a byte a second never breaks.
            const deadline = AbortSignal.timeout(this.timeoutMs);
            try {
                const response = await request(dispatcher, url, {
                    method,
                    headers,
                    body: ask.body,
                    headersTimeout: this.timeoutMs,
                    bodyTimeout: this.timeoutMs,
                    signal: deadline,
                });
                const expected = ask.expect.includes(response.statusCode);
                const body = await readAtMost(response.body, expected ? limit : ERROR_BODY_LIMIT, !expected);
                answer = { status: response.statusCode, headers: response.headers, body };
            }
            catch (error) {
                if (error instanceof TooLarge)
                    throw new AnswerTooLarge(`Could not ${ask.what}: the registry's answer is larger than ${describeSize(limit)}, the most a registry sends for it. Nothing was pushed.`);
                if (deadline.aborted)
                    return { done: false, reason: `no complete answer within ${this.timeoutMs / 1000}s` };
                if (isTlsOrProtocolError(error))
                    throw new errors/* RegistryError */.gl(describeTlsFailure(this.options.host, error), { cause: error });
                return { done: false, reason: describeNetworkError(error, this.timeoutMs) };
            }
            switch (classifyStatus(answer.status, ask.expect)) {
                case 'expected':
                    return { done: true, value: answer };
                case 'transient':
                    return {
                        done: false,
                        reason: `HTTP ${answer.status}${registryMessage(answer.body)}`,
                        retryAfterMs: parseRetryAfter(header(answer, 'retry-after')),
                    };
                case 'fatal':
                    throw new errors/* RegistryError */.gl(`Could not ${ask.what}: the registry answered HTTP ${answer.status}${registryMessage(answer.body)}.`);
            }
        }, (reason, attempts) => new errors/* RegistryError */.gl(`Could not ${ask.what}: ${reason} after ${attempts} attempts. Nothing was pushed; run the job again when the registry answers.`), (reason, waitMs) => this.log(`Registry: ${reason}; retrying in ${Math.round(waitMs / 100) / 10}s`));
    }
    async close() {
        await Promise.all(this.agents.map((agent) => agent.close().catch(() => undefined)));
    }
}
/**
 * Reads a body up to `limit` bytes. Past it, the rest is dropped: an error body is kept cut
 * (only its message matters), any other answer fails with TooLarge.
 */
async function readAtMost(body, limit, cut) {
    const chunks = [];
    let size = 0;
    for await (const chunk of body) {
        size += chunk.length;
        if (size > limit) {
            body.destroy();
            if (!cut)
                throw new TooLarge();
            chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
            break;
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks);
}
function header(answer, name) {
    const value = answer.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
function parseJson(body, what) {
    try {
        return JSON.parse(body.toString('utf8'));
    }
    catch (error) {
        throw new errors/* RegistryError */.gl(`The registry sent ${what} as something other than JSON.`, { cause: error });
    }
}

;// CONCATENATED MODULE: ./src/registry/manifest.ts




// A manifest as the client reads it: its digest is always the hash of its bytes, whatever the
// registry claims.
/** Every manifest kind a registry may hold, so none answers with a converted manifest. */
const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');
function manifestOf(answer, name, reference) {
    const digest = digestOf(answer.body);
    const claimed = header(answer, 'docker-content-digest');
    if (claimed !== undefined && claimed !== digest)
        throw new errors/* RegistryError */.gl(`The registry sent ${name}${reference.includes(':') ? '@' : ':'}${reference} with Docker-Content-Digest ${shown(claimed)}, but the manifest's bytes hash to ${digest}. ` +
            'A registry whose digests do not match its manifests is not trusted: nothing more was written. Check the registry (or a proxy in front of it) and run again.');
    const parsed = parseJson(answer.body, `the manifest of ${name}`);
    const json = (parsed && typeof parsed === 'object' ? parsed : {});
    const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
    const sent = header(answer, 'content-type')?.split(';')[0].trim();
    return { digest, size: answer.body.length, mediaType: declared ?? sent ?? '', json, bytes: answer.body };
}
function shown(value) {
    const safe = value.slice(0, 80).replace(/[^A-Za-z0-9:._-]/g, '?');
    return `\`${safe}${value.length > 80 ? '…' : ''}\``;
}

;// CONCATENATED MODULE: ./src/registry/auth.ts




/** A token's lifetime when the realm names none: the distribution token spec's default. */
const DEFAULT_TOKEN_SECONDS = 60;
/**
 * When a token is renewed: a quarter of its lifetime before it ends, at most 30 s before, so a
 * request sent with it (a build can take longer than a token lasts) never arrives with it stale.
 */
function renewAt(receivedAt, seconds) {
    const lifetime = seconds * 1000;
    return receivedAt + lifetime - Math.min(lifetime / 4, 30_000);
}
class Auth {
    options;
    transport;
    tokens = new Map();
    constructor(options, transport) {
        this.options = options;
        this.transport = transport;
    }
    /** The `/v2/` ping: picks the scheme, checks the credentials and learns the auth scheme. */
    async open() {
        const { host, insecure, credentials } = this.options;
        const schemes = insecure ? ['https', 'http'] : ['https'];
        let lastError;
        for (const scheme of schemes) {
            const baseUrl = `${scheme}://${host}`;
            const { redirected: dispatcher, direct } = this.transport.dispatchersFor(scheme);
            let ping;
            try {
                // The ping is not redirected: a 200 from another origin would prove nothing about the key.
                ping = await this.transport.send(direct, 'GET', `${baseUrl}/v2/`, {
                    what: `reach the registry ${host}`,
                    expect: [200, 401],
                    authorization: this.basic(),
                });
            }
            catch (error) {
                lastError = error;
                // Only a failed TLS handshake sends an insecure registry on to plain http.
                if (scheme === 'https' && insecure && isTlsOrProtocolError(error))
                    continue;
                throw error;
            }
            if (ping.status === 200)
                return { baseUrl, dispatcher, auth: { kind: 'basic' } };
            const challenge = parseChallenge(header(ping, 'www-authenticate'));
            if (challenge?.scheme === 'bearer' && challenge.params.realm) {
                const auth = {
                    kind: 'bearer',
                    realm: this.trustedRealm(challenge.params.realm, baseUrl),
                    service: challenge.params.service,
                };
                // A token for no scope proves the credentials, as `docker login` does.
                if (credentials)
                    await this.fetchToken(dispatcher, auth, undefined);
                return { baseUrl, dispatcher, auth };
            }
            if (credentials)
                throw this.rejectedKey();
            throw new errors/* RegistryError */.gl(`The registry ${host} requires credentials even to read: set \`username\` and \`api_key\`.`);
        }
        throw lastError instanceof Error ? lastError : new errors/* RegistryError */.gl((0,errors/* messageOf */.bD)(lastError));
    }
    /**
     * The Authorization header for reading (or writing to) `repository`, or undefined for an
     * anonymous read. A bearer token is reused until it is due for renewal, then fetched again.
     */
    async authorization(session, repository, push = false) {
        if (session.auth.kind === 'basic')
            return this.basic();
        const scope = scopeOf(repository, push);
        const held = this.tokens.get(scope);
        const token = held && this.now() < held.renewAt
            ? held.token
            : await this.fetchToken(session.dispatcher, session.auth, scope);
        return token ? `Bearer ${token}` : undefined;
    }
    /**
     * A request sent with a held bearer token came back 401: the token is dropped, and true says
     * a new one is worth asking for once (the realm may have ended it early) before the key is
     * called rejected. False for Basic credentials, or when no token was held.
     */
    dropToken(session, repository, push = false) {
        if (session.auth.kind === 'basic')
            return false;
        return this.tokens.delete(scopeOf(repository, push));
    }
    /** The Basic header zot checks on every request that carries it. */
    basic() {
        const credentials = this.options.credentials;
        return credentials ? basicAuthorization(credentials) : undefined;
    }
    /** A 401: the key is named by its owner, never shown. */
    rejectedKey() {
        return new errors/* RegistryError */.gl(`The registry ${this.options.host} rejected the API key of \`${this.options.credentials?.username}\` (401): ` +
            'the key may have expired or been revoked, or belong to another identity. ' +
            'Create a new key in zot and update the secret that feeds `api_key`.');
    }
    get hasCredentials() {
        return this.options.credentials !== undefined;
    }
    /** The token realm, only over https unless the registry is a trusted test one. */
    trustedRealm(value, baseUrl) {
        const realm = new URL(value, baseUrl);
        if (realm.protocol !== 'https:' && !(this.options.insecure && realm.protocol === 'http:'))
            throw new errors/* RegistryError */.gl(`The registry ${this.options.host} sends clients for tokens to ${realm.origin}, which is not https: the API key would cross the network in clear. ` +
                "Fix the registry's token realm, or set `insecure_registry: true` for a test registry you trust.");
        return realm.toString();
    }
    async fetchToken(dispatcher, auth, scope) {
        const url = new URL(auth.realm);
        if (auth.service)
            url.searchParams.set('service', auth.service);
        if (scope)
            url.searchParams.set('scope', scope);
        const answer = await this.transport.send(dispatcher, 'GET', url.toString(), {
            what: `get a token from ${url.origin}`,
            expect: [200, 401, 403],
            authorization: this.basic(),
        });
        if (answer.status !== 200) {
            if (this.options.credentials)
                throw this.rejectedKey();
            return undefined;
        }
        const json = parseJson(answer.body, 'the token answer');
        const token = json.token ?? json.access_token;
        const seconds = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_SECONDS;
        if (scope && token)
            this.tokens.set(scope, { token, renewAt: renewAt(this.now(), seconds) });
        return token;
    }
    now() {
        return (this.options.now ?? Date.now)();
    }
}
function scopeOf(repository, push) {
    return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}
/** The value of the Authorization header zot checks on every request that carries it. */
function basicAuthorization(credentials) {
    return `Basic ${basicEncoding(credentials.username, credentials.apiKey)}`;
}

;// CONCATENATED MODULE: ./src/registry/requests.ts




/** A session with one registry: requests sent, authorised, their 401 and 403 explained. */
class RegistryRequests {
    options;
    transport;
    auth;
    session;
    constructor(options) {
        this.options = options;
        this.transport = new Transport(options);
        this.auth = new Auth(options, this.transport);
    }
    /**
     * Proves that the credentials are accepted, with one authenticated request before anything
     * is built (zot checks credentials on every request that carries them).
     */
    async proveAccess() {
        await this.connect();
    }
    /**
     * zot's list of the identity's API keys (`GET /zot/auth/apikey`), or undefined where the
     * registry has no such endpoint. The keys themselves are never part of the answer.
     */
    async apiKeys() {
        const session = await this.connect();
        const answer = await this.transport.send(session.dispatcher, 'GET', `${session.baseUrl}/zot/auth/apikey`, {
            what: 'list the API keys',
            expect: [200, 401, 403, 404, 405],
            accept: 'application/json',
            authorization: this.auth.basic(),
            // Only advice hangs on this list: one attempt, no waiting on a registry in trouble.
            attempts: 1,
            limit: KEY_LIST_LIMIT,
        });
        if (answer.status !== 200)
            return undefined;
        const json = parseJson(answer.body, 'the API key list');
        return Array.isArray(json.apiKeys) ? json.apiKeys : undefined;
    }
    /**
     * zot's release (`releaseTag` of `GET /v2/_zot/ext/mgmt`, which zot answers without
     * credentials where its search extension is on), or undefined where the registry does not say.
     */
    async zotRelease() {
        const session = await this.connect();
        const answer = await this.transport.send(session.dispatcher, 'GET', `${session.baseUrl}/v2/_zot/ext/mgmt`, {
            what: "read zot's release",
            expect: [200, 401, 403, 404, 405],
            accept: 'application/json',
            // Only advice hangs on this answer: one attempt, no waiting on a registry in trouble.
            attempts: 1,
            limit: KEY_LIST_LIMIT,
        });
        if (answer.status !== 200)
            return undefined;
        const release = parseJson(answer.body, "zot's configuration").releaseTag;
        return typeof release === 'string' ? release : undefined;
    }
    async close() {
        await this.transport.close();
    }
    connect() {
        this.session ??= this.auth.open();
        return this.session;
    }
    /** A read of `repository`, authorised; 401 and 403 are named for what the user can do. */
    async send(method, path, repository, ask) {
        const session = await this.connect();
        const { push, writes, ...rest } = ask;
        const attempt = async () => this.transport.send(session.dispatcher, method, session.baseUrl + path, {
            ...rest,
            authorization: await this.auth.authorization(session, repository, push),
            expect: [...ask.expect, 401, 403],
        });
        let answer = await attempt();
        // A token the realm ended early is renewed once before the key is called rejected.
        if (answer.status === 401 && this.auth.dropToken(session, repository, push))
            answer = await attempt();
        if (answer.status === 403 && push)
            throw new errors/* TagTaken */.qD(`The registry refused to ${ask.what} (403 DENIED${registryMessage(answer.body)}): the identity lacks \`create\` on ${repository}, or the tag exists and it lacks \`update\`.`, { reference: `${this.options.host}/${writes ?? repository}` });
        if (answer.status === 401) {
            if (this.auth.hasCredentials)
                throw this.auth.rejectedKey();
            throw new errors/* RegistryError */.gl(`The registry ${this.options.host} refused to let anonymous clients ${ask.what} (401): set \`username\` and \`api_key\`.`);
        }
        if (answer.status === 403)
            throw new errors/* RegistryError */.gl(`The registry ${this.options.host} denied the request to ${ask.what} (403${registryMessage(answer.body)}): the identity lacks \`read\` on ${repository}.`);
        return answer;
    }
}

;// CONCATENATED MODULE: ./src/registry/reads.ts






/** The most bytes read of a signature's payload or configuration. */
const SMALL_BLOB_LIMIT = 64 * 1024;
/** What the action reads of a registry: tags, manifests, configurations, small blobs. */
class RegistryReads extends RegistryRequests {
    /** Configurations' labels, and manifests named by digest, by repository and digest: content
     * addressed, so two tags of one image or index read each once. */
    configs = new Map();
    manifests = new Map();
    /** Signatures' payloads and bundles found, by repository and digest: content addressed too. */
    payloads = new Map();
    /** The registry answered a referrers listing with 404: it has no referrers API. */
    noReferrersApi = false;
    /** Does the tag exist, and at which digest? One HEAD request, whatever the number of tags. */
    async lookUp(name, tag) {
        const answer = await this.send('HEAD', `/v2/${name}/manifests/${tag}`, name, {
            accept: MANIFEST_ACCEPT,
            what: `look up the tag ${name}:${tag}`,
            expect: [200, 404],
        });
        if (answer.status === 404)
            return { exists: false };
        // The header is a hint, held to the digest grammar: the callers only compare it with a
        // digest of bytes already read (see publication/readings.ts), and adopt none without a GET. A registry
        // that leaves it out: the digest is the hash of the manifest bytes, read afresh every
        // time (a tag may move, so its manifest is never remembered).
        const hint = header(answer, 'docker-content-digest');
        if (hint === undefined)
            return { exists: true, digest: manifestOf(await this.getManifest(name, tag, [200]), name, tag).digest };
        if (!DIGEST.test(hint))
            throw new errors/* RegistryError */.gl(`The registry answered a look-up of ${name}:${tag} with a Docker-Content-Digest that is not a sha256 digest (${shown(hint)}): it is not trusted with anything. Nothing more was written.`);
        return { exists: true, digest: hint };
    }
    /** An image configuration, read once per digest however many tags ask. */
    config(name, tag, config) {
        return remember(this.configs, `${name}@${config}`, async () => {
            const answer = await this.send('GET', `/v2/${name}/blobs/${config}`, name, {
                what: `read the configuration of ${name}:${tag}`,
                expect: [200],
            });
            if (digestOf(answer.body) !== config)
                throw new errors/* RegistryError */.gl(`The registry answered a read of the configuration ${config} of ${name}:${tag} with bytes that hash to ${digestOf(answer.body)}: it is not the one asked for. Nothing more was written.`);
            const parsed = parseJson(answer.body, `the configuration of ${name}:${tag}`);
            return parsed && typeof parsed === 'object' ? parsed : {};
        });
    }
    /** An image configuration's labels. */
    async configLabels(name, tag, config) {
        const parsed = (await this.config(name, tag, config));
        return parsed.config?.Labels ?? {};
    }
    /** The manifest at a tag or digest, or undefined where there is none (404: free). */
    async manifestIfAny(name, reference) {
        const answer = await this.getManifest(name, reference, [200, 404]);
        if (answer.status === 404)
            return undefined;
        const manifest = manifestOf(answer, name, reference);
        // Its digest is the hash of the bytes read: a later read by that digest needs no request.
        const key = `${name}@${manifest.digest}`;
        if (!this.manifests.has(key))
            this.manifests.set(key, Promise.resolve(manifest));
        return manifest;
    }
    /** The manifest an index names by digest, which must exist: read once however many tags ask. */
    manifest(name, digest) {
        return remember(this.manifests, `${name}@${digest}`, async () => {
            const manifest = manifestOf(await this.getManifest(name, digest, [200]), name, digest);
            if (manifest.digest !== digest)
                throw new errors/* RegistryError */.gl(`The registry answered a read of ${name}@${digest} with a manifest whose bytes hash to ${manifest.digest}: it is not the one asked for. Nothing more was written.`);
            return manifest;
        });
    }
    /**
     * The referrers of `digest` through the registry's referrers API (OCI 1.1), as descriptors;
     * undefined where the registry has no such API (404: a client then reads the referrers tag).
     */
    async referrers(name, digest) {
        // A registry with the API never answers 404 (the spec's rule, so that clients can tell):
        // one that did has none, for the rest of the run.
        if (this.noReferrersApi)
            return undefined;
        const answer = await this.send('GET', `/v2/${name}/referrers/${digest}`, name, {
            accept: OCI_INDEX,
            what: `list the referrers of ${name}@${digest}`,
            expect: [200, 404],
        });
        if (answer.status === 404) {
            this.noReferrersApi = true;
            return undefined;
        }
        const index = parseJson(answer.body, `the referrers of ${name}@${digest}`);
        return Array.isArray(index?.manifests) ? index.manifests : [];
    }
    getManifest(name, reference, expect) {
        return this.send('GET', `/v2/${name}/manifests/${reference}`, name, {
            accept: MANIFEST_ACCEPT,
            what: `read the manifest ${name}${reference.includes(':') ? '@' : ':'}${reference}`,
            expect,
        });
    }
    /**
     * A signature's payload, or undefined where the layer cannot be one: no such blob (404),
     * larger than a payload is, or other bytes than its digest. A registry that cannot answer
     * (5xx, the network, credentials) is still an error: nothing is decided on a guess.
     */
    async signaturePayload(name, digest) {
        // Found once, its bytes are its digest's for good; one not found may be uploaded later.
        const known = this.payloads.get(`${name}@${digest}`);
        if (known)
            return known;
        let answer;
        try {
            answer = await this.send('GET', `/v2/${name}/blobs/${digest}`, name, {
                what: `read the blob ${name}@${digest}`,
                expect: [200, 404],
                limit: SMALL_BLOB_LIMIT,
            });
        }
        catch (error) {
            if (error instanceof AnswerTooLarge)
                return undefined;
            throw error;
        }
        if (answer.status === 404 || digestOf(answer.body) !== digest)
            return undefined;
        this.payloads.set(`${name}@${digest}`, answer.body);
        return answer.body;
    }
}
/** What `make` answers for `key`, asked once while it succeeds; a failure is asked again next time. */
function remember(cache, key, make) {
    let answer = cache.get(key);
    if (!answer) {
        answer = make();
        answer.catch(() => cache.delete(key));
        cache.set(key, answer);
    }
    return answer;
}

;// CONCATENATED MODULE: ./src/registry/client.ts





/**
 * This action's client of a registry, over the distribution API: the only code that talks to
 * it. Its reads are reads.ts's, on the session of requests.ts; what it writes itself (a
 * signature, an index of parts, a tag copied byte for byte) is here. What it cannot read or
 * write is an error: the caller never has to guess.
 */
class RegistryClient extends RegistryReads {
    /**
     * Uploads `bytes` as a blob of `name` unless the registry holds it (a HEAD first), in one
     * piece: a POST opens the upload, a PUT with the digest closes it. The upload's Location must
     * stay on the registry's origin, or the credentials would go elsewhere (skopeo does not check).
     */
    async putBlob(name, bytes) {
        const digest = digestOf(bytes);
        const there = await this.send('HEAD', `/v2/${name}/blobs/${digest}`, name, {
            what: `look up the blob ${name}@${digest}`,
            expect: [200, 404],
            push: true,
        });
        if (there.status === 200)
            return digest;
        const opened = await this.send('POST', `/v2/${name}/blobs/uploads/`, name, {
            what: `start an upload to ${name}`,
            expect: [202],
            push: true,
        });
        const session = await this.connect();
        const location = new URL(header(opened, 'location') ?? '', session.baseUrl);
        if (location.origin !== new URL(session.baseUrl).origin)
            throw new errors/* RegistryError */.gl(`The registry sent the upload to ${location.origin}, not to ${new URL(session.baseUrl).origin}: the credentials would go there. Nothing was uploaded.`);
        location.searchParams.set('digest', digest);
        await this.send('PUT', location.pathname + location.search, name, {
            what: `upload a blob to ${name}`,
            expect: [201],
            push: true,
            body: bytes,
            contentType: 'application/octet-stream',
        });
        return digest;
    }
    /**
     * Writes a manifest under `tag`; returns its digest (the hash of the bytes, which the registry
     * must confirm). A 403 is the registry refusing to write the tag (zot without `update`).
     */
    async putManifest(name, tag, bytes, mediaType) {
        return (await this.writeManifest(name, tag, bytes, mediaType)).digest;
    }
    /**
     * Writes a manifest by its digest (a referrer: no tag); says whether the registry took its
     * `subject` into its referrers API (the `OCI-Subject` header), or a client must list it under
     * the referrers tag itself.
     */
    async putReferrer(name, bytes, mediaType) {
        const digest = digestOf(bytes);
        const { answer } = await this.writeManifest(name, digest, bytes, mediaType);
        return { digest, listed: header(answer, 'oci-subject') !== undefined };
    }
    async writeManifest(name, tag, bytes, mediaType) {
        const digest = digestOf(bytes);
        const answer = await this.send('PUT', `/v2/${name}/manifests/${tag}`, name, {
            what: `write the manifest ${name}:${tag}`,
            expect: [201],
            push: true,
            writes: `${name}:${tag}`,
            body: bytes,
            contentType: mediaType,
        });
        const claimed = header(answer, 'docker-content-digest');
        if (claimed !== undefined && claimed !== digest)
            throw new errors/* RegistryError */.gl(`The registry stored ${name}:${tag} under ${shown(claimed)}, not under the digest of the bytes sent (${digest}).`);
        // What was written is known: a later copy of it to another tag need not read it back.
        const json = parseJson(bytes, `the manifest of ${name}`);
        this.manifests.set(`${name}@${digest}`, Promise.resolve({ digest, size: bytes.length, mediaType, json, bytes }));
        return { digest, answer };
    }
    /**
     * Puts the manifest at `digest` under `tag` as well, byte for byte (so the digest stays): a
     * tag copy inside one repository, whose blobs and images are there already.
     */
    async tagManifest(name, digest, tag) {
        const manifest = await this.manifest(name, digest);
        await this.putManifest(name, tag, manifest.bytes, manifest.mediaType);
    }
}

;// CONCATENATED MODULE: ./src/registry/key-expiry.ts


const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The identity's soonest-expiring key that is still valid, when it expires within the
 * threshold. zot does not say which entry is the key in use, so the soonest one is named.
 */
function soonestExpiringKey(keys, now, thresholdDays) {
    let soonest;
    for (const key of keys) {
        if (key.isExpired || !key.expirationDate)
            continue;
        const expires = new Date(key.expirationDate);
        // zot writes a zero time for a key that never expires.
        if (Number.isNaN(expires.getTime()) || expires.getUTCFullYear() < 1970 || expires <= now)
            continue;
        if (!soonest || expires < soonest.expires)
            soonest = { label: key.label || '(no label)', expires };
    }
    if (!soonest)
        return undefined;
    const days = (soonest.expires.getTime() - now.getTime()) / DAY_MS;
    return days <= thresholdDays ? { ...soonest, days: Math.round(days) } : undefined;
}
/** Warns before the key expires; a registry without the endpoint, or any failure, is only noted. */
async function warnOfKeyExpiry(registry, thresholdDays, now) {
    let keys;
    try {
        keys = await registry.apiKeys();
    }
    catch (error) {
        info(`Could not read the API key list (${(0,errors/* messageOf */.bD)(error)}); skipping the expiry check.`);
        return;
    }
    if (!keys) {
        info('The registry has no API key list (not zot?); skipping the expiry check.');
        return;
    }
    const soonest = soonestExpiringKey(keys, now, thresholdDays);
    if (soonest)
        warn(`The API key "${soonest.label}" expires on ${soonest.expires.toISOString().slice(0, 10)} ` +
            `(in ${soonest.days} day${soonest.days === 1 ? '' : 's'}). Create a new key in zot and update the secret that feeds \`api_key\` before then.`);
}

;// CONCATENATED MODULE: ./src/registry/zot-release.ts


// What a create-only policy protects depends on zot's release: two releases let an identity
// with `create` alone move a tag that exists. Said once, as a warning: nothing here stops a run.
/** A release tag `v2.1.14` as numbers; undefined for what is no such tag. */
function releaseNumbers(release) {
    const match = /^v?(\d+)\.(\d+)\.(\d+)(?:$|[-+])/.exec(release);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}
function before(numbers, other) {
    for (let i = 0; i < 3; i++)
        if (numbers[i] !== other[i])
            return numbers[i] < other[i];
    return false;
}
/** The hole a create-only policy has on `release`, in the user's words; none when it has none known. */
function createOnlyHole(release) {
    const numbers = releaseNumbers(release);
    if (!numbers)
        return undefined;
    if (before(numbers, [2, 1, 15]))
        return 'lets an identity with `create` alone overwrite the tag `latest` (CVE-2026-31801, fixed in v2.1.15)';
    // `?tag=` came in v2.1.16 with the hole, closed in v2.1.19.
    if (!before(numbers, [2, 1, 16]) && before(numbers, [2, 1, 19]))
        return 'lets an identity with `create` alone move a tag that exists by a manifest PUT by digest with `?tag=` (fixed in v2.1.19)';
    return undefined;
}
/** Warns when zot's release lets a create-only identity overwrite tags; any failure is only noted. */
async function warnOfCreateOnlyHole(registry) {
    let release;
    try {
        release = await registry.zotRelease();
    }
    catch (error) {
        info(`Could not read zot's release (${(0,errors/* messageOf */.bD)(error)}); skipping its check.`);
        return;
    }
    if (!release)
        return;
    const hole = createOnlyHole(release);
    // The release is the registry's text: quoted, never a line of its own.
    const named = JSON.stringify(release.slice(0, 40));
    if (hole)
        warn(`zot ${named} ${hole}: a create-only policy does not keep published tags from being overwritten there. Upgrade zot.`);
    else
        info(`zot ${named}.`);
}

// EXTERNAL MODULE: ./node_modules/@noble/ciphers/salsa.js + 3 modules
var salsa = __webpack_require__(6382);
;// CONCATENATED MODULE: ./src/signing/key.ts



// The signing key as `cosign generate-key-pair` and `skopeo generate-sigstore-key` write it:
// a PEM whose body is base64 of JSON naming an scrypt key derivation and a NaCl secretbox,
// which opens to a PKCS#8 DER private key. Only ECDSA P-256 signs here (what containers/image
// and cosign verify for a sigstore key). Node's crypto does scrypt and ECDSA; NaCl's
// secretbox (XSalsa20-Poly1305) comes from @noble/ciphers, audited and without dependencies.
const PEM = /^-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END ENCRYPTED \1 PRIVATE KEY-----\s*$/;
/** The scrypt costs the tools write (2^15 .. 2^17); anything else is refused rather than run. */
const SCRYPT_N = new Set([1 << 15, 1 << 16, 1 << 17]);
/** Why a key cannot be used, naming the input; the key itself is never quoted. */
class KeyProblem extends Error {
    input;
    constructor(input, message) {
        super(message);
        this.input = input;
        this.name = 'KeyProblem';
    }
}
/** Parses the PEM's envelope (cheap, no key derivation). */
function parseEncryptedKey(pem) {
    const match = PEM.exec(pem.trim() + '\n');
    if (!match)
        throw new KeyProblem(names/* Input */.pd.SigningKey, 'is not an encrypted sigstore or cosign private key (a PEM that starts `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----` or `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----`, as `cosign generate-key-pair` or `skopeo generate-sigstore-key` write it).');
    let json;
    try {
        json = JSON.parse(Buffer.from(match[2].replace(/\s/g, ''), 'base64').toString('utf8'));
    }
    catch {
        throw new KeyProblem(names/* Input */.pd.SigningKey, 'has a PEM body that is not the JSON the key tools write.');
    }
    const { kdf, cipher, ciphertext } = json ?? {};
    const params = kdf?.params ?? {};
    if (kdf?.name !== 'scrypt' ||
        cipher?.name !== 'nacl/secretbox' ||
        !kdf.salt ||
        !cipher.nonce ||
        !ciphertext)
        throw new KeyProblem(names/* Input */.pd.SigningKey, 'is encrypted in a way this action does not open (it opens scrypt with nacl/secretbox, as cosign and skopeo write).');
    if (!SCRYPT_N.has(params.N ?? 0) || params.r !== 8 || params.p !== 1)
        throw new KeyProblem(names/* Input */.pd.SigningKey, `has scrypt parameters the key tools do not write (N=${params.N}, r=${params.r}, p=${params.p}; expected N of 2^15, 2^16 or 2^17, r=8, p=1).`);
    const nonce = Buffer.from(cipher.nonce, 'base64');
    if (nonce.length !== 24)
        throw new KeyProblem(names/* Input */.pd.SigningKey, 'has a secretbox nonce that is not 24 bytes.');
    return {
        kind: match[1],
        scrypt: { N: params.N, r: 8, p: 1, salt: Buffer.from(kdf.salt, 'base64') },
        nonce,
        ciphertext: Buffer.from(ciphertext, 'base64'),
    };
}
/**
 * Opens the key with its password: scrypt (run off the main thread by Node), then the
 * secretbox, then the PKCS#8 key, which must be ECDSA P-256. A wrong password is named as such.
 */
async function openSigningKey(key, password) {
    const { N, r, p, salt } = key.scrypt;
    const secret = await new Promise((resolve, reject) => external_node_crypto_.scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r }, (error, derived) => error ? reject(error) : resolve(derived)));
    let der;
    try {
        der = (0,salsa/* secretbox */.EY)(secret, key.nonce).open(key.ciphertext);
    }
    catch {
        throw new KeyProblem(names/* Input */.pd.SigningKeyPassword, 'does not open `signing_key`: the password is wrong for this key.');
    }
    let privateKey;
    try {
        privateKey = external_node_crypto_.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    }
    catch {
        throw new KeyProblem(names/* Input */.pd.SigningKey, 'opens to something that is not a PKCS#8 private key.');
    }
    const details = privateKey.asymmetricKeyDetails;
    if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1')
        throw new KeyProblem(names/* Input */.pd.SigningKey, `is ${describeKey(privateKey)}: only ECDSA P-256 keys sign here (what \`cosign generate-key-pair\` and \`skopeo generate-sigstore-key\` make). Make a P-256 key pair.`);
    const publicKey = external_node_crypto_.createPublicKey(privateKey);
    return {
        sign: (payload) => external_node_crypto_.sign('sha256', payload, { key: privateKey, dsaEncoding: 'der' }),
        verify: (payload, signature) => external_node_crypto_.verify('sha256', payload, { key: publicKey, dsaEncoding: 'der' }, signature),
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
}
function describeKey(key) {
    switch (key.asymmetricKeyType) {
        case 'rsa':
            return 'an RSA key';
        case 'ed25519':
            return 'an Ed25519 key';
        case 'ec':
            return `an ECDSA key on ${key.asymmetricKeyDetails?.namedCurve ?? 'another curve'}`;
        default:
            return `a ${key.asymmetricKeyType ?? 'kind of'} key`;
    }
}

;// CONCATENATED MODULE: ./src/core/wiring.ts














function registryClientFor(inputs) {
    return new RegistryClient({
        host: inputs.registry,
        insecure: inputs.insecureRegistry,
        credentials: inputs.credentials,
        timeoutMs: inputs.registryTimeoutMs,
        log: info,
    });
}
/** The publication's context: the ports the executor and its steps write through. */
function publicationContext(run) {
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
function partsFor(inputs, tags) {
    if (!inputs.parts)
        return undefined;
    const provenance = provenanceLabels(tags, process.env, new Date());
    const annotations = indexAnnotations([...inputs.build.annotations, ...provenance]);
    return partsOf(inputs.parts.platforms, inputs.parts.build, annotations);
}
/** The signing key opened with its password; a problem names its input, as every bad input does. */
async function openKey(signing) {
    try {
        return await openSigningKey(signing.key, signing.password);
    }
    catch (error) {
        if (error instanceof KeyProblem)
            throw new errors/* InputError */.dz([`\`${error.input}\` ${error.message}`]);
        throw error;
    }
}
/** One authenticated request proves the key before anything is built or pushed. */
async function checkKey(inputs, client) {
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
async function checkToolsFor(plan, inputs, timeline) {
    // No plan: an image under the version tag is compared with a build (core/unlabelled.ts).
    const needs = {
        ...(plan ? toolsFor(plan) : { buildx: true, skopeo: true }),
        ...(inputs.source ? { buildx: false } : {}),
    };
    if (!needs.buildx && !needs.skopeo)
        return {};
    return timeline.phase('Check the tools', () => checkTools(needs, inputs.skopeoDownload !== undefined));
}
async function logIn(inputs, secrets, runDirectory) {
    const credentials = inputs.credentials;
    if (!credentials)
        throw new errors/* UserError */.yo('Pushing needs `username` and `api_key`.');
    const config = {
        registry: inputs.registry,
        insecure: inputs.insecureRegistry,
        authFile: authFileIn(runDirectory),
        secrets: secrets.list,
    };
    await login(config, credentials);
    return config;
}

;// CONCATENATED MODULE: ./src/core/publish-image.ts





















// The core of the behaviour, the same for the action and the command line: from parsed inputs
// to a published image and its report.
/**
 * Prove the key; read what the registry holds and plan what is missing; write it, the
 * version tag last (or, without `push`, only build); report.
 */
async function publishImage(inputs, secrets) {
    const tags = tagsOf(inputs.registry, inputs.imageName, inputs.version, inputs.sha, {
        commitTag: inputs.commitTag,
    });
    setReferenceOutputs(tags);
    const parts = partsFor(inputs, tags);
    // Without `push` nothing is pushed: there is no part to name.
    if (parts && inputs.push)
        setPartOutput(tags, parts);
    // A source was built elsewhere: its revision label, not a checkout, says which commit it is.
    if (!inputs.source)
        warnOfAnotherCheckout(inputs.build.context, inputs.sha);
    const runDirectory = await (0,run_folder/* createRunDirectory */.HZ)();
    (0,children/* recordChildrenIn */.q8)((0,run_folder/* childrenDirectory */.di)(runDirectory));
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
        const planNow = async (phase) => plan(await timeline.phase(phase, () => registry.readHeld()), tags, publication, parts);
        const first = await planNow('Check the registry').catch((error) => {
            // An image pushed before this action, with no label: compared with this build below.
            if (error instanceof UnlabelledVersion && inputs.push && !parts)
                return error;
            throw error;
        });
        if (!(first instanceof UnlabelledVersion))
            info(first.reason);
        // What the job image lacks for what the plan writes is named at once, before any build.
        const { builder } = await checkToolsFor(first instanceof UnlabelledVersion ? undefined : first, inputs, timeline);
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
            vouches: readers && ((digest) => vouchedByKey(readers, tags, digest)),
            timeline,
            runDirectory,
            builder,
        });
        const { result, digest, reason, missing } = first instanceof UnlabelledVersion
            ? await matchUnlabelled(first, { tags, client, writer: context.writer, runDirectory })
            : await publish(first, context, () => planNow('Check the registry again'));
        // Each format written is found as its consumer finds it before the run is a success.
        if ((signatures || bundles) && digest && !missing && result !== names/* Result */.Q7.AlreadyPublished)
            await timeline.phase('Check the signatures as consumers read them', async () => {
                const found = await checkAsConsumers({ tags, signatures, bundles, imagesOf: registry.imagesOf }, digest);
                info(`Found as consumers find them: ${found.join('; ')}.`);
            });
        setResultOutputs(result, digest);
        // An image found the same as the build was not signed by this run (nor is it now).
        const published = signatures && digest && !missing && !(first instanceof UnlabelledVersion);
        const signature = published ? signatureRef(tags, digest) : undefined;
        if (signature)
            setSignatureOutput(signature);
        await report({ tags, result, digest, signature, missing, detail: reason, phases: timeline.phases });
    }
    catch (error) {
        await report({ tags, detail: (0,errors/* messageOf */.bD)(error), phases: timeline.phases });
        throw error;
    }
    finally {
        await client.close();
    }
}

// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
;// CONCATENATED MODULE: ./src/inputs/problems.ts
/** The problems found in the inputs, each naming its input, gathered to be reported at once. */
class Problems {
    list = [];
    add(input, what) {
        this.list.push(`\`${input}\` ${what}`);
    }
    get none() {
        return this.list.length === 0;
    }
}
/** Quotes a value for a message, making control characters visible. */
function quote(value) {
    return JSON.stringify(value);
}

;// CONCATENATED MODULE: ./src/inputs/grammar.ts



// The grammars of single inputs: booleans, the registry's host, tags and KEY=VALUE lines.
// Names and tags follow the OCI distribution spec (see the project's notes on the registry).
const NAME_COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** A full commit SHA: SHA-1 (40 hex digits) or SHA-256 (64). */
const SHA = /^[0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?$/;
const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const REGISTRY = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::(\\d{1,5}))?$`);
const LINE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
function parseBoolean(value, input, problems) {
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (!['false', 'False', 'FALSE'].includes(value))
        problems.add(input, `must be \`true\` or \`false\`, not ${quote(value)}.`);
    return false;
}
function checkRegistry(registry, problems) {
    const problem = (what) => problems.add(names/* Input */.pd.Registry, what);
    if (!registry)
        return problem('is required (`host[:port]`).');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(registry))
        return problem(`must be \`host[:port]\` without a scheme: ${quote(registry.replace(/\/\/[^/@]*@/, '//…@'))}.`);
    if (registry.includes('@'))
        return problem('must not hold credentials (`user:password@`): use `username` and `api_key`.');
    if (registry.includes('/'))
        return problem(`must be \`host[:port]\` without a path: ${quote(registry)}.`);
    const match = REGISTRY.exec(registry);
    if (!match)
        return problem(`is not a host name with an optional port: ${quote(registry)}.`);
    const bracketed = /^\[(.*)\]/.exec(registry);
    if (bracketed && !external_node_net_.isIPv6(bracketed[1]))
        return problem(`has an invalid IPv6 address: ${quote(registry)}.`);
    if (match[1] !== undefined) {
        const port = Number(match[1]);
        if (port < 1 || port > 65535)
            return problem(`has a port out of range: ${match[1]}.`);
    }
    // The action checks and skopeo pushes to one registry: forms skopeo reads otherwise are refused.
    if (bracketed)
        return problem(`is an IPv6 address (${quote(registry)}), which skopeo cannot push to (it answers \`invalid reference format\`): ` +
            `give a host name that resolves to it instead${bracketed[1] === '::1' ? ', such as `localhost' + (match[1] ? `:${match[1]}` : '') + '`' : ''}.`);
    if (!registry.includes('.') && match[1] === undefined && registry !== 'localhost')
        return problem(`is a host name without a dot or a port (${quote(registry)}): skopeo would read \`${registry}/…\` as a repository on Docker Hub and push there. ` +
            `Write the registry's full host name (such as \`${registry}.example.org\`), or add its port (\`${registry}:443\`).`);
}
function checkTag(tag, input, whenEmpty, problems) {
    if (!tag)
        problems.add(input, whenEmpty);
    else if (tag.length > 128)
        problems.add(input, `is longer than 128 characters (${tag.length}).`);
    else if (!TAG.test(tag))
        problems.add(input, `is not a valid tag: ${quote(tag)} (letters, digits, _ . -, not starting with . or -).`);
}
/** The non-empty lines of a multi-line input, trimmed. */
function lines(value) {
    return value
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
}
/** A build secret's line, `id=value`: the id (trimmed), and the value after the first `=` as it is. */
function splitSecretLine(line) {
    const eq = line.indexOf('=');
    return eq < 0 ? { id: line, value: '' } : { id: line.slice(0, eq).trim(), value: line.slice(eq + 1) };
}
/** `KEY=VALUE` lines (build args, labels); a bad line is quoted by its key only, never its value. */
function parseKeyValueLines(value, input, problems) {
    const pairs = [];
    value.split(/\r?\n/).forEach((raw, index) => {
        const line = raw.trim();
        if (!line)
            return;
        const eq = line.indexOf('=');
        const key = eq > 0 ? line.slice(0, eq) : '';
        if (!key || !LINE_KEY.test(key))
            problems.add(input, `line ${index + 1} is not \`KEY=VALUE\`: ${quote(eq > 0 ? key + '=…' : line)}.`);
        else
            pairs.push(line);
    });
    return pairs;
}

;// CONCATENATED MODULE: ./src/inputs/secrets.ts




// The run's secrets are the API key, the build secrets, and the signing key and its password.
// They are read and masked here, before anything could print them, in every form a log could
// show (see keyForms and signingSecrets; each build secret's value), and the list is handed to
// whatever runs a tool or prints an error, which scrubs its output with it.
function readSecrets(raw, mask = (secret) => (0,surface/* surface */.MT)().mask(secret)) {
    const apiKey = raw[names/* Input */.pd.ApiKey];
    const list = apiKey ? keyForms(raw[names/* Input */.pd.Username], apiKey) : [];
    for (const line of lines(raw[names/* Input */.pd.Secrets])) {
        const { value } = splitSecretLine(line);
        if (value)
            list.push(value);
    }
    list.push(...signingSecrets(raw));
    for (const secret of list)
        mask(secret);
    return { list, scrub: (text) => scrub(text, list) };
}
/**
 * Every form in which the key could leak into text, an image or a log: as it is; the Basic
 * header's encoding of `username:key`; base64 (and base64url) of the key at each of the three
 * byte alignments it may have inside a longer encoded text, as GitHub's masker registers them
 * (only the characters that do not depend on the bytes around it); URL-encoded; JSON-escaped.
 * Derived forms shorter than four base64 groups are left out: masking them would blank the log.
 */
function keyForms(username, apiKey) {
    const bytes = Buffer.from(apiKey);
    const aligned = [0, 1, 2].flatMap((shift) => {
        const whole = bytes.subarray(shift, shift + Math.floor((bytes.length - shift) / 3) * 3);
        return [whole.toString('base64'), whole.toString('base64url')];
    });
    const basic = basicEncoding(username, apiKey);
    const forms = [
        apiKey,
        basic,
        encodeURIComponent(basic),
        ...aligned,
        encodeURIComponent(apiKey),
        JSON.stringify(apiKey).slice(1, -1),
    ];
    return [...new Set(forms)].filter((form, index) => index < 2 || form.length >= MIN_MASKED);
}
/** The shortest derived form worth masking (four base64 groups). */
const MIN_MASKED = 16;
/** The shortest signing password masked (and refused in other inputs): a shorter one would blank the log. */
const MIN_MASKED_PASSWORD = 8;
/**
 * The signing key's secrets as text could show them: each line of its PEM body (a runner masks
 * line by line, so the whole multi-line value would never match), and its password when it is
 * long enough to mask safely.
 */
function signingSecrets(raw) {
    const body = raw[names/* Input */.pd.SigningKey]
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('-----') && line.length >= MIN_MASKED);
    const password = raw[names/* Input */.pd.SigningKeyPassword];
    return password.length >= MIN_MASKED_PASSWORD ? [...body, password] : body;
}

;// CONCATENATED MODULE: ./src/inputs/paths.ts




/**
 * The build context (a directory, relative to the workspace) and the Dockerfile (a file,
 * relative to the context), as absolute paths.
 */
function resolveBuildPaths(context, dockerfile, where, problems) {
    const { cwd, runParent } = where;
    if (!context) {
        problems.add(names/* Input */.pd.Context, 'is required (the build context path).');
        return { context: '', dockerfile: '' };
    }
    const contextPath = external_node_path_.resolve(cwd, context);
    if (!isA('directory', contextPath)) {
        problems.add(names/* Input */.pd.Context, `is not a directory: ${quote(context)} (resolved to ${contextPath}).`);
        return { context: contextPath, dockerfile: '' };
    }
    // The run's folder holds the registry credentials: a context holding it could put them in
    // the image. No folder is out of reach of a context such as `/`, so such a context is refused.
    if (contains(external_node_fs_.realpathSync(contextPath), runParent))
        problems.add(names/* Input */.pd.Context, `${quote(context)} contains RUNNER_TEMP (${runParent}), where this action keeps the run's registry credentials: the build could copy them into the image. ` +
            'Build from a folder that does not contain RUNNER_TEMP (such as the repository), or give the job a RUNNER_TEMP outside the context.');
    const dockerfilePath = external_node_path_.resolve(contextPath, dockerfile);
    if (!isA('file', dockerfilePath))
        problems.add(names/* Input */.pd.Dockerfile, `does not name a file: ${quote(dockerfile)} (relative to the context, resolved to ${dockerfilePath}).`);
    return { context: contextPath, dockerfile: dockerfilePath };
}
/** Whether `p` is a file or directory (following links); false when it is not there. */
function isA(kind, p) {
    try {
        const stat = external_node_fs_.statSync(p);
        return kind === 'file' ? stat.isFile() : stat.isDirectory();
    }
    catch {
        return false;
    }
}
/** `inner` is `outer` or below it (both real paths). */
function contains(outer, inner) {
    const relative = external_node_path_.relative(outer, inner);
    return relative === '' || (relative.split(external_node_path_.sep)[0] !== '..' && !external_node_path_.isAbsolute(relative));
}

;// CONCATENATED MODULE: ./src/inputs/build-options.ts



// The build's own inputs, checked as build-push-action's users would write them.
const STAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NETWORK = /^(?:default|none|host)$/;
/** `os/arch` with an optional variant, as buildx's `--platform` takes each entry. */
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
/** buildx's attestation options after `--provenance=` or `--sbom=`, such as `mode=max`. */
const ATTESTATION_OPTIONS = /^[a-z-]+=[^\s,=]+(?:,[a-z-]+=[^\s,=]+)*$/;
function checkBuildOptions(raw, problems) {
    const { [names/* Input */.pd.Target]: target, [names/* Input */.pd.Network]: network } = raw;
    if (target && !STAGE.test(target))
        problems.add(names/* Input */.pd.Target, `is not a build stage name: ${quote(target)}.`);
    if (network && !NETWORK.test(network))
        problems.add(names/* Input */.pd.Network, `must be \`default\`, \`none\` or \`host\`, not ${quote(network)}.`);
    return {
        buildArgs: parseKeyValueLines(raw[names/* Input */.pd.BuildArgs], names/* Input */.pd.BuildArgs, problems),
        labels: parseKeyValueLines(raw[names/* Input */.pd.Labels], names/* Input */.pd.Labels, problems),
        target,
        network,
        platforms: checkPlatforms(raw[names/* Input */.pd.Platforms], problems),
        secrets: checkBuildSecrets(raw[names/* Input */.pd.Secrets], problems),
        cacheFrom: lines(raw[names/* Input */.pd.CacheFrom]),
        cacheTo: lines(raw[names/* Input */.pd.CacheTo]),
        noCache: parseBoolean(raw[names/* Input */.pd.NoCache], names/* Input */.pd.NoCache, problems),
        pull: parseBoolean(raw[names/* Input */.pd.Pull], names/* Input */.pd.Pull, problems),
        annotations: parseKeyValueLines(raw[names/* Input */.pd.Annotations], names/* Input */.pd.Annotations, problems),
        provenance: checkAttestation(raw[names/* Input */.pd.Provenance], names/* Input */.pd.Provenance, problems),
        sbom: checkAttestation(raw[names/* Input */.pd.Sbom], names/* Input */.pd.Sbom, problems),
    };
}
/** `linux/amd64,linux/arm64`: separated by commas or lines, as build-push-action reads it. */
function checkPlatforms(value, problems, input = names/* Input */.pd.Platforms) {
    const platforms = value
        .split(/[,\n]/)
        .map((platform) => platform.trim())
        .filter(Boolean);
    for (const platform of platforms)
        if (!PLATFORM.test(platform))
            problems.add(input, `has ${quote(platform)}, which is not a platform such as \`linux/amd64\` or \`linux/arm/v7\`.`);
    const twice = platforms.filter((platform, index) => platforms.indexOf(platform) !== index);
    if (twice.length > 0)
        problems.add(input, `lists ${quote(twice[0])} twice.`);
    return platforms;
}
/**
 * `build_platforms`: the platforms this job builds, each a part of the index of `platforms`.
 * Empty: the job builds every platform, as without it.
 */
function checkBuildPlatforms(raw, platforms, problems) {
    const build = checkPlatforms(raw[names/* Input */.pd.BuildPlatforms], problems, names/* Input */.pd.BuildPlatforms);
    if (build.length === 0)
        return undefined;
    if (platforms.length === 0)
        problems.add(names/* Input */.pd.BuildPlatforms, 'names platforms of the index `platforms` lists, and `platforms` is empty: set it to every platform of the image, the same in every job.');
    else
        for (const platform of build)
            if (!platforms.includes(platform))
                problems.add(names/* Input */.pd.BuildPlatforms, `has ${quote(platform)}, which \`platforms\` does not list (${platforms.join(', ')}): a job builds parts of that index only.`);
    for (const input of [names/* Input */.pd.Provenance, names/* Input */.pd.Sbom])
        if (raw[input] && raw[input].toLowerCase() !== 'false')
            problems.add(input, 'cannot be used with `build_platforms`: each part would become an index of its own, with its attestation manifest, and an index of parts holds images. Leave it off.');
    return { platforms, build };
}
/** `id=value` lines; a problem names the line and the id, never the value. */
function checkBuildSecrets(value, problems) {
    const secrets = [];
    value.split(/\r?\n/).forEach((raw, index) => {
        const line = raw.trim();
        if (!line)
            return;
        const { id, value: secret } = splitSecretLine(line);
        const where = `line ${index + 1}`;
        // Without `=`, the line may be the value itself: it is never quoted.
        if (!line.includes('='))
            problems.add(names/* Input */.pd.Secrets, `${where} is not \`id=value\` (the line is not shown: it may be the secret).`);
        else if (!SECRET_ID.test(id))
            problems.add(names/* Input */.pd.Secrets, `${where} is not \`id=value\` with an id of letters, digits, \`_ . -\`: ${quote(`${id.slice(0, 40)}=…`)}.`);
        else if (!secret)
            problems.add(names/* Input */.pd.Secrets, `${where} gives the secret ${quote(id)} no value.`);
        else if (secrets.some((known) => known.id === id))
            problems.add(names/* Input */.pd.Secrets, `${where} gives the secret ${quote(id)} a second time.`);
        else
            secrets.push({ id, value: secret });
    });
    return secrets;
}
/** `false` (the default), `true`, or buildx's options for the attestation (`mode=max`). */
function checkAttestation(value, input, problems) {
    if (/^(true|false)$/i.test(value))
        return value.toLowerCase();
    if (ATTESTATION_OPTIONS.test(value))
        return value;
    problems.add(input, `must be \`true\`, \`false\` or buildx's options such as \`mode=max\`, not ${quote(value)}.`);
    return 'false';
}

;// CONCATENATED MODULE: ./src/inputs/validate.ts





// Each input checked against what it must be, one concern per function; nothing here touches
// the file system (paths.ts does).
const API_KEY = /^zak_[A-Za-z0-9]+$/;
function checkImageName(raw, problems) {
    const { [names/* Input */.pd.ImageName]: name, [names/* Input */.pd.Registry]: registry } = raw;
    checkRegistry(registry, problems);
    if (!name)
        problems.add(names/* Input */.pd.ImageName, 'is required (a repository such as `blumeops/devpi`).');
    else if (!REPOSITORY.test(name))
        problems.add(names/* Input */.pd.ImageName, `is not a valid repository name: ${quote(name)} (lower-case letters, digits and . _ - separators, components joined by /).`);
    else if (registry && name.split('/')[0] === registry)
        problems.add(names/* Input */.pd.ImageName, `must not include the registry: give ${quote(name.slice(registry.length + 1))} and set \`registry\`.`);
    else if (registry.length + 1 + name.length > 255)
        problems.add(names/* Input */.pd.ImageName, 'makes a reference longer than 255 characters with the registry.');
    return name;
}
function checkVersion(version, problems) {
    checkTag(version, names/* Input */.pd.Version, 'is required (the version tag, such as `v1.0.0`).', problems);
    if (SHA.test(version))
        problems.add(names/* Input */.pd.Version, 'must not be a commit SHA (40 or 64 hex digits): those tags are the commit tags.');
    else if (version === 'latest')
        problems.add(names/* Input */.pd.Version, 'must not be `latest`: a version tag is never overwritten, so `latest` would keep its first image for good.');
    return version;
}
/** The commit SHA, lower case: the commit tag. */
function checkSha(sha, problems) {
    if (!sha)
        problems.add(names/* Input */.pd.Sha, 'is required: the commit SHA (defaults to `${{ github.sha }}`).');
    else if (!SHA.test(sha))
        problems.add(names/* Input */.pd.Sha, `is not a full commit SHA (40 or 64 hex digits): ${quote(sha)}.`);
    return sha.toLowerCase();
}
/**
 * The identity and its key. Pushing needs both; without push, none reads anonymously (a pull
 * request gets no key) and a username alone does too, but a key needs its username.
 */
function checkIdentity(raw, push, problems) {
    const { [names/* Input */.pd.Username]: username, [names/* Input */.pd.ApiKey]: apiKey } = raw;
    const keyIsZots = API_KEY.test(apiKey);
    // Never echo the value: it may be a real secret of another kind.
    if (apiKey && !keyIsZots)
        problems.add(names/* Input */.pd.ApiKey, 'is not a zot API key: it must start with `zak_` (a password is not accepted).');
    if (push && !apiKey)
        problems.add(names/* Input */.pd.ApiKey, 'is required when `push` is true (a zot API key, `zak_…`).');
    if (push && !username)
        problems.add(names/* Input */.pd.Username, 'is required when `push` is true (the zot identity that owns the key).');
    if (username && !/^[^\s:]+$/.test(username))
        problems.add(names/* Input */.pd.Username, 'must not contain white space or `:`.');
    if (!push && apiKey && !username)
        problems.add(names/* Input */.pd.Username, 'is needed with `api_key`: the zot identity that owns the key.');
    return username && keyIsZots ? { username, apiKey } : undefined;
}
function checkKeyExpiryWarningDays(value, problems) {
    if (!/^\d+$/.test(value) || Number(value) > 3650)
        problems.add(names/* Input */.pd.KeyExpiryWarningDays, `must be a whole number of days, not ${quote(value)}.`);
    return Number(value);
}
function checkSkopeoDownload(raw, problems) {
    const url = raw[names/* Input */.pd.SkopeoDownloadUrl];
    const sha256 = raw[names/* Input */.pd.SkopeoSha256].toLowerCase();
    if (!url && !sha256)
        return undefined;
    const before = problems.list.length;
    if (!url)
        problems.add(names/* Input */.pd.SkopeoDownloadUrl, 'is needed with `skopeo_sha256`.');
    else if (!/^https?:\/\/[^\s]+$/.test(url))
        problems.add(names/* Input */.pd.SkopeoDownloadUrl, `is not an http(s) URL: ${quote(url)}.`);
    if (!/^[0-9a-f]{64}$/.test(sha256))
        problems.add(names/* Input */.pd.SkopeoSha256, 'must be the SHA-256 of the download, 64 hex digits.');
    return problems.list.length === before ? { url, sha256 } : undefined;
}
/**
 * The signing key's envelope, checked before anything runs (opening it, scrypt, comes later
 * but before the build); a password without a key is refused. The key is never quoted.
 */
function checkSigning(raw, problems) {
    const key = raw[names/* Input */.pd.SigningKey];
    if (!key) {
        if (raw[names/* Input */.pd.SigningKeyPassword])
            problems.add(names/* Input */.pd.SigningKeyPassword, 'is given without `signing_key`: give both, or neither.');
        return undefined;
    }
    try {
        return parseEncryptedKey(key);
    }
    catch (error) {
        if (!(error instanceof KeyProblem))
            throw error;
        problems.add(error.input, error.message);
        return undefined;
    }
}
/** The signing key or its password in another input would be published or logged: refused, never echoed. */
function checkSigningSecretsElsewhere(raw, problems) {
    for (const input of inputsHolding(raw, signingSecrets(raw), [names/* Input */.pd.SigningKey, names/* Input */.pd.SigningKeyPassword]))
        problems.add(input, 'contains the signing key or its password: it would end up in the build, the image or the log. Pass them only as `signing_key` and `signing_key_password`.');
}
/** The inputs, other than `own`, whose value holds one of `forms`. */
function inputsHolding(raw, forms, own) {
    return Object.values(names/* Input */.pd).filter((input) => !own.includes(input) && forms.some((form) => raw[input].includes(form)));
}
/**
 * A key in any other input would reach the build's argv, the image (labels are public) or the
 * log: refused, naming the input, never the value.
 */
function checkKeyElsewhere(raw, problems) {
    const apiKey = raw[names/* Input */.pd.ApiKey];
    if (!apiKey)
        return;
    // Every form that is masked, and those a leak would likely take (see keyForms).
    for (const input of inputsHolding(raw, keyForms(raw[names/* Input */.pd.Username], apiKey), [names/* Input */.pd.ApiKey]))
        problems.add(input, input === names/* Input */.pd.Secrets
            ? 'holds the API key: every RUN step that mounts it could read the key that pushes. Give the build its own credentials.'
            : 'contains the API key: it would end up in the build, the image or the log. Pass it only as `api_key`.');
}
/** The placeholders of `tags`, each from the version or the full commit. */
const PLACEHOLDERS = {
    version: (version) => version,
    sha: (_, sha) => sha,
    sha7: (_, sha) => sha.slice(0, 7),
    sha12: (_, sha) => sha.slice(0, 12),
};
/**
 * The version tag from the `tags` template (`{{version}}` by default, or such as
 * `{{version}}-{{sha7}}`): short SHAs come from the full commit, which stays the commit tag and
 * the revision label. The tag it makes is held to what a version tag must be.
 */
function renderVersionTag(template, version, sha, problems) {
    const unknown = [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)]
        .map((match) => match[1])
        .filter((name) => !(name in PLACEHOLDERS));
    if (unknown.length > 0) {
        problems.add(names/* Input */.pd.Tags, `names ${unknown.map((name) => quote(`{{${name}}}`)).join(', ')}: the placeholders are ${Object.keys(PLACEHOLDERS)
            .map((name) => `\`{{${name}}}\``)
            .join(', ')}.`);
        return template;
    }
    if (!/\{\{\s*version\s*\}\}/.test(template)) {
        problems.add(names/* Input */.pd.Tags, `must hold \`{{version}}\`: ${quote(template)} would publish every version under one tag.`);
        return template;
    }
    const tag = template.replace(/\{\{\s*([a-z0-9]+)\s*\}\}/g, (_, name) => PLACEHOLDERS[name](version, sha));
    // `version` alone was checked as a tag already.
    if (tag === version)
        return tag;
    checkTag(tag, names/* Input */.pd.Tags, 'is empty.', problems);
    if (SHA.test(tag))
        problems.add(names/* Input */.pd.Tags, `makes a commit SHA (${quote(tag)}): that tag is the commit tag.`);
    return tag;
}

;// CONCATENATED MODULE: ./src/inputs/source.ts




// Push-only mode: `source` names an image built elsewhere (Dagger, nix, another job), which
// the run publishes under the same rules instead of building one.
/** The transports a source may use, and what each must name on disk. */
const TRANSPORTS = { oci: 'directory', 'oci-archive': 'file', 'docker-archive': 'file' };
/**
 * The inputs that shape a build: with `source` the image is built already, so each of them
 * given with it would be silently ignored; they are refused instead.
 */
const BUILD_ONLY = [
    names/* Input */.pd.Context,
    names/* Input */.pd.Dockerfile,
    names/* Input */.pd.BuildArgs,
    names/* Input */.pd.Labels,
    names/* Input */.pd.Target,
    names/* Input */.pd.Network,
    names/* Input */.pd.Platforms,
    names/* Input */.pd.Secrets,
    names/* Input */.pd.CacheFrom,
    names/* Input */.pd.CacheTo,
    names/* Input */.pd.NoCache,
    names/* Input */.pd.Pull,
    names/* Input */.pd.Annotations,
    names/* Input */.pd.Provenance,
    names/* Input */.pd.Sbom,
    names/* Input */.pd.BuildPlatforms,
];
/** `source` checked: its transport, and that its path is there (relative to the workspace). */
function checkSource(raw, push, cwd, problems) {
    const source = raw[names/* Input */.pd.Source];
    if (!source)
        return undefined;
    const match = /^(oci|oci-archive|docker-archive):(.+)$/.exec(source);
    if (!match) {
        problems.add(names/* Input */.pd.Source, `must be \`oci:<directory>\`, \`oci-archive:<file>\` or \`docker-archive:<file>\`, not ${quote(source)}.`);
        return undefined;
    }
    const transport = match[1];
    const where = external_node_path_.resolve(cwd, match[2]);
    const kind = TRANSPORTS[transport];
    if (!isA(kind, where))
        problems.add(names/* Input */.pd.Source, `names no ${kind}: ${quote(match[2])} (resolved to ${where}).`);
    if (!push)
        problems.add(names/* Input */.pd.Source, 'needs `push: true`: the image is built already, so without a push there is nothing to do.');
    for (const input of BUILD_ONLY)
        if (raw[input] && raw[input] !== (names/* INPUT_DEFAULTS */.WJ[input] ?? ''))
            problems.add(input, `has no use with \`source\`: the image is built already (${quote(source)}). Remove \`${input}\`, or remove \`source\` to build.`);
    return { transport, path: where };
}

;// CONCATENATED MODULE: ./src/inputs/signature-formats.ts


const NAMED = {
    sig: { sig: true, bundle: false },
    bundle: { sig: false, bundle: true },
    both: { sig: true, bundle: true },
};
/**
 * `signature_formats`: `sig`, `bundle` or `both` (empty: both), also as a list of the two
 * (`sig,bundle`). Each consumer reads one format, so both is the default.
 */
function checkSignatureFormats(raw, problems) {
    const value = raw[names/* Input */.pd.SignatureFormats].trim() || 'both';
    const named = value
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((word) => NAMED[word]);
    if (named.some((formats) => formats === undefined)) {
        problems.add(names/* Input */.pd.SignatureFormats, `is ${quote(value)}: give \`sig\`, \`bundle\` or \`both\`.`);
        return NAMED.both;
    }
    return { sig: named.some((f) => f.sig), bundle: named.some((f) => f.bundle) };
}

;// CONCATENATED MODULE: ./src/inputs/parse.ts












/**
 * Checks and resolves every input (read once, see read.ts) before anything runs. All problems are gathered into
 * one InputError, each naming its input, so a workflow author fixes them in one go.
 */
function parseInputs(raw, cwd = process.cwd(), runFolders = (0,run_folder/* runParent */.Gj)(process.env, cwd), env = process.env) {
    const problems = new Problems();
    const push = parseBoolean(raw[names/* Input */.pd.Push], names/* Input */.pd.Push, problems);
    const insecureRegistry = parseBoolean(raw[names/* Input */.pd.InsecureRegistry], names/* Input */.pd.InsecureRegistry, problems);
    const commitTag = parseBoolean(raw[names/* Input */.pd.CommitTag], names/* Input */.pd.CommitTag, problems);
    const imageName = checkImageName(raw, problems);
    const version = checkVersion(raw[names/* Input */.pd.Version], problems);
    const sha = checkSha(raw[names/* Input */.pd.Sha], problems);
    const source = checkSource(raw, push, cwd, problems);
    const inputs = {
        registry: raw[names/* Input */.pd.Registry],
        insecureRegistry,
        imageName,
        version: renderVersionTag(raw[names/* Input */.pd.Tags], version, sha, problems),
        sha,
        commitTag,
        credentials: checkIdentity(raw, push, problems),
        push,
        build: {
            // With `source` (even a bad one) there is no build: no context to find.
            ...(raw[names/* Input */.pd.Source]
                ? { context: '', dockerfile: '' }
                : resolveBuildPaths(raw[names/* Input */.pd.Context], raw[names/* Input */.pd.Dockerfile], { cwd, runParent: runFolders }, problems)),
            ...checkBuildOptions(raw, problems),
        },
        keyExpiryWarningDays: checkKeyExpiryWarningDays(raw[names/* Input */.pd.KeyExpiryWarningDays], problems),
        skopeoDownload: checkSkopeoDownload(raw, problems),
        registryTimeoutMs: registryTimeoutMs(env),
    };
    if (source)
        inputs.source = source;
    const parts = checkBuildPlatforms(raw, inputs.build.platforms, problems);
    if (parts)
        inputs.parts = parts;
    // The parts' tags and the index's are named after the commit tag: one-tag mode has none.
    if (parts && !commitTag)
        problems.add(names/* Input */.pd.CommitTag, 'is `false`, which cannot go with `build_platforms`: the parts and the index are found by the commit tag. Remove one of them.');
    if (parts)
        inputs.build.platforms = parts.build;
    const signingKey = checkSigning(raw, problems);
    const formats = checkSignatureFormats(raw, problems);
    if (signingKey)
        inputs.signing = { key: signingKey, password: raw[names/* Input */.pd.SigningKeyPassword], formats };
    checkSigningSecretsElsewhere(raw, problems);
    checkKeyElsewhere(raw, problems);
    // Another problem may quote an input that holds the key: never the key itself.
    if (!problems.none)
        throw new errors/* InputError */.dz(problems.list.map((p) => scrub(p, keyForms(raw[names/* Input */.pd.Username], raw[names/* Input */.pd.ApiKey]))));
    return inputs;
}
/** BUILD_PUSH_IMAGE_TIMEOUT_SECONDS, read with the inputs: 30 s when unset or not a positive number. */
function registryTimeoutMs(env) {
    const seconds = Number(env.BUILD_PUSH_IMAGE_TIMEOUT_SECONDS);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}

;// CONCATENATED MODULE: ./src/inputs/read.ts

function readRawInputs(read) {
    const raw = {};
    for (const name of Object.values(names/* Input */.pd))
        raw[name] = read(name) || names/* INPUT_DEFAULTS */.WJ[name] || '';
    return raw;
}
/** The inputs that hold secrets: never shown, and never taken from a command line's argv. */
const SECRET_INPUTS = [
    names/* Input */.pd.ApiKey,
    names/* Input */.pd.Secrets,
    names/* Input */.pd.SigningKey,
    names/* Input */.pd.SigningKeyPassword,
];
/** The inputs as the debug log shows them: every one but the API key, the build secrets and the signing key and password. */
function describeInputs(raw) {
    const shown = Object.values(names/* Input */.pd).filter((name) => !SECRET_INPUTS.includes(name));
    return `inputs: ${shown.map((name) => `${name}=${JSON.stringify(raw[name])}`).join(' ')}`;
}

// EXTERNAL MODULE: ./src/process/saved-state.ts
var saved_state = __webpack_require__(7470);
;// CONCATENATED MODULE: ./src/main.ts









/** The main step. The state it saves first tells the post step (see index.ts) apart. */
async function run() {
    (0,saved_state/* markMainStep */.BV)();
    // Every input is read once, here; the secrets among them are masked before anything else.
    const raw = readRawInputs((name) => core/* getInput */.V4(name));
    const secrets = readSecrets(raw);
    core/* debug */.Yz(describeInputs(raw));
    endChildrenWhenCancelled();
    try {
        await publishImage(parseInputs(raw), secrets);
    }
    catch (error) {
        // The last line of defence: no message leaves with the key in it, or as a workflow command.
        core/* setFailed */.C1(neutralise(secrets.scrub((0,errors/* messageOf */.bD)(error))));
    }
}
/** A cancelled step ends what it started (a build, a push holding credentials), then dies of the same signal. */
function endChildrenWhenCancelled() {
    for (const signal of ['SIGTERM', 'SIGINT'])
        process.once(signal, () => {
            void (0,children/* endChildren */.PH)().finally(() => process.kill(process.pid, signal));
        });
}


/***/ }),

/***/ 1414:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   PH: () => (/* binding */ endChildren),
/* harmony export */   q8: () => (/* binding */ recordChildrenIn),
/* harmony export */   ql: () => (/* binding */ launch)
/* harmony export */ });
/* unused harmony exports startTime, isRunning */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



// The child processes this run starts (docker, skopeo), so that a cancelled step ends them and
// the post step makes sure none is left. Each child runs behind `sh`, which writes its process
// ID and its start time (field 22 of /proc/<pid>/stat, which exec keeps) to a file of its own in
// this run's folder and then becomes the command; the file is removed when the child ends. A
// process is signalled only while its ID, command and start time are all still the recorded
// ones: a recycled ID is never signalled. `timeout`, the usual command, leads a process group of its own
// (the tool and anything it starts), so ending a child means ending that group.
// Loaded by the post step too: node built-ins only.
/** By its full path: the job's PATH may lack it (a runner without coreutils still has it). */
const SHELL = '/bin/sh';
/**
 * Writes `<pid> <start time>` to the file named by $0, then becomes the command. The start time
 * is read with shell built-ins only (a function has its own positional parameters, so "$@" is
 * kept): the fields after the command's name, which may hold spaces, end with `) `.
 */
const RECORD_AND_EXEC = 'started() { read -r s < /proc/$$/stat || return; s=${s##*) }; set -- $s; shift 19; echo "$1"; }; ' +
    'echo "$$ $(started 2>/dev/null)" > "$0" && exec "$@"';
let ledger;
let started = 0;
/** From now on, every child started through `launch` is recorded in `directory`. */
function recordChildrenIn(directory) {
    node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(directory, { recursive: true, mode: 0o700 });
    ledger = directory;
}
/**
 * Where children are recorded: the run's folder once main has made it; before that (or in a
 * test), a private folder of this process, removed when it exits.
 */
function currentLedger() {
    if (!ledger) {
        const own = node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir(), 'build-push-image-children-'));
        process.once('exit', () => node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(own, { recursive: true, force: true }));
        ledger = own;
    }
    return ledger;
}
/** The command line that starts `command` recorded, and how to end it or forget it. */
function launch(command, args) {
    if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(SHELL))
        return { command, args, ended: () => undefined, stop: async () => undefined };
    const file = node_path__WEBPACK_IMPORTED_MODULE_2__.join(currentLedger(), `${started++}.${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(command)}`);
    return {
        command: SHELL,
        args: ['-c', RECORD_AND_EXEC, file, command, ...args],
        ended: () => node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(file, { force: true }),
        stop: async (graceMs) => {
            const pid = recordedPid(file, node_path__WEBPACK_IMPORTED_MODULE_2__.basename(command));
            if (pid)
                await end([pid], graceMs);
        },
    };
}
/**
 * Ends every recorded child still running (TERM to its process group, KILL after `graceMs`)
 * and returns how many there were. A process ID is only signalled while it still runs the
 * command it was recorded for, so a reused ID is left alone.
 */
async function endChildren(directory = ledger, graceMs = 1000) {
    if (!directory || !node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(directory))
        return 0;
    const running = [];
    for (const entry of node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync(directory)) {
        const pid = recordedPid(node_path__WEBPACK_IMPORTED_MODULE_2__.join(directory, entry), entry.slice(entry.indexOf('.') + 1));
        if (pid)
            running.push(pid);
    }
    await end(running, graceMs);
    return running.length;
}
/** The process ID recorded in `file`, while that process still runs `command` and started when recorded. */
function recordedPid(file, command) {
    let fields;
    try {
        fields = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(file, 'utf8').trim().split(' ');
    }
    catch {
        return undefined;
    }
    const pid = Number(fields[0]);
    const started = fields[1];
    if (!Number.isInteger(pid) || pid <= 1 || !started)
        return undefined;
    return runs(pid, command) && startTime(pid) === started ? pid : undefined;
}
/** When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTime(pid) {
    try {
        const stat = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/stat`, 'utf8');
        // The command's name (field 2) is in parentheses and may hold spaces: count after its end.
        return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19];
    }
    catch {
        return undefined;
    }
}
async function end(running, graceMs) {
    for (const pid of running)
        signal(pid, 'SIGTERM');
    for (let waited = 0; waited < graceMs && running.some((pid) => isRunning(pid)); waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
    for (const pid of running)
        if (isRunning(pid))
            signal(pid, 'SIGKILL');
}
/** TERM or KILL to the child's process group (it leads one when it is `timeout`), else to it alone. */
function signal(pid, name) {
    try {
        process.kill(-pid, name);
    }
    catch {
        try {
            process.kill(pid, name);
        }
        catch {
            // already gone
        }
    }
}
/** The process exists and has not ended (a zombie has ended). */
function isRunning(pid) {
    try {
        process.kill(pid, 0);
        return !node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    }
    catch {
        return false;
    }
}
/** The process runs `command` (the recorded wrapper has become it). */
function runs(pid, command) {
    try {
        const argv0 = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
        return node_path__WEBPACK_IMPORTED_MODULE_2__.basename(argv0) === command;
    }
    catch {
        return false;
    }
}


/***/ }),

/***/ 2013:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Gj: () => (/* binding */ runParent),
/* harmony export */   HZ: () => (/* binding */ createRunDirectory),
/* harmony export */   di: () => (/* binding */ childrenDirectory),
/* harmony export */   mK: () => (/* binding */ notThisRunsFolder)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _names_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6455);
/* harmony import */ var _saved_state_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(7470);






// This run's own folder (the auth file, the hand-over, the child records), and how the post
// step knows it for this run's: directly under RUNNER_TEMP, not a link, holding a marker file
// whose random token the saved state holds too.
/** The marker file in the run's folder, holding the token the state holds. */
const MARKER = '.build-push-image-run';
/**
 * Where run folders are made: RUNNER_TEMP (else the system's temp folder), absolute and with
 * every link resolved, so that the build context check and the post step compare real paths.
 */
function runParent(env = process.env, cwd = process.cwd()) {
    const parent = node_path__WEBPACK_IMPORTED_MODULE_3__.resolve(cwd, env.RUNNER_TEMP || node_os__WEBPACK_IMPORTED_MODULE_2__.tmpdir());
    try {
        return node_fs__WEBPACK_IMPORTED_MODULE_1__.realpathSync(parent);
    }
    catch {
        return parent;
    }
}
/**
 * A fresh folder for this run only, under RUNNER_TEMP, so that two jobs on one runner share
 * nothing. Its path and token, never its content, are handed to the post step, which deletes it.
 */
async function createRunDirectory(env = process.env) {
    const directory = await node_fs__WEBPACK_IMPORTED_MODULE_1__.promises.mkdtemp(node_path__WEBPACK_IMPORTED_MODULE_3__.join(runParent(env), _names_js__WEBPACK_IMPORTED_MODULE_4__/* .RUN_DIRECTORY_PREFIX */ .xr));
    await node_fs__WEBPACK_IMPORTED_MODULE_1__.promises.chmod(directory, 0o700);
    const token = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(16).toString('hex');
    await node_fs__WEBPACK_IMPORTED_MODULE_1__.promises.writeFile(node_path__WEBPACK_IMPORTED_MODULE_3__.join(directory, MARKER), token, { mode: 0o600, flag: 'wx' });
    (0,_saved_state_js__WEBPACK_IMPORTED_MODULE_5__/* .saveRunFolder */ .rf)(directory, token);
    return directory;
}
/**
 * Why `directory` is not this run's folder, or undefined when it is: directly under the run
 * parent, a real folder (not a link), its name ours, its marker a plain file holding `token`.
 */
function notThisRunsFolder(directory, token, env = process.env) {
    if (!node_path__WEBPACK_IMPORTED_MODULE_3__.isAbsolute(directory) || node_path__WEBPACK_IMPORTED_MODULE_3__.dirname(directory) !== runParent(env))
        return `it is not directly under RUNNER_TEMP (${runParent(env)})`;
    if (!node_path__WEBPACK_IMPORTED_MODULE_3__.basename(directory).startsWith(_names_js__WEBPACK_IMPORTED_MODULE_4__/* .RUN_DIRECTORY_PREFIX */ .xr))
        return 'it is not a folder this action made';
    try {
        if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync(directory).isDirectory())
            return 'it is not a folder (a link, or a file)';
        const marker = node_path__WEBPACK_IMPORTED_MODULE_3__.join(directory, MARKER);
        if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync(marker).isFile() || !token || node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync(marker, 'utf8') !== token)
            return "its marker does not hold this run's token";
    }
    catch {
        return "it holds no marker of this run's";
    }
    return undefined;
}
/** Where the run records the child processes it starts (see children.ts). */
function childrenDirectory(runDirectory) {
    return node_path__WEBPACK_IMPORTED_MODULE_3__.join(runDirectory, 'children');
}


/***/ })

};
