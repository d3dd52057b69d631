// The key's one owner: read once, masked in every form a log could show, scrubbed everywhere.
import { describe, expect, test } from '@jest/globals';
import { readRawInputs } from '../../../src/inputs/read.js';
import { Input } from '../../../src/names.js';
import { keyForms, readSecrets } from '../../../src/inputs/secrets.js';
import { scrub } from '../../../src/secrets.js';

const KEY = `zak_${'k'.repeat(32)}`;
const BASIC = Buffer.from(`ci:${KEY}`).toString('base64');

test('the key and its Basic encoding are masked before anything else is read', () => {
  const masked: string[] = [];
  const values: Partial<Record<Input, string>> = { [Input.ApiKey]: KEY, [Input.Username]: 'ci' };
  const secrets = readSecrets(
    readRawInputs((name) => values[name] ?? ''),
    (secret) => masked.push(secret),
  );
  expect(masked.slice(0, 2)).toEqual([KEY, BASIC]);
  expect(secrets.list).toEqual(masked);
  expect(secrets.list).toEqual(keyForms('ci', KEY));
  expect(secrets.scrub(`key ${KEY}, header Basic ${BASIC}.`)).toBe('key ***, header Basic ***.');
});

describe('keyForms: every form a leak of the key would take', () => {
  const forms = keyForms('ci', KEY);

  test.each([0, 1, 2, 3, 4, 5, 6, 7])(
    'base64 and base64url of a text holding the key after %i bytes hold one of the forms',
    (offset) => {
      for (const after of ['', '\n', 'xy'])
        for (const encoding of ['base64', 'base64url'] as const) {
          const encoded = Buffer.from(`${'T'.repeat(offset)}${KEY}${after}`).toString(encoding);
          expect(forms.some((form) => encoded.includes(form))).toBe(true);
        }
    },
  );

  test('the Basic encoding, URL-encoded and JSON-escaped forms are there; nothing short', () => {
    const basic = Buffer.from(`ci:${KEY}`).toString('base64');
    expect(forms).toEqual(expect.arrayContaining([KEY, basic, encodeURIComponent(basic)]));
    const odd = 'zak_a"b/c+d\\efghijkl';
    expect(keyForms('ci', odd)).toEqual(
      expect.arrayContaining([encodeURIComponent(odd), 'zak_a\\"b/c+d\\\\efghijkl']),
    );
    expect(forms.every((form) => form.length >= 16)).toBe(true);
    expect(keyForms('ci', 'zak_1')).toEqual(['zak_1', Buffer.from('ci:zak_1').toString('base64')]);
  });

  test('with another username the Basic form follows it', () => {
    expect(keyForms('other', KEY)).toContain(Buffer.from(`other:${KEY}`).toString('base64'));
    expect(keyForms('other', KEY)).not.toContain(BASIC);
  });
});

test('without a key nothing is masked and text passes unchanged', () => {
  const masked: string[] = [];
  const secrets = readSecrets(
    readRawInputs(() => ''),
    (secret) => masked.push(secret),
  );
  expect(masked).toEqual([]);
  expect(secrets.scrub('zak_ nothing to hide')).toBe('zak_ nothing to hide');
});

test('scrub hides every occurrence and ignores an empty secret', () => {
  expect(scrub('a zak_s b zak_s', ['zak_s', ''])).toBe('a *** b ***');
  expect(scrub('abc', [])).toBe('abc');
});

test("each build secret's value is masked and scrubbed too, its id is not, a line without a value masks nothing", () => {
  const masked: string[] = [];
  const values: Partial<Record<Input, string>> = {
    [Input.Secrets]: 'token=s3cret\r\n\n npmrc = a=b \nempty=\nnot-a-pair',
  };
  const secrets = readSecrets(
    readRawInputs((name) => values[name] ?? ''),
    (secret) => masked.push(secret),
  );
  expect(masked).toEqual(['s3cret', ' a=b']);
  expect(secrets.scrub('token s3cret, npmrc a=b, a=c')).toBe('token ***, npmrc***, a=c');
});
