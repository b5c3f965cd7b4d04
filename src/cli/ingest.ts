/**
 * `huifang ingest <path...>` — stores and reads returned scans, scanned PDFs, e-mails and
 * folders of them, assigns each page to its visit, and reports what was read, what awaits
 * review and what went to quarantine.
 *
 * Exit code: 0 when every page found its visit (items awaiting review do not change it —
 * they are counted); 1 when a page or file went to quarantine or a file could not be read;
 * 2 when a path does not exist (nothing is written then).
 */
import { describeLeftover } from '../store/leftovers.ts';
import {
  collectIngestInputs,
  ingestCollected,
  type FileReport,
  type IngestReport,
  type PageReport,
} from '../ingest/ingest.ts';
import { INGEST_HANDLERS } from './ingest-handlers.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { basename } from 'node:path';
import { defineCommand, EXIT_OK, EXIT_PROBLEMS, report } from './common.ts';
import { startProgress } from './progress.ts';

interface IngestArgs {
  paths: string[];
  follow: boolean;
  user?: string;
}

export const ingestCommand = defineCommand<IngestArgs>({
  command: 'ingest <paths...>',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'files or folders (read recursively)' })
      .option('follow', {
        type: 'boolean',
        default: true,
        describe: 'attach pages without a QR code to the visit of the page before them (--no-follow: quarantine them)',
      })
      .option('user', {
        ...USER_OPTION,
        describe: 'who is ingesting: 工号 or name on the staff roster (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    // Every path is checked before the workspace is opened: a typo writes nothing.
    const inputs = await collectIngestInputs(args.paths, INGEST_HANDLERS);
    const ws = workspace();
    const actor = actingPerson(ws, args.user, 'ingest').staffId;
    const bar = startProgress(io, 'ingest', { unit: 'files' });
    let pages = 0;
    const result = await ingestCollected(ws, inputs, {
      actor,
      handlers: INGEST_HANDLERS,
      follow: args.follow,
      onProgress: (e) => {
        if (e.type === 'page')
          bar.tick(e.index, e.total, `${basename(e.path)} page ${e.page}, ${++pages} pages so far`);
        if (e.type === 'file-done') bar.tick(e.index + 1, e.total, `${pages} pages`);
      },
    });
    for (const l of result.leftovers) io.err(`huifang: ${describeLeftover(l)}`);
    bar.finish(`${pages} pages`);
    report(io, args.json, jsonOf(result), () => textOf(result));
    const problems =
      result.quarantined.length > 0 || result.refused.length > 0 || result.files.some((f) => f.status === 'error');
    return problems ? EXIT_PROBLEMS : EXIT_OK;
  },
});

/** The `--json` document (SPEC §8), plus `skipped` and `reviewPending`. */
function jsonOf(r: IngestReport): object {
  return {
    leftovers: r.leftovers,
    refused: r.refused,
    files: r.files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      status: f.status,
      handler: f.handler,
      pageCount: f.pageCount,
      ...(f.firstIngested ? { firstIngested: f.firstIngested } : {}),
      ...(f.error ? { error: f.error } : {}),
      pages: f.pages.map((p) => ({
        page: p.page,
        visitId: p.visitId,
        kind: p.kind,
        assignedBy: p.assignedBy,
        checks: p.checks,
        answers: p.answers,
        review: p.review,
        reviewItems: p.reviewItems,
        ...(p.quarantine ? { quarantine: p.quarantine } : {}),
      })),
    })),
    quarantined: r.quarantined,
    skipped: r.skipped,
    reviewPending: r.reviewPending,
  };
}

const STATUS_LABEL: Record<FileReport['status'], string> = {
  ingested: 'ingested ',
  resumed: 'completed',
  duplicate: 'duplicate',
  error: 'ERROR    ',
};

function pageRange(pages: number[]): string {
  if (pages.length === 1) return `p.${pages[0]}`;
  const contiguous = pages.every((p, i) => i === 0 || p === pages[i - 1]! + 1);
  return contiguous ? `p.${pages[0]}–${pages.at(-1)}` : `pp.${pages.join(',')}`;
}

function yesNo(present: boolean | null, yes: string, no: string): string {
  return present === null ? `${yes}? (review)` : present ? yes : no;
}

function describeReading(p: PageReport): string {
  const parts: string[] = [];
  const answers = Object.values(p.answers);
  if (answers.length) parts.push(`${answers.filter((a) => a !== null).length}/${answers.length} answers`);
  if (p.checks) {
    parts.push(yesNo(p.checks.customerSignature.present, 'customer signed', 'no customer signature'));
    const s = p.checks.seal;
    parts.push(
      s.present === null
        ? 'seal? (review)'
        : !s.present
          ? 'no seal'
          : s.red === true
            ? 'red seal'
            : s.red === false
              ? 'seal, not red'
              : 'seal, colour? (review)',
    );
    parts.push(yesNo(p.checks.handlerSignature.present, 'handler signed', 'no handler signature'));
  }
  return parts.join(', ');
}

