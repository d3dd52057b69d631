import { RegistryError } from '../errors.js';
import { digestOf } from '../image/digest.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../image/media-types.js';
import { header, parseJson, type Answer } from './transport.js';

// A manifest as the client reads it: its digest is always the hash of its bytes, whatever the
// registry claims.

/** Every manifest kind a registry may hold, so none answers with a converted manifest. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST].join(', ');

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

export /**
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

export /** A value the registry sent, shown safely: digest characters only, at most 80 of them. */
function shown(value: string): string {
  const safe = value.slice(0, 80).replace(/[^A-Za-z0-9:._-]/g, '?');
  return `\`${safe}${value.length > 80 ? '…' : ''}\``;
}
