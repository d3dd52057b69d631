// The commit checked out where the context is, read without git, against scratch repositories
// that git itself makes: each shape a checkout can have on a runner.
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkoutWarning, readCheckout } from '../../../src/inputs/checkout.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-checkout-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** git in `cwd`, with an identity and no global or system configuration. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
    cwd,
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .toString()
    .trim();
}

/** A repository with two commits on `main` and a context folder; returns it and both commits. */
function repository(name: string): { repo: string; first: string; second: string } {
  const repo = path.join(scratch, name);
  fs.mkdirSync(path.join(repo, 'containers', 'app'), { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'containers', 'app', 'Dockerfile'), 'FROM scratch\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'first');
  const first = git(repo, 'rev-parse', 'HEAD');
  fs.writeFileSync(path.join(repo, 'containers', 'app', 'Dockerfile'), 'FROM scratch\nLABEL a=b\n');
  git(repo, 'commit', '-qam', 'second');
  return { repo, first, second: git(repo, 'rev-parse', 'HEAD') };
}

const contextOf = (repo: string) => path.join(repo, 'containers', 'app');

describe('readCheckout', () => {
  test('a branch, its ref a loose file', () => {
    const { repo, second } = repository('loose');
    expect(readCheckout(contextOf(repo))).toEqual({ workTree: repo, head: second });
  });

  test('a branch whose ref is packed (packed-refs, with a peeled tag line)', () => {
    const { repo, second } = repository('packed');
    git(repo, 'tag', '-a', '-m', 'v1', 'v1.0.0');
    git(repo, 'pack-refs', '--all');
    expect(fs.existsSync(path.join(repo, '.git', 'refs', 'heads', 'main'))).toBe(false);
    expect(readCheckout(contextOf(repo))?.head).toBe(second);
  });

  test('a detached HEAD, as actions/checkout leaves a commit it was given', () => {
    const { repo, first } = repository('detached');
    git(repo, 'checkout', '-q', '--detach', first);
    expect(readCheckout(contextOf(repo))).toEqual({ workTree: repo, head: first });
  });

  test('a linked work tree: a `gitdir:` file, its own HEAD, the branches in the common directory', () => {
    const { repo, first, second } = repository('linked');
    const linked = path.join(scratch, 'linked-tree');
    git(repo, 'worktree', 'add', '-q', '-b', 'older', linked, first);
    git(repo, 'pack-refs', '--all');
    expect(fs.statSync(path.join(linked, '.git')).isFile()).toBe(true);
    expect(readCheckout(contextOf(linked))).toEqual({ workTree: linked, head: first });
    expect(readCheckout(contextOf(repo))?.head).toBe(second);
  });

  test('a git directory kept apart (`git init --separate-git-dir`)', () => {
    const repo = path.join(scratch, 'separate');
    fs.mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main', '--separate-git-dir', path.join(scratch, 'separate.git'));
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'only');
    expect(readCheckout(repo)).toEqual({ workTree: repo, head: git(repo, 'rev-parse', 'HEAD') });
  });

  test("a context inside a submodule: the containing repository's HEAD, which the workflow checked out", () => {
    const { repo: sub } = repository('sub-source');
    const { repo } = repository('super');
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendor/sub');
    git(repo, 'commit', '-qm', 'with a submodule');
    const head = git(repo, 'rev-parse', 'HEAD');
    expect(readCheckout(path.join(repo, 'vendor', 'sub', 'containers', 'app'))).toEqual({
      workTree: repo,
      head,
    });
  });

  test('outside any repository, or in one with no commit yet: nothing', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-no-repo-'));
    expect(readCheckout(outside)).toBeUndefined();
    const empty = path.join(scratch, 'empty');
    fs.mkdirSync(empty);
    git(empty, 'init', '-q', '-b', 'main');
    expect(readCheckout(empty)).toBeUndefined();
  });

  test('a HEAD that names a ref outside refs/ or climbs out of the git directory: nothing', () => {
    const { repo } = repository('odd-head');
    for (const head of ['ref: refs/../../../etc/passwd\n', 'ref: HEAD\n', 'garbage\n']) {
      fs.writeFileSync(path.join(repo, '.git', 'HEAD'), head);
      expect(readCheckout(repo)).toBeUndefined();
    }
  });
});

describe('checkoutWarning', () => {
  const head = 'a'.repeat(40);
  const other = 'b'.repeat(40);

  test.each<[string, Parameters<typeof checkoutWarning>[0], string, boolean]>([
    ['the commit published is the one checked out', { workTree: '/w', head }, head, false],
    ['the same, `sha` in capitals', { workTree: '/w', head }, head.toUpperCase(), false],
    ['no repository', undefined, head, false],
    ['another commit checked out', { workTree: '/w', head }, other, true],
  ])('%s', (_, checkout, sha, warns) => {
    expect(checkoutWarning(checkout, sha) !== undefined).toBe(warns);
  });

  test('names both commits and the workflow lines that keep them one', () => {
    expect(checkoutWarning({ workTree: '/work/repo', head }, other)).toBe(
      `The build context is in /work/repo, whose checked-out commit (HEAD) is ${head}, but \`sha\` is ${other}: ` +
        `the image is built from the files of ${head.slice(0, 12)} and published as ${other.slice(0, 12)}. ` +
        'Check out the commit you publish: give the checkout and this action the same commit, ' +
        '`ref: ${{ inputs.ref || github.sha }}` on actions/checkout and `sha: ${{ inputs.ref || github.sha }}` here.',
    );
  });
});
