import { RegistryError, messageOf } from '../errors.js';
import { basicEncoding, type Credentials } from '../secrets.js';
import { isTlsOrProtocolError, parseChallenge } from './classify.js';
import type { Dispatcher } from './http.js';
import { header, parseJson, type Answer, type Transport } from './transport.js';

// How this run talks to the registry: the scheme, and how it wants the credentials (Basic on
// every request, as zot does, or bearer tokens from a realm), learnt from the `/v2/` ping.

type AuthMode = { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

/** A registry this run has pinged: where it answers and how it wants credentials. */
export interface Session {
  baseUrl: string;
  dispatcher: Dispatcher;
  auth: AuthMode;
}

export interface AuthOptions {
  host: string;
  insecure: boolean;
  credentials?: Credentials;
  /** The clock tokens expire by (milliseconds); tests pass their own. */
  now?: () => number;
}

/** A bearer token and when it stops being used: before its `expires_in` runs out. */
interface HeldToken {
  token: string;
  renewAt: number;
}

/** A token's lifetime when the realm names none: the distribution token spec's default. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * When a token is renewed: a quarter of its lifetime before it ends, at most 30 s before, so a
 * request sent with it (a build can take longer than a token lasts) never arrives with it stale.
 */
function renewAt(receivedAt: number, seconds: number): number {
  const lifetime = seconds * 1000;
  return receivedAt + lifetime - Math.min(lifetime / 4, 30_000);
}

export class Auth {
  private readonly tokens = new Map<string, HeldToken>();

  constructor(
    private readonly options: AuthOptions,
    private readonly transport: Transport,
  ) {}

  /** The `/v2/` ping: picks the scheme, checks the credentials and learns the auth scheme. */
  async open(): Promise<Session> {
    const { host, insecure, credentials } = this.options;
    const schemes = insecure ? ['https', 'http'] : ['https'];
    let lastError: unknown;
    for (const scheme of schemes) {
      const baseUrl = `${scheme}://${host}`;
      const { redirected: dispatcher, direct } = this.transport.dispatchersFor(scheme);
      let ping: Answer;
      try {
        // The ping is not redirected: a 200 from another origin would prove nothing about the key.
        ping = await this.transport.send(direct, 'GET', `${baseUrl}/v2/`, {
          what: `reach the registry ${host}`,
          expect: [200, 401],
          authorization: this.basic(),
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
        const auth = {
          kind: 'bearer',
          realm: this.trustedRealm(challenge.params.realm, baseUrl),
          service: challenge.params.service,
        } as const;
        // A token for no scope proves the credentials, as `docker login` does.
        if (credentials) await this.fetchToken(dispatcher, auth, undefined);
        return { baseUrl, dispatcher, auth };
      }
      if (credentials) throw this.rejectedKey();
      throw new RegistryError(
        `The registry ${host} requires credentials even to read: set \`username\` and \`api_key\`.`,
      );
    }
    throw lastError instanceof Error ? lastError : new RegistryError(messageOf(lastError));
  }

  /**
   * The Authorization header for reading (or writing to) `repository`, or undefined for an
   * anonymous read. A bearer token is reused until it is due for renewal, then fetched again.
   */
  async authorization(session: Session, repository: string, push = false): Promise<string | undefined> {
    if (session.auth.kind === 'basic') return this.basic();
    const scope = scopeOf(repository, push);
    const held = this.tokens.get(scope);
    const token =
      held && this.now() < held.renewAt
        ? held.token
        : await this.fetchToken(session.dispatcher, session.auth, scope);
    return token ? `Bearer ${token}` : undefined;
  }

  /**
   * A request sent with a held bearer token came back 401: the token is dropped, and true says
   * a new one is worth asking for once (the realm may have ended it early) before the key is
   * called rejected. False for Basic credentials, or when no token was held.
   */
  dropToken(session: Session, repository: string, push = false): boolean {
    if (session.auth.kind === 'basic') return false;
    return this.tokens.delete(scopeOf(repository, push));
  }

  /** The Basic header zot checks on every request that carries it. */
  basic(): string | undefined {
    const credentials = this.options.credentials;
    return credentials ? basicAuthorization(credentials) : undefined;
  }

  /** A 401: the key is named by its owner, never shown. */
  rejectedKey(): RegistryError {
    return new RegistryError(
      `The registry ${this.options.host} rejected the API key of \`${this.options.credentials?.username}\` (401): ` +
        'the key may have expired or been revoked, or belong to another identity. ' +
        'Create a new key in zot and update the secret that feeds `api_key`.',
    );
  }

  get hasCredentials(): boolean {
    return this.options.credentials !== undefined;
  }

  /** The token realm, only over https unless the registry is a trusted test one. */
  private trustedRealm(value: string, baseUrl: string): string {
    const realm = new URL(value, baseUrl);
    if (realm.protocol !== 'https:' && !(this.options.insecure && realm.protocol === 'http:'))
      throw new RegistryError(
        `The registry ${this.options.host} sends clients for tokens to ${realm.origin}, which is not https: the API key would cross the network in clear. ` +
          "Fix the registry's token realm, or set `insecure_registry: true` for a test registry you trust.",
      );
    return realm.toString();
  }

  private async fetchToken(
    dispatcher: Dispatcher,
    auth: Extract<AuthMode, { kind: 'bearer' }>,
    scope: string | undefined,
  ): Promise<string | undefined> {
    const url = new URL(auth.realm);
    if (auth.service) url.searchParams.set('service', auth.service);
    if (scope) url.searchParams.set('scope', scope);
    const answer = await this.transport.send(dispatcher, 'GET', url.toString(), {
      what: `get a token from ${url.origin}`,
      expect: [200, 401, 403],
      authorization: this.basic(),
    });
    if (answer.status !== 200) {
      if (this.options.credentials) throw this.rejectedKey();
      return undefined;
    }
    const json = parseJson(answer.body, 'the token answer') as {
      token?: string;
      access_token?: string;
      expires_in?: unknown;
    };
    const token = json.token ?? json.access_token;
    const seconds =
      typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_SECONDS;
    if (scope && token) this.tokens.set(scope, { token, renewAt: renewAt(this.now(), seconds) });
    return token;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function scopeOf(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}

/** The value of the Authorization header zot checks on every request that carries it. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${basicEncoding(credentials.username, credentials.apiKey)}`;
}
