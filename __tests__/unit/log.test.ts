import { expect, test } from '@jest/globals';
import { neutralise } from '../../src/log.js';

test.each([
  ['plain text', 'plain text'],
  ['::set-output name=digest::sha256:evil', '| ::set-output name=digest::sha256:evil'],
  ['   ::add-mask::x', '|    ::add-mask::x'],
  ['\t::warning::x', '| \t::warning::x'],
  ['a\n::error::b\r\n::debug::c\rd', 'a\n| ::error::b\n| ::debug::c\nd'],
  ['x ::set-output name=a::b', 'x ::set-output name=a::b'],
  [': :not a command', ': :not a command'],
  ['| ::already neutralised', '| ::already neutralised'],
])('%j is logged as %j', (text, logged) => {
  expect(neutralise(text)).toBe(logged);
  expect(neutralise(neutralise(text))).toBe(logged);
});
