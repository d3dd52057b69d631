// The command line's surface: the log on stderr (guarded, masked), the outputs for stdout as
// one JSON object or name=value lines, the state in memory.
import { describe, expect, test } from '@jest/globals';
import { formatOutputs, terminalSurface } from '../../../src/command-line/terminal.js';
import { Output, State } from '../../../src/names.js';

function terminal(verbose = false) {
  const logged: string[] = [];
  return { logged, surface: terminalSurface({ verbose, log: (line) => logged.push(line) }) };
}

describe('the log', () => {
  test('info, warnings, errors and group headings; debug only when verbose', async () => {
    const { logged, surface } = terminal();
    surface.info('Building.');
    surface.warning('The key expires soon.');
    surface.error('It failed.');
    surface.debug('inputs: …');
    expect(await surface.group('Build', async () => 42)).toBe(42);
    expect(logged).toEqual(['Building.', 'warning: The key expires soon.', 'error: It failed.', '== Build']);
    const loud = terminal(true);
    loud.surface.debug('inputs: …');
    expect(loud.logged).toEqual(['debug: inputs: …']);
  });

  test('no line is a workflow command, wherever the command line runs', () => {
    const { logged, surface } = terminal();
    surface.info('::set-output name=digest::x\n##[add-mask]y');
    surface.error('line one\n::error::forged');
    expect(logged).toEqual([
      '| ::set-output name=digest::x\n##\\[add-mask]y',
      'error: line one\n| ::error::forged',
    ]);
  });

  test('what is masked is scrubbed from the log and the outputs', () => {
    const { logged, surface } = terminal();
    surface.mask('zak_secret');
    surface.info('sent zak_secret');
    surface.warning('zak_secret');
    surface.setOutput(Output.Image, 'r/zak_secret');
    expect(logged.join('\n')).not.toContain('zak_secret');
    expect(surface.printedOutputs(true)).toBe('{"image":"r/***"}\n');
  });
});

describe('the outputs', () => {
  const outputs = {
    [Output.Image]: 'r.example/team/app',
    [Output.PartRef]: 'r.example/team/app:a-linux-amd64\nr.example/team/app:a-linux-arm64',
    [Output.Result]: 'part-pushed',
  };

  test('as one JSON object on one line', () => {
    expect(JSON.parse(formatOutputs(outputs, true))).toEqual(outputs);
    expect(formatOutputs(outputs, true).split('\n')).toEqual([expect.stringMatching(/^\{.*\}$/), '']);
    expect(formatOutputs({}, true)).toBe('{}\n');
  });

  test('as name=value lines, a value of several lines as one line each', () => {
    expect(formatOutputs(outputs, false)).toBe(
      'image=r.example/team/app\n' +
        'part_ref=r.example/team/app:a-linux-amd64\n' +
        'part_ref=r.example/team/app:a-linux-arm64\n' +
        'result=part-pushed\n',
    );
    expect(formatOutputs({}, false)).toBe('');
  });

  test('kept in the order first set, a second set replacing the value', () => {
    const { surface } = terminal();
    surface.setOutput(Output.Image, 'a');
    surface.setOutput(Output.Digest, 'd1');
    surface.setOutput(Output.Digest, 'd2');
    expect(surface.printedOutputs(false)).toBe('image=a\ndigest=d2\n');
  });
});

test('the state is kept in memory, and has no summary', () => {
  const { surface } = terminal();
  expect(surface.getState(State.RunDirectory)).toBe('');
  surface.saveState(State.RunDirectory, '/tmp/build-push-image-x');
  expect(surface.getState(State.RunDirectory)).toBe('/tmp/build-push-image-x');
  expect(surface.summary).toBeUndefined();
});
