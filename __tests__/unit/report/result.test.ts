import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Result } from '../../../src/names.js';
import {
  report,
  resultBlock,
  setReferenceOutputs,
  setResultOutputs,
  summaryMarkdown,
} from '../../../src/report/result.js';
import { tagsOf } from '../../../src/image/tags.js';
import { capturingStdout } from '../../helpers/stdout.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const digest = `sha256:${'d'.repeat(64)}`;

test('the summary of a published image: the references, digest, result, why, and the phases', () => {
  const text = summaryMarkdown({
    tags,
    result: Result.Pushed,
    digest,
    detail: 'Neither existed.',
    phases: [
      { name: 'Build', ms: 1234 },
      { name: 'Push the commit tag', ms: 50 },
    ],
  });
  expect(text.split('\n')).toEqual([
    '### r.example/team/app:v1.0.0: pushed',
    '',
    '| | |',
    '|---|---|',
    '| Version | `r.example/team/app:v1.0.0` |',
    `| Commit | \`r.example/team/app:${'a'.repeat(40)}\` |`,
    `| Digest | \`${digest}\` |`,
    '| Result | `pushed` |',
    '',
    '```',
    'Neither existed.',
    '```',
    '',
    '| Phase | Time |',
    '|---|---:|',
    '| Build | 1.2 s |',
    '| Push the commit tag | 0.1 s |',
    '',
  ]);
});

test('the summary of a run that stopped: why and what to do, as the log says it, and the commit', () => {
  const text = summaryMarkdown({ tags, detail: 'It exists.\nBump `version`.', phases: [] });
  expect(text.split('\n')).toEqual([
    '### r.example/team/app:v1.0.0: not published',
    '',
    '```',
    'It exists.',
    'Bump `version`.',
    '```',
    '',
    `Commit \`${'a'.repeat(40)}\`.`,
    '',
  ]);
});

test('a result without a digest has no digest row', () => {
  const text = summaryMarkdown({ tags, result: Result.Built, detail: 'Built only.', phases: [] });
  expect(text).not.toContain('Digest');
  expect(text).toContain('| Result | `built` |');
});

describe('where the result goes', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-report-'));
  const files = { GITHUB_OUTPUT: path.join(work, 'output'), GITHUB_STEP_SUMMARY: path.join(work, 'summary') };
  const saved = { ...process.env };
  beforeEach(() => {
    for (const file of Object.values(files)) fs.writeFileSync(file, '');
    Object.assign(process.env, files);
  });
  afterEach(() => {
    for (const name of Object.keys(files)) delete process.env[name];
    Object.assign(process.env, saved);
  });
  /** The outputs written to GITHUB_OUTPUT, as the runner reads them. */
  const outputs = () =>
    Object.fromEntries(
      [...fs.readFileSync(files.GITHUB_OUTPUT, 'utf8').matchAll(/^(\w+)<<(\S+)\n([\s\S]*?)\n\2$/gm)].map(
        (m) => [m[1], m[3]],
      ),
    );

  test('the references first, then the result and the digest', () => {
    setReferenceOutputs(tags);
    setResultOutputs(Result.Completed, digest);
    expect(outputs()).toEqual({
      image: 'r.example/team/app',
      version_ref: 'r.example/team/app:v1.0.0',
      sha_ref: `r.example/team/app:${'a'.repeat(40)}`,
      result: 'completed',
      digest,
    });
  });

  test('no digest, no digest output', () => {
    setResultOutputs(Result.Built, undefined);
    expect(outputs()).toEqual({ result: 'built' });
  });

  test('report: the plain block in the log, the summary in the job summary', async () => {
    const { written } = await capturingStdout(() =>
      report({ tags, result: Result.Pushed, digest, detail: 'Done.', phases: [] }),
    );
    expect(written).toBe(
      resultBlock({ tags, result: Result.Pushed, digest, detail: 'Done.', phases: [] }) + '\n',
    );
    expect(fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')).toBe(
      summaryMarkdown({ tags, result: Result.Pushed, digest, detail: 'Done.', phases: [] }) + '\n',
    );
  });

  test('without a job summary file (Forgejo), only the log block', async () => {
    delete process.env.GITHUB_STEP_SUMMARY;
    const { written } = await capturingStdout(() => report({ tags, detail: 'Stopped.', phases: [] }));
    expect(written).toBe(resultBlock({ tags, detail: 'Stopped.', phases: [] }) + '\n');
    expect(fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')).toBe('');
  });
});

test('the log block of a published image: plain rows a raw log shows as they are', () => {
  const text = resultBlock({
    tags,
    result: Result.Pushed,
    digest,
    detail: 'Neither existed.',
    phases: [
      { name: 'Build', ms: 1234 },
      { name: 'Push the commit tag', ms: 250 },
    ],
  });
  expect(text.split('\n')).toEqual([
    'build-push-image: r.example/team/app:v1.0.0 pushed',
    '  version  r.example/team/app:v1.0.0',
    `  commit   r.example/team/app:${'a'.repeat(40)}`,
    `  digest   ${digest}`,
    '  result   pushed',
    '  why      Neither existed.',
    '  phases   Build 1.2 s, Push the commit tag 0.3 s',
  ]);
});

test('the log block of a run that stopped: every line of why, none read as a workflow command', () => {
  const text = resultBlock({ tags, detail: 'It exists.\n::set-output name=digest::x', phases: [] });
  expect(text.split('\n')).toEqual([
    'build-push-image: r.example/team/app:v1.0.0 not published',
    '  version  r.example/team/app:v1.0.0',
    `  commit   r.example/team/app:${'a'.repeat(40)}`,
    '  result   not published',
    '  stopped  It exists.',
    '|            ::set-output name=digest::x',
  ]);
});
