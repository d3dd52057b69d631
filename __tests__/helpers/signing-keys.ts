import { secretbox } from '@noble/ciphers/salsa.js';
import * as crypto from 'node:crypto';

/**
 * A private key encrypted as cosign and skopeo write it (scrypt, then NaCl secretbox over the
 * PKCS#8 DER, in base64 JSON inside a PEM), made here for unit tests; the e2e suite uses keys
 * that trixie's skopeo makes. N is 2^15, the cheapest the tools write.
 */
export function encryptedPem(
  key: crypto.KeyObject,
  password: string,
  options: { kind?: 'SIGSTORE' | 'COSIGN'; N?: number; r?: number; kdf?: string } = {},
): string {
  const N = options.N ?? 1 << 15;
  const r = options.r ?? 8;
  const salt = crypto.randomBytes(32);
  const nonce = crypto.randomBytes(24);
  const secret = crypto.scryptSync(password, salt, 32, { N, r, p: 1, maxmem: 256 * N * r });
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const ciphertext = Buffer.from(secretbox(secret, nonce).seal(der));
  const json = {
    kdf: { name: options.kdf ?? 'scrypt', params: { N, r, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  };
  const body = Buffer.from(JSON.stringify(json)).toString('base64').replace(/.{64}/g, '$&\n');
  const kind = options.kind ?? 'SIGSTORE';
  return `-----BEGIN ENCRYPTED ${kind} PRIVATE KEY-----\n${body}\n-----END ENCRYPTED ${kind} PRIVATE KEY-----\n`;
}

export const p256 = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
