// renovate.json keeps what the project relies on: the @actions packages update as one, undici
// (pinned exactly, see supply-chain.test.ts) is never updated by Renovate, exact pins stay exact.
// Renovate's own validator checks the rest: npx --yes --package renovate renovate-config-validator
// --strict renovate.json (not a dependency, not run in CI).
import { expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';

type Rule = { matchPackageNames?: string[]; groupName?: string; enabled?: boolean; rangeStrategy?: string };
const root = path.resolve(import.meta.dirname, '../..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'renovate.json'), 'utf8')) as {
  packageRules: Rule[];
};
const ruleFor = (name: string) =>
  config.packageRules.filter((rule) => rule.matchPackageNames?.includes(name));

test('the @actions packages are one group', () => {
  expect(ruleFor('@actions/*').map((rule) => rule.groupName)).toEqual(['@actions packages']);
});

test('undici is left alone, and every dependency pinned exactly in package.json is still so', () => {
  expect(ruleFor('undici').map((rule) => rule.enabled)).toEqual([false]);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(pkg.dependencies.undici).toMatch(/^\d+\.\d+\.\d+$/);
  expect(config.packageRules.some((rule) => rule.rangeStrategy === 'pin')).toBe(true);
});
