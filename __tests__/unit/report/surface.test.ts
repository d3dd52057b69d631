// The shared code speaks to its host only through the installed surface: with another one
// installed, nothing reaches stdout, and every log line, output, mask and state reaches it.
import { afterEach, expect, test } from '@jest/globals';
import { tagsOf } from '../../../src/image/tags.js';
import { readRawInputs } from '../../../src/inputs/read.js';
import { readSecrets } from '../../../src/inputs/secrets.js';
import { Input, Output, Result, State } from '../../../src/names.js';
import { runTool } from '../../../src/process/tools.js';
import { saveRunFolder, savedRunFolder } from '../../../src/process/saved-state.js';
import { info, warn } from '../../../src/report/log.js';
import { report, setReferenceOutputs, setResultOutputs } from '../../../src/report/result.js';
import { actionsSurface, surface, useSurface, type Surface } from '../../../src/report/surface.js';
import { Timeline } from '../../../src/report/timeline.js';
import { capturingStdout } from '../../helpers/stdout.js';

afterEach(() => {
  useSurface(actionsSurface);
});

function recording(): { calls: string[]; host: Surface } {
  const calls: string[] = [];
  const state = new Map<State, string>();
  const host: Surface = {
    info: (text) => calls.push(`info ${text}`),
    warning: (text) => calls.push(`warning ${text}`),
    debug: (text) => calls.push(`debug ${text}`),
    group: async (name, work) => {
      calls.push(`group ${name}`);
      return work();
    },
    setOutput: (name, value) => calls.push(`output ${name}=${value}`),
    mask: (secret) => calls.push(`mask ${secret}`),
    saveState: (name, value) => state.set(name, value),
    getState: (name) => state.get(name) ?? '',
  };
  return { calls, host };
}

test("the runner's surface is the default, and installing another returns it", () => {
  expect(surface()).toBe(actionsSurface);
  const { host } = recording();
  expect(useSurface(host)).toBe(actionsSurface);
  expect(surface()).toBe(host);
});

test('logs, warnings, groups, outputs, masks, state and tool output all reach the installed surface', async () => {
  const { calls, host } = recording();
  useSurface(host);
  const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
  const { written } = await capturingStdout(async () => {
    info('::forged');
    warn('careful');
    await new Timeline().phase('Build', async () => undefined);
    setReferenceOutputs(tags);
    setResultOutputs(Result.Pushed, 'sha256:d');
    readSecrets(
      readRawInputs((name) => ({ [Input.ApiKey]: 'zak_abc', [Input.Username]: 'ci' })[name as string] ?? ''),
    );
    saveRunFolder('/tmp/build-push-image-x', 'token');
    await runTool('sh', ['-c', 'echo from the tool'], { timeoutSeconds: 10 });
    process.env.GITHUB_STEP_SUMMARY = '/nonexistent/summary';
    try {
      await report({ tags, result: Result.Pushed, detail: 'Done.', phases: [] });
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
  });
  expect(written).toBe('');
  expect(calls).toEqual(
    expect.arrayContaining([
      'info | ::forged',
      'warning careful',
      'group Build',
      `output ${Output.Image}=r.example/team/app`,
      `output ${Output.VersionRef}=r.example/team/app:v1.0.0`,
      `output ${Output.Digest}=sha256:d`,
      `output ${Output.Result}=pushed`,
      'mask zak_abc',
      'info from the tool',
    ]),
  );
  // Without a summary of its own, the host gets none (and no warning about one).
  expect(calls.filter((call) => call.startsWith('warning'))).toEqual(['warning careful']);
  expect(savedRunFolder()).toEqual({ directory: '/tmp/build-push-image-x', token: 'token' });
});
