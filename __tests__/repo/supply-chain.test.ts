// Production dependencies are the ones the stack names, and what they bring is a short,
// known list: a new transitive package has to be looked at and added here on purpose.
import { expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

test('direct production dependencies are exactly the given ones', () => {
  expect(Object.keys(read('package.json').dependencies).sort()).toEqual([
    '@actions/core',
    '@actions/exec',
    '@actions/io',
    '@actions/tool-cache',
    '@noble/ciphers',
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
    '@noble/ciphers',
    'semver',
    'tunnel',
    'undici',
  ]);
});

// src/registry/http.ts loads three of undici's own files by path (its index costs ~150 ms at
// every start). Those paths are not undici's public API: the version is pinned exactly, and an
// upgrade fails here first, so that whoever bumps it checks the paths and this test together.
test('undici is pinned to the version whose internal files src/registry/http.ts loads', () => {
  const pinned = read('package.json').dependencies.undici;
  expect(pinned).toBe('7.30.2');
  // Where module resolution finds undici, as ncc does when it bundles.
  const installed = path.dirname(createRequire(import.meta.url).resolve('undici/package.json'));
  expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).version).toBe(pinned);
  for (const file of ['lib/dispatcher/agent.js', 'lib/api/api-request.js', 'lib/interceptor/redirect.js'])
    expect(fs.existsSync(path.join(installed, file))).toBe(true);
});
