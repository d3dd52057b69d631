import { RegistryError } from '../errors.js';
import { DIGEST, digestOf } from '../image/digest.js';
import type { TagState } from '../image/tags.js';
import { OCI_INDEX } from '../image/media-types.js';
import { MANIFEST_ACCEPT, manifestOf, shown, type Manifest } from './manifest.js';
import { RegistryRequests } from './requests.js';
import { AnswerTooLarge, header, parseJson, type Answer } from './transport.js';

/** The most bytes read of a signature's payload or configuration. */
const SMALL_BLOB_LIMIT = 64 * 1024;

/** What the action reads of a registry: tags, manifests, configurations, small blobs. */
export class RegistryReads extends RegistryRequests {
  /** Configurations' labels, and manifests named by digest, by repository and digest: content
   * addressed, so two tags of one image or index read each once. */
  private readonly configs = new Map<string, Promise<Record<string, unknown>>>();
  protected readonly manifests = new Map<string, Promise<Manifest>>();
  /** Signatures' payloads and bundles found, by repository and digest: content addressed too. */
  private readonly payloads = new Map<string, Buffer>();
  /** The registry answered a referrers listing with 404: it has no referrers API. */
  private noReferrersApi = false;

  /** Does the tag exist, and at which digest? One HEAD request, whatever the number of tags. */
  async lookUp(name: string, tag: string): Promise<TagState> {
    const answer = await this.send('HEAD', `/v2/${name}/manifests/${tag}`, name, {
      accept: MANIFEST_ACCEPT,
      what: `look up the tag ${name}:${tag}`,
      expect: [200, 404],
    });
    if (answer.status === 404) return { exists: false };
    // The header is a hint, held to the digest grammar: the callers only compare it with a
    // digest of bytes already read (see publication/readings.ts), and adopt none without a GET. A registry
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
    if (answer.status === 404) return undefined;
    const manifest = manifestOf(answer, name, reference);
    // Its digest is the hash of the bytes read: a later read by that digest needs no request.
    const key = `${name}@${manifest.digest}`;
    if (!this.manifests.has(key)) this.manifests.set(key, Promise.resolve(manifest));
    return manifest;
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

  /**
   * The referrers of `digest` through the registry's referrers API (OCI 1.1), as descriptors;
   * undefined where the registry has no such API (404: a client then reads the referrers tag).
   */
  async referrers(name: string, digest: string): Promise<Record<string, unknown>[] | undefined> {
    // A registry with the API never answers 404 (the spec's rule, so that clients can tell):
    // one that did has none, for the rest of the run.
    if (this.noReferrersApi) return undefined;
    const answer = await this.send('GET', `/v2/${name}/referrers/${digest}`, name, {
      accept: OCI_INDEX,
      what: `list the referrers of ${name}@${digest}`,
      expect: [200, 404],
    });
    if (answer.status === 404) {
      this.noReferrersApi = true;
      return undefined;
    }
    const index = parseJson(answer.body, `the referrers of ${name}@${digest}`) as { manifests?: unknown };
    return Array.isArray(index?.manifests) ? (index.manifests as Record<string, unknown>[]) : [];
  }

  protected getManifest(name: string, reference: string, expect: number[]): Promise<Answer> {
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
  async signaturePayload(name: string, digest: string): Promise<Buffer | undefined> {
    // Found once, its bytes are its digest's for good; one not found may be uploaded later.
    const known = this.payloads.get(`${name}@${digest}`);
    if (known) return known;
    let answer: Answer;
    try {
      answer = await this.send('GET', `/v2/${name}/blobs/${digest}`, name, {
        what: `read the blob ${name}@${digest}`,
        expect: [200, 404],
        limit: SMALL_BLOB_LIMIT,
      });
    } catch (error) {
      if (error instanceof AnswerTooLarge) return undefined;
      throw error;
    }
    if (answer.status === 404 || digestOf(answer.body) !== digest) return undefined;
    this.payloads.set(`${name}@${digest}`, answer.body);
    return answer.body;
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
