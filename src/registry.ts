import { createHash } from 'node:crypto';
import { Agent, redirectInterceptor, request, type Dispatcher } from './http.js';
import { RegistryError, messageOf } from './errors.js';
import type { Credentials } from './inputs.js';
import { defaultRetryPolicy, parseRetryAfter, withRetries, type RetryPolicy } from './retry.js';

/** Every manifest kind a registry may hold, so none answers with a converted manifest. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface RegistryOptions {
  host: string;
  insecure: boolean;
  credentials?: Credentials;
  retry?: RetryPolicy;
  /** For tests: the dispatcher every request goes through. */
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  log?: (message: string) => void;
}

/** One entry of zot's API key list (`isExpired`, `expirationDate`, …); never the key itself. */
export interface ApiKeyInfo {
  label?: string;
  expirationDate?: string;
  isExpired?: boolean;
}

export type TagState = { exists: false } | { exists: true; digest: string };
export type ImageState = { exists: false } | { exists: true; digest: string; labels: Record<string, string> };

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

type AuthMode = { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

const MiB = 1024 * 1024;
/** The largest answer read: registries cap manifests at 4 MiB (zot and distribution), configs are smaller. */
const DOCUMENT_LIMIT = 4 * MiB;
/** zot's key list: a few hundred bytes a key. */
const KEY_LIST_LIMIT = 1 * MiB;
/** An error's body is read only for its message. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** An answer longer than the limit for its kind: not retried, the registry would send it again. */
class TooLarge extends Error {}

/**
 * The registry, over the distribution API: the only code that talks HTTP to it. It finds the
 * scheme (https, or http too when `insecure`), learns how the registry wants credentials from
 * its `/v2/` ping, and retries what is transient. Anything else it cannot read is an error:
 * the caller never has to guess.
 */
export class RegistryClient {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly dispatchers: Dispatcher[] = [];
  private session?: Promise<{ baseUrl: string; dispatcher: Dispatcher; auth: AuthMode }>;
  private readonly tokens = new Map<string, string>();
  /** Image configurations by repository and digest: two tags of one image read it once. */
  private readonly configs = new Map<string, Promise<Record<string, string>>>();

  constructor(private readonly options: RegistryOptions) {
    this.retry = options.retry ?? defaultRetryPolicy;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Proves that the credentials are accepted, with one authenticated request before anything
   * is built (zot checks credentials on every request that carries them).
   */
  async checkCredentials(): Promise<void> {
    await this.connect();
  }

  /** Does the tag exist, and at which digest? One HEAD request, whatever the number of tags. */
  async tag(name: string, tag: string): Promise<TagState> {
    const response = await this.send('HEAD', `/v2/${name}/manifests/${tag}`, name, {
      accept: MANIFEST_ACCEPT,
      what: `look up the tag ${name}:${tag}`,
      expect: [200, 404],
    });
    if (response.status === 404) return { exists: false };
    const digest = header(response, 'docker-content-digest');
    if (digest) return { exists: true, digest };
    // A registry that leaves out the header: the digest is the hash of the manifest bytes.
    const manifest = await this.manifest(name, tag, [200]);
    return { exists: true, digest: manifest!.digest };
  }

  /**
   * The tag's digest and its image's labels (the first image of an index), in as few requests
   * as the answer allows: the manifest by tag (404: free), then the image configuration.
   */
  async image(name: string, tag: string): Promise<ImageState> {
    const found = await this.manifest(name, tag, [200, 404]);
    if (!found) return { exists: false };
    let { json } = found;
    if (Array.isArray(json.manifests)) {
      const first = (json.manifests as { digest?: string }[])[0];
      if (!first?.digest) return { exists: true, digest: found.digest, labels: {} };
      json = (await this.manifest(name, first.digest, [200]))!.json;
    }
    const config = (json.config as { digest?: string } | undefined)?.digest;
    if (!config) return { exists: true, digest: found.digest, labels: {} };
    return { exists: true, digest: found.digest, labels: await this.labels(name, tag, config) };
  }

  /** An image configuration's labels, read once per digest however many tags ask. */
  private labels(name: string, tag: string, config: string): Promise<Record<string, string>> {
    const key = `${name}@${config}`;
    let labels = this.configs.get(key);
    if (!labels) {
      labels = this.send('GET', `/v2/${name}/blobs/${config}`, name, {
        what: `read the configuration of ${name}:${tag}`,
        expect: [200],
      }).then((response) => {
        const parsed = parseJson(response.body, `the configuration of ${name}:${tag}`) as {
          config?: { Labels?: Record<string, string> | null };
        };
        return parsed.config?.Labels ?? {};
      });
      labels.catch(() => this.configs.delete(key));
      this.configs.set(key, labels);
    }
    return labels;
  }

  /**
   * zot's list of the identity's API keys (`GET /zot/auth/apikey`), or undefined where the
   * registry has no such endpoint. The keys themselves are never part of the answer.
   */
  async apiKeys(): Promise<ApiKeyInfo[] | undefined> {
    const session = await this.connect();
    const response = await this.sendRaw(
      session.dispatcher,
      'GET',
      `${session.baseUrl}/zot/auth/apikey`,
      this.basicHeader(),
      // Only advice hangs on this list: one attempt, no waiting on a registry in trouble.
      {
        what: 'list the API keys',
        expect: [200, 401, 403, 404, 405],
        accept: 'application/json',
        retry: { ...this.retry, attempts: 1 },
        limit: KEY_LIST_LIMIT,
      },
    );
    if (response.status !== 200) return undefined;
    const json = parseJson(response.body, 'the API key list') as { apiKeys?: ApiKeyInfo[] };
    return Array.isArray(json.apiKeys) ? json.apiKeys : undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.dispatchers.map((d) => d.close().catch(() => undefined)));
  }

  /** The manifest, or undefined on a 404 when `expect` allows one. */
  private async manifest(
    name: string,
    reference: string,
    expect: number[],
  ): Promise<{ digest: string; json: Record<string, unknown> } | undefined> {
    const response = await this.send('GET', `/v2/${name}/manifests/${reference}`, name, {
      accept: MANIFEST_ACCEPT,
      what: `read the manifest ${name}${reference.includes(':') ? '@' : ':'}${reference}`,
      expect,
    });
    if (response.status === 404) return undefined;
    const digest =
      header(response, 'docker-content-digest') ??
      `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    return { digest, json: parseJson(response.body, `the manifest of ${name}`) as Record<string, unknown> };
  }

  /** The `/v2/` ping: picks the scheme, checks the credentials and learns the auth scheme. */
  private connect(): Promise<{ baseUrl: string; dispatcher: Dispatcher; auth: AuthMode }> {
    this.session ??= this.openSession();
    return this.session;
  }

  private async openSession(): Promise<{ baseUrl: string; dispatcher: Dispatcher; auth: AuthMode }> {
    const { host, insecure, credentials } = this.options;
    const schemes = insecure ? ['https', 'http'] : ['https'];
    let lastError: unknown;
    for (const scheme of schemes) {
      const baseUrl = `${scheme}://${host}`;
      const { dispatcher, direct } = this.dispatcherFor(scheme);
      let ping: Response;
      try {
        // The ping is not redirected: a 200 from another origin would prove nothing about the key.
        ping = await this.sendRaw(direct, 'GET', `${baseUrl}/v2/`, this.basicHeader(), {
          what: `reach the registry ${host}`,
          expect: [200, 401],
        });
      } catch (error) {
        lastError = error;
        // Only a failed TLS handshake sends an insecure registry on to plain http.
        if (scheme === 'https' && insecure && isTlsOrProtocolError(error)) continue;
        throw error;
      }
      if (ping.status === 200) return { baseUrl, dispatcher, auth: { kind: 'basic' } };
      const challenge = parseChallenge(header(ping, 'www-authenticate'));
      if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        const realm = new URL(challenge.params.realm, baseUrl);
        if (realm.protocol !== 'https:' && !(insecure && realm.protocol === 'http:'))
          throw new RegistryError(
            `The registry ${host} sends clients for tokens to ${realm.origin}, which is not https: the API key would cross the network in clear. ` +
              "Fix the registry's token realm, or set `insecure_registry: true` for a test registry you trust.",
          );
        const auth: AuthMode = {
          kind: 'bearer',
          realm: realm.toString(),
          service: challenge.params.service,
        };
        // A token for no scope proves the credentials, as `docker login` does.
        if (credentials) await this.fetchToken(dispatcher, auth, undefined);
        return { baseUrl, dispatcher, auth };
      }
      if (credentials) throw this.rejectedKey();
      throw new RegistryError(
        `The registry ${host} requires credentials even to read: set \`username\` and \`api_key\`.`,
        401,
      );
    }
    throw lastError instanceof Error ? lastError : new RegistryError(messageOf(lastError));
  }

  private async send(
    method: 'GET' | 'HEAD',
    path: string,
    repository: string,
    options: { accept?: string; what: string; expect: number[] },
  ): Promise<Response> {
    const session = await this.connect();
    const authorization = await this.authorizationFor(session, repository);
    const response = await this.sendRaw(session.dispatcher, method, session.baseUrl + path, authorization, {
      ...options,
      expect: [...options.expect, 401, 403],
    });
    if (response.status === 401) {
      if (this.options.credentials) throw this.rejectedKey();
      throw new RegistryError(
        `The registry ${this.options.host} refused to let anonymous clients ${options.what} (401): set \`username\` and \`api_key\`.`,
        401,
      );
    }
    if (response.status === 403)
      throw new RegistryError(
        `The registry ${this.options.host} denied the request to ${options.what} (403${registryMessage(response)}): the identity lacks \`read\` on ${repository}.`,
        403,
      );
    return response;
  }

  /** One request, retried while the failure is transient (network, 429, 5xx). */
  private sendRaw(
    dispatcher: Dispatcher,
    method: 'GET' | 'HEAD',
    url: string,
    authorization: string | undefined,
    options: { accept?: string; what: string; expect: number[]; retry?: RetryPolicy; limit?: number },
  ): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': 'build-push-image' };
    const limit = options.limit ?? DOCUMENT_LIMIT;
    if (options.accept) headers.accept = options.accept;
    if (authorization) headers.authorization = authorization;
    return withRetries<Response>(
      options.retry ?? this.retry,
      async () => {
        let response: Response;
        // One deadline for the whole answer (connect, headers and body): undici's own timeouts
        // measure silence, which a registry sending a byte a second never breaks.
        const deadline = AbortSignal.timeout(this.timeoutMs);
        try {
          const answer = await request(dispatcher, url, {
            method,
            headers,
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
            signal: deadline,
          });
          const expected = options.expect.includes(answer.statusCode);
          const body = await readAtMost(answer.body, expected ? limit : ERROR_BODY_LIMIT, !expected);
          response = { status: answer.statusCode, headers: answer.headers, body };
        } catch (error) {
          if (error instanceof TooLarge)
            throw new RegistryError(
              `Could not ${options.what}: the registry's answer is larger than ${describeSize(limit)}, the most a registry sends for it. Nothing was pushed.`,
            );
          if (deadline.aborted)
            return { done: false, reason: `no complete answer within ${this.timeoutMs / 1000}s` };
          if (isTlsOrProtocolError(error)) throw tlsError(this.options.host, error);
          return { done: false, reason: describeNetworkError(error, this.timeoutMs) };
        }
        if (options.expect.includes(response.status)) return { done: true, value: response };
        if (response.status === 429 || response.status >= 500)
          return {
            done: false,
            reason: `HTTP ${response.status}${registryMessage(response)}`,
            retryAfterMs: parseRetryAfter(header(response, 'retry-after')),
          };
        throw new RegistryError(
          `Could not ${options.what}: the registry answered HTTP ${response.status}${registryMessage(response)}.`,
          response.status,
        );
      },
      (reason, attempts) =>
        new RegistryError(
          `Could not ${options.what}: ${reason} after ${attempts} attempts. Nothing was pushed; run the job again when the registry answers.`,
        ),
      (reason, waitMs) => this.log(`Registry: ${reason}; retrying in ${Math.round(waitMs / 100) / 10}s`),
    );
  }

  private async authorizationFor(
    session: { dispatcher: Dispatcher; auth: AuthMode },
    repository: string,
  ): Promise<string | undefined> {
    if (session.auth.kind === 'basic') return this.basicHeader();
    const scope = `repository:${repository}:pull`;
    const token = this.tokens.get(scope) ?? (await this.fetchToken(session.dispatcher, session.auth, scope));
    return token ? `Bearer ${token}` : undefined;
  }

  private async fetchToken(
    dispatcher: Dispatcher,
    auth: Extract<AuthMode, { kind: 'bearer' }>,
    scope: string | undefined,
  ): Promise<string | undefined> {
    const url = new URL(auth.realm);
    if (auth.service) url.searchParams.set('service', auth.service);
    if (scope) url.searchParams.set('scope', scope);
    const response = await this.sendRaw(dispatcher, 'GET', url.toString(), this.basicHeader(), {
      what: `get a token from ${url.origin}`,
      expect: [200, 401, 403],
    });
    if (response.status !== 200) {
      if (this.options.credentials) throw this.rejectedKey();
      return undefined;
    }
    const json = parseJson(response.body, 'the token answer') as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (scope && token) this.tokens.set(scope, token);
    return token;
  }

  private basicHeader(): string | undefined {
    const credentials = this.options.credentials;
    if (!credentials) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.apiKey}`).toString('base64')}`;
  }

  private rejectedKey(): RegistryError {
    return new RegistryError(
      `The registry ${this.options.host} rejected the API key of \`${this.options.credentials?.username}\` (401): ` +
        'the key may have expired or been revoked, or belong to another identity. ' +
        'Create a new key in zot and update the secret that feeds `api_key`.',
      401,
    );
  }

  private dispatcherFor(scheme: string): { dispatcher: Dispatcher; direct: Dispatcher } {
    const base =
      this.options.dispatcher ??
      new Agent({
        connect: {
          timeout: this.timeoutMs,
          rejectUnauthorized: !(this.options.insecure && scheme === 'https'),
        },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    if (!this.options.dispatcher) this.dispatchers.push(base);
    // Blob reads may be redirected to storage; undici drops the credentials on a new origin.
    return { dispatcher: base.compose(redirectInterceptor({ maxRedirections: 3 })), direct: base };
  }
}

/**
 * Reads a body up to `limit` bytes. Past it, the rest is dropped: an error body is kept cut
 * (only its message matters), any other answer fails with TooLarge.
 */
async function readAtMost(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  limit: number,
  cut: boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      if (!cut) throw new TooLarge();
      chunks.push(chunk.subarray(0, chunk.length - (size - limit)));
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function describeSize(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}

function header(response: Response, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The registry's own words from an error body ({"errors":[{"code","message"}]}), if any. */
function registryMessage(response: { body: Buffer }): string {
  try {
    const json = JSON.parse(response.body.toString('utf8')) as {
      errors?: { code?: string; message?: string }[];
    };
    const first = json.errors?.[0];
    if (!first) return '';
    return `: ${[first.code, first.message].filter(Boolean).join(' ')}`.slice(0, 300);
  } catch {
    return '';
  }
}

export function parseChallenge(value: string | undefined): Challenge | undefined {
  if (!value) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(value);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2].matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g))
    params[param[1].toLowerCase()] = param[2] ?? param[3];
  return { scheme: match[1].toLowerCase(), params };
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RegistryError(`The registry sent ${what} as something other than JSON.`, undefined, {
      cause: error,
    });
  }
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

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTlsOrProtocolError(error: unknown): boolean {
  const code = errorCode(error);
  return (
    (code !== undefined &&
      (TLS_CODES.has(code) || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) ||
    /wrong version number|certificate|SSL routines/i.test(messageOf(error))
  );
}

function tlsError(host: string, error: unknown): RegistryError {
  return new RegistryError(
    `TLS with the registry ${host} failed (${errorCode(error) ?? messageOf(error)}): its certificate is not trusted or it does not speak https. ` +
      'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.',
    undefined,
    { cause: error },
  );
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  )
    return `no answer within ${timeoutMs / 1000}s (${code})`;
  return code ? `${code} (${messageOf(error)})` : messageOf(error);
}
