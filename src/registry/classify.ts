import { messageOf } from '../errors.js';

// What a registry's answer, or the failure to get one, means for the run: pure functions over
// status codes, headers, bodies and Node's errors, table-tested on their own.

/** What the transport does with an HTTP status: hand it over, try again, or fail at once. */
export type StatusClass = 'expected' | 'transient' | 'fatal';

export function classifyStatus(status: number, expected: readonly number[]): StatusClass {
  if (expected.includes(status)) return 'expected';
  if (status === 429 || status >= 500) return 'transient';
  return 'fatal';
}

/**
 * The registry's own words from an error body ({"errors":[{"code","message"}]}), if any, with
 * the reason zot gives when one of its policy conditions (CEL) refused the request
 * (`detail.reason`, the operator's message), quoted so that none of it reads as a line of its own.
 */
export function registryMessage(body: Buffer): string {
  try {
    const json = JSON.parse(body.toString('utf8')) as {
      errors?: { code?: string; message?: string; detail?: { reason?: unknown } }[];
    };
    const first = json.errors?.[0];
    if (!first) return '';
    const words = `: ${[first.code, first.message].filter(Boolean).join(' ')}`.slice(0, 300);
    const reason = first.detail?.reason;
    return typeof reason === 'string' && reason
      ? `${words}; the registry's policy says ${JSON.stringify(reason.slice(0, 300))}`
      : words;
  } catch {
    return '';
  }
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** A `WWW-Authenticate` header: its scheme (lower case) and parameters (names lower case). */
export function parseChallenge(value: string | undefined): Challenge | undefined {
  if (!value) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(value);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g))
    params[param[1].toLowerCase()] = param[2] ?? param[3];
  return { scheme: match[1].toLowerCase(), params };
}

export const MiB = 1024 * 1024;

export function describeSize(bytes: number): string {
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
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failed TLS handshake, an untrusted certificate, or plain http where https was spoken. */
export function isTlsOrProtocolError(error: unknown): boolean {
  const code = errorCode(error);
  return (
    (code !== undefined &&
      (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) ||
    /wrong version number|certificate|SSL routines/i.test(messageOf(error))
  );
}

export function describeTlsFailure(host: string, error: unknown): string {
  return (
    `TLS with the registry ${host} failed (${errorCode(error) ?? messageOf(error)}): its certificate is not trusted or it does not speak https. ` +
    'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.'
  );
}

/** A network failure (retried) in a few words: its code and message, or undici's timeout. */
export function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  )
    return `no answer within ${timeoutMs / 1000}s (${code})`;
  return code ? `${code} (${messageOf(error)})` : messageOf(error);
}
