import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { TagTaken, ToolError, UserError } from './errors.js';
import { info } from './log.js';
import { defaultRetryPolicy, withRetries, type RetryPolicy } from './retry.js';
import type { Credentials } from './inputs.js';
import { runTool } from './tools.js';

export interface SkopeoSession {
  registry: string;
  insecure: boolean;
  /** A 0600 auth file inside this run's own folder: never the user's, never shared. */
  authFile: string;
  secrets: string[];
}

/** No skopeo command may hang a job: each gets this long (a push over a slow tunnel included). */
const COMMAND_TIMEOUT = ['--command-timeout', '30m'];
/** The same bound from outside, a little later, in case skopeo itself stops answering. */
const PROCESS_TIMEOUT = 31 * 60;

export function authFileIn(runDirectory: string): string {
  return path.join(runDirectory, 'auth.json');
}

export function loginArgs(session: SkopeoSession, username: string): string[] {
  const args = [
    'login',
    ...COMMAND_TIMEOUT,
    '--authfile',
    session.authFile,
    '--username',
    username,
    '--password-stdin',
  ];
  if (session.insecure) args.push('--tls-verify=false');
  args.push(session.registry);
  return args;
}

/** The options every `skopeo copy` of this action shares: a timeout, this run's auth file, retries. */
function copyArgs(session: SkopeoSession): string[] {
  return ['copy', ...COMMAND_TIMEOUT, '--authfile', session.authFile, '--retry-times', '3'];
}

/** Where skopeo reads the built image: `oci:DIR`, `docker-daemon:ID` or `docker-archive:FILE`, with its options. */
export interface ImageSource {
  reference: string;
  options: string[];
}

/** `skopeo copy` of the built image to a tag, recording the pushed digest. */
export function pushArgs(
  session: SkopeoSession,
  source: ImageSource,
  destination: string,
  digestFile: string,
): string[] {
  return [
    ...copyArgs(session),
    '--digestfile',
    digestFile,
    ...source.options,
    ...(session.insecure ? ['--dest-tls-verify=false'] : []),
    source.reference,
    `docker://${destination}`,
  ];
}

/**
 * `skopeo copy` of a manifest already in the registry to another tag of the same repository:
 * the blobs are there, so nothing is uploaded but the manifest, byte for byte.
 */
export function tagInRegistryArgs(session: SkopeoSession, source: string, destination: string): string[] {
  return [
    ...copyArgs(session),
    '--preserve-digests',
    ...(session.insecure ? ['--src-tls-verify=false', '--dest-tls-verify=false'] : []),
    `docker://${source}`,
    `docker://${destination}`,
  ];
}

export async function login(session: SkopeoSession, credentials: Credentials): Promise<void> {
  await runTool('skopeo', loginArgs(session, credentials.username), {
    input: Buffer.from(credentials.apiKey),
    secrets: session.secrets,
    // It runs while the build prints; its one line of output would only interleave.
    silent: true,
    timeoutSeconds: PROCESS_TIMEOUT,
  });
  await fs.chmod(session.authFile, 0o600);
}

/**
 * Pushes the built image to `destination` and returns the digest the registry holds. Any
 * temporary file skopeo writes goes to this run's folder, which the post step removes.
 */
export async function pushImage(
  session: SkopeoSession,
  source: ImageSource,
  destination: string,
  runDirectory: string,
): Promise<string> {
  const digestFile = path.join(runDirectory, 'pushed-digest');
  await copy(session, pushArgs(session, source, destination, digestFile), destination, {
    TMPDIR: runDirectory,
  });
  const digest = (await fs.readFile(digestFile, 'utf8')).trim();
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new UserError(
      `skopeo reported an unexpected digest for ${destination}: ${JSON.stringify(digest)}.`,
    );
  return digest;
}

export async function tagInRegistry(
  session: SkopeoSession,
  source: string,
  destination: string,
): Promise<void> {
  await copy(session, tagInRegistryArgs(session, source, destination), destination);
}

/** Failures a registry gets over: 5xx, 429, a dropped or timed-out connection. */
export function isTransientCopyFailure(detail: string): boolean {
  return /HTTP status: (5\d\d|429)|\b(5\d\d|429) \([A-Za-z ]+\)|too many requests|connection reset|connection refused|unexpected EOF|i\/o timeout|TLS handshake timeout/i.test(
    detail,
  );
}

/**
 * One `skopeo copy`, tried again while it fails in a way the registry gets over (skopeo's own
 * --retry-times leaves some of those, a 500 on a manifest among them). A refused write is
 * explained at once; the last failure is shown as skopeo said it.
 */
async function copy(
  session: SkopeoSession,
  args: string[],
  destination: string,
  env?: Record<string, string>,
  retry: RetryPolicy = { ...defaultRetryPolicy, attempts: 3 },
): Promise<void> {
  let last: unknown;
  await withRetries<void>(
    retry,
    async () => {
      try {
        await runTool('skopeo', args, { secrets: session.secrets, timeoutSeconds: PROCESS_TIMEOUT, env });
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
    { cause: error },
  );
}
