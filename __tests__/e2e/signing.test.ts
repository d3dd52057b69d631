// Signed at publication, checked by independent verifiers (verifiers.ts): skopeo 1.18 under a
// `sigstoreSigned` policy for pulls by both tags, cosign 2.5 and cosign v3.
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startFaultRegistry } from './fault-registry.js';
import { COSIGNS, cosignAccepts, generateKeyPair, skopeoAccepts, type KeyPair } from './verifiers.js';
import {
  accessLogMark,
  builds,
  errors,
  inspect,
  manifestWrites,
  pushInputs,
  pushTagDirectly,
  randomSha,
  runAction,
  testbed,
  uniqueName,
} from './harness.js';

jest.setTimeout(240_000);
const bed = testbed();
let key: KeyPair;
let other: KeyPair;
beforeAll(async () => {
  [key, other] = await Promise.all([generateKeyPair('ci'), generateKeyPair('other')]);
});

const signed = (name: string, overrides: Record<string, string> = {}) =>
  pushInputs(bed, name, { signing_key: key.privateKey, signing_key_password: key.password, ...overrides });

describe('signed at publication', () => {
  test('a signed push verifies with skopeo for pulls by both tags and with cosign; another key and an unsigned image are refused; a re-run writes nothing', async () => {
    const name = uniqueName('signed');
    const sha = randomSha();
    const context = signed(name).context;
    const run = await runAction({ inputs: signed(name, { context }), sha });
    expect(errors(run)).toEqual([]);
    expect(run.outputs.result).toBe('pushed');
    const digest = run.outputs.digest;
    expect(run.outputs.signature).toBe(`${bed.registry}/${name}:${digest.replace(':', '-')}.sig`);
    expect(run.stdout).toMatch(/\n {2}signed +\S+\.sig\n/);
    expect(run.summary).toContain(`| Signature | \`${run.outputs.signature}\` |`);
    for (const tag of ['v1.0.0', sha]) {
      const accepted = await skopeoAccepts(`${bed.registry}/${name}:${tag}`, key.publicKey);
      expect(accepted).toEqual({ ok: true, stderr: '' });
      expect((await skopeoAccepts(`${bed.registry}/${name}:${tag}`, other.publicKey)).ok).toBe(false);
    }
    for (const [, cosign] of COSIGNS) {
      expect(await cosignAccepts(cosign, `${bed.registry}/${name}:v1.0.0`, key.publicKey)).toBe(true);
      expect(await cosignAccepts(cosign, `${bed.registry}/${name}:v1.0.0`, other.publicKey)).toBe(false);
    }
    // Nothing of the key in the log but the masks the runner is given.
    const body = key.privateKey.split('\n')[1];
    expect(
      run.stdout.split('\n').filter((line) => line.includes(body) && !line.startsWith('::add-mask::')),
    ).toEqual([]);
    expect(
      run.stdout
        .split('\n')
        .filter((line) => line.includes(key.password) && !line.startsWith('::add-mask::')),
    ).toEqual([]);
    expect(JSON.stringify(run.outputs) + run.summary + JSON.stringify(run.state)).not.toContain(body);

    const log = await accessLogMark(bed);
    const rerun = await runAction({ inputs: signed(name, { context }), sha });
    expect(rerun.outputs.result).toBe('already-published');
    expect(rerun.outputs.signature).toBe(run.outputs.signature);
    expect(builds(rerun)).toEqual([]);
    expect(
      (await log()).filter((line) => line.includes(`/v2/${name}/`) && /^(PUT|POST|PATCH|DELETE) /.test(line)),
    ).toEqual([]);
  });

  test('an image pushed without a key is refused by the signed policy', async () => {
    const name = uniqueName('unsigned');
    const run = await runAction({ inputs: pushInputs(bed, name), sha: randomSha() });
    expect(run.outputs.result).toBe('pushed');
    expect(run.outputs.signature).toBeUndefined();
    const refused = await skopeoAccepts(`${bed.registry}/${name}:v1.0.0`, key.publicKey);
    expect(refused.ok).toBe(false);
    expect(refused.stderr).toMatch(/signature/i);
    for (const [, cosign] of COSIGNS)
      expect(await cosignAccepts(cosign, `${bed.registry}/${name}:v1.0.0`, key.publicKey)).toBe(false);
  });

  test('an image planted under the commit tag with the revision label, by an identity without the key: refused before the build, never signed', async () => {
    const name = uniqueName('signed');
    const sha = randomSha();
    const digest = await pushTagDirectly(bed, bed.registry, `${name}:${sha}`, sha);
    const log = await accessLogMark(bed);
    const run = await runAction({ inputs: signed(name), sha });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      `::error::${bed.registry}/${name}:${sha} holds ${digest}, labelled as built from this commit but not signed by this key. ` +
        'With `signing_key` the action signs an image before any tag names it, so no run with this key pushed this one (or its signature was removed), and it is not signed now. ' +
        'Find out what pushed it; delete the tag if it is wrong (where CI may only create, an admin can), then run again.',
    ]);
    expect(builds(run)).toEqual([]);
    expect(manifestWrites(await log(), name)).toEqual([]);
    expect((await skopeoAccepts(`${bed.registry}/${name}:${sha}`, key.publicKey)).ok).toBe(false);
  });

  test('a run killed after its push: the image was signed before the commit tag named it, so the re-run writes only the version tag', async () => {
    const name = uniqueName('signed');
    const sha = randomSha();
    const context = signed(name).context;
    // A front that stops the first run where it would write the version tag; the re-run goes
    // through the same address (the signed identities name it), refusing nothing.
    let killing = true;
    const front = await startFaultRegistry(bed.registry, ({ method, path: p }) =>
      killing && method === 'PUT' && p.endsWith('/manifests/v1.0.0')
        ? { status: 400, body: '{"errors":[]}' }
        : 'pass',
    );
    try {
      const died = await runAction({ inputs: signed(name, { context, registry: front.address }), sha });
      expect(died.exitCode).toBe(1);
      killing = false;
      const before = front.requests.length;
      const run = await runAction({ inputs: signed(name, { context, registry: front.address }), sha });
      expect(errors(run)).toEqual([]);
      expect(run.outputs.result).toBe('completed');
      expect(builds(run)).toEqual([]);
      const writes = front.requests.slice(before).filter((line) => /^(PUT|POST|PATCH) /.test(line));
      expect(writes).toEqual([`PUT /v2/${name}/manifests/v1.0.0 201`]);
    } finally {
      await front.close();
    }
  });

  test("a signature refused by zot's policy condition (CEL): the error quotes the operator's reason, no version tag", async () => {
    const name = uniqueName('signed');
    const sha = randomSha();
    // zot's answer when a CEL condition refuses a write (pkg/common/http_server.go); the
    // reason holds a line that would be a workflow command if it were printed as it is.
    const refusal = JSON.stringify({
      errors: [
        {
          code: 'DENIED',
          message: 'requested access to the resource is denied',
          detail: { reason: 'signatures need a review\n::error::forged' },
        },
      ],
    });
    const front = await startFaultRegistry(bed.registry, ({ method, path: p }) =>
      method === 'PUT' && p.endsWith('.sig')
        ? { status: 403, headers: { 'www-authenticate': 'Basic realm="zot"' }, body: refusal }
        : 'pass',
    );
    try {
      const run = await runAction({ inputs: signed(name, { registry: front.address }), sha });
      expect(run.exitCode).toBe(1);
      expect(errors(run)).toEqual([
        expect.stringContaining(
          `(403 DENIED: DENIED requested access to the resource is denied; the registry's policy says "signatures need a review\\n::error::forged")`,
        ),
      ]);
      expect(run.stdout).not.toMatch(/^::error::forged/m);
      expect(
        front.requests.filter((line) => /^PUT .*\/manifests\/(v1\.0\.0|[0-9a-f]{40}) /.test(line)),
      ).toEqual([]);
    } finally {
      await front.close();
    }
  });

  test('a wrong password fails before the build, naming the input', async () => {
    const run = await runAction({
      inputs: signed(uniqueName('signed'), { signing_key_password: 'wrong' }),
      sha: randomSha(),
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)).toEqual([
      '::error::Invalid input: `signing_key_password` does not open `signing_key`: the password is wrong for this key.',
    ]);
    expect(builds(run)).toEqual([]);
  });
});

