import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, messageOf } from '../errors.js';
import { info, warn } from '../report/log.js';
import { findOnPath } from '../process/tools.js';
import { missingToolsMessage } from '../tools/job-image.js';

/** A skopeo binary (or a .tar.gz holding one) to download, and the SHA-256 it must have. */
export interface SkopeoDownload {
  url: string;
  sha256: string;
}

/**
 * Makes sure `skopeo` is on PATH: the runner's own, else one brought from `skopeo_download_url`.
 * The tool cache keeps the verified download, so the next job on this runner does not download
 * it again; but a tool cache is a folder other jobs can write to, so every run hashes what it
 * finds there against `skopeo_sha256` again, and runs a copy made in its own 0700 folder (an
 * archive's skopeo extracted there), never the cached file itself.
 */
export async function ensureSkopeo(
  download: SkopeoDownload | undefined,
  runDirectory: string,
): Promise<void> {
  if (await findOnPath('skopeo')) return;
  // Checked before the build (tools/job-image.ts); here for a PATH that changed in between.
  if (!download) throw new UserError(missingToolsMessage(['skopeo']));
  // The checksum names the build: one cache entry for each download the workflow pins.
  const version = `0.0.0-sha256-${download.sha256.slice(0, 16)}`;
  const name = cachedName(download);
  // The copy in the run's own folder is what is hashed and run: the cached file could change
  // between a check of it and its use.
  const cached = await cachedDownload(version, name);
  let local = cached && copyIfIntact(cached, name, download.sha256, runDirectory);
  if (local) info(`skopeo from the tool cache: ${cached} (SHA-256 checked)`);
  else
    local = copyIfIntact(
      await downloadAndCache(download, version, name),
      name,
      download.sha256,
      runDirectory,
    );
  if (!local)
    throw new UserError(`The skopeo just cached does not hash to \`skopeo_sha256\`: refusing to run it.`);
  // On this step's PATH only: the folder goes with the run's folder, so later steps get no entry.
  process.env.PATH = `${await runnable(local, name, runDirectory)}${path.delimiter}${process.env.PATH ?? ''}`;
}

/** Loaded only when skopeo has to come from the cache or a download: it costs start-up time. */
const toolCache = () => import('@actions/tool-cache');

/** The file the cache keeps: the download as it came, its kind in its name. */
function cachedName(download: SkopeoDownload): string {
  return isArchive(download) ? 'skopeo.tar.gz' : 'skopeo';
}

function isArchive(download: SkopeoDownload): boolean {
  return /\.(tar\.gz|tgz)$/.test(new URL(download.url).pathname);
}

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The cached download's path, where the cache holds one for this checksum. */
async function cachedDownload(version: string, name: string): Promise<string> {
  const tc = await toolCache();
  try {
    const directory = tc.find('skopeo', version);
    const file = directory && path.join(directory, name);
    return file && fs.existsSync(file) ? file : '';
  } catch {
    return '';
  }
}

/**
 * `file` copied into the run's own folder, or '' where the copy does not hash to `sha256` (the
 * cached file changed after it was cached: reported, and not run).
 */
function copyIfIntact(file: string, name: string, sha256: string, runDirectory: string): string {
  const directory = path.join(runDirectory, 'skopeo-download');
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const copy = path.join(directory, name);
  fs.copyFileSync(file, copy);
  const actual = sha256Of(copy);
  if (actual === sha256) return copy;
  fs.rmSync(copy, { force: true });
  warn(
    `The tool cache's ${file} has SHA-256 ${actual}, not ${sha256} (\`skopeo_sha256\`): it changed after it was cached. ` +
      'Not running it; downloading skopeo again.',
  );
  return '';
}

async function downloadAndCache(download: SkopeoDownload, version: string, name: string): Promise<string> {
  const tc = await toolCache();
  info(`Downloading skopeo from ${download.url}`);
  let file: string;
  try {
    file = await tc.downloadTool(download.url);
  } catch (error) {
    const status = error instanceof tc.HTTPError ? ` (HTTP ${error.httpStatusCode})` : '';
    throw new UserError(`Could not download skopeo from ${download.url}${status}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const actual = sha256Of(file);
  if (actual !== download.sha256) {
    fs.rmSync(file, { force: true });
    throw new UserError(
      `The skopeo download from ${download.url} has SHA-256 ${actual}, not ${download.sha256} (\`skopeo_sha256\`): refusing to run it. ` +
        'Check the URL and the checksum.',
    );
  }
  const directory = await tc.cacheFile(file, name, 'skopeo', version);
  fs.rmSync(file, { force: true });
  info(`skopeo cached in ${directory}`);
  return path.join(directory, name);
}

/**
 * The folder, in this run's own folder, that holds the skopeo this run executes: the verified
 * copy of the binary, or the skopeo extracted from the verified copy of the archive.
 */
async function runnable(verified: string, name: string, runDirectory: string): Promise<string> {
  const directory = path.join(runDirectory, 'skopeo-bin');
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const binary = path.join(directory, 'skopeo');
  if (name === 'skopeo') {
    fs.renameSync(verified, binary);
  } else {
    const tc = await toolCache();
    const extracted = await tc.extractTar(verified, path.join(runDirectory, 'skopeo-archive'));
    const found = ['skopeo', 'bin/skopeo', 'usr/bin/skopeo']
      .map((candidate) => path.join(extracted, candidate))
      .find((candidate) => fs.existsSync(candidate));
    if (!found)
      throw new UserError(
        `The skopeo archive (${verified}) holds no skopeo (looked at skopeo, bin/skopeo, usr/bin/skopeo).`,
      );
    fs.renameSync(found, binary);
    fs.rmSync(extracted, { recursive: true, force: true });
  }
  fs.chmodSync(binary, 0o700);
  return directory;
}
