// --help names every input (a new one too, with no edit of the command line), with its default.
import { expect, test } from '@jest/globals';
import { ACTION_INPUTS } from '../../../src/command-line/action-inputs.js';
import { helpText, shownDefault } from '../../../src/command-line/help.js';
import { envOf, flagOf, Switch } from '../../../src/command-line/options.js';
import { SECRET_INPUTS } from '../../../src/inputs/read.js';
import { INPUT_DEFAULTS, Input, Output } from '../../../src/names.js';

const help = helpText();
const lines = help.split('\n');

test('every input has its line: the flag (a secret: its variable), then its default', () => {
  for (const input of Object.values(Input)) {
    const heading = SECRET_INPUTS.includes(input) ? `  ${envOf(input)}` : `  ${flagOf(input)} `;
    const line = lines.find((candidate) => candidate.startsWith(heading));
    expect(`${input}: ${line}`).toContain(
      `(${SECRET_INPUTS.includes(input) ? 'not on argv; ' : ''}${shownDefault(input)})`,
    );
  }
});

test("each default is action.yaml's, a runner expression as its variable", () => {
  expect(shownDefault(Input.ImageName)).toBe('required');
  // Required unless `source`: the help says so in its description.
  expect(shownDefault(Input.Context)).toBe('default: none');
  expect(shownDefault(Input.Registry)).toBe('default: registry.ops.eblu.me');
  expect(shownDefault(Input.Sha)).toBe('default: $GITHUB_SHA');
  expect(shownDefault(Input.Target)).toBe('default: none');
  for (const [input, fallback] of Object.entries(INPUT_DEFAULTS))
    expect(shownDefault(input as Input)).toBe(`default: ${fallback}`);
  expect(lines).toContain('  --push [<value>]  (default: true)');
  expect(lines).toContain('  --image-name <value>  (required)');
  expect(lines).toContain('  BUILD_PUSH_IMAGE_API_KEY or --api-key-stdin  (not on argv; default: none)');
});

test("every input's description is there", () => {
  const flat = help.replace(/\n +/g, ' ');
  for (const doc of Object.values(ACTION_INPUTS))
    expect(flat).toContain(doc.description.replace(/\s+/g, ' '));
});

test("the command line's own options, the outputs and the exit codes", () => {
  for (const own of Object.values(Switch)) expect(help).toContain(`  ${own}`);
  for (const output of Object.values(Output)) expect(help).toContain(output);
  expect(help).toContain('Exit status: 0 ');
  expect(help).toContain('2 a bad input or option');
  expect(help).toContain('BUILD_PUSH_IMAGE_IMAGE_NAME');
});

test('no line is wider than 100 characters', () => {
  expect(lines.filter((line) => line.length > 100)).toEqual([]);
});
