import * as core from '@actions/core';
import { Output, Result } from './names.js';
import type { Tags } from './publication.js';
import type { PhaseTime } from './timeline.js';

export interface Report {
  tags: Tags;
  result?: Result;
  digest?: string;
  detail: string;
  phases: PhaseTime[];
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

/**
 * The job summary (when the runner offers one): what was written or found, the digest, the
 * result, the commit and how long each phase took; or, when the run stopped, why and what to do.
 */
export async function writeSummary(report: Report): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  core.summary.addRaw(summaryMarkdown(report), true);
  await core.summary.write();
}

export function summaryMarkdown(report: Report): string {
  const { tags } = report;
  const lines: string[] = [];
  if (report.result) {
    lines.push(`### ${tags.image}:${tags.version}: ${report.result}`, '');
    lines.push('| | |', '|---|---|');
    lines.push(`| Version | \`${versionRef(tags)}\` |`);
    lines.push(`| Commit | \`${shaRef(tags)}\` |`);
    if (report.digest) lines.push(`| Digest | \`${report.digest}\` |`);
    lines.push(`| Result | \`${report.result}\` |`, '');
    lines.push(report.detail, '');
  } else {
    lines.push(`### ${tags.image}:${tags.version}: not published`, '');
    lines.push(
      report.detail
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n'),
      '',
    );
    lines.push(`Commit \`${tags.sha}\`.`, '');
  }
  if (report.phases.length > 0) {
    lines.push('| Phase | Time |', '|---|---:|');
    for (const phase of report.phases) lines.push(`| ${phase.name} | ${(phase.ms / 1000).toFixed(1)} s |`);
    lines.push('');
  }
  return lines.join('\n');
}
