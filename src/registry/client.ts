import { RegistryError, TagTaken } from '../errors.js';
import { DIGEST, digestOf } from '../image/digest.js';
import type { TagState } from '../image/tags.js';
import { registryMessage } from './classify.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../image/media-types.js';
import { Auth, type AuthOptions, type Session } from './auth.js';
import {
  KEY_LIST_LIMIT,
  Transport,
  header,
  parseJson,
  type Answer,
  type Method,
  type TransportOptions,
} from './transport.js';

/** The most bytes read of a signature's payload or configuration. */
const SMALL_BLOB_LIMIT = 64 * 1024;

/** Every manifest kind a registry may hold, so none answers with a converted manifest. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');

export type RegistryOptions = AuthOptions & TransportOptions;

/** One entry of zot's API key list (`isExpired`, `expirationDate`, …); never the key itself. */
export interface ApiKeyInfo {
  label?: string;
  expirationDate?: string;
  isExpired?: boolean;
}

/** A manifest or an index as the registry holds it: its digest, size, media type and parsed JSON. */
export interface Manifest {
  digest: string;
  /** The length of its bytes, as an index entry names it. */
  size: number;
  /** Its own `mediaType`, else the type the registry sent it as. */
  mediaType: string;
  json: Record<string, unknown>;
  /** The bytes read, whose hash `digest` is. */
  bytes: Buffer;
}

/**
 * The questions this action asks a registry, over the distribution API: the only code that
 * reads from it. What it cannot read is an error: the caller never has to guess.
 */
export class RegistryClient {
  private readonly transport: Transport;
  private readonly auth: Auth;
  private session?: Promise<Session>;
  /** Configurations' labels, and manifests named by digest, by repository and digest: content
   * addressed, so two tags of one image or index read each once. */
  private readonly configs = new Map<string, Promise<Record<string, unknown>>>();
  private readonly manifests = new Map<string, Promise<Manifest>>();

