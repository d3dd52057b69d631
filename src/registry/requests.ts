import { RegistryError, TagTaken } from '../errors.js';
import { Auth, type AuthOptions, type Session } from './auth.js';
import { registryMessage } from './classify.js';
import {
  KEY_LIST_LIMIT,
  Transport,
  parseJson,
  type Answer,
  type Method,
  type TransportOptions,
} from './transport.js';

// The client's ground: one session with the registry (the ping, the auth scheme), and every
// request authorised and its refusals named for what the user can do. Reads (reads.ts) and
// writes (client.ts) are built on it.

export type RegistryOptions = AuthOptions & TransportOptions;

/** One entry of zot's API key list (`isExpired`, `expirationDate`, …); never the key itself. */
export interface ApiKeyInfo {
  label?: string;
  expirationDate?: string;
  isExpired?: boolean;
}

/** A session with one registry: requests sent, authorised, their 401 and 403 explained. */
export class RegistryRequests {
  private readonly transport: Transport;
  protected readonly auth: Auth;
  private session?: Promise<Session>;

  constructor(protected readonly options: RegistryOptions) {
    this.transport = new Transport(options);
    this.auth = new Auth(options, this.transport);
  }

  /**
   * Proves that the credentials are accepted, with one authenticated request before anything
   * is built (zot checks credentials on every request that carries them).
   */
  async proveAccess(): Promise<void> {
    await this.connect();
  }

  /**
   * zot's list of the identity's API keys (`GET /zot/auth/apikey`), or undefined where the
   * registry has no such endpoint. The keys themselves are never part of the answer.
   */
  async apiKeys(): Promise<ApiKeyInfo[] | undefined> {
    const session = await this.connect();
    const answer = await this.transport.send(
      session.dispatcher,
      'GET',
      `${session.baseUrl}/zot/auth/apikey`,
      {
        what: 'list the API keys',
        expect: [200, 401, 403, 404, 405],
        accept: 'application/json',
        authorization: this.auth.basic(),
        // Only advice hangs on this list: one attempt, no waiting on a registry in trouble.
        attempts: 1,
        limit: KEY_LIST_LIMIT,
      },
    );
    if (answer.status !== 200) return undefined;
    const json = parseJson(answer.body, 'the API key list') as { apiKeys?: ApiKeyInfo[] };
    return Array.isArray(json.apiKeys) ? json.apiKeys : undefined;
  }

  /**
   * zot's release (`releaseTag` of `GET /v2/_zot/ext/mgmt`, which zot answers without
   * credentials where its search extension is on), or undefined where the registry does not say.
   */
  async zotRelease(): Promise<string | undefined> {
    const session = await this.connect();
    const answer = await this.transport.send(
      session.dispatcher,
      'GET',
      `${session.baseUrl}/v2/_zot/ext/mgmt`,
      {
        what: "read zot's release",
        expect: [200, 401, 403, 404, 405],
        accept: 'application/json',
        // Only advice hangs on this answer: one attempt, no waiting on a registry in trouble.
        attempts: 1,
        limit: KEY_LIST_LIMIT,
      },
    );
    if (answer.status !== 200) return undefined;
    const release = (parseJson(answer.body, "zot's configuration") as { releaseTag?: unknown }).releaseTag;
    return typeof release === 'string' ? release : undefined;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  protected connect(): Promise<Session> {
    this.session ??= this.auth.open();
    return this.session;
  }

  /** A read of `repository`, authorised; 401 and 403 are named for what the user can do. */
  protected async send(
    method: Method,
    path: string,
    repository: string,
    ask: {
      accept?: string;
      what: string;
      expect: number[];
      limit?: number;
      push?: boolean;
      /** A write's reference, `name:tag`, named when the registry refuses it. */
      writes?: string;
      body?: Buffer;
      contentType?: string;
    },
  ): Promise<Answer> {
    const session = await this.connect();
    const { push, writes, ...rest } = ask;
    const attempt = async () =>
      this.transport.send(session.dispatcher, method, session.baseUrl + path, {
        ...rest,
        authorization: await this.auth.authorization(session, repository, push),
        expect: [...ask.expect, 401, 403],
      });
    let answer = await attempt();
    // A token the realm ended early is renewed once before the key is called rejected.
    if (answer.status === 401 && this.auth.dropToken(session, repository, push)) answer = await attempt();
    if (answer.status === 403 && push)
      throw new TagTaken(
        `The registry refused to ${ask.what} (403 DENIED${registryMessage(answer.body)}): the identity lacks \`create\` on ${repository}, or the tag exists and it lacks \`update\`.`,
        { reference: `${this.options.host}/${writes ?? repository}` },
      );
    if (answer.status === 401) {
      if (this.auth.hasCredentials) throw this.auth.rejectedKey();
      throw new RegistryError(
        `The registry ${this.options.host} refused to let anonymous clients ${ask.what} (401): set \`username\` and \`api_key\`.`,
      );
    }
    if (answer.status === 403)
      throw new RegistryError(
        `The registry ${this.options.host} denied the request to ${ask.what} (403${registryMessage(answer.body)}): the identity lacks \`read\` on ${repository}.`,
      );
    return answer;
  }
}
