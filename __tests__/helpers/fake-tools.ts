import { afterAll } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FakeTools {
  /** The temporary folder, for the test's own files (what the stand-ins record). */
  work: string;
  /** Writes an executable script `name` into `work`/bin, which is first on PATH. */
  install(name: string, script: string): void;
}

/**
 * A temporary folder with a bin/ put first on PATH, for stand-in tools; PATH is restored after
 * the file's tests. Call it at the top of a test file.
 */
export function fakeTools(prefix: string): FakeTools {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath}`;
  afterAll(() => {
    process.env.PATH = savedPath;
  });
  return {
    work,
    install: (name, script) => fs.writeFileSync(path.join(bin, name), script, { mode: 0o755 }),
  };
}
