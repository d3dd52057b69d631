// What a registry's answer, or the failure to get one, means: the pure classification the
// transport acts on, row by row.
import { describe, expect, test } from '@jest/globals';
import {
  classifyStatus,
  describeNetworkError,
  describeSize,
  describeTlsFailure,
  errorCode,
  isTlsOrProtocolError,
  parseChallenge,
  registryMessage,
} from '../../../src/registry/classify.js';

const coded = (code: string, message = 'failed', cause?: unknown) =>
  Object.assign(new Error(message, { cause }), { code });

describe('classifyStatus', () => {
  test.each<[number, number[], string]>([
    [200, [200, 404], 'expected'],
    [404, [200, 404], 'expected'],
    [404, [200], 'fatal'],
    [401, [200], 'fatal'],
    [403, [200], 'fatal'],
    [400, [200], 'fatal'],
    [499, [200], 'fatal'],
    [429, [200], 'transient'],
    [500, [200], 'transient'],
    [503, [200], 'transient'],
    [599, [200], 'transient'],
    [503, [200, 503], 'expected'],
  ])('%i when %j is expected: %s', (status, expected, kind) => {
    expect(classifyStatus(status, expected)).toBe(kind);
  });
});

describe('registryMessage', () => {
  test.each<[string, string]>([
    ['{"errors":[{"code":"DENIED","message":"not allowed"}]}', ': DENIED not allowed'],
    ['{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', ': MANIFEST_UNKNOWN'],
    ['{"errors":[{"message":"only words"}]}', ': only words'],
    ['{"errors":[{"code":"A","message":"first"},{"code":"B"}]}', ': A first'],
    // zot's refusal by a CEL condition: the operator's reason, quoted (a line break stays escaped).
    [
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied","detail":{"reason":"stable tags are immutable"}}]}',
      ': DENIED requested access to the resource is denied; the registry\'s policy says "stable tags are immutable"',
    ],
    [
      '{"errors":[{"code":"DENIED","detail":{"reason":"no\\n::error::x"}}]}',
      ': DENIED; the registry\'s policy says "no\\n::error::x"',
    ],
    ['{"errors":[{"code":"DENIED","detail":{"reason":7}}]}', ': DENIED'],
    ['{"errors":[{"code":"DENIED","detail":null}]}', ': DENIED'],
    ['{"errors":[]}', ''],
    ['{}', ''],
    ['<html>bad gateway</html>', ''],
    ['', ''],
  ])('%s reads %j', (body, message) => {
    expect(registryMessage(Buffer.from(body))).toBe(message);
  });

  test('a long message is cut at 300 characters', () => {
    const body = JSON.stringify({ errors: [{ code: 'X', message: 'm'.repeat(1000) }] });
    expect(registryMessage(Buffer.from(body))).toHaveLength(300);
  });
});

describe('parseChallenge', () => {
  test.each<[string | undefined, ReturnType<typeof parseChallenge>]>([
    [
      'Bearer realm="https://a/token",service="reg",scope="x:y:pull"',
      { scheme: 'bearer', params: { realm: 'https://a/token', service: 'reg', scope: 'x:y:pull' } },
    ],
    ['basic realm="zot"', { scheme: 'basic', params: { realm: 'zot' } }],
    ['Basic Realm=zot', { scheme: 'basic', params: { realm: 'zot' } }],
    ['  Bearer realm = "r" , service=s', { scheme: 'bearer', params: { realm: 'r', service: 's' } }],
    ['Negotiate', { scheme: 'negotiate', params: {} }],
    ['', undefined],
    [undefined, undefined],
    ['"quoted"', undefined],
  ])('%j', (header, challenge) => {
    expect(parseChallenge(header)).toEqual(challenge);
  });
});

