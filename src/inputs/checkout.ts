import * as fs from 'node:fs';
import * as path from 'node:path';
import { Input } from '../names.js';
import { warn } from '../report/log.js';

// The commit checked out where the build context is, read from the repository's files (no git
// needed on the runner): a workflow that builds one commit's files and tags them as another's
// (a dispatch with a `ref` that the checkout did not take, or the reverse) gets a warning.

/** A work tree and the commit its HEAD names. */
export interface Checkout {
  workTree: string;
  head: string;
}

const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** How many symbolic refs are followed before giving up (git's own limit is 5). */
const MAX_SYMREF_DEPTH = 5;

/**
 * The checkout holding `directory`: the nearest work tree above it (`.git` a folder, or a
 * `gitdir:` file as in a linked work tree; a submodule's is passed over for the repository that
 * holds it) and the commit of its HEAD, detached or through a branch (loose or packed). Undefined
 * outside a repository, or where HEAD cannot be read (no commit yet, a reftable repository).
 */
export function readCheckout(directory: string): Checkout | undefined {
  for (let dir = path.resolve(directory); ; dir = path.dirname(dir)) {
    const gitDir = gitDirOf(dir);
    if (gitDir) {
      const head = readHead(gitDir);
      return head ? { workTree: dir, head } : undefined;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Warns (once, before the key is checked) when the context's checkout is not the commit published. */
export function warnOfAnotherCheckout(context: string, sha: string): void {
  const warning = checkoutWarning(readCheckout(context), sha);
  if (warning) warn(warning);
}

/** The warning when `checkout` is not `sha`: the files built are not the commit tagged. */
export function checkoutWarning(checkout: Checkout | undefined, sha: string): string | undefined {
  if (!checkout || checkout.head === sha.toLowerCase()) return undefined;
  return (
    `The build context is in ${checkout.workTree}, whose checked-out commit (HEAD) is ${checkout.head}, but \`${Input.Sha}\` is ${sha}: ` +
    `the image is built from the files of ${checkout.head.slice(0, 12)} and published as ${sha.slice(0, 12)}. ` +
    'Check out the commit you publish: give the checkout and this action the same commit, ' +
    '`ref: ${{ inputs.ref || github.sha }}` on actions/checkout and `sha: ${{ inputs.ref || github.sha }}` here.'
  );
}

/** The git directory of a work tree whose top is `dir`, or undefined (none, or a submodule's). */
function gitDirOf(dir: string): string | undefined {
  const dotGit = path.join(dir, '.git');
  const stat = statOf(dotGit);
  if (stat?.isDirectory()) return dotGit;
  if (!stat?.isFile()) return undefined;
  const target = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '')?.[1];
  if (!target) return undefined;
  const gitDir = path.resolve(dir, target);
  // A submodule's git directory lives under the containing repository's `.git/modules/`: the
  // workflow checked out that repository, whose HEAD is the commit that matters.
  return /[\\/]\.git[\\/]modules[\\/]/.test(gitDir) ? undefined : gitDir;
}

/** HEAD's commit: detached, or the branch it names resolved in the common git directory. */
function readHead(gitDir: string): string | undefined {
  // A linked work tree keeps its own HEAD and names, in `commondir`, where the branches are.
  const common = readText(path.join(gitDir, 'commondir'))?.trim();
  const commonDir = common ? path.resolve(gitDir, common) : gitDir;
  let content = readText(path.join(gitDir, 'HEAD'))?.trim();
  for (let depth = 0; content !== undefined && depth <= MAX_SYMREF_DEPTH; depth++) {
    const lower = content.toLowerCase();
    if (COMMIT.test(lower)) return lower;
    const ref = /^ref:\s*(refs\/\S+)$/.exec(content)?.[1];
    if (!ref || ref.split('/').includes('..')) return undefined;
    content = readText(path.join(commonDir, ref))?.trim() ?? packedRef(commonDir, ref);
  }
  return undefined;
}

/** A ref's commit in `packed-refs` (`<commit> <ref>` lines; `#` headers and `^` peeled lines skipped). */
function packedRef(commonDir: string, ref: string): string | undefined {
  const packed = readText(path.join(commonDir, 'packed-refs')) ?? '';
  for (const line of packed.split('\n')) {
    const [commit, name] = line.trim().split(' ');
    if (name === ref && commit && COMMIT.test(commit.toLowerCase())) return commit;
  }
  return undefined;
}

/** A folder that cannot be read (permissions, a race) is no repository: a warning never stops a run. */
function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
