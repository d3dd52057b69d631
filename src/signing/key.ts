import { secretbox } from '@noble/ciphers/salsa.js';
import * as crypto from 'node:crypto';
import { Input } from '../names.js';

// The signing key as `cosign generate-key-pair` and `skopeo generate-sigstore-key` write it:
// a PEM whose body is base64 of JSON naming an scrypt key derivation and a NaCl secretbox,
// which opens to a PKCS#8 DER private key. Only ECDSA P-256 signs here (what containers/image
// and cosign verify for a sigstore key). Node's crypto does scrypt and ECDSA; NaCl's
// secretbox (XSalsa20-Poly1305) comes from @noble/ciphers, audited and without dependencies.

const PEM =
  /^-----BEGIN ENCRYPTED (SIGSTORE|COSIGN) PRIVATE KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END ENCRYPTED \1 PRIVATE KEY-----\s*$/;
/** The scrypt costs the tools write (2^15 .. 2^17); anything else is refused rather than run. */
const SCRYPT_N = new Set([1 << 15, 1 << 16, 1 << 17]);

/** Why a key cannot be used, naming the input; the key itself is never quoted. */
export class KeyProblem extends Error {
  constructor(
    readonly input: Input,
    message: string,
  ) {
    super(message);
    this.name = 'KeyProblem';
  }
}

/** The encrypted key, parsed: what is needed to open it, checked before the costly scrypt. */
export interface EncryptedKey {
  kind: 'SIGSTORE' | 'COSIGN';
  scrypt: { N: number; r: number; p: number; salt: Buffer };
  nonce: Buffer;
  ciphertext: Buffer;
}

/** Parses the PEM's envelope (cheap, no key derivation). */
export function parseEncryptedKey(pem: string): EncryptedKey {
  const match = PEM.exec(pem.trim() + '\n');
  if (!match)
    throw new KeyProblem(
      Input.SigningKey,
      'is not an encrypted sigstore or cosign private key (a PEM that starts `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----` or `-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----`, as `cosign generate-key-pair` or `skopeo generate-sigstore-key` write it).',
    );
  let json: {
    kdf?: { name?: string; params?: { N?: number; r?: number; p?: number }; salt?: string };
    cipher?: { name?: string; nonce?: string };
    ciphertext?: string;
  };
  try {
    json = JSON.parse(Buffer.from(match[2].replace(/\s/g, ''), 'base64').toString('utf8'));
  } catch {
    throw new KeyProblem(Input.SigningKey, 'has a PEM body that is not the JSON the key tools write.');
  }
  const { kdf, cipher, ciphertext } = json ?? {};
  const params = kdf?.params ?? {};
  if (
    kdf?.name !== 'scrypt' ||
    cipher?.name !== 'nacl/secretbox' ||
    !kdf.salt ||
    !cipher.nonce ||
    !ciphertext
  )
    throw new KeyProblem(
      Input.SigningKey,
      'is encrypted in a way this action does not open (it opens scrypt with nacl/secretbox, as cosign and skopeo write).',
    );
  if (!SCRYPT_N.has(params.N ?? 0) || params.r !== 8 || params.p !== 1)
    throw new KeyProblem(
      Input.SigningKey,
      `has scrypt parameters the key tools do not write (N=${params.N}, r=${params.r}, p=${params.p}; expected N of 2^15, 2^16 or 2^17, r=8, p=1).`,
    );
  const nonce = Buffer.from(cipher.nonce, 'base64');
  if (nonce.length !== 24)
    throw new KeyProblem(Input.SigningKey, 'has a secretbox nonce that is not 24 bytes.');
  return {
    kind: match[1] as 'SIGSTORE' | 'COSIGN',
    scrypt: { N: params.N!, r: 8, p: 1, salt: Buffer.from(kdf.salt, 'base64') },
    nonce,
    ciphertext: Buffer.from(ciphertext, 'base64'),
  };
}

/** The signing key, opened: it signs, and gives the public key a verifier needs. */
export interface SigningKey {
  /** ECDSA P-256 over SHA-256, DER-encoded, as containers/image and cosign verify. */
  sign(payload: Buffer): Buffer;
  verify(payload: Buffer, signature: Buffer): boolean;
  /** The public key as a PEM (`-----BEGIN PUBLIC KEY-----`), what users hand to verifiers. */
  publicKeyPem: string;
}

/**
 * Opens the key with its password: scrypt (run off the main thread by Node), then the
 * secretbox, then the PKCS#8 key, which must be ECDSA P-256. A wrong password is named as such.
 */
export async function openSigningKey(key: EncryptedKey, password: string): Promise<SigningKey> {
  const { N, r, p, salt } = key.scrypt;
  const secret = await new Promise<Buffer>((resolve, reject) =>
    crypto.scrypt(password, salt, 32, { N, r, p, maxmem: 256 * N * r }, (error, derived) =>
      error ? reject(error) : resolve(derived),
    ),
  );
  let der: Uint8Array;
  try {
    der = secretbox(secret, key.nonce).open(key.ciphertext);
  } catch {
    throw new KeyProblem(
      Input.SigningKeyPassword,
      'does not open `signing_key`: the password is wrong for this key.',
    );
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyProblem(Input.SigningKey, 'opens to something that is not a PKCS#8 private key.');
  }
  const details = privateKey.asymmetricKeyDetails;
  if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1')
    throw new KeyProblem(
      Input.SigningKey,
      `is ${describeKey(privateKey)}: only ECDSA P-256 keys sign here (what \`cosign generate-key-pair\` and \`skopeo generate-sigstore-key\` make). Make a P-256 key pair.`,
    );
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    sign: (payload) => crypto.sign('sha256', payload, { key: privateKey, dsaEncoding: 'der' }),
    verify: (payload, signature) =>
      crypto.verify('sha256', payload, { key: publicKey, dsaEncoding: 'der' }, signature),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function describeKey(key: crypto.KeyObject): string {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'an RSA key';
    case 'ed25519':
      return 'an Ed25519 key';
    case 'ec':
      return `an ECDSA key on ${key.asymmetricKeyDetails?.namedCurve ?? 'another curve'}`;
    default:
      return `a ${key.asymmetricKeyType ?? 'kind of'} key`;
  }
}
