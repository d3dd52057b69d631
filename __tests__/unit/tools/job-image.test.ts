// What the job image must hold, checked before the build: the message for each set of missing
// tools (a table), and the check against stand-in tools on a PATH that lacks them.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../../src/errors.js';
import {
  buildxIsMissing,
  checkTools,
  missingToolsMessage,
  type CheckedTools,
  type MissingTool,
  type ToolNeeds,
} from '../../../src/tools/job-image.js';
import { capturingStdout } from '../../helpers/stdout.js';

const BUILDX =
  "the docker buildx plugin, needed to build the image (`docker buildx version` must answer): Debian 13 and Ubuntu 24.04 `apt-get install docker-buildx` (Debian 12 has no such package); Docker's apt repository `docker-buildx-plugin`; or a buildx release binary copied to `~/.docker/cli-plugins/docker-buildx` and made executable";
const SKOPEO =
  'skopeo, needed to push the image: Debian and Ubuntu `apt-get install skopeo` (or, instead, set `skopeo_download_url` and `skopeo_sha256`: the action then downloads skopeo, checks it and keeps it in the tool cache)';
const DOCKER =
  "the docker CLI and its buildx plugin, needed to build the image: Debian 13 and Ubuntu 24.04 `apt-get install docker.io docker-buildx`; Docker's apt repository `docker-ce-cli docker-buildx-plugin`";

describe('missingToolsMessage: what to add to the job image', () => {
  test.each<[string, MissingTool[], string]>([
    [
      'buildx alone',
      ['buildx'],
      "This job's image lacks the docker buildx plugin, needed to build the image (`docker buildx version` must answer). " +
        "Add to the job image: Debian 13 and Ubuntu 24.04 `apt-get install docker-buildx` (Debian 12 has no such package); Docker's apt repository `docker-buildx-plugin`; " +
        'or a buildx release binary copied to `~/.docker/cli-plugins/docker-buildx` and made executable. Nothing was built or pushed.',
    ],
    [
      'skopeo alone',
      ['skopeo'],
      "This job's image lacks skopeo, needed to push the image. Add to the job image: Debian and Ubuntu `apt-get install skopeo` " +
        '(or, instead, set `skopeo_download_url` and `skopeo_sha256`: the action then downloads skopeo, checks it and keeps it in the tool cache). ' +
        'Nothing was built or pushed.',
    ],
    [
      'the docker CLI alone',
      ['docker'],
      "This job's image lacks the docker CLI and its buildx plugin, needed to build the image. Add to the job image: " +
        "Debian 13 and Ubuntu 24.04 `apt-get install docker.io docker-buildx`; Docker's apt repository `docker-ce-cli docker-buildx-plugin`. Nothing was built or pushed.",
    ],
    [
      'buildx and skopeo: one message, one line each, and the one apt-get line',
      ['buildx', 'skopeo'],
      [
        "This job's image lacks the docker buildx plugin and skopeo. Add to the job image:",
        `- ${BUILDX};`,
        `- ${SKOPEO};`,
        'On Debian 13 or Ubuntu 24.04, all at once: `apt-get install docker-buildx skopeo`. Nothing was built or pushed.',
      ].join('\n'),
    ],
    [
      'in any order given, the same order said',
      ['skopeo', 'docker'],
      [
        "This job's image lacks the docker CLI and its buildx plugin and skopeo. Add to the job image:",
        `- ${DOCKER};`,
        `- ${SKOPEO};`,
        'On Debian 13 or Ubuntu 24.04, all at once: `apt-get install docker.io docker-buildx skopeo`. Nothing was built or pushed.',
      ].join('\n'),
    ],
  ])('%s', (_, missing, message) => {
    expect(missingToolsMessage(missing)).toBe(message);
  });
});

describe('buildxIsMissing: what docker CLIs without the plugin say', () => {
  test.each<[string, boolean]>([
    ["docker: unknown command: docker buildx\n\nRun 'docker --help' for more information", true], // Docker 28
    ["docker: 'buildx' is not a docker command.\nSee 'docker --help'", true],
    ['unknown command "buildx" for "docker"', true],
    ['unknown flag: --file', true],
    [
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      false,
    ],
    ['ERROR: no builder "ci" found', false],
  ])('%j: %s', (said, missing) => {
    expect(buildxIsMissing(said)).toBe(missing);
  });
});

