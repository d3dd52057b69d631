import * as fs from 'node:fs';
import * as path from 'node:path';
import { Input } from '../names.js';
import { quote, type Problems } from './problems.js';

/**
 * The build context (a directory, relative to the workspace) and the Dockerfile (a file,
 * relative to the context, as the old action resolved it), as absolute paths.
 */
export function resolveBuildPaths(
  context: string,
  dockerfile: string,
  cwd: string,
  problems: Problems,
): { context: string; dockerfile: string } {
  if (!context) {
    problems.add(Input.Context, 'is required (the build context path).');
    return { context: '', dockerfile: '' };
  }
  const contextPath = path.resolve(cwd, context);
  if (!isA('directory', contextPath)) {
    problems.add(Input.Context, `is not a directory: ${quote(context)} (resolved to ${contextPath}).`);
    return { context: contextPath, dockerfile: '' };
  }
  const dockerfilePath = path.resolve(contextPath, dockerfile);
  if (!isA('file', dockerfilePath))
    problems.add(
      Input.Dockerfile,
      `does not name a file: ${quote(dockerfile)} (relative to the context, resolved to ${dockerfilePath}).`,
    );
  return { context: contextPath, dockerfile: dockerfilePath };
}

function isA(kind: 'file' | 'directory', p: string): boolean {
  try {
    const stat = fs.statSync(p);
    return kind === 'file' ? stat.isFile() : stat.isDirectory();
  } catch {
    return false;
  }
}
