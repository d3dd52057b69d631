import * as core from '@actions/core';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, messageOf } from '../errors.js';
import { info } from '../report/log.js';
import { findOnPath } from '../process/tools.js';

/** A skopeo binary (or a .tar.gz holding one) to download, and the SHA-256 it must have. */
export interface SkopeoDownload {
  url: string;
  sha256: string;
}

/**
 * Makes sure `skopeo` is on PATH: the runner's own, else one from the tool cache, else one
 * downloaded from `skopeo_download_url`, checked against `skopeo_sha256` before anything
 * runs it, and cached so that the next job on this runner does not download it again.
 */
export async function ensureSkopeo(download: SkopeoDownload | undefined): Promise<void> {
  if (await findOnPath('skopeo')) return;
  if (!download)
    throw new UserError(
      'skopeo is not installed on this runner. Install it first (Debian and Ubuntu: `apt-get install -y skopeo`; Alpine: `apk add skopeo`), ' +
        'or set `skopeo_download_url` and `skopeo_sha256` to a skopeo binary or .tar.gz this action may download.',
    );
  // The checksum names the build: one cache entry for each binary the workflow pins.
  const version = `0.0.0-sha256-${download.sha256.slice(0, 16)}`;
  let directory = await findInCache(version);
  if (directory) info(`skopeo from the tool cache: ${directory}`);
  else directory = await downloadAndCache(download, version);
  core.addPath(directory);
}

/** Loaded only when skopeo has to come from the cache or a download: it costs start-up time. */
const toolCache = () => import('@actions/tool-cache');

async function findInCache(version: string): Promise<string> {
  const tc = await toolCache();
  try {
    return tc.find('skopeo', version);
  } catch {
    return '';
  }
}

async function downloadAndCache(download: SkopeoDownload, version: string): Promise<string> {
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
  const actual = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  if (actual !== download.sha256) {
    fs.rmSync(file, { force: true });
    throw new UserError(
      `The skopeo download from ${download.url} has SHA-256 ${actual}, not ${download.sha256} (\`skopeo_sha256\`): refusing to run it. ` +
        'Check the URL and the checksum.',
    );
  }
  let binary = file;
  if (/\.(tar\.gz|tgz)$/.test(new URL(download.url).pathname)) {
    const extracted = await tc.extractTar(file);
    const found = ['skopeo', 'bin/skopeo', 'usr/bin/skopeo']
      .map((candidate) => path.join(extracted, candidate))
      .find((candidate) => fs.existsSync(candidate));
    if (!found)
      throw new UserError(
        `The archive from ${download.url} holds no skopeo (looked at skopeo, bin/skopeo, usr/bin/skopeo).`,
      );
    binary = found;
  }
  fs.chmodSync(binary, 0o755);
  const directory = await tc.cacheFile(binary, 'skopeo', 'skopeo', version);
  info(`skopeo cached in ${directory}`);
  return directory;
}
