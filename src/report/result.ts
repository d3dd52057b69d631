import { messageOf } from '../errors.js';
import { Output, Result } from '../names.js';
import { info, neutralise, warn } from './log.js';
import { cellCode, codeBlock } from './markdown.js';
import { partRef, type Parts } from '../image/parts.js';
import { shaRef, versionRef, type Tags } from '../image/tags.js';
import { surface } from './surface.js';
import type { PhaseTime } from './timeline.js';

export interface Report {
  tags: Tags;
  result?: Result;
  digest?: string;
  /** The `.sig` reference, when the run signs. */
  signature?: string;
  /** `part-pushed`: the platforms whose parts are not in the registry yet. */
  missing?: string[];
  detail: string;
  phases: PhaseTime[];
}

/** The references are known from the inputs: set them first, so a failure still reports them. */
export function setReferenceOutputs(tags: Tags): void {
  surface().setOutput(Output.Image, tags.image);
  surface().setOutput(Output.VersionRef, versionRef(tags));
  // With one tag there is no commit tag to name: the output is left unset.
  if (!tags.oneTag) surface().setOutput(Output.ShaRef, shaRef(tags));
}

/** The commit as the report names it: its tag, or with one tag the commit alone. */
function commitShown(tags: Tags): string {
  return tags.oneTag ? `${tags.sha} (no commit tag)` : shaRef(tags);
}

export function setResultOutputs(result: Result, digest: string | undefined): void {
  if (digest) setDigestOutput(digest);
  surface().setOutput(Output.Result, result);
}

/** With platform parts: this job's part references, one a line, known from the inputs. */
export function setPartOutput(tags: Tags, parts: Parts): void {
  surface().setOutput(Output.PartRef, parts.mine.map((platform) => partRef(tags, platform)).join('\n'));
}

/** The signature's reference, once it is written and verified (or found). */
export function setSignatureOutput(reference: string): void {
  surface().setOutput(Output.Signature, reference);
}

/** The digest pushed, as soon as it is known: a failure later still says what was written. */
export function setDigestOutput(digest: string): void {
  surface().setOutput(Output.Digest, digest);
}

/**
 * The run's result where every runner's users see it: the job summary (GitHub shows it) and a
 * plain block at the end of the log (Forgejo's web UI shows no summary and no annotations).
 */
export async function report(result: Report): Promise<void> {
  info(resultBlock(result));
  await writeSummary(result);
}

/** The result as plain lines, to read in a raw log: no markup, no workflow commands. */
export function resultBlock(report: Report): string {
  const { tags } = report;
  const rows: [string, string][] = [
    ['version', versionRef(tags)],
    ['commit', commitShown(tags)],
  ];
  if (report.digest) rows.push(['digest', report.digest]);
  if (report.signature) rows.push(['signed', report.signature]);
  rows.push(['result', report.result ?? 'not published']);
  if (report.missing) rows.push(['missing', report.missing.join(', ')]);
  const [first, ...rest] = report.detail.split('\n');
  rows.push([report.result ? 'why' : 'stopped', first], ...rest.map((line): [string, string] => ['', line]));
  if (report.phases.length > 0)
    rows.push(['phases', report.phases.map((phase) => `${phase.name} ${seconds(phase.ms)}`).join(', ')]);
  const heading = `build-push-image: ${versionRef(tags)} ${report.result ?? 'not published'}`;
  return neutralise(
    [heading, ...rows.map(([name, value]) => `  ${name.padEnd(8)} ${value}`.trimEnd())].join('\n'),
  );
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The job summary (when the host shows one): what was written or found, the digest, the
 * result, the commit and how long each phase took; or, when the run stopped, why and what to do.
 */
async function writeSummary(report: Report): Promise<void> {
  const host = surface();
  if (!host.summary) return;
  // A summary that cannot be written changes nothing that was done: it warns, and the result
  // stands as the log block above says.
  try {
    await host.summary(summaryMarkdown(report));
  } catch (error) {
    warn(`Could not write the job summary (${messageOf(error)}); the result is in the log above.`);
  }
}

export function summaryMarkdown(report: Report): string {
  const { tags } = report;
  const lines: string[] = [];
  if (report.result) {
    lines.push(`### ${versionRef(tags)}: ${report.result}`, '');
    lines.push('| | |', '|---|---|');
    lines.push(`| Version | ${cellCode(versionRef(tags))} |`);
    lines.push(`| Commit | ${cellCode(commitShown(tags))} |`);
    if (report.digest) lines.push(`| Digest | ${cellCode(report.digest)} |`);
    if (report.signature) lines.push(`| Signature | ${cellCode(report.signature)} |`);
    lines.push(`| Result | ${cellCode(report.result)} |`);
    if (report.missing) lines.push(`| Parts missing | ${report.missing.map(cellCode).join(', ')} |`);
    lines.push('');
    lines.push(codeBlock(report.detail), '');
  } else {
    lines.push(`### ${versionRef(tags)}: not published`, '');
    lines.push(codeBlock(report.detail), '');
    lines.push(`Commit ${cellCode(tags.sha)}.`, '');
  }
  if (report.phases.length > 0) {
    lines.push('| Phase | Time |', '|---|---:|');
    for (const phase of report.phases) lines.push(`| ${phase.name} | ${seconds(phase.ms)} |`);
    lines.push('');
  }
  return lines.join('\n');
}
