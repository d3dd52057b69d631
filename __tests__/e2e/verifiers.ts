// The independent verifiers of the e2e suite, run as their users run them: trixie's skopeo 1.18
// (sigstore enabled) under a `sigstoreSigned` policy, trixie's cosign 2.5, and cosign v3 (built
// by the test bed), which looks for a sigstore bundle referrer first (the referrers API, then
// the referrers tag) and falls back to the `.sig` tag unless told not to. The keys are made by
// that skopeo (`generate-sigstore-key`) for this run, never kept.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { testbed } from './harness.js';

const execFileAsync = promisify(execFile);
const bed = testbed();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-signing-'));
const cosignHome = path.join(work, 'home');
fs.mkdirSync(cosignHome);

export interface KeyPair {
  privateKey: string;
  publicKey: string;
  password: string;
}

/** A key pair as `skopeo generate-sigstore-key` makes it, with a passphrase from a file. */
export async function generateKeyPair(name: string): Promise<KeyPair> {
  const password = `passphrase of ${name}`;
  const passFile = path.join(work, `${name}.pass`);
  fs.writeFileSync(passFile, password, { mode: 0o600 });
  const prefix = path.join(work, name);
  await execFileAsync(bed.skopeoVerifier, [
    'generate-sigstore-key',
    '--output-prefix',
    prefix,
    '--passphrase-file',
    passFile,
  ]);
  return { privateKey: fs.readFileSync(`${prefix}.private`, 'utf8'), publicKey: `${prefix}.pub`, password };
}

/** The verifier's configuration: read sigstore attachments from the test registry. */
const registriesD = path.join(work, 'registries.d');
fs.mkdirSync(registriesD);
fs.writeFileSync(
  path.join(registriesD, 'testbed.yaml'),
  `docker:\n  ${bed.registry}:\n    use-sigstore-attachments: true\n`,
);

/** trixie's skopeo copies `reference` only if a signature by `publicKey` binds it (matchRepoDigestOrExact). */
export async function skopeoAccepts(
  reference: string,
  publicKey: string,
): Promise<{ ok: boolean; stderr: string }> {
  const policy = path.join(work, `policy-${Math.random().toString(16).slice(2)}.json`);
  const repository = reference.replace(/[:@][^/]*$/, '');
  fs.writeFileSync(
    policy,
    JSON.stringify({
      default: [{ type: 'reject' }],
      transports: {
        docker: { [repository]: [{ type: 'sigstoreSigned', keyPath: publicKey }] },
        dir: { '': [{ type: 'insecureAcceptAnything' }] },
      },
    }),
  );
  const target = fs.mkdtempSync(path.join(work, 'copy-'));
  try {
    await execFileAsync(bed.skopeoVerifier, [
      '--policy',
      policy,
      '--registries.d',
      registriesD,
      'copy',
      '--src-tls-verify=false',
      `docker://${reference}`,
      `dir:${target}`,
    ]);
    return { ok: true, stderr: '' };
  } catch (error) {
    return { ok: false, stderr: String((error as { stderr?: string }).stderr) };
  }
}

/** Both cosigns: trixie's 2.5 and v3, each as a user runs it for a key-signed image. */
export const COSIGNS = [
  ['cosign 2.5', bed.cosign],
  ['cosign v3', bed.cosignV3],
] as const;

/**
 * `cosign` verifies a signature by `publicKey` on `reference` (its caches in a home of its own);
 * `legacy`: cosign v3 told to read the `.sig` tag alone (`--new-bundle-format=false`).
 */
export async function cosignAccepts(
  cosign: string,
  reference: string,
  publicKey: string,
  { legacy = false }: { legacy?: boolean } = {},
): Promise<boolean> {
  try {
    await execFileAsync(
      cosign,
      [
        'verify',
        '--key',
        publicKey,
        '--insecure-ignore-tlog=true',
        '--allow-http-registry',
        ...(legacy ? ['--new-bundle-format=false'] : []),
        reference,
      ],
      { env: { ...process.env, HOME: cosignHome } },
    );
    return true;
  } catch {
    return false;
  }
}