describe('errorCode', () => {
  test.each<[string, unknown, string | undefined]>([
    ['its own code', coded('ECONNREFUSED'), 'ECONNREFUSED'],
    [
      "undici's code gives way to the cause's",
      coded('UND_ERR_SOCKET', 'x', coded('ECONNRESET')),
      'ECONNRESET',
    ],
    [
      'two levels down',
      coded('UND_ERR_A', 'x', coded('UND_ERR_B', 'y', coded('CERT_HAS_EXPIRED'))),
      'CERT_HAS_EXPIRED',
    ],
    [
      'a cause without a code: undici’s own',
      coded('UND_ERR_HEADERS_TIMEOUT', 'x', new Error('y')),
      'UND_ERR_HEADERS_TIMEOUT',
    ],
    [
      'no deeper than five levels',
      coded(
        'UND_ERR_1',
        '',
        coded(
          'UND_ERR_2',
          '',
          coded('UND_ERR_3', '', coded('UND_ERR_4', '', coded('UND_ERR_5', '', coded('EPROTO')))),
        ),
      ),
      'UND_ERR_1',
    ],
    ['no code anywhere', new Error('plain'), undefined],
    ['a number is no code', Object.assign(new Error('x'), { code: 7 }), undefined],
    ['not an error', 'a string', undefined],
    ['nothing', undefined, undefined],
  ])('%s', (_, error, code) => {
    expect(errorCode(error)).toBe(code);
  });
});

describe('isTlsOrProtocolError', () => {
  test.each([
    'EPROTO',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_ANYTHING',
    'ERR_TLS_ANYTHING',
  ])('the code %s is a TLS failure, found through the cause too', (code) => {
    expect(isTlsOrProtocolError(coded(code))).toBe(true);
    expect(isTlsOrProtocolError(coded('UND_ERR_SOCKET', 'other side closed', coded(code)))).toBe(true);
  });

  test.each(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ENOTFOUND', 'X_ERR_SSL', 'X_ERR_TLS'])(
    '%s is not',
    (code) => {
      expect(isTlsOrProtocolError(coded(code, 'socket hang up'))).toBe(false);
    },
  );

  test.each([
    'write EPROTO 0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    'self-signed Certificate in chain',
    'SSL routines failed',
  ])('a message saying %j is, without a code', (message) => {
    expect(isTlsOrProtocolError(new Error(message))).toBe(true);
  });
});

describe('descriptions', () => {
  test.each([
    ['UND_ERR_HEADERS_TIMEOUT', 'no answer within 30s (UND_ERR_HEADERS_TIMEOUT)'],
    ['UND_ERR_BODY_TIMEOUT', 'no answer within 30s (UND_ERR_BODY_TIMEOUT)'],
    ['UND_ERR_CONNECT_TIMEOUT', 'no answer within 30s (UND_ERR_CONNECT_TIMEOUT)'],
    ['ECONNREFUSED', 'ECONNREFUSED (failed)'],
  ])('a network failure %s reads %j', (code, description) => {
    expect(describeNetworkError(coded(code), 30_000)).toBe(description);
  });

  test('a failure without a code is its message', () => {
    expect(describeNetworkError(new Error('other side closed'), 30_000)).toBe('other side closed');
  });

  test('a TLS failure names the host, the code (else the message) and both ways out', () => {
    expect(describeTlsFailure('r.example', coded('UND_ERR_SOCKET', 'x', coded('CERT_HAS_EXPIRED')))).toBe(
      'TLS with the registry r.example failed (CERT_HAS_EXPIRED): its certificate is not trusted or it does not speak https. ' +
        'Fix the certificate, or set `insecure_registry: true` for a test registry you trust.',
    );
    expect(describeTlsFailure('r', new Error('bad certificate'))).toContain('(bad certificate)');
  });

  test.each([
    [4 * 1024 * 1024, '4 MiB'],
    [1024 * 1024, '1 MiB'],
    [64 * 1024, '64 KiB'],
    [1024 * 1024 - 1024, '1023 KiB'],
  ])('%i bytes are %s', (bytes, text) => {
    expect(describeSize(bytes)).toBe(text);
  });
});
