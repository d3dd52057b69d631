// The command line's copy of action.yaml's inputs (the bundle cannot read action.yaml) is
// action.yaml's, row for row; and package.json's `bin` is the committed dist/cli.js, which
// runs the command line's own bundle.
import { expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ACTION_INPUTS } from '../../src/command-line/action-inputs.js';
import { Input } from '../../src/names.js';

const root = path.resolve(import.meta.dirname, '../..');
const action = parse(fs.readFileSync(path.join(root, 'action.yaml'), 'utf8')) as {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
};

test('every input of action.yaml has its row: the description, the default and whether it is required', () => {
  const expected = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [
      name,
      {
        description: spec.description,
        ...(spec.default ? { default: spec.default } : {}),
        ...(spec.required ? { required: true } : {}),
      },
    ]),
  );
  // A missing row names the input to add to src/command-line/action-inputs.ts.
  expect(ACTION_INPUTS).toEqual(expected);
  expect(Object.keys(ACTION_INPUTS).sort()).toEqual(Object.values(Input).sort());
});

test('package.json names dist/cli.js as the bin: a node script that loads the bundle in dist/cli/', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  expect(manifest.bin).toEqual({ 'build-push-image': 'dist/cli.js' });
  const entry = path.join(root, 'dist/cli.js');
  const text = fs.readFileSync(entry, 'utf8');
  expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(text).toContain("import './cli/index.js';");
  expect(fs.statSync(entry).mode & 0o111).toBe(0o111);
  expect(fs.existsSync(path.join(root, 'dist/cli/index.js'))).toBe(true);
});
