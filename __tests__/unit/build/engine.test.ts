import { describe, expect, test } from '@jest/globals';
import {
  canExportOci,
  compareApiVersions,
  parseContext,
  parseDriver,
  skopeoDaemonAccess,
  usesContainerdStore,
} from '../../../src/build/engine.js';

describe('what the docker CLI says', () => {
  test('the builder driver, from `docker buildx inspect`', () => {
    expect(parseDriver('Name:          default\nDriver:        docker\n\nNodes:\n')).toBe('docker');
    expect(parseDriver('Name:   ci\nDriver: docker-container\nLast Activity: x\n')).toBe('docker-container');
    expect(() => parseDriver('ERROR: no builder')).toThrow(/which driver the buildx builder uses/);
    // What the CLI said is quoted, cut at 200 characters.
    expect(() => parseDriver('x'.repeat(500))).toThrow(`said ${JSON.stringify('x'.repeat(200))}.`);
  });

  test.each([
    ['[["driver-type","io.containerd.snapshotter.v1"]]', true],
    ['[["Backing Filesystem","extfs"],["Supports d_type","true"]]', false],
    ['null', false],
    ['[["driver-type","overlay2"]]', false],
    ['[["Backing Filesystem","io.containerd.snapshotter.v1"]]', false],
    ['not json', false],
  ])('the containerd image store from DriverStatus %s: %s', (status, expected) => {
    expect(usesContainerdStore(status)).toBe(expected);
  });

  test('the endpoint of the current context, and whether it needs TLS', () => {
    const plain =
      '{"Name":"default","Endpoints":{"docker":{"Host":"tcp://127.0.0.1:2375","SkipTLSVerify":false}},"TLSMaterial":{}}';
    expect(parseContext(plain, {})).toEqual({ host: 'tcp://127.0.0.1:2375', tls: false });
    expect(parseContext(plain, { DOCKER_TLS_VERIFY: '1' })).toEqual({
      host: 'tcp://127.0.0.1:2375',
      tls: true,
    });
    const withCerts =
      '{"Name":"dind","Endpoints":{"docker":{"Host":"tcp://docker:2376"}},"TLSMaterial":{"docker":["ca.pem","cert.pem","key.pem"]}}';
    expect(parseContext(withCerts, {})).toEqual({ host: 'tcp://docker:2376', tls: true });
    expect(() => parseContext('{"Name":"x","Endpoints":{}}', {})).toThrow(/names no engine endpoint/);
  });
});

describe('the hand-over', () => {
  test.each([
    [{ driver: 'docker', containerdStore: true }, true],
    [{ driver: 'docker', containerdStore: false }, false],
    [{ driver: 'docker-container', containerdStore: false }, true],
    [{ driver: 'remote', containerdStore: false }, true],
    [{ driver: 'kubernetes', containerdStore: false }, true],
  ])('%j writes an OCI layout itself: %s', (builder, expected) => {
    expect(canExportOci(builder)).toBe(expected);
  });

  test.each([
    // Docker 20.10 on the socket: skopeo's API 1.22 is accepted.
    [
      { host: 'unix:///var/run/docker.sock', tls: false, minApiVersion: '1.12' },
      { host: 'unix:///var/run/docker.sock' },
    ],
    [
      { host: 'unix:///run/user/1000/docker.sock', tls: false, minApiVersion: '1.22' },
      { host: 'unix:///run/user/1000/docker.sock' },
    ],
    // skopeo wants plain tcp spelt as http://.
    [{ host: 'tcp://127.0.0.1:2375', tls: false, minApiVersion: '1.12' }, { host: 'http://127.0.0.1:2375' }],
  ])('skopeo reads %j at %j', (endpoint, expected) => {
    expect(skopeoDaemonAccess(endpoint)).toEqual(expected);
  });

  test.each([
    [
      { host: 'tcp://127.0.0.1:2375', tls: false, minApiVersion: '1.24' },
      /refuses Docker API versions below 1.24.*speaks 1.22/,
    ],
    [{ host: 'unix:///var/run/docker.sock', tls: false, minApiVersion: '1.44' }, /below 1.44/],
    [{ host: 'tcp://docker:2376', tls: true, minApiVersion: '1.12' }, /needs TLS/],
    [
      { host: 'ssh://me@host', tls: false, minApiVersion: '1.12' },
      /cannot reach an engine at ssh:\/\/me@host/,
    ],
    [{ host: 'unix:///var/run/docker.sock', tls: false, minApiVersion: '' }, /refuses Docker API versions/],
  ])('skopeo cannot read %j', (endpoint, why) => {
    const access = skopeoDaemonAccess(endpoint);
    expect(access).toEqual({ why: expect.stringMatching(why) });
  });

  test.each([
    ['1.24', '1.22', 1],
    ['1.22', '1.22', 0],
    ['1.12', '1.22', -1],
    ['1.9', '1.22', -1],
    ['2.0', '1.44', 1],
    ['', '1.22', 1],
    ['1.22', 'x', -1],
    ['1.5', '2.0', -1],
    ['10.0', '9.9', 1],
    ['x1.24', '1.22', 1],
    ['1.24x', '1.22', 1],
  ])('API %s against %s: %d', (a, b, expected) => {
    expect(compareApiVersions(a, b)).toBe(expected);
  });
});
