// The test bed as the demo, the benchmark and the e2e suite see it: its coordinates (written by
// start.sh) and a fixture that gives a repository a long history of tags.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** @param {string} file @returns {Record<string, string>} */
function readEnvFile(file) {
  /** @type {Record<string, string>} */
  const values = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

/**
 * @returns {{ dir: string, registry: string, createOnlyRegistry: string, accessLog: string, username: string,
 *   apiKey: string, apiKeys: { label: string, expirationDate: string, isExpired: boolean }[],
 *   engines: string[], tlsEngine: string, tlsCerts: string, skopeoVerifier: string,
 *   cosign: string, cosignV3: string, act: string, crane: string, regctl: string }}
 */
export function readTestbed(dir = process.env.TESTBED_DIR ?? '/tmp/build-push-image-testbed') {
  const envFile = path.join(dir, 'env');
  if (!fs.existsSync(envFile))
    throw new Error(
      `No test bed at ${dir}: run scripts/testbed/install.sh and scripts/testbed/start.sh first.`,
    );
  const env = readEnvFile(envFile);
  const credentials = readEnvFile(env.TESTBED_CREDENTIALS);
  return {
    dir,
    registry: env.TESTBED_REGISTRY,
    createOnlyRegistry: env.TESTBED_CREATE_ONLY_REGISTRY,
    accessLog: env.TESTBED_ACCESS_LOG,
    username: credentials.TESTBED_USERNAME,
    apiKey: credentials.TESTBED_API_KEY,
    apiKeys: JSON.parse(fs.readFileSync(env.TESTBED_API_KEYS, 'utf8')).apiKeys,
    engines: (env.TESTBED_ENGINES ?? '').split(' ').filter(Boolean),
    tlsEngine: env.TESTBED_TLS_ENGINE,
    tlsCerts: env.TESTBED_TLS_CERTS,
    // trixie's skopeo 1.18 (sigstore) and cosign 2.5, wrappers on trixie's libc (install.sh).
    skopeoVerifier: env.TESTBED_SKOPEO_VERIFIER,
    cosign: env.TESTBED_COSIGN,
    // Built from the Go module proxy at pinned versions (go-tools.sh).
    cosignV3: env.TESTBED_COSIGN_V3,
    act: env.TESTBED_ACT,
    crane: env.TESTBED_CRANE,
    regctl: env.TESTBED_REGCTL,
  };
}

/**
 * Adds `count` tags (old-0, old-1, …) of one small unlabelled image, straight over HTTP.
 * @param {{ registry: string, username: string, apiKey: string }} bed
 * @param {string} name
 * @param {number} count
 */
export async function addManyTags(bed, name, count) {
  const authorization = `Basic ${Buffer.from(`${bed.username}:${bed.apiKey}`).toString('base64')}`;
  const base = `http://${bed.registry}/v2/${name}`;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: {},
    }),
  );
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers: { authorization } });
  const location = new URL(start.headers.get('location') ?? '', `http://${bed.registry}`);
  location.searchParams.set('digest', digest);
  await fetch(location, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/octet-stream' },
    body: config,
  });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length },
    layers: [],
  });
  for (let i = 0; i < count; i += 50)
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, (_, j) =>
        fetch(`${base}/manifests/old-${i + j}`, {
          method: 'PUT',
          headers: { authorization, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          body: manifest,
        }).then((answer) => {
          if (answer.status !== 201) throw new Error(`PUT old-${i + j}: ${answer.status}`);
        }),
      ),
    );
}

/**
 * The compressed size of an image in the registry (its config and layers), as skopeo reads it.
 * @param {string} reference
 * @returns {number}
 */
export function compressedSize(reference) {
  const manifest = JSON.parse(
    execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]).toString(),
  );
  return (
    manifest.config.size +
    manifest.layers.reduce(
      (/** @type {number} */ sum, /** @type {{size: number}} */ layer) => sum + layer.size,
      0,
    )
  );
}