  constructor(private readonly options: RegistryOptions) {
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

  /** Does the tag exist, and at which digest? One HEAD request, whatever the number of tags. */
  async lookUp(name: string, tag: string): Promise<TagState> {
    const answer = await this.send('HEAD', `/v2/${name}/manifests/${tag}`, name, {
      accept: MANIFEST_ACCEPT,
      what: `look up the tag ${name}:${tag}`,
      expect: [200, 404],
    });
    if (answer.status === 404) return { exists: false };
    // The header is a hint, held to the digest grammar: the callers only compare it with a
    // digest of bytes already read (see publish.ts), and adopt none without a GET. A registry
    // that leaves it out: the digest is the hash of the manifest bytes, read afresh every
    // time (a tag may move, so its manifest is never remembered).
    const hint = header(answer, 'docker-content-digest');
    if (hint === undefined)
      return { exists: true, digest: manifestOf(await this.getManifest(name, tag, [200]), name, tag).digest };
    if (!DIGEST.test(hint))
      throw new RegistryError(
        `The registry answered a look-up of ${name}:${tag} with a Docker-Content-Digest that is not a sha256 digest (${shown(hint)}): it is not trusted with anything. Nothing more was written.`,
      );
    return { exists: true, digest: hint };
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

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** An image configuration, read once per digest however many tags ask. */
  config(name: string, tag: string, config: string): Promise<Record<string, unknown>> {
    return remember(this.configs, `${name}@${config}`, async () => {
      const answer = await this.send('GET', `/v2/${name}/blobs/${config}`, name, {
        what: `read the configuration of ${name}:${tag}`,
        expect: [200],
      });
      if (digestOf(answer.body) !== config)
        throw new RegistryError(
          `The registry answered a read of the configuration ${config} of ${name}:${tag} with bytes that hash to ${digestOf(answer.body)}: it is not the one asked for. Nothing more was written.`,
        );
      const parsed = parseJson(answer.body, `the configuration of ${name}:${tag}`);
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    });
  }

  /** An image configuration's labels. */
  async configLabels(name: string, tag: string, config: string): Promise<Record<string, string>> {
    const parsed = (await this.config(name, tag, config)) as {
      config?: { Labels?: Record<string, string> | null };
    };
    return parsed.config?.Labels ?? {};
  }

  /** The manifest at a tag or digest, or undefined where there is none (404: free). */
  async manifestIfAny(name: string, reference: string): Promise<Manifest | undefined> {
    const answer = await this.getManifest(name, reference, [200, 404]);
    return answer.status === 404 ? undefined : manifestOf(answer, name, reference);
  }

  /** The manifest an index names by digest, which must exist: read once however many tags ask. */
  manifest(name: string, digest: string): Promise<Manifest> {
    return remember(this.manifests, `${name}@${digest}`, async () => {
      const manifest = manifestOf(await this.getManifest(name, digest, [200]), name, digest);
      if (manifest.digest !== digest)
        throw new RegistryError(
          `The registry answered a read of ${name}@${digest} with a manifest whose bytes hash to ${manifest.digest}: it is not the one asked for. Nothing more was written.`,
        );
      return manifest;
    });
  }

  private getManifest(name: string, reference: string, expect: number[]): Promise<Answer> {
    return this.send('GET', `/v2/${name}/manifests/${reference}`, name, {
      accept: MANIFEST_ACCEPT,
      what: `read the manifest ${name}${reference.includes(':') ? '@' : ':'}${reference}`,
      expect,
    });
  }

  /** A small blob (a signature's payload or configuration), read whole up to 64 KiB. */
  async smallBlob(name: string, digest: string): Promise<Buffer> {
    const answer = await this.send('GET', `/v2/${name}/blobs/${digest}`, name, {
      what: `read the blob ${name}@${digest}`,
      expect: [200],
      limit: SMALL_BLOB_LIMIT,
    });
    if (digestOf(answer.body) !== digest)
      throw new RegistryError(`The registry answered a read of the blob ${name}@${digest} with other bytes.`);
    return answer.body;
  }

  /**
   * Uploads `bytes` as a blob of `name` unless the registry holds it (a HEAD first), in one
   * piece: a POST opens the upload, a PUT with the digest closes it. The upload's Location must
   * stay on the registry's origin, or the credentials would go elsewhere (skopeo does not check).
   */
  async putBlob(name: string, bytes: Buffer): Promise<string> {
    const digest = digestOf(bytes);
    const there = await this.send('HEAD', `/v2/${name}/blobs/${digest}`, name, {
      what: `look up the blob ${name}@${digest}`,
      expect: [200, 404],
      push: true,
    });
    if (there.status === 200) return digest;
    const opened = await this.send('POST', `/v2/${name}/blobs/uploads/`, name, {
      what: `start an upload to ${name}`,
      expect: [202],
      push: true,
    });
    const session = await this.connect();
    const location = new URL(header(opened, 'location') ?? '', session.baseUrl);
    if (location.origin !== new URL(session.baseUrl).origin)
      throw new RegistryError(
        `The registry sent the upload to ${location.origin}, not to ${new URL(session.baseUrl).origin}: the credentials would go there. Nothing was uploaded.`,
      );
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
  async putManifest(name: string, tag: string, bytes: Buffer, mediaType: string): Promise<string> {
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
      throw new RegistryError(
        `The registry stored ${name}:${tag} under ${shown(claimed)}, not under the digest of the bytes sent (${digest}).`,
      );
    // What was written is known: a later copy of it to another tag need not read it back.
    const json = parseJson(bytes, `the manifest of ${name}`) as Record<string, unknown>;
    this.manifests.set(
      `${name}@${digest}`,
      Promise.resolve({ digest, size: bytes.length, mediaType, json, bytes }),
    );
    return digest;
  }

  /**
   * Puts the manifest at `digest` under `tag` as well, byte for byte (so the digest stays): a
   * tag copy inside one repository, whose blobs and images are there already.
   */
  async tagManifest(name: string, digest: string, tag: string): Promise<void> {
    const manifest = await this.manifest(name, digest);
    await this.putManifest(name, tag, manifest.bytes, manifest.mediaType);
  }

  private connect(): Promise<Session> {
    this.session ??= this.auth.open();
    return this.session;
  }

  /** A read of `repository`, authorised; 401 and 403 are named for what the user can do. */
  private async send(
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
    const authorization = await this.auth.authorization(session, repository, push);
    const answer = await this.transport.send(session.dispatcher, method, session.baseUrl + path, {
      ...rest,
      authorization,
      expect: [...ask.expect, 401, 403],
    });
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

/** What `make` answers for `key`, asked once while it succeeds; a failure is asked again next time. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let answer = cache.get(key);
  if (!answer) {
    answer = make();
    answer.catch(() => cache.delete(key));
    cache.set(key, answer);
  }
  return answer;
}

/**
 * A manifest and its digest: the sha256 of the bytes read. The registry's Docker-Content-Digest,
 * where it sends one, must say the same; else nothing it says about this manifest is trusted.
 */
function manifestOf(answer: Answer, name: string, reference: string): Manifest {
  const digest = digestOf(answer.body);
  const claimed = header(answer, 'docker-content-digest');
  if (claimed !== undefined && claimed !== digest)
    throw new RegistryError(
      `The registry sent ${name}${reference.includes(':') ? '@' : ':'}${reference} with Docker-Content-Digest ${shown(claimed)}, but the manifest's bytes hash to ${digest}. ` +
        'A registry whose digests do not match its manifests is not trusted: nothing more was written. Check the registry (or a proxy in front of it) and run again.',
    );
  const parsed = parseJson(answer.body, `the manifest of ${name}`);
  const json = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const sent = header(answer, 'content-type')?.split(';')[0].trim();
  return { digest, size: answer.body.length, mediaType: declared ?? sent ?? '', json, bytes: answer.body };
}

/** A value the registry sent, shown safely: digest characters only, at most 80 of them. */
function shown(value: string): string {
  const safe = value.slice(0, 80).replace(/[^A-Za-z0-9:._-]/g, '?');
  return `\`${safe}${value.length > 80 ? '…' : ''}\``;
}
