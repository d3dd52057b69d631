// The key's one owner: read once, masked in every form a log could show, scrubbed everywhere.
import { expect, test } from '@jest/globals';
import { Input } from '../../src/names.js';
import { readSecrets, scrub } from '../../src/secrets.js';

const KEY = `zak_${'k'.repeat(32)}`;
const BASIC = Buffer.from(`ci:${KEY}`).toString('base64');

test('the key and its Basic encoding are masked before anything else is read', () => {
  const masked: string[] = [];
  const values: Partial<Record<Input, string>> = { [Input.ApiKey]: KEY, [Input.Username]: 'ci' };
  const secrets = readSecrets(
    (name) => values[name] ?? '',
    (secret) => masked.push(secret),
  );
  expect(masked).toEqual([KEY, BASIC]);
  expect(secrets.list).toEqual([KEY, BASIC]);
  expect(secrets.scrub(`key ${KEY}, header Basic ${BASIC}.`)).toBe('key ***, header Basic ***.');
});

test('without a key nothing is masked and text passes unchanged', () => {
  const masked: string[] = [];
  const secrets = readSecrets(
    () => '',
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
    (name) => values[name] ?? '',
    (secret) => masked.push(secret),
  );
  expect(masked).toEqual(['s3cret', ' a=b']);
  expect(secrets.scrub('token s3cret, npmrc a=b, a=c')).toBe('token ***, npmrc***, a=c');
});
