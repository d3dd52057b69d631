// action.yaml and the code name the same inputs and outputs, and action.yaml is well formed:
// the names live in src/names.ts, and this keeps the two from drifting apart.
import { describe, expect, test } from '@jest/globals';
import { readRawInputs } from '../../src/inputs/read.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseInputs } from '../../src/inputs/parse.js';
import { INPUT_DEFAULTS, Input, Output } from '../../src/names.js';

const root = path.resolve(import.meta.dirname, '../..');
const action = parse(fs.readFileSync(path.join(root, 'action.yaml'), 'utf8')) as {
  name: string;
  description: string;
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post: string; 'post-if'?: string };
};

describe('action.yaml', () => {
  test('runs one bundle as main and post on node24, with no post-if (clean-up runs after a failure too)', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js' });
    expect(fs.existsSync(path.join(root, action.runs.main))).toBe(true);
  });

  test('every input and output is described; defaults are strings; names are snake_case', () => {
    expect(action.name).toBeTruthy();
    expect(action.description).toBeTruthy();
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(spec.description).toBeTruthy();
      expect(typeof (spec.required ?? false)).toBe('boolean');
      if (spec.default !== undefined) expect(typeof spec.default).toBe('string');
    }
    for (const [name, spec] of Object.entries(action.outputs)) {
      expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(spec.description).toBeTruthy();
    }
  });

  test("keeps the old composite action's five inputs with their defaults", () => {
    // Required unless `source` (push-only mode): the code refuses an empty one (inputs/parse.test.ts).
    expect(action.inputs.context.description).toContain('Required unless `source`');
    expect(action.inputs.image_name.required).toBe(true);
    expect(action.inputs.version.required).toBe(true);
    expect(action.inputs.dockerfile.default).toBe('Dockerfile');
    expect(action.inputs.registry.default).toBe('registry.ops.eblu.me');
  });

  test("the code's fallback defaults are action.yaml's", () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS))
      expect(action.inputs[name].default).toBe(value);
    expect(Object.keys(INPUT_DEFAULTS).sort()).toEqual([
      Input.CommitTag,
      Input.Dockerfile,
      Input.InsecureRegistry,
      Input.KeyExpiryWarningDays,
      Input.NoCache,
      Input.Provenance,
      Input.Pull,
      Input.Push,
      Input.Sbom,
      Input.SignatureFormats,
      Input.Tags,
    ]);
  });

  test('declares exactly the inputs and outputs the code names', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Input).sort());
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Output).sort());
  });

  test('every declared input is read by parseInputs', () => {
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-interface-'));
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\n');
    const read = new Set<string>();
    const values: Record<string, string> = {
      context,
      image_name: 'a/b',
      version: 'v1',
      registry: 'r.example',
      username: 'ci',
      api_key: 'zak_0123',
      sha: 'a'.repeat(40),
    };
    parseInputs(
      readRawInputs((name: Input) => {
        read.add(name);
        return values[name] ?? String(action.inputs[name]?.default ?? '');
      }),
    );
    expect([...read].sort()).toEqual(Object.keys(action.inputs).sort());
  });
});
