// The signing key (opened as cosign and skopeo encrypt it) and the simple-signing form.
import { describe, expect, test } from '@jest/globals';
import * as crypto from 'node:crypto';
import { Input } from '../../../src/names.js';
import { KeyProblem, openSigningKey, parseEncryptedKey } from '../../../src/signing/key.js';
import {
  SIGNATURE_ANNOTATION,
  SIGNATURE_MEDIA_TYPE,
  configFor,
  layerFor,
  manifestFor,
  payloadFor,
  readPayload,
  signatureTag,
} from '../../../src/signing/signature.js';
import { digestOf } from '../../../src/image/digest.js';
import { encryptedPem, p256 } from '../../helpers/signing-keys.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

const problemOf = async (run: () => unknown): Promise<KeyProblem> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof KeyProblem) return error;
    throw error;
  }
  throw new Error('no problem');
};

describe('the signing key', () => {
  test.each(['SIGSTORE', 'COSIGN'] as const)(
    'an encrypted %s key opens with its password, signs ECDSA P-256 over SHA-256 (DER), and gives its public key',
    async (kind) => {
      const privateKey = p256();
      const key = await openSigningKey(
        parseEncryptedKey(encryptedPem(privateKey, 'pass word', { kind })),
        'pass word',
      );
      const payload = Buffer.from('{"critical":{}}');
      const signature = key.sign(payload);
      expect(signature[0]).toBe(0x30); // a DER SEQUENCE
      const publicKey = crypto.createPublicKey(key.publicKeyPem);
      expect(crypto.verify('sha256', payload, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(publicKey.equals(crypto.createPublicKey(privateKey))).toBe(true);
      expect(key.verify(payload, signature)).toBe(true);
      expect(key.verify(Buffer.from('other'), signature)).toBe(false);
      expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    },
  );

  test('an empty password is legal (cosign allows it)', async () => {
    const key = await openSigningKey(parseEncryptedKey(encryptedPem(p256(), '')), '');
    expect(key.verify(Buffer.from('x'), key.sign(Buffer.from('x')))).toBe(true);
  });

  test('a wrong password is named as such, on the password input', async () => {
    const parsed = parseEncryptedKey(encryptedPem(p256(), 'right'));
    const problem = await problemOf(() => openSigningKey(parsed, 'wrong'));
    expect(problem.input).toBe(Input.SigningKeyPassword);
    expect(problem.message).toBe('does not open `signing_key`: the password is wrong for this key.');
  });

  test.each([
    ['RSA', crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, 'is an RSA key'],
    ['Ed25519', crypto.generateKeyPairSync('ed25519').privateKey, 'is an Ed25519 key'],
    [
      'P-384',
      crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey,
      'is an ECDSA key on secp384r1',
    ],
  ])('an %s key is refused, saying only P-256 signs', async (_, privateKey, what) => {
    const problem = await problemOf(() =>
      openSigningKey(parseEncryptedKey(encryptedPem(privateKey, 'p')), 'p'),
    );
    expect(problem.input).toBe(Input.SigningKey);
    expect(problem.message).toBe(
      `${what}: only ECDSA P-256 keys sign here (what \`cosign generate-key-pair\` and \`skopeo generate-sigstore-key\` make). Make a P-256 key pair.`,
    );
  });

  test.each([
    [
      'a plain PEM key',
      crypto
        .generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
      'is not an encrypted sigstore or cosign private key',
    ],
    [
      'a public key',
      '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n',
      'is not an encrypted sigstore or cosign private key',
    ],
    [
      'not JSON inside',
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nbm90IGpzb24=\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n',
      'has a PEM body that is not the JSON',
    ],
    [
      'another kdf',
      encryptedPem(p256(), 'p', { kdf: 'pbkdf2' }),
      'is encrypted in a way this action does not open',
    ],
    [
      'an N the tools never write',
      encryptedPem(p256(), 'p', { N: 1 << 14 }),
      'has scrypt parameters the key tools do not write (N=16384, r=8, p=1;',
    ],
  ])('%s is refused before anything runs, without quoting it', (_, pem, message) => {
    let problem: unknown;
    try {
      parseEncryptedKey(pem);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(KeyProblem);
    expect((problem as KeyProblem).input).toBe(Input.SigningKey);
    expect((problem as KeyProblem).message).toContain(message);
    expect((problem as KeyProblem).message).not.toContain(pem.split('\n')[1]);
  });
});

describe('the simple-signing form', () => {
  test('the payload: exactly critical (type, image digest, identity) and a null optional', () => {
    const payload = payloadFor('r.example/team/app:v1.0.0', DIGEST);
    expect(JSON.parse(payload.toString())).toEqual({
      critical: {
        identity: { 'docker-reference': 'r.example/team/app:v1.0.0' },
        image: { 'docker-manifest-digest': DIGEST },
        type: 'cosign container image signature',
      },
      optional: null,
    });
    expect(readPayload(payload)).toEqual({ reference: 'r.example/team/app:v1.0.0', digest: DIGEST });
    expect(readPayload(Buffer.from('{"critical":{"type":"other"}}'))).toBeUndefined();
    expect(readPayload(Buffer.from('not json'))).toBeUndefined();
  });

  test('the tag, the layer with its base64 signature, the configuration and the OCI manifest', () => {
    expect(signatureTag(DIGEST)).toBe(`sha256-${'d'.repeat(64)}.sig`);
    const payload = payloadFor('r.example/team/app:v1.0.0', DIGEST);
    const layer = layerFor(payload, Buffer.from([1, 2, 3]));
    expect(layer).toEqual({
      mediaType: SIGNATURE_MEDIA_TYPE,
      digest: digestOf(payload),
      size: payload.length,
      annotations: { [SIGNATURE_ANNOTATION]: 'AQID' },
    });
    const config = configFor([layer]);
    expect(JSON.parse(config.toString())).toEqual({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    });
    expect(JSON.parse(manifestFor(config, [layer]).toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digestOf(config),
        size: config.length,
      },
      layers: [layer],
    });
  });
});
