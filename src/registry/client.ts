import { RegistryError } from '../errors.js';
import { digestOf } from '../image/digest.js';
import { shown } from './manifest.js';
import { RegistryReads } from './reads.js';
import { header, parseJson, type Answer } from './transport.js';

/**
 * This action's client of a registry, over the distribution API: the only code that talks to
 * it. Its reads are reads.ts's, on the session of requests.ts; what it writes itself (a
 * signature, an index of parts, a tag copied byte for byte) is here. What it cannot read or
 * write is an error: the caller never has to guess.
 */
export class RegistryClient extends RegistryReads {
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
    return (await this.writeManifest(name, tag, bytes, mediaType)).digest;
  }

  /**
   * Writes a manifest by its digest (a referrer: no tag); says whether the registry took its
   * `subject` into its referrers API (the `OCI-Subject` header), or a client must list it under
   * the referrers tag itself.
   */
  async putReferrer(
    name: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<{ digest: string; listed: boolean }> {
    const digest = digestOf(bytes);
    const { answer } = await this.writeManifest(name, digest, bytes, mediaType);
    return { digest, listed: header(answer, 'oci-subject') !== undefined };
  }

  private async writeManifest(
    name: string,
    tag: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<{ digest: string; answer: Answer }> {
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
    return { digest, answer };
  }

  /**
   * Puts the manifest at `digest` under `tag` as well, byte for byte (so the digest stays): a
   * tag copy inside one repository, whose blobs and images are there already.
   */
  async tagManifest(name: string, digest: string, tag: string): Promise<void> {
    const manifest = await this.manifest(name, digest);
    await this.putManifest(name, tag, manifest.bytes, manifest.mediaType);
  }
}
