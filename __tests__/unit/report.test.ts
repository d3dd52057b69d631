import { expect, test } from '@jest/globals';
import { Result } from '../../src/names.js';
import { resultBlock, summaryMarkdown } from '../../src/report.js';
import { tagsOf } from '../../src/tags.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const digest = `sha256:${'d'.repeat(64)}`;

test('a published image: the references, digest, result, why, and the phases', () => {
  const text = summaryMarkdown({
    tags,
    result: Result.Pushed,
    digest,
    detail: 'Neither existed.',
    phases: [{ name: 'Build', ms: 1234 }],
  });
  expect(text).toContain('### r.example/team/app:v1.0.0: pushed');
  expect(text).toContain('| Version | `r.example/team/app:v1.0.0` |');
  expect(text).toContain(`| Commit | \`r.example/team/app:${'a'.repeat(40)}\` |`);
  expect(text).toContain(`| Digest | \`${digest}\` |`);
  expect(text).toContain('| Result | `pushed` |');
  expect(text).toContain('Neither existed.');
  expect(text).toContain('| Build | 1.2 s |');
});

test('a run that stopped: why and what to do, quoted', () => {
  const text = summaryMarkdown({ tags, detail: 'It exists.\nBump `version`.', phases: [] });
  expect(text).toContain('### r.example/team/app:v1.0.0: not published');
  expect(text).toContain('> It exists.\n> Bump `version`.');
  expect(text).not.toContain('| Phase |');
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
