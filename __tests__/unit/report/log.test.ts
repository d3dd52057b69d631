import { describe, expect, test } from '@jest/globals';
import { neutralise } from '../../../src/report/log.js';
import { anyCommandIn } from '../../helpers/workflow-commands.js';

describe('neutralise', () => {
  test.each([
    ['plain text', 'plain text'],
    ['::set-output name=digest::sha256:evil', '| ::set-output name=digest::sha256:evil'],
    ['   ::add-mask::x', '|    ::add-mask::x'],
    ['\t::warning::x', '| \t::warning::x'],
    ['\u0085::set-output name=a::b', '| \u0085::set-output name=a::b'],
    ['\ufeff\u200b::debug::x', '| \ufeff\u200b::debug::x'],
    ['a\n::error::b\r\n::debug::c\rd', 'a\n| ::error::b\n| ::debug::c\nd'],
    ['x ::set-output name=a::b', 'x ::set-output name=a::b'],
    [': :not a command', ': :not a command'],
    ['| ::already neutralised', '| ::already neutralised'],
    ['##[set-output name=digest;]sha256:e', '##\\[set-output name=digest;]sha256:e'],
    ['[command]docker --label a=##[add-mask]x', '[command]docker --label a=##\\[add-mask]x'],
    ['##[a]##[b]', '##\\[a]##\\[b]'],
    ['# #[not one', '# #[not one'],
  ])('%j is logged as %j', (text, logged) => {
    expect(neutralise(text)).toBe(logged);
    expect(neutralise(neutralise(text))).toBe(logged);
  });
});

// Every character some runner trims (or a reader cannot see) before a command, and each place a
// command can stand in a line, in both forms the runners read.
const LEADERS = [
  '',
  ' ',
  '\t',
  '\u000b',
  '\u000c',
  '\u0085',
  '\u00a0',
  '\u1680',
  '\u2000',
  '\u2007',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
  '\ufeff',
  '\u200b',
  ' \u0085\t',
];
const COMMANDS = [
  '::set-output name=digest::sha256:eee',
  '::add-mask::secret',
  '::save-state name=runDirectory::/tmp/victim',
  '::stop-commands::token',
  '##[set-output name=digest;]sha256:eee',
  '##[save-state name=runDirectory;]/tmp/victim',
  '##[add-mask]x',
];
const PLACES: ((command: string) => string)[] = [
  (command) => command,
  (command) => `deadbeef\n${command}`,
  (command) => `deadbeef\r${command}`,
  (command) => `deadbeef\r\n${command}\r\n`,
  (command) => `[command]docker buildx build --label a=${command} .`,
  (command) => `Registry: HTTP 500: ${command}; retrying in 1s`,
];

describe('no hostile line is read as a workflow command by act, Gitea or GitHub', () => {
  const cases = LEADERS.flatMap((leader) =>
    COMMANDS.flatMap((command) => PLACES.map((place) => place(leader + command))),
  );
  // A case no runner would act on proves nothing: keep only those some runner reads.
  const hostile = cases.filter((text) => anyCommandIn(text).length > 0);

  test('the table holds hostile lines of every form', () => {
    expect(hostile.length).toBeGreaterThan(400);
    expect(hostile.some((text) => text.startsWith('\u0085::'))).toBe(true);
    expect(hostile.some((text) => text.includes('--label a=##['))).toBe(true);
  });

  test('neutralised, none is', () => {
    const leaks = hostile.filter((text) => anyCommandIn(`${neutralise(text)}\n`).length > 0);
    expect(leaks).toEqual([]);
  });
});
