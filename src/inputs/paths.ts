import * as fs from 'node:fs';
import * as path from 'node:path';
import { Input } from '../names.js';
import { quote, type Problems } from './problems.js';

/**
 * The build context (a directory, relative to the workspace) and the Dockerfile (a file,
 * relative to the context), as absolute paths.
 */
export function resolveBuildPaths(
  context: string,
  dockerfile: string,
  where: { cwd: string; runParent: string },
  problems: Problems,
): { context: string; dockerfile: string } {
  const { cwd, runParent } = where;
  if (!context) {
    problems.add(Input.Context, 'is required (the build context path).');
    return { context: '', dockerfile: '' };
  }
  const contextPath = path.resolve(cwd, context);
  if (!isA('directory', contextPath)) {
    problems.add(Input.Context, `is not a directory: ${quote(context)} (resolved to ${contextPath}).`);
    return { context: contextPath, dockerfile: '' };
  }
  // The run's folder holds the registry credentials: a context holding it could put them in
  // the image. No folder is out of reach of a context such as `/`, so such a context is refused.
  if (contains(fs.realpathSync(contextPath), runParent))
    problems.add(
      Input.Context,
      `${quote(context)} contains RUNNER_TEMP (${runParent}), where this action keeps the run's registry credentials: the build could copy them into the image. ` +
        'Build from a folder that does not contain RUNNER_TEMP (such as the repository), or give the job a RUNNER_TEMP outside the context.',
    );
  const dockerfilePath = path.resolve(contextPath, dockerfile);
  if (!isA('file', dockerfilePath))
    problems.add(
      Input.Dockerfile,
      `does not name a file: ${quote(dockerfile)} (relative to the context, resolved to ${dockerfilePath}).`,
    );
  return { context: contextPath, dockerfile: dockerfilePath };
}

/** Whether `p` is a file or directory (following links); false when it is not there. */
export function isA(kind: 'file' | 'directory', p: string): boolean {
  try {
    const stat = fs.statSync(p);
    return kind === 'file' ? stat.isFile() : stat.isDirectory();
  } catch {
    return false;
  }
}

/** `inner` is `outer` or below it (both real paths). */
function contains(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}
