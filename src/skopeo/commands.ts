import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { TagTaken, ToolError, UserError } from '../errors.js';
import { info } from '../report/log.js';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from '../process/retry.js';
import type { Credentials } from '../secrets.js';
import { DIGEST } from '../image/digest.js';
import { runTool, type RunOptions } from '../process/tools.js';

/** How this run's skopeo commands reach the registry. */
export interface SkopeoConfig {
  registry: string;
  insecure: boolean;
  /** A 0600 auth file inside this run's own folder: never the user's, never shared. */
  authFile: string;
  /** Scrubbed from anything skopeo prints (see secrets.ts). */
  secrets: readonly string[];
  /** How a failed copy is tried again (3 attempts by default; tests wait less). */
  retry?: RetryPolicy;
}

/**
 * No skopeo command may hang a job. Each kind gets a budget in seconds that its retries share:
 * a push may take long over a slow link; a login or a copy of a manifest inside the registry
 * moves a few kilobytes.
 */
export const SKOPEO_BUDGET = { login: 2 * 60, push: 30 * 60, tag: 5 * 60 } as const;
/** The process is stopped from outside this much later, in case skopeo itself stops answering. */
const GRACE = 30;

function commandTimeout(seconds: number): string[] {
  return ['--command-timeout', `${Math.max(1, Math.ceil(seconds))}s`];
}

export function authFileIn(runDirectory: string): string {
  return path.join(runDirectory, 'auth.json');
}

export function loginArgs(config: SkopeoConfig, username: string): string[] {
  const args = [
    'login',
    ...commandTimeout(SKOPEO_BUDGET.login),
    '--authfile',
    config.authFile,
    '--username',
    username,
    '--password-stdin',
  ];
  if (config.insecure) args.push('--tls-verify=false');
  args.push(config.registry);
  return args;
}

/** The options every `skopeo copy` of this action shares: a timeout, this run's auth file, retries. */
function copyArgs(config: SkopeoConfig, timeoutSeconds: number): string[] {
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

/**
 * Where skopeo reads the built image: `oci:DIR`, `docker-daemon:ID` or `docker-archive:FILE`
 * (paths relative to the run's folder, where skopeo runs), with its options.
 */
export interface ImageSource {
  reference: string;
  options: string[];
}

/** `skopeo copy` of the built image to a tag, recording the pushed digest. */
export function pushArgs(
  config: SkopeoConfig,
  source: ImageSource,
  destination: string,
  digestFile: string,
  timeoutSeconds: number = SKOPEO_BUDGET.push,
): string[] {
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
export function tagInRegistryArgs(
  config: SkopeoConfig,
  source: string,
  destination: string,
  timeoutSeconds: number = SKOPEO_BUDGET.tag,
): string[] {
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
export async function login(config: SkopeoConfig, credentials: Credentials): Promise<void> {
  await runTool('skopeo', loginArgs(config, credentials.username), {
    input: Buffer.from(credentials.apiKey),
    secrets: config.secrets,
    // It runs while the build prints; its one line of output would only interleave.
    silent: true,
    timeoutSeconds: SKOPEO_BUDGET.login + GRACE,
  });
  await fs.chmod(config.authFile, 0o600);
  info(`skopeo logged in to ${config.registry} as ${credentials.username}.`);
}

/**
 * Pushes the built image to `destination` and returns the digest the registry holds. Any
 * temporary file skopeo writes goes to this run's folder, which the post step removes.
 */
export async function pushImage(
  config: SkopeoConfig,
  source: ImageSource,
  destination: string,
  runDirectory: string,
): Promise<string> {
  const digestFile = path.join(runDirectory, 'pushed-digest');
  await copy(
    config,
    SKOPEO_BUDGET.push,
    (left) => pushArgs(config, source, destination, digestFile, left),
    destination,
    { env: { TMPDIR: runDirectory }, cwd: runDirectory },
  );
  const digest = (await fs.readFile(digestFile, 'utf8')).trim();
  if (!DIGEST.test(digest))
    throw new UserError(
      `skopeo reported an unexpected digest for ${destination}: ${JSON.stringify(digest)}.`,
    );
  return digest;
}

export async function tagInRegistry(
  config: SkopeoConfig,
  source: string,
  destination: string,
): Promise<void> {
  await copy(
    config,
    SKOPEO_BUDGET.tag,
    (left) => tagInRegistryArgs(config, source, destination, left),
    destination,
  );
}

/**
 * Failures a registry gets over: 5xx, 429, a dropped or timed-out connection, and a manifest
 * whose blob the registry does not know yet (two runs pushing the same image at once: one
 * skipped a blob the other was still uploading; pushing again finds it there).
 */
export function isTransientCopyFailure(detail: string): boolean {
  return /HTTP status: (5\d\d|429)|\b(5\d\d|429) \([A-Za-z ]+\)|too many requests|connection reset|connection refused|unexpected EOF|i\/o timeout|TLS handshake timeout|manifest blob unknown/i.test(
    detail,
  );
}

/**
 * One `skopeo copy`, tried again while it fails in a way the registry gets over (skopeo's own
 * --retry-times leaves some of those, a 500 on a manifest among them). The attempts share one
 * budget: each gets what the ones before it left. A refused write is explained at once; the
 * last failure is shown as skopeo said it.
 */
async function copy(
  config: SkopeoConfig,
  budgetSeconds: number,
  args: (secondsLeft: number) => string[],
  destination: string,
  where: Pick<RunOptions, 'env' | 'cwd'> = {},
): Promise<void> {
  const retry = config.retry ?? { ...defaultRetryPolicy, attempts: 3 };
  const deadline = Date.now() + budgetSeconds * 1000;
  let last: unknown;
  await withRetries<void>(
    retry,
    async () => {
      const left = (deadline - Date.now()) / 1000;
      if (left < 1 && last) throw last;
      try {
        await runTool('skopeo', args(left), {
          secrets: config.secrets,
          timeoutSeconds: left + GRACE,
          ...where,
        });
        return { done: true, value: undefined };
      } catch (error) {
        last = explainRefusedWrite(error, destination);
        if (last instanceof ToolError && isTransientCopyFailure(last.detail))
          return { done: false, reason: last.detail.split('\n').at(-1) ?? '' };
        throw last;
      }
    },
    () => (last instanceof Error ? last : new UserError(String(last))),
    (reason, waitMs) => info(`skopeo copy failed (${reason}); trying again in ${waitMs / 1000}s`),
  );
}

/**
 * A 403 on a write is the registry's policy speaking, most often zot refusing to overwrite a
 * tag for an identity without `update`: say so, with the registry's own words.
 */
export function explainRefusedWrite(error: unknown, destination: string): unknown {
  if (!(error instanceof ToolError)) return error;
  // skopeo 1.9.3 words zot's 403 DENIED as a bare `…: denied` at the end of its line, or
  // `…: denied: <message>`; other clients and registries say 403 or forbidden.
  const denied = /: denied(?:: ([^\n"]*))?(?:"|$)|\b403\b|forbidden/im.exec(error.detail);
  if (!denied) return error;
  const registrySays = denied[1] ? `: ${denied[1].trim()}` : '';
  return new TagTaken(
    `The registry refused to write ${destination} (403 DENIED${registrySays}). ` +
      "This usually means the tag already exists and the CI identity lacks zot's `update` permission, as it should: " +
      'another run wrote it first. Nothing was overwritten; look at what the tag holds now.',
    { reference: destination },
    { cause: error },
  );
}
