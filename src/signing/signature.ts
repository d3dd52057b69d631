import { digestOf } from '../image/digest.js';
import { OCI_MANIFEST } from '../image/media-types.js';
import { tagRef, type Tags } from '../image/tags.js';

// The sigstore "simple signing" form that containers/image (skopeo, podman, CRI-O) and cosign
// verify: under the tag `sha256-<hex>.sig` of the signed digest, an OCI image manifest whose
// layers are payloads (one per identity), each with the base64 DER signature of its exact bytes.

export const SIGNATURE_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** The tag that holds the signatures of `digest`. */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** The signatures of `digest` in this image's repository, `registry/name:sha256-<hex>.sig`. */
export function signatureRef(tags: Tags, digest: string): string {
  return tagRef(tags, signatureTag(digest));
}

/**
 * The payload signed for one identity: `critical` with exactly its type, the image's digest and
 * the tagged reference it may be pulled by; `optional` present and null.
 */
export function payloadFor(reference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': reference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: null,
    }),
  );
}

/** What a payload says, when it is one: the identity and the digest it binds. */
export function readPayload(bytes: Buffer): { reference: string; digest: string } | undefined {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as {
      critical?: {
        identity?: { 'docker-reference'?: unknown };
        image?: { 'docker-manifest-digest'?: unknown };
        type?: unknown;
      };
    };
    const reference = json.critical?.identity?.['docker-reference'];
    const digest = json.critical?.image?.['docker-manifest-digest'];
    if (json.critical?.type !== 'cosign container image signature') return undefined;
    return typeof reference === 'string' && typeof digest === 'string' ? { reference, digest } : undefined;
  } catch {
    return undefined;
  }
}

/** A layer of a signature manifest (a payload blob, with its signature). */
export interface SignatureLayer {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** The layer for one payload and its signature. */
export function layerFor(payload: Buffer, signature: Buffer): SignatureLayer {
  return {
    mediaType: SIGNATURE_MEDIA_TYPE,
    digest: digestOf(payload),
    size: payload.length,
    annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
  };
}

/** The configuration blob cosign and skopeo write for a signature manifest. */
export function configFor(layers: SignatureLayer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
    }),
  );
}

/** The signature manifest: the configuration, then every layer in order. */
export function manifestFor(config: Buffer, layers: SignatureLayer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: digestOf(config), size: config.length },
      layers,
    }),
  );
}