describe('checkTools, on a PATH that holds only the stand-ins given', () => {
  let bin: string;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bpi-job-image-')), 'bin');
    fs.mkdirSync(bin);
    process.env.PATH = bin;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  const install = (name: string, script: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  /** A docker CLI whose buildx plugin answers (docker driver, classic store) or is missing as Docker 28 says it. */
  const docker = (buildx: boolean) =>
    install(
      'docker',
      buildx
        ? 'case "$1" in buildx) printf "Name: default\\nDriver: docker\\n" ;; info) echo "[]" ;; esac'
        : 'case "$1" in buildx) printf "docker: unknown command: docker buildx\\n" >&2; exit 1 ;; info) echo "[]" ;; esac',
    );
  const skopeo = () => install('skopeo', 'exit 0');
  const check = async (
    needs: ToolNeeds,
    download = false,
  ): Promise<{ checked?: CheckedTools; error?: unknown; written: string }> => {
    const { outcome, written } = await capturingStdout(() =>
      checkTools(needs, download).then(
        (checked) => ({ checked }),
        (error: unknown) => ({ error }),
      ),
    );
    return { ...outcome, written };
  };
  const both: ToolNeeds = { buildx: true, skopeo: true };

  test.each<[string, () => void, ToolNeeds, boolean, MissingTool[]]>([
    ['neither docker nor skopeo', () => undefined, both, false, ['docker', 'skopeo']],
    ['docker without buildx, and no skopeo', () => docker(false), both, false, ['buildx', 'skopeo']],
    ['docker without buildx; skopeo there', () => (docker(false), skopeo()), both, false, ['buildx']],
    ['buildx there, no skopeo', () => docker(true), both, false, ['skopeo']],
    [
      'docker without buildx, when only the build needs it (push: false)',
      () => docker(false),
      { buildx: true, skopeo: false },
      false,
      ['buildx'],
    ],
    [
      'no skopeo, for a copy inside the registry (no build)',
      () => docker(false),
      { buildx: false, skopeo: true },
      false,
      ['skopeo'],
    ],
  ])('%s: refused, naming each', async (_, setUp, needs, download, missing) => {
    setUp();
    const { error } = await check(needs, download);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(missingToolsMessage(missing));
  });

  test.each<[string, () => void, ToolNeeds, boolean]>([
    ['buildx and skopeo there', () => (docker(true), skopeo()), both, false],
    ['buildx there; skopeo to be downloaded', () => docker(true), both, true],
    ['push: false needs no skopeo', () => docker(true), { buildx: true, skopeo: false }, false],
    ['a copy inside the registry needs no buildx', () => skopeo(), { buildx: false, skopeo: true }, false],
    ['nothing to write needs nothing', () => undefined, { buildx: false, skopeo: false }, false],
  ])('%s: accepted', async (_, setUp, needs, download) => {
    setUp();
    const { checked, error } = await check(needs, download);
    expect(error).toBeUndefined();
    // The builder the check probed is handed to the build, which does not ask again.
    if (needs.buildx) expect(await checked?.builder).toEqual({ driver: 'docker', containerdStore: false });
    else expect(checked?.builder).toBeUndefined();
  });

  test('says what it found, where', async () => {
    docker(true);
    skopeo();
    const { written } = await check(both);
    expect(written).toContain(
      `The job image has what this run needs: docker buildx (${bin}/docker), skopeo (${bin}/skopeo).`,
    );
  });

  test('an engine that does not answer is not a missing tool: the build names it', async () => {
    install(
      'docker',
      'case "$1" in buildx) printf "Name: default\\nDriver: docker\\n" ;; info) echo "Cannot connect to the Docker daemon" >&2; exit 1 ;; esac',
    );
    skopeo();
    const { checked, error } = await check(both);
    expect(error).toBeUndefined();
    await expect(checked?.builder).rejects.toThrow(/Cannot connect to the Docker daemon/);
  });
});
