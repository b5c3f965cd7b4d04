/**
 * Ingest (收回件登记): what comes back — scans, PDFs, and whatever other handlers read
 * (e-mails) — stored byte-for-byte under its SHA-256 before anything else, then read page by
 * page and assigned to visits, with every unsure decision sent to review and every page
 * that cannot be placed sent to quarantine. Nothing is ever lost, nothing is done twice.
 *
 * Per file: store the bytes → record the file as `processing` (committed) → the handler
 * reads it (no register writes) → one transaction writes all its pages, review items and
 * documents and marks it `done`. A run killed mid-file leaves `processing`; the next run
 * redoes that file whole. A file already `done` is a `duplicate` and changes nothing.
 *
 * @example
 * const report = await ingest(ws, ['/scans/2026-11-28'], { actor: 'clerk1', onProgress: (e) => log(e) });
 * for (const q of report.quarantined) console.log(q.path, q.page, q.reason);
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { byCodeUnit } from '../domain/order.ts';
import { InputError, message, systemErrorWords, type Message } from '../domain/messages.ts';
import { beginIngestFile, finishIngestFile, getIngestFile, type IngestFileRecord } from '../store/ingest.ts';
import { pagesOfFile, type PageRecord } from '../store/pages.ts';
import { RegisterUnavailableError } from '../store/register-wait.ts';
import {
  applyReview,
  reviewItemsOfFile,
  type FinalCheck,
  type FinalSeal,
  type NewReviewItem,
  type ReviewItem,
  type ReviewValue,
} from '../store/review.ts';
import type { Leftover } from '../store/leftovers.ts';
import type { Workspace } from '../store/workspace.ts';
import type { Answer } from '../domain/questions.ts';
import type { DecodeLimits } from '../scan/decode.ts';
import { QUARANTINE_RULES } from './assign.ts';
import {
  handlerFor,
  type HandledPage,
  type HandlerResult,
  type IngestCandidate,
  type IngestContext,
  type IngestHandler,
} from './handlers.ts';
import { defaultReadThreads, openScanReader, type ScanReader } from '../scan/read-pool.ts';
import { currentActor } from '../env/actor.ts';

export interface IngestLimits extends DecodeLimits {
  /** Files larger than this many bytes are stored but not read (default 1 GiB). */
  maxFileBytes?: number;
}

export interface IngestOptions {
  /** Who ingests (default: HUIFANG_USER or the OS user). */
  actor?: string;
  /** Attach pages without a QR code to the visit of the page before them (default true). */
  follow?: boolean;
  limits?: IngestLimits;
  /** Called as the run advances (files, pages); for progress bars. */
  onProgress?: (event: IngestProgress) => void;
  /** The readers to hand files to, asked in order (the list is wired in `src/cli/ingest-handlers.ts`). */
  handlers: readonly IngestHandler[];
}

export type IngestProgress =
  | { type: 'file'; path: string; index: number; total: number }
  | { type: 'page'; path: string; index: number; total: number; page: number }
  | { type: 'file-done'; path: string; index: number; total: number; status: FileStatus };

/**
 * `ingested`: read now; `resumed`: an earlier run stopped inside this file and this run
 * finished it; `duplicate`: the same bytes were ingested before (the earlier result is
 * shown); `error`: the file could not even be read from its path (nothing stored).
 */
export type FileStatus = 'ingested' | 'resumed' | 'duplicate' | 'error';

export interface CheckReport {
  present: boolean | null;
  score: number | null;
}

