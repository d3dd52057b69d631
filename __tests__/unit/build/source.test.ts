import { describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { handOverSource, requireCommit } from '../../../src/build/source.js';
import { REVISION_LABEL } from '../../../src/names.js';
import { dockerArchive } from '../../helpers/archives.js';

// Push-only mode's hand-over: the source linked into the run's folder, taken only when it says
// it was built from this commit (skopeo reads its configuration; no engine, no registry).

const COMMIT = '0a1b2c3d4e5f'.padEnd(40, '7');
const OTHER = 'f'.repeat(40);

function scratch(): { workspace: string; run: string } {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-src-'));
  const run = path.join(workspace, 'run');
  fs.mkdirSync(run);
  return { workspace, run };
}

describe('handOverSource', () => {
  test('a docker-archive with this commit: linked, handed over for a converting push, the link its only file', async () => {
    const { workspace, run } = scratch();
    const archive = path.join(workspace, 'result:with-colon');
    dockerArchive(archive, { [REVISION_LABEL]: COMMIT }, { hello: 'hi' });
    const handOver = await handOverSource({ transport: 'docker-archive', path: archive }, COMMIT, run, []);
    expect(handOver).toEqual({
      kind: 'source-archive',
      reference: 'docker-archive:source',
      options: [],
      files: [path.join(run, 'source')],
    });
    expect(fs.realpathSync(path.join(run, 'source'))).toBe(archive);
  });

  test.each([
    [{}, `carries no ${REVISION_LABEL} label`],
    [{ [REVISION_LABEL]: OTHER }, `was built from commit "${OTHER}"`],
    [{ [REVISION_LABEL]: COMMIT.slice(0, 7) }, `was built from commit "${COMMIT.slice(0, 7)}"`],
  ])('labels %j: refused before any push, the link removed, the source untouched', async (labels, why) => {
    const { workspace, run } = scratch();
    const archive = path.join(workspace, 'result');
    dockerArchive(archive, labels, { hello: 'hi' });
    const before = fs.readFileSync(archive);
    await expect(
      handOverSource({ transport: 'docker-archive', path: archive }, COMMIT, run, []),
    ).rejects.toThrow(why);
    expect(fs.readdirSync(run)).toEqual([]);
    expect(fs.readFileSync(archive).equals(before)).toBe(true);
  });
});

describe('requireCommit', () => {
  test('the label of this commit: nothing to say', () => {
    expect(() => requireCommit(COMMIT, COMMIT, 'oci:out')).not.toThrow();
  });

  test('no label: what to add, in a Dockerfile and in nix', () => {
    expect(() => requireCommit(undefined, COMMIT, 'docker-archive:/w/result')).toThrow(
      `\`source\` (docker-archive:/w/result) carries no ${REVISION_LABEL} label: the action cannot tell which commit it was built from, and does not change an image built elsewhere. ` +
        `Add the label where the image is made: in a Dockerfile \`ARG REVISION\` and \`LABEL ${REVISION_LABEL}=$REVISION\` (built with \`--build-arg REVISION=<full commit>\`), ` +
        `in a nix dockerTools image \`config.Labels."${REVISION_LABEL}" = <full commit>;\`. Nothing was pushed.`,
    );
  });

  test('another commit: both named', () => {
    expect(() => requireCommit(OTHER, COMMIT, 'oci:out')).toThrow(
      `\`source\` (oci:out) was built from commit "${OTHER}" (its ${REVISION_LABEL} label), not from \`sha\` ${COMMIT}. Publish it from a run of that commit, or rebuild it from this one. Nothing was pushed.`,
    );
  });
});
