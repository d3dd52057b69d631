// The README's inputs and outputs tables are complete: each names every input and output of
// action.yaml, and nothing else. The two commands of "Try it" are the scripts that exist.
import { expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const action = parse(fs.readFileSync(path.join(root, 'action.yaml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};

/** The names in the first column of the table under a heading of the README. */
function firstColumn(heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start + heading.length + 2).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith('|'));
  const table = lines.slice(first + 2, end); // past the header and its rule
  return table.map((line) => line.split('|')[1].trim().replace(/^`|`$/g, ''));
}

test('the inputs table names every input of action.yaml, and no other', () => {
  expect(firstColumn('### Inputs').sort()).toEqual(Object.keys(action.inputs).sort());
});

test('the outputs table names every output of action.yaml', () => {
  expect(firstColumn('### Outputs').sort()).toEqual(Object.keys(action.outputs).sort());
});

test('the two commands are there, and so are their scripts', () => {
  expect(readme).toContain('\nbash scripts/demo.sh ');
  expect(readme).toContain('\nbash scripts/test.sh ');
  for (const script of ['scripts/demo.sh', 'scripts/test.sh'])
    expect(fs.existsSync(path.join(root, script))).toBe(true);
});
