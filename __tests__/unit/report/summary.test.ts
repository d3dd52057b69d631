// A job summary that cannot be written only warns: the run's result stands. In a file of its
// own, because @actions/core remembers the summary file once it has found it writable.
import { expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Result } from '../../../src/names.js';
import { report, resultBlock } from '../../../src/report/result.js';
import { tagsOf } from '../../../src/image/tags.js';
import { capturingStdout } from '../../helpers/stdout.js';

const tags = tagsOf('r.example', 'team/app', 'v1.0.0', 'a'.repeat(40));
const digest = `sha256:${'d'.repeat(64)}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-summary-'));

async function reportTo(summaryFile: string): Promise<string> {
  process.env.GITHUB_STEP_SUMMARY = summaryFile;
  try {
    const { written } = await capturingStdout(() =>
      report({ tags, result: Result.Pushed, digest, detail: 'Done.', phases: [] }),
    );
    return written;
  } finally {
    delete process.env.GITHUB_STEP_SUMMARY;
  }
}

test.each([
  ['a missing file', path.join(work, 'missing', 'summary')],
  ['a folder', work],
])('a GITHUB_STEP_SUMMARY naming %s: the result block, then a warning, no failure', async (_, file) => {
  const log = await reportTo(file);
  const block = resultBlock({ tags, result: Result.Pushed, digest, detail: 'Done.', phases: [] });
  expect(log.startsWith(`${block}\n::warning::Could not write the job summary (`)).toBe(true);
  expect(log.endsWith('); the result is in the log above.\n')).toBe(true);
});
