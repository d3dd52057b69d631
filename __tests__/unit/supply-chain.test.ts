// Production dependencies are the ones the stack names, and what they bring is a short,
// known list: a new transitive package has to be looked at and added here on purpose.
import { expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

test('direct production dependencies are exactly the given ones', () => {
  expect(Object.keys(read('package.json').dependencies).sort()).toEqual([
    '@actions/core',
    '@actions/exec',
    '@actions/tool-cache',
    'undici',
  ]);
});

test('everything bundled into dist/ comes from a known list of packages', () => {
  const lock = read('package-lock.json') as { packages: Record<string, { dev?: boolean }> };
  const production = new Set(
    Object.entries(lock.packages)
      .filter(([location, entry]) => location !== '' && !entry.dev)
      .map(([location]) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  );
  expect([...production].sort()).toEqual([
    '@actions/core',
    '@actions/exec',
    '@actions/http-client',
    '@actions/io',
    '@actions/tool-cache',
    'semver',
    'tunnel',
    'undici',
  ]);
});