describe('signed, with each platform built by its own job', () => {
  test('the job that assembles the index signs it for both tags; skopeo and cosign verify it; the first job signs its part only and reports no signature', async () => {
    const name = uniqueName('signed-parts');
    const sha = randomSha();
    const shared = signed(name, { platforms: 'linux/amd64,linux/arm64', network: 'none' });
    const first = await runAction({ inputs: { ...shared, build_platforms: 'linux/amd64' }, sha });
    expect(errors(first)).toEqual([]);
    expect(first.outputs.result).toBe('part-pushed');
    expect(first.outputs.signature).toBeUndefined();
    // The arm64 "runner": the containerd-store engine of the bed, not over TLS.
    const second = await runAction({
      inputs: { ...shared, build_platforms: 'linux/arm64' },
      sha,
      env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' },
    });
    expect(errors(second)).toEqual([]);
    expect(second.outputs.result).toBe('pushed');
    expect(second.outputs.signature).toBe(
      `${bed.registry}/${name}:${second.outputs.digest.replace(':', '-')}.sig`,
    );
    for (const tag of ['v1.0.0', sha])
      expect(await skopeoAccepts(`${bed.registry}/${name}:${tag}`, key.publicKey)).toEqual({
        ok: true,
        stderr: '',
      });
    for (const [, cosign] of COSIGNS) {
      expect(await cosignAccepts(cosign, `${bed.registry}/${name}:v1.0.0`, key.publicKey)).toBe(true);
      expect(await cosignAccepts(cosign, `${bed.registry}/${name}:v1.0.0`, other.publicKey)).toBe(false);
    }
  });

  /** The arm64 "runner": the containerd-store engine of the bed, not over TLS. */
  const ARM64 = { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '' };
  const SIG_PUT = /^\/v2\/.+\/manifests\/sha256-[0-9a-f]{64}\.sig$/;

  test('a part planted under a part tag with the revision label, without the key: the other job refuses it before its build', async () => {
    const name = uniqueName('signed-parts');
    const sha = randomSha();
    const planted = await pushTagDirectly(bed, bed.registry, `${name}:${sha}-linux-arm64`, sha);
    const run = await runAction({
      inputs: {
        ...signed(name, { platforms: 'linux/amd64,linux/arm64', network: 'none' }),
        build_platforms: 'linux/amd64',
      },
      sha,
    });
    expect(run.exitCode).toBe(1);
    expect(errors(run)[0]).toContain(
      `${bed.registry}/${name}:${sha}-linux-arm64 (the linux/arm64 part) holds ${planted}, labelled as built from this commit but not signed by this key.`,
    );
    expect(builds(run)).toEqual([]);
  });

  test('on a create-only registry, a run that died between the platform signatures and the index signature converges when run again: the platform .sigs are not written again', async () => {
    const name = uniqueName('signed-parts');
    const sha = randomSha();
    // In front of the create-only door: while `dying`, every .sig after the first two (the
    // platform images') is refused, as if the job had been killed before its last signature.
    // The re-runs go through the same address, so the signed identities name the same host.
    let dying = true;
    const allowed = new Set<string>();
    const front = await startFaultRegistry(bed.createOnlyRegistry, ({ method, path: p }) => {
      if (!dying || method !== 'PUT' || !SIG_PUT.test(p)) return 'pass';
      if (allowed.size < 2 || allowed.has(p)) return allowed.add(p) && 'pass';
      return { status: 400, body: '{"errors":[{"code":"UNSUPPORTED","message":"the job was killed here"}]}' };
    });
    try {
      // The .sig alone: a bundle written beside it, at the same time, would be written or not
      // before the kill as the two requests race (signature-formats.test.ts covers the bundle).
      const shared = signed(name, {
        platforms: 'linux/amd64,linux/arm64',
        network: 'none',
        registry: front.address,
        signature_formats: 'sig',
      });
      const first = await runAction({ inputs: { ...shared, build_platforms: 'linux/amd64' }, sha });
      expect(first.outputs.result).toBe('part-pushed');
      const died = await runAction({
        inputs: { ...shared, build_platforms: 'linux/arm64' },
        sha,
        env: ARM64,
      });
      expect(died.exitCode).toBe(1);
      expect(allowed.size).toBe(2);

      dying = false;
      const before = front.requests.length;
      const again = await runAction({
        inputs: { ...shared, build_platforms: 'linux/arm64' },
        sha,
        env: ARM64,
      });
      expect(errors(again)).toEqual([]);
      // Signed before the commit tag names it: the index was never put there, so it is now.
      expect(again.outputs.result).toBe('pushed');
      expect(builds(again)).toEqual([]);
      const writes = front.requests.slice(before).filter((line) => /^PUT \S+\/manifests\//.test(line));
      const index = again.outputs.digest.replace(':', '-');
      expect(writes).toEqual([
        `PUT /v2/${name}/manifests/${index}.sig 201`,
        `PUT /v2/${name}/manifests/${sha} 201`,
        `PUT /v2/${name}/manifests/v1.0.0 201`,
      ]);
      expect(again.outputs.signature).toBe(`${front.address}/${name}:${index}.sig`);
    } finally {
      await front.close();
    }
  });

  test('on a create-only registry, two jobs that both find every part assemble and sign at once: both end green on one signed digest', async () => {
    const name = uniqueName('signed-parts');
    const sha = randomSha();
    const shared = signed(name, {
      platforms: 'linux/amd64,linux/arm64',
      network: 'none',
      registry: bed.createOnlyRegistry,
    });
    // Both parts out, no index yet: each job alone, with a platform list that keeps it from assembling.
    for (const [platform, env] of [
      ['linux/amd64', {}],
      ['linux/arm64', ARM64],
    ] as const) {
      const alone = await runAction({
        inputs: { ...shared, platforms: `${platform},linux/s390x`, build_platforms: platform },
        sha,
        env,
      });
      expect(alone.outputs.result).toBe('part-pushed');
    }
    const runs = await Promise.all([
      runAction({ inputs: { ...shared, build_platforms: 'linux/amd64' }, sha }),
      runAction({ inputs: { ...shared, build_platforms: 'linux/arm64' }, sha, env: ARM64 }),
    ]);
    const digest = (await inspect(`${bed.createOnlyRegistry}/${name}:v1.0.0`))?.Digest;
    for (const run of runs) {
      expect(errors(run)).toEqual([]);
      expect(builds(run)).toEqual([]);
      expect(run.outputs.digest).toBe(digest);
      expect(run.outputs.signature).toBe(
        `${bed.createOnlyRegistry}/${name}:${digest!.replace(':', '-')}.sig`,
      );
    }
  });
});