/** One line a file, then one a visit and kind (what was read, what awaits review), then quarantined pages. */
function textOf(r: IngestReport): string[] {
  return [...r.files.flatMap(fileLines), ...skippedLines(r), ...totalLines(r)];
}

/** A file's line, then one a visit and kind, then its quarantined pages. */
function fileLines(f: FileReport): string[] {
  const lines: string[] = [];
  const assigned = f.pages.filter((p) => p.visitId);
  const visits = new Set(assigned.map((p) => p.visitId));
  const quarantined = f.pages.filter((p) => p.quarantine);
  const open = f.pages.reduce((n, p) => n + p.reviewItems.filter((i) => i.status === 'open').length, 0);
  const summary = f.error
    ? f.error
    : [
        `${f.pageCount ?? 0} page${f.pageCount === 1 ? '' : 's'}`,
        `${visits.size} visit${visits.size === 1 ? '' : 's'}`,
        ...(quarantined.length ? [`${quarantined.length} quarantined`] : []),
        ...(open ? [`${open} to review`] : []),
        ...(f.firstIngested ? [`same bytes as ${f.firstIngested.path}, ingested ${f.firstIngested.at}`] : []),
      ].join(', ');
  lines.push(`${STATUS_LABEL[f.status]} ${f.path}: ${summary}`);
  const groups = new Map<string, PageReport[]>();
  for (const p of assigned) {
    const key = `${p.visitId} ${p.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  for (const [key, pages] of groups) lines.push(visitLine(key, pages));
  for (const q of quarantined)
    lines.push(`    quarantined ${q.page === null ? 'whole file' : `p.${q.page}`}: ${q.quarantine!.reason}`);
  return lines;
}

/** The pages of one visit and kind in a file: what was read, how they were assigned, what awaits review. */
function visitLine(key: string, pages: PageReport[]): string {
  const reading = pages.map(describeReading).filter(Boolean).join('; ');
  const items = pages.flatMap((p) => p.reviewItems.filter((i) => i.status === 'open'));
  const how = pages.every((p) => p.assignedBy === 'follow') ? ' (no QR code: follows the page before)' : '';
  const review = items.length ? ` — awaits review: ${items.map((i) => `#${i.itemId} ${i.subject}`).join(', ')}` : '';
  return `    ${key} ${pageRange(pages.map((p) => p.page ?? 0))}${how}${reading ? ': ' + reading : ''}${review}`;
}

/** Files in the folders that were skipped (not scans or e-mails), and paths refused. */
function skippedLines(r: IngestReport): string[] {
  const lines: string[] = [];
  if (r.skipped.length > 3) {
    lines.push(
      `skipped   ${r.skipped.length} files in the folders that are not scans or e-mails (e.g. ${r.skipped[0]!.path}); --json lists them`,
    );
  } else for (const s of r.skipped) lines.push(`skipped   ${s.path}: ${s.reason}`);
  for (const s of r.refused) lines.push(`refused   ${s.path}: ${s.reason}`);
  return lines;
}

/** The tally of files, pages and visits; then what is in quarantine and what awaits review. */
function totalLines(r: IngestReport): string[] {
  const count = (status: string) => r.files.filter((f) => f.status === status).length;
  const pages = r.files.reduce((n, f) => n + f.pages.filter((p) => p.page !== null).length, 0);
  const visits = new Set(r.files.flatMap((f) => f.pages.map((p) => p.visitId).filter(Boolean)));
  const tally = [
    `${r.files.length} file${r.files.length === 1 ? '' : 's'}`,
    ...(['ingested', 'resumed', 'duplicate', 'error'] as const)
      .filter((s) => count(s))
      .map((s) => `${count(s)} ${s === 'resumed' ? 'completed after an interrupted run' : s}`),
  ].join(', ');
  return [
    `${tally}; ${pages} page${pages === 1 ? '' : 's'} for ${visits.size} visit${visits.size === 1 ? '' : 's'}.`,
    r.quarantined.length
      ? `${r.quarantined.length} page${r.quarantined.length === 1 ? '' : 's'} in quarantine: see huifang quarantine, re-assign with huifang pages move.`
      : 'Nothing went to quarantine.',
    r.reviewPending
      ? `${r.reviewPending} decision${r.reviewPending === 1 ? '' : 's'} await a reviewer: huifang review.`
      : 'Nothing awaits review.',
  ];
}
