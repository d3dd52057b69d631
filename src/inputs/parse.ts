import type { BuildInputs } from '../build/buildx.js';
import { InputError } from '../errors.js';
import { Input } from '../names.js';
import { keyForms } from './secrets.js';
import { scrub, type Credentials } from '../secrets.js';
import type { SkopeoDownload } from '../skopeo/install.js';
import { parseBoolean } from './grammar.js';
import { resolveBuildPaths } from './paths.js';
import { Problems } from './problems.js';
import { runParent } from '../process/run-folder.js';
import type { EncryptedKey } from '../signing/key.js';
import type { RawInputs } from './read.js';
import { checkBuildOptions, checkBuildPlatforms } from './build-options.js';
import {
  checkIdentity,
  checkImageName,
  checkKeyElsewhere,
  checkKeyExpiryWarningDays,
  checkSha,
  checkSigning,
  checkSigningSecretsElsewhere,
  checkSkopeoDownload,
  checkVersion,
  renderVersionTag,
} from './validate.js';
import { checkSource, type SourceImage } from './source.js';
import { checkSignatureFormats, type SignatureFormats } from './signature-formats.js';

export interface Inputs {
  registry: string;
  insecureRegistry: boolean;
  credentials?: Credentials;
  imageName: string;
  /** The version tag: `version` through the `tags` template. */
  version: string;
  sha: string;
  /** Push-only mode: the image built elsewhere, published instead of a build. */
  source?: SourceImage;
  /** Whether the full commit is a tag of its own (`commit_tag`); else the version tag is the one tag. */
  commitTag: boolean;
  push: boolean;
  /** What the build takes from the inputs; the paths absolute. */
  build: BuildInputs;
  /** Warn when the soonest-expiring API key of the identity expires within this many days. */
  keyExpiryWarningDays: number;
  /** Where to fetch skopeo when the runner has none, and the checksum it must have. */
  skopeoDownload?: SkopeoDownload;
  /** How long one registry request may wait for an answer. */
  registryTimeoutMs: number;
  /** The signing key (its envelope checked; opened later) and its password, when given. */
  signing?: { key: EncryptedKey; password: string; formats: SignatureFormats };
  /**
   * With `build_platforms`: every platform of the index, and those this job builds (then also
   * `build.platforms`), each pushed as a part.
   */
  parts?: { platforms: string[]; build: string[] };
}

/**
 * Checks and resolves every input (read once, see read.ts) before anything runs. All problems are gathered into
 * one InputError, each naming its input, so a workflow author fixes them in one go.
 */
export function parseInputs(
  raw: RawInputs,
  cwd = process.cwd(),
  runFolders = runParent(process.env, cwd),
  env: NodeJS.ProcessEnv = process.env,
): Inputs {
  const problems = new Problems();
  const push = parseBoolean(raw[Input.Push], Input.Push, problems);
  const insecureRegistry = parseBoolean(raw[Input.InsecureRegistry], Input.InsecureRegistry, problems);
  const commitTag = parseBoolean(raw[Input.CommitTag], Input.CommitTag, problems);
  const imageName = checkImageName(raw, problems);
  const version = checkVersion(raw[Input.Version], problems);
  const sha = checkSha(raw[Input.Sha], problems);
  const source = checkSource(raw, push, cwd, problems);
  const inputs: Inputs = {
    registry: raw[Input.Registry],
    insecureRegistry,
    imageName,
    version: renderVersionTag(raw[Input.Tags], version, sha, problems),
    sha,
    commitTag,
    credentials: checkIdentity(raw, push, problems),
    push,
    build: {
      // With `source` (even a bad one) there is no build: no context to find.
      ...(raw[Input.Source]
        ? { context: '', dockerfile: '' }
        : resolveBuildPaths(
            raw[Input.Context],
            raw[Input.Dockerfile],
            { cwd, runParent: runFolders },
            problems,
          )),
      ...checkBuildOptions(raw, problems),
    },
    keyExpiryWarningDays: checkKeyExpiryWarningDays(raw[Input.KeyExpiryWarningDays], problems),
    skopeoDownload: checkSkopeoDownload(raw, problems),
    registryTimeoutMs: registryTimeoutMs(env),
  };
  if (source) inputs.source = source;
  const parts = checkBuildPlatforms(raw, inputs.build.platforms, problems);
  if (parts) inputs.parts = parts;
  // The parts' tags and the index's are named after the commit tag: one-tag mode has none.
  if (parts && !commitTag)
    problems.add(
      Input.CommitTag,
      'is `false`, which cannot go with `build_platforms`: the parts and the index are found by the commit tag. Remove one of them.',
    );
  if (parts) inputs.build.platforms = parts.build;
  const signingKey = checkSigning(raw, problems);
  const formats = checkSignatureFormats(raw, problems);
  if (signingKey) inputs.signing = { key: signingKey, password: raw[Input.SigningKeyPassword], formats };
  checkSigningSecretsElsewhere(raw, problems);
  checkKeyElsewhere(raw, problems);
  // Another problem may quote an input that holds the key: never the key itself.
  if (!problems.none)
    throw new InputError(
      problems.list.map((p) => scrub(p, keyForms(raw[Input.Username], raw[Input.ApiKey]))),
    );
  return inputs;
}

/** BUILD_PUSH_IMAGE_TIMEOUT_SECONDS, read with the inputs: 30 s when unset or not a positive number. */
export function registryTimeoutMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.BUILD_PUSH_IMAGE_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 30_000;
}