export interface PageReport {
  /** 1-based page; null for a whole file that has no readable pages. */
  page: number | null;
  visitId: string | null;
  kind: string | null;
  /** How the page found its visit: `qr`, `follow` (after a page with a code), `handler`, `clerk`, `none` (quarantined). */
  assignedBy: string;
  /** Signature and seal decisions (null for pages that are not a read form); null `present`: under review. */
  checks: {
    customerSignature: CheckReport;
    handlerSignature: CheckReport;
    seal: CheckReport & { red: boolean | null };
  } | null;
  /** Answers by question id; null: blank, unreadable or under review. */
  answers: Record<string, Answer>;
  /** True while the page has open review items. */
  review: boolean;
  reviewItems: {
    itemId: number;
    subject: string;
    machineValue: ReviewValue;
    score: number | null;
    reason: string;
    status: string;
    crop: string | null;
  }[];
  /** Set when the page is in quarantine; `crop`: absolute path of a picture of the page (PNG). */
  quarantine?: { reason: string; ruleId: string | null; since: string; crop: string | null };
}

export interface FileReport {
  /** Absolute path as given in this run. */
  path: string;
  /** Empty only for `error`: the file could not be read, so nothing was stored. */
  sha256: string;
  status: FileStatus;
  handler: string | null;
  pageCount: number | null;
  pages: PageReport[];
  /** For a duplicate: the path the bytes were first ingested from, and when. */
  firstIngested?: { path: string; at: string };
  /** For `error`: what went wrong. */
  error?: string;
}

export interface QuarantineEntry {
  path: string;
  sha256: string;
  page: number | null;
  reason: string;
  ruleId: string | null;
  date: string;
  /** Absolute path of a picture of the page (PNG in the workspace), when one was made. */
  crop: string | null;
}

export interface IngestReport {
  files: FileReport[];
  quarantined: QuarantineEntry[];
  /** Files found in folders that no handler reads (not stored; name them on the command line to store them anyway). */
  skipped: { path: string; reason: string }[];
  /** Links found in folders that lead outside the folder given: refused, never read. */
  refused: { path: string; reason: string }[];
  /** Open review items on the pages of this run's files. */
  reviewPending: number;
  messages: Message[];
  /** What an interrupted ingest had left in the store, removed by this run. */
  leftovers: Leftover[];
}

/** The input files of a run, found before anything is written. */
export interface CollectedInputs {
  files: string[];
  skipped: { path: string; reason: string }[];
  /** Links in the folders that lead out of the folder given: never read. */
  refused: { path: string; reason: string }[];
}

const HEAD_BYTES = 4096;

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Resolves the paths of a run: files as given, folders walked recursively in a stable
 * order (hidden files skipped; files no handler reads listed as skipped). A path that does
 * not exist is bad input: `InputError` naming every such path, before anything is written.
 */
export async function collectIngestInputs(
  paths: readonly string[],
  handlers: readonly IngestHandler[],
): Promise<CollectedInputs> {
  const roots = await existingRoots(paths);
  const found: Collection = {
    files: [],
    seen: new Set(),
    skipped: [],
    refused: [],
    visitedDirs: new Set(),
    rootReal: '',
  };
  for (const r of roots) {
    if (r.dir) {
      found.rootReal = await realpath(r.path);
      await walkFolder(found, r.path, handlers);
    } else addInput(found, r.path);
  }
  return { files: found.files, skipped: found.skipped, refused: found.refused };
}

/** Each path given, as a file or a folder; refused, naming every such path, when one does not exist. */
async function existingRoots(paths: readonly string[]): Promise<{ path: string; dir: boolean }[]> {
  const missing: Message[] = [];
  const roots: { path: string; dir: boolean }[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    try {
      const s = await stat(abs);
      if (!s.isFile() && !s.isDirectory())
        missing.push(message('ingest/not-a-file', `${abs} is neither a file nor a folder`, { file: abs }));
      else roots.push({ path: abs, dir: s.isDirectory() });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      missing.push(
        message(
          'ingest/missing-path',
          code === 'ENOENT' ? `${abs} does not exist` : `${abs} cannot be opened: ${systemErrorWords(e)}`,
          { file: abs },
          { fix: 'check the path and run ingest again' },
        ),
      );
    }
  }
  if (missing.length)
    throw new InputError(
      missing.length === 1 ? missing[0]!.reason : `${missing.length} paths cannot be ingested`,
      missing,
    );
  return roots;
}

