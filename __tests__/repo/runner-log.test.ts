// The demo shows a step's output as a runner's log shows it to a person (RunnerLog in
// scripts/local-runner.mjs): masks applied, debug hidden, groups as headers, commands that only
// talk to the runner left out. The e2e suite reads the raw stream and is not concerned.
import { describe, expect, test } from '@jest/globals';
import { RunnerLog } from '../../scripts/local-runner.mjs';

/** Every line of `output` through one RunnerLog, as the lines a person sees. */
function shown(output: string, options: { debug?: boolean } = {}): string[] {
  const log = new RunnerLog(options);
  return output.split('\n').flatMap((line) => log.render(line));
}

describe('RunnerLog: masks', () => {
  test('every value given to ::add-mask:: shows as *** in the lines after it, the command itself not at all', () => {
    expect(
      shown(
        [
          '::add-mask::zak_secret',
          '::add-mask::Y2ktYnVpbGRlcjp6YWtfc2VjcmV0',
          'the key zak_secret, its Basic form Y2ktYnVpbGRlcjp6YWtfc2VjcmV0',
          '::error::rejected zak_secret',
        ].join('\n'),
      ),
    ).toEqual(['the key ***, its Basic form ***', 'Error: rejected ***']);
  });

  test('a mask holds for the lines after it, as a runner applies it; the action masks before it prints', () => {
    expect(shown('printed zak_early\n::add-mask::zak_early\nprinted zak_early')).toEqual([
      'printed zak_early',
      'printed ***',
    ]);
  });

  test('a multi-line value (escaped %0A) is masked whole and line by line', () => {
    const log = new RunnerLog();
    expect(log.render('::add-mask::-----BEGIN KEY-----%0Aline-one-secret%0A-----END KEY-----')).toEqual([]);
    expect(log.render('a line-one-secret alone')).toEqual(['a *** alone']);
    expect(log.render('::warning::-----BEGIN KEY-----%0Aline-one-secret')).toEqual(['Warning: ***', '  ***']);
  });

  test('a mask inside a longer mask leaves no piece of the longer one', () => {
    expect(shown('::add-mask::abc\n::add-mask::xxabcxx\nsee xxabcxx and abc')).toEqual(['see *** and ***']);
  });

  test('masks hold across streams and steps: one log for the job', () => {
    const log = new RunnerLog();
    const out: string[] = [];
    const stdout = log.stream((text) => out.push(text));
    const stderr = log.stream((text) => out.push(text));
    stdout.write('::add-ma');
    stdout.write('sk::zak_split\n');
    stderr.write('err zak_split\npartial zak_');
    stderr.write('split');
    stderr.end();
    stdout.end();
    expect(out).toEqual(['err ***\n', 'partial ***\n']);
  });
});

describe('RunnerLog: commands', () => {
  test('debug lines are hidden unless debug is on', () => {
    expect(shown('::debug::inputs: a=b\nshown')).toEqual(['shown']);
    expect(shown('::debug::inputs: a=b\nshown', { debug: true })).toEqual(['Debug: inputs: a=b', 'shown']);
  });

  test('debug is on as a runner turns it on: RUNNER_DEBUG=1 or ACTIONS_STEP_DEBUG=true', () => {
    expect(RunnerLog.debugFromEnvironment({})).toBe(false);
    expect(RunnerLog.debugFromEnvironment({ RUNNER_DEBUG: '1' })).toBe(true);
    expect(RunnerLog.debugFromEnvironment({ ACTIONS_STEP_DEBUG: 'true' })).toBe(true);
    expect(RunnerLog.debugFromEnvironment({ RUNNER_DEBUG: '0', ACTIONS_STEP_DEBUG: 'false' })).toBe(false);
  });

  test('::group::Title is a header line, ::endgroup:: is dropped', () => {
    expect(shown('::group::Check the key\naccepted\n::endgroup::\nafter')).toEqual([
      '▶ Check the key',
      'accepted',
      'after',
    ]);
  });

  test('error, warning and notice are readable lines, their data and properties unescaped', () => {
    expect(
      shown(
        [
          '::error::m',
          '::warning::100%25 sure',
          '::notice::first%0Asecond%0D',
          '::error file=src/a.ts,line=1,title=a%3A b%2C c::bad',
          '::warning::%250A stays as written',
        ].join('\n'),
      ),
    ).toEqual([
      'Error: m',
      'Warning: 100% sure',
      'Notice: first',
      '  second',
      'Error (file=src/a.ts, line=1, title=a: b, c): bad',
      'Warning: %0A stays as written',
    ]);
  });

  test('commands that only talk to the runner are not shown', () => {
    expect(
      shown(
        [
          '::set-output name=digest::sha256:1',
          '::save-state name=isPost::true',
          '::set-env name=A::b',
          '::add-path::/opt/bin',
          '::add-matcher::m.json',
          '::remove-matcher owner=m::',
          '::echo::on',
          'kept',
        ].join('\n'),
      ),
    ).toEqual(['kept']);
  });

  test('between ::stop-commands:: and its token lines are shown as they are; both markers are not', () => {
    expect(
      shown(
        [
          '::stop-commands::pause-1',
          '::error::not a command now',
          '::add-mask::not-a-mask',
          '::pause-1::',
          '::error::a command again',
          'not-a-mask',
        ].join('\n'),
      ),
    ).toEqual([
      '::error::not a command now',
      '::add-mask::not-a-mask',
      'Error: a command again',
      'not-a-mask',
    ]);
  });

  test('the ##[name] form is read at the start of a line, with ; between properties', () => {
    expect(shown('##[group]Build\n##[error file=a%3Bb;line=2]bad\n##[endgroup]\ntext ##[error]kept')).toEqual(
      ['▶ Build', 'Error (file=a%3Bb, line=2): bad', 'text ##[error]kept'],
    );
  });

  test('plain lines, unknown commands and guarded lines are shown as they are', () => {
    expect(shown('plain\n::no-such-command::x\n| ::error::inert\n##\\[error]inert')).toEqual([
      'plain',
      '::no-such-command::x',
      '| ::error::inert',
      '##\\[error]inert',
    ]);
  });
});
