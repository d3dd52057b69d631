import * as crypto from 'node:crypto';
import { digestOf } from '../image/digest.js';
import { OCI_MANIFEST } from '../image/media-types.js';

// The Sigstore bundle (v0.3) that cosign v3 writes for a key-signed image and verifies first: a
// DSSE envelope around an in-toto statement whose subject is the image's digest, signed over
// DSSE's pre-authentication encoding, with the public key named only by a hint (no certificate,
// no transparency-log entry). It is stored as an OCI 1.1 referrer of the image: an image
// manifest whose `subject` is the image, whose one layer is the bundle, with the empty
// configuration. Measured against cosign v3.1.3 (docs/build-features.md).

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** What cosign calls the statement of a plain image signature. */
export const SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
/** The empty configuration of an OCI artifact: the two bytes `{}`. */
export const EMPTY_CONFIG = Buffer.from('{}');

/** What a manifest is, as a descriptor names it: the bundle's subject. */
export interface Subject {
  mediaType: string;
  digest: string;
  size: number;
}

/**
 * The statement signed for `digest` in the repository `name` (`registry/repository`): that this
 * key vouches for those bytes there. The name binds the bundle to the repository, as the `.sig`'s
 * references do: a copy of another repository's image and its bundle vouches for nothing here.
 */
export function statementFor(digest: string, name: string): Buffer {
  const [algorithm, hex] = digest.split(':');
  return Buffer.from(
    JSON.stringify({
      _type: STATEMENT_TYPE,
      subject: [{ name, digest: { [algorithm]: hex }, annotations: {} }],
      predicateType: SIGN_PREDICATE,
      predicate: {},
    }),
  );
}

/** DSSE's pre-authentication encoding: what is signed, so that the payload's type is signed too. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

/** How a bundle names a public key it was not given: the base64 SHA-256 of its DER form. */
export function keyHint(publicKeyPem: string): string {
  const der = crypto.createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('base64');
}

/** The bundle of `digest`, signed by `sign` (ECDSA P-256, DER) of the key whose public form is `publicKeyPem`. */
export function bundleFor(
  digest: string,
  name: string,
  sign: (bytes: Buffer) => Buffer,
  publicKeyPem: string,
): Buffer {
  const payload = statementFor(digest, name);
  const signature = sign(preAuthEncoding(PAYLOAD_TYPE, payload));
  return Buffer.from(
    JSON.stringify({
      mediaType: BUNDLE_MEDIA_TYPE,
      verificationMaterial: { publicKey: { hint: keyHint(publicKeyPem) } },
      dsseEnvelope: {
        payload: payload.toString('base64'),
        payloadType: PAYLOAD_TYPE,
        signatures: [{ sig: signature.toString('base64') }],
      },
    }),
  );
}

/**
 * Whether `bytes` is a bundle in which this key (`verify`) vouches for `digest` in the repository
 * `name`: its statement names exactly that digest there, as a plain image signature, and the
 * envelope's signature holds. Anything else (malformed, another key, another digest or
 * repository, another predicate) is not.
 */
export function vouchesFor(
  bytes: Buffer,
  digest: string,
  name: string,
  verify: (payload: Buffer, signature: Buffer) => boolean,
): boolean {
  let bundle: {
    mediaType?: unknown;
    dsseEnvelope?: { payload?: unknown; payloadType?: unknown; signatures?: { sig?: unknown }[] };
  };
  try {
    bundle = JSON.parse(bytes.toString('utf8')) as typeof bundle;
  } catch {
    return false;
  }
  const envelope = bundle?.dsseEnvelope;
  if (bundle?.mediaType !== BUNDLE_MEDIA_TYPE || envelope?.payloadType !== PAYLOAD_TYPE) return false;
  if (typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures)) return false;
  const payload = Buffer.from(envelope.payload, 'base64');
  if (!namesOnly(payload, digest, name)) return false;
  const signed = preAuthEncoding(PAYLOAD_TYPE, payload);
  return envelope.signatures.some(
    (entry) => typeof entry?.sig === 'string' && verify(signed, Buffer.from(entry.sig, 'base64')),
  );
}

/** The statement is a plain image signature of `digest` in `name`, and of nothing else. */
function namesOnly(payload: Buffer, digest: string, name: string): boolean {
  let statement: {
    _type?: unknown;
    predicateType?: unknown;
    subject?: { name?: unknown; digest?: Record<string, unknown> }[];
  };
  try {
    statement = JSON.parse(payload.toString('utf8')) as typeof statement;
  } catch {
    return false;
  }
  if (statement?._type !== STATEMENT_TYPE || statement.predicateType !== SIGN_PREDICATE) return false;
  const [algorithm, hex] = digest.split(':');
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  return subjects.length === 1 && subjects[0]?.digest?.[algorithm] === hex && subjects[0]?.name === name;
}

/** The referrer that carries a bundle: an image manifest of the bundle alone, whose subject is the signed manifest. */
export function referrerFor(subject: Subject, bundle: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: BUNDLE_MEDIA_TYPE,
      config: { mediaType: EMPTY_MEDIA_TYPE, digest: digestOf(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
      layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: digestOf(bundle), size: bundle.length }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: {
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': SIGN_PREDICATE,
      },
    }),
  );
}