/** What the walk of the folders found so far. */
interface Collection extends CollectedInputs {
  seen: Set<string>;
  visitedDirs: Set<string>;
  /** The real path of the folder being walked: links may not lead out of it. */
  rootReal: string;
}

function addInput(found: Collection, p: string): void {
  if (!found.seen.has(p)) {
    found.seen.add(p);
    found.files.push(p);
  }
}

/** A folder's entries in a stable order, recursively: hidden ones skipped, links out of the folder refused. */
async function walkFolder(found: Collection, dir: string, handlers: readonly IngestHandler[]): Promise<void> {
  const real = await realpath(dir);
  if (found.visitedDirs.has(real)) return;
  found.visitedDirs.add(real);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byCodeUnit(a.name, b.name));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    let s;
    try {
      s = await stat(full);
    } catch {
      found.skipped.push({ path: full, reason: 'cannot be opened (a broken link?)' });
      continue;
    }
    if (e.isSymbolicLink()) {
      const target = await realpath(full).catch(() => '');
      if (!isInside(found.rootReal, target)) {
        found.refused.push({
          path: full,
          reason: `a link to ${target || 'nowhere'}, outside the folder ${found.rootReal}: not read; name the file itself on the command line to ingest it`,
        });
        continue;
      }
    }
    if (s.isDirectory()) await walkFolder(found, full, handlers);
    else if (s.isFile()) {
      const candidate: IngestCandidate = { path: full, name: e.name, size: s.size, head: await readHead(full) };
      if (handlerFor(candidate, handlers)) addInput(found, full);
      else
        found.skipped.push({
          path: full,
          reason:
            'not a scan, scanned PDF or e-mail that huifang reads; name it on the command line to store it anyway',
        });
    }
  }
}

