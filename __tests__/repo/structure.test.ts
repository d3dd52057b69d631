// The shape of src/ that docs/architecture.md draws: floors whose imports only point down, no
// circle, and files small enough to read whole. Imports are read from the text, as ncc would.
import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const src = path.join(root, 'src');

/** The longest a module of src/ may be, in lines. */
const MAX_LINES = 250;

/** Every .ts module of src/, relative to src/ (declarations left out). */
function modules(folder = src): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return modules(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path.relative(src, full)] : [];
  });
}

/** The modules of src/ that `module` imports (type-only imports too: a circle of types is one too). */
function importsOf(module: string): string[] {
  const text = fs.readFileSync(path.join(src, module), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?from '(\.{1,2}\/[^']+)'/gms)].map(
    (m) => m[1],
  );
  return specifiers.map((specifier) =>
    path.relative(src, path.resolve(path.dirname(path.join(src, module)), specifier.replace(/\.js$/, '.ts'))),
  );
}

const graph = new Map(modules().map((module) => [module, importsOf(module)]));

/** The first circle found by a depth-first walk, as the modules along it, or undefined. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const walk = (module: string, trail: string[]): string[] | undefined => {
    if (trail.includes(module)) return [...trail.slice(trail.indexOf(module)), module];
    if (done.has(module)) return undefined;
    for (const next of graph.get(module) ?? []) {
      const circle = walk(next, [...trail, module]);
      if (circle) return circle;
    }
    done.add(module);
    return undefined;
  };
  for (const module of graph.keys()) {
    const circle = walk(module, []);
    if (circle) return circle;
  }
  return undefined;
}

/** The floor of a module: its folder, or `.` for the files at the top of src/. */
const folderOf = (module: string): string => module.split(path.sep).slice(0, -1).join('/') || '.';

/** Where the publication may be reached from: itself and the layer that wires the run (core/). */
const PUBLICATION_CALLERS = ['publication', 'core'];

/** The ground floor: the image's vocabulary, imported by every floor, importing none above it. */
const GROUND = ['image'];

describe('the import graph of src/', () => {
  test('every import names a module that exists', () => {
    const missing = [...graph].flatMap(([module, imports]) =>
      imports.filter((target) => !graph.has(target)).map((target) => `${module} -> ${target}`),
    );
    expect(missing).toEqual([]);
  });

  test('has no circle, type-only imports included', () => {
    expect(findCircle(graph)).toBeUndefined();
  });

  test('only publication/ itself and core/ import from publication/', () => {
    const upward = [...graph].flatMap(([module, imports]) =>
      imports
        .filter((target) => folderOf(target).startsWith('publication'))
        .filter(() => !PUBLICATION_CALLERS.includes(folderOf(module).split('/')[0]))
        .map((target) => `${module} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  test('image/ imports nothing but itself and the names at the top of src/', () => {
    const above = [...graph].flatMap(([module, imports]) =>
      GROUND.includes(folderOf(module))
        ? imports
            .filter((target) => !GROUND.includes(folderOf(target)) && target !== 'names.ts')
            .map((target) => `${module} -> ${target}`)
        : [],
    );
    expect(above).toEqual([]);
  });

  test('secrets.ts, the ground floor of the secrets, imports nothing of src/', () => {
    expect(graph.get('secrets.ts')).toEqual([]);
  });

  test('only cli.ts and command-line/ itself import command-line/: the action knows nothing of it', () => {
    const outside = [...graph].flatMap(([module, imports]) =>
      imports
        .filter((target) => folderOf(target) === 'command-line')
        .filter(() => module !== 'cli.ts' && folderOf(module) !== 'command-line')
        .map((target) => `${module} -> ${target}`),
    );
    expect(outside).toEqual([]);
  });

  test("only report/surface.ts and the action's main.ts import @actions/core: the rest speaks to the surface", () => {
    const speakers = modules().filter((module) =>
      /^import[^;]*from '@actions\/core'/m.test(fs.readFileSync(path.join(src, module), 'utf8')),
    );
    expect(speakers.sort()).toEqual(['main.ts', path.join('report', 'surface.ts')]);
  });
});

describe('the size of src/', () => {
  test(`no module is over ${MAX_LINES} lines`, () => {
    const long = modules()
      .map((module) => ({
        module,
        lines: fs.readFileSync(path.join(src, module), 'utf8').split('\n').length - 1,
      }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  test.each(['main.ts', 'cli.ts'])('%s is under 100 lines: the steps of the behaviour, no more', (entry) => {
    expect(fs.readFileSync(path.join(src, entry), 'utf8').split('\n').length - 1).toBeLessThan(100);
  });
});

describe('the checks themselves', () => {
  // The checks above would pass vacuously if the regular expression read no import at all.
  test('read the imports of src/', () => {
    expect(graph.get('main.ts')).toContain(path.join('core', 'publish-image.ts'));
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });

  test('find a circle where there is one, type-only or not', () => {
    const circular = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(findCircle(circular)).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
    expect(
      findCircle(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toBeUndefined();
  });
});
