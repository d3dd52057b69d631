import * as core from '@actions/core';
import { Output, Result } from './names.js';
import type { Tags } from './publication.js';

export interface Report {
  tags: Tags;
  result?: Result;
  digest?: string;
  detail: string;
}

export function versionRef(tags: Tags): string {
  return `${tags.image}:${tags.version}`;
}

export function shaRef(tags: Tags): string {
  return `${tags.image}:${tags.sha}`;
}

/** The references are known from the inputs: set them first, so a failure still reports them. */
export function setReferenceOutputs(tags: Tags): void {
  core.setOutput(Output.Image, tags.image);
  core.setOutput(Output.VersionRef, versionRef(tags));
  core.setOutput(Output.ShaRef, shaRef(tags));
}

export function setResultOutputs(result: Result, digest: string | undefined): void {
  if (digest) core.setOutput(Output.Digest, digest);
  core.setOutput(Output.Result, result);
}

/** A job summary (when the runner offers one): what was written or found, or why it stopped. */
export async function writeSummary(report: Report): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const { tags } = report;
  core.summary.addHeading(report.result ? `Image ${report.result}` : 'Image not published', 3);
  core.summary.addTable([
    [
      { data: 'Reference', header: true },
      { data: 'Value', header: true },
    ],
    ['Version', `<code>${versionRef(tags)}</code>`],
    ['Commit', `<code>${shaRef(tags)}</code>`],
    ['Digest', report.digest ? `<code>${report.digest}</code>` : '(none)'],
    ['Result', report.result ?? 'failed'],
  ]);
  core.summary.addRaw(report.detail, true);
  await core.summary.write();
}