/** Whether `path` (a real path) is `root` or inside it. */
function isInside(root: string, path: string): boolean {
  if (!path) return false;
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Stores, reads and assigns every file under `paths` (see the module comment). */
export async function ingest(ws: Workspace, paths: readonly string[], options: IngestOptions): Promise<IngestReport> {
  return ingestCollected(ws, await collectIngestInputs(paths, options.handlers), options);
}

/** Ingests inputs already collected with `collectIngestInputs`. */
export async function ingestCollected(
  ws: Workspace,
  inputs: CollectedInputs,
  options: IngestOptions,
): Promise<IngestReport> {
  const actor = options.actor ?? currentActor();
  const handlers = options.handlers;
  // A killed ingest leaves a full-size temporary copy in the store: removed first.
  const report: IngestReport = {
    files: [],
    quarantined: [],
    skipped: inputs.skipped,
    refused: inputs.refused ?? [],
    reviewPending: 0,
    messages: [],
    leftovers: ws.files.removeLeftovers(),
  };
  const total = inputs.files.length;
  // Files are read ahead on worker threads (decoding and page reading only: no register
  // writes), while each file is still recorded in order, one transaction each, here; the
  // pages of a batch are shared between the threads. Starting threads costs about a second:
  // worth it from a few files on, or for one batch of several pages (a few megabytes).
  const threads = total >= 4 || totalBytes(inputs.files) >= 4 * 2 ** 20 ? defaultReadThreads() : 0;
  const reader = openScanReader(threads);
  const ahead = Math.max(1, 2 * threads);
  const staged: (Promise<Staged> | undefined)[] = [];
  const one: OneOptions = { ...options, actor, handlers };
  try {
    for (const [index, path] of inputs.files.entries()) {
      for (let j = index; j < Math.min(total, index + ahead); j++)
        staged[j] ??= stageFile(ws, inputs.files[j]!, one, reader);
      options.onProgress?.({ type: 'file', path, index, total });
      const ready = await staged[index]!;
      staged[index] = undefined;
      const file = await ingestStaged(ws, ready, one, (page) =>
        options.onProgress?.({ type: 'page', path, index, total, page }),
      );
      record(report, path, file, index, total, options);
    }
  } finally {
    await reader.close();
  }
  return report;
}

/** The size of the files together (those that cannot be read count 0: ingest reports them). */
function totalBytes(paths: readonly string[]): number {
  let n = 0;
  for (const p of paths) {
    try {
      n += statSync(p).size;
    } catch {
      // reported when the file is stored
    }
  }
  return n;
}

/** Adds a file's outcome to the run's report and tells the progress listener. */
function record(
  report: IngestReport,
  path: string,
  file: FileReport,
  index: number,
  total: number,
  options: IngestOptions,
): void {
  report.files.push(file);
  for (const p of file.pages) {
    if (p.quarantine) {
      report.quarantined.push({
        path,
        sha256: file.sha256,
        page: p.page,
        reason: p.quarantine.reason,
        ruleId: p.quarantine.ruleId,
        date: p.quarantine.since,
        crop: p.quarantine.crop,
      });
      report.messages.push(
        message(p.quarantine.ruleId ?? 'ingest/quarantined', `quarantined: ${p.quarantine.reason}`, {
          file: path,
          ...(p.page !== null ? { page: p.page } : {}),
        }),
      );
    }
    report.reviewPending += p.reviewItems.filter((i) => i.status === 'open').length;
  }
  if (file.status === 'error')
    report.messages.push(message('ingest/unreadable-path', file.error ?? 'cannot be read', { file: path }));
  options.onProgress?.({ type: 'file-done', path, index, total, status: file.status });
}

interface OneOptions extends IngestOptions {
  actor: string;
  handlers: readonly IngestHandler[];
}

/** A handler that keeps a file it cannot read and quarantines it whole, with the reason. */
function wholeFileQuarantine(ruleId: string, reason: (input: { name: string; size: number }) => string): IngestHandler {
  return {
    name: 'none',
    accepts: () => true,
    ingest: async (_ctx, input) => ({
      pageCount: null,
      pages: [{ page: 0, visitId: null, kind: null, assignedBy: 'none', reason: reason(input), ruleId }],
    }),
  };
}

/** The handler used for a file no handler reads: stored, then quarantined whole with the reason. */
const unsupportedHandler = wholeFileQuarantine(
  QUARANTINE_RULES.unsupported,
  (input) =>
    `${input.name} is not a scan (JPEG, PNG, TIFF, PDF) or an e-mail that huifang reads; it is kept in the workspace. Attach it by hand with huifang attach, or move it with huifang pages move`,
);

/** A file stored in the workspace, its handler chosen, and its pure reading possibly under way. */
type Staged =
  | { path: string; error: string }
  | {
      path: string;
      error?: undefined;
      stored: { sha256: string; size: number };
      candidate: IngestCandidate;
      handler: IngestHandler;
      prepared: Promise<{ value: unknown } | { error: unknown }> | null;
    };

/**
 * Step 1 of a file (stored first, under its SHA-256), and the start of its reading when the
 * handler has a pure part (`prepare`). Nothing is written to the register here.
 */
async function stageFile(ws: Workspace, path: string, options: OneOptions, reader: ScanReader): Promise<Staged> {
  const name = basename(path);
  let stored: { sha256: string; size: number };
  let head: Uint8Array;
  try {
    stored = await ws.files.putFile(path);
    head = ws.files.read(stored.sha256).subarray(0, HEAD_BYTES);
  } catch (e) {
    return { path, error: `${path} could not be read or stored: ${e instanceof Error ? e.message : String(e)}` };
  }
  const candidate: IngestCandidate = { path, name, size: stored.size, head };
  const maxBytes = options.limits?.maxFileBytes ?? 1024 ** 3;
  const handler =
    stored.size > maxBytes
      ? tooLargeHandler(maxBytes)
      : (handlerFor(candidate, options.handlers) ?? unsupportedHandler);
  let prepared: Promise<{ value: unknown } | { error: unknown }> | null = null;
  // A file the register already holds as done is a duplicate: nothing to read.
  const known = getIngestFile(ws.register, stored.sha256)?.status === 'done';
  if (handler.prepare && !known) {
    const input = { ...candidate, sha256: stored.sha256, read: () => ws.files.read(stored.sha256) };
    prepared = handler.prepare({ limits: options.limits ?? {}, reader }, input).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  }
  return { path, stored, candidate, handler, prepared };
}

/** Steps 2–4 of a file: recorded as processing, read (or its prepared reading awaited), recorded as done. */
async function ingestStaged(
  ws: Workspace,
  staged: Staged,
  options: OneOptions,
  onPage: (page: number) => void,
): Promise<FileReport> {
  const path = staged.path;
  if (staged.error !== undefined)
    return { path, sha256: '', status: 'error', handler: null, pageCount: null, pages: [], error: staged.error };
  const { stored, candidate, handler } = staged;
  const name = candidate.name;
  const begun = beginIngestFile(ws.register, {
    sha256: stored.sha256,
    size: stored.size,
    fileName: name,
    sourcePath: path,
    handler: handler.name,
    actor: options.actor,
  });
  if (begun.state === 'done') return fileReport(ws, path, begun.file, 'duplicate');

  const ctx: IngestContext = {
    ws,
    actor: options.actor,
    follow: options.follow ?? true,
    limits: options.limits ?? {},
    onPage: (page) => onPage(page),
  };
  const result = await readStaged(ws, staged, ctx);
  recordResult(ws, stored.sha256, name, result, options.actor);
  return fileReport(
    ws,
    path,
    getIngestFile(ws.register, stored.sha256)!,
    begun.state === 'resume' ? 'resumed' : 'ingested',
  );
}

/** The handler's reading of a staged file; a file it cannot read is quarantined whole, with the reason. */
async function readStaged(
  ws: Workspace,
  { stored, candidate, handler, prepared: preparing }: Extract<Staged, { error?: undefined }>,
  ctx: IngestContext,
): Promise<HandlerResult> {
  try {
    const prepared = preparing ? await preparing : null;
    if (prepared && 'error' in prepared) throw prepared.error;
    const result = await handler.ingest(
      ctx,
      { ...candidate, sha256: stored.sha256, read: () => ws.files.read(stored.sha256) },
      prepared?.value,
    );
    checkResult(result, candidate.name, handler.name);
    return result;
  } catch (e) {
    return {
      pageCount: null,
      pages: [wholeFilePage(`${candidate.name} could not be read: ${e instanceof Error ? e.message : String(e)}`)],
    };
  }
}

/** The file recorded as done with its pages and review items, in one transaction (quarantined whole if refused). */
function recordResult(ws: Workspace, sha256: string, name: string, result: HandlerResult, actor: string): void {
  const reviewItems: NewReviewItem[] = result.pages.flatMap((p) =>
    (p.review ?? []).map((r) => ({ ...r, page: p.page, visitId: p.visitId })),
  );
  try {
    finishIngestFile(ws.register, {
      sha256,
      actor,
      pageCount: result.pageCount,
      pages: result.pages.map(({ review: _review, ...page }) => page),
      reviewItems,
      ...(result.alsoInTransaction ? { alsoInTransaction: () => result.alsoInTransaction!(ws.register) } : {}),
    });
  } catch (e) {
    // Busy or gone: the file is fine, the register is not; the run stops (ingest again resumes).
    if (e instanceof RegisterUnavailableError) throw e;
    // The register refused the handler's result (e.g. a visit that does not exist): the
    // transaction rolled back whole; keep the file, in quarantine, and go on with the batch.
    finishIngestFile(ws.register, {
      sha256,
      actor,
      pageCount: result.pageCount,
      pages: [
        wholeFilePage(`${name} was read but could not be recorded: ${e instanceof Error ? e.message : String(e)}`),
      ],
      reviewItems: [],
    });
  }
}

/** The whole file in quarantine (page 0), with the reason. */
function wholeFilePage(reason: string): HandledPage {
  return { page: 0, visitId: null, kind: null, assignedBy: 'none', reason, ruleId: QUARANTINE_RULES.wholeFile };
}

function tooLargeHandler(maxBytes: number): IngestHandler {
  return wholeFileQuarantine(
    QUARANTINE_RULES.wholeFile,
    (input) =>
      `${input.name} is ${(input.size / 1024 ** 2).toFixed(0)} MB, more than the ${(maxBytes / 1024 ** 2).toFixed(0)} MB ingest reads; it is kept in the workspace. Split the scan into smaller files and ingest those`,
  );
}

/** A handler's result must account for every page once; anything else is a bug, reported plainly. */
function checkResult(result: HandlerResult, name: string, handler: string): void {
  const seen = new Set<number>();
  for (const p of result.pages) {
    if (!Number.isInteger(p.page) || p.page < 0 || seen.has(p.page))
      throw new Error(`the ${handler} handler reported page ${p.page} of ${name} twice or out of range`);
    seen.add(p.page);
    if (!p.visitId && !p.reason)
      throw new Error(`the ${handler} handler left page ${p.page} of ${name} without a visit and without a reason`);
  }
  if (result.pages.length === 0) throw new Error(`the ${handler} handler found nothing in ${name}`);
}

/** A file's result as the register holds it now (for new files and duplicates alike). */
function fileReport(ws: Workspace, path: string, file: IngestFileRecord, status: FileStatus): FileReport {
  const pages = pagesOfFile(ws.register, file.sha256);
  const items = reviewItemsOfFile(ws.register, file.sha256);
  const out: FileReport = {
    path,
    sha256: file.sha256,
    status,
    handler: file.handler,
    pageCount: file.pageCount,
    pages: pages.map((p) =>
      pageReport(
        p,
        items.filter((i) => i.page === p.page),
        (sha) => ws.files.pathOf(sha),
      ),
    ),
  };
  if (status === 'duplicate') out.firstIngested = { path: file.sourcePath, at: file.startedAt };
  return out;
}

function pageReport(p: PageRecord, items: ReviewItem[], pathOf: (sha256: string) => string): PageReport {
  const crop = (sha: string | null | undefined): string | null => (sha ? pathOf(sha) : null);
  const hasChecks = Boolean(p.reading.checks);
  const reviewed = applyReview(p.reading, items);
  const plain = (c: FinalCheck): CheckReport => ({ present: c.present, score: c.score });
  const seal = (c: FinalSeal) => ({ present: c.present, score: c.score, red: c.red });
  const report: PageReport = {
    page: p.page === 0 ? null : p.page,
    visitId: p.visitId,
    kind: p.kind,
    assignedBy: p.assignedBy,
    checks: hasChecks
      ? {
          customerSignature: plain(reviewed.checks.customerSignature),
          handlerSignature: plain(reviewed.checks.handlerSignature),
          seal: seal(reviewed.checks.seal),
        }
      : null,
    answers: reviewed.answers,
    review: items.some((i) => i.status === 'open'),
    reviewItems: items.map((i) => ({
      itemId: i.itemId,
      subject: i.subject,
      machineValue: i.machineValue,
      score: i.score,
      reason: i.reason,
      status: i.status,
      crop: crop(i.cropSha256),
    })),
  };
  if (p.status === 'quarantined')
    report.quarantine = {
      reason: p.reason ?? 'not assigned',
      ruleId: p.ruleId,
      since: p.updatedAt,
      crop: crop(p.cropSha256),
    };
  return report;
}
