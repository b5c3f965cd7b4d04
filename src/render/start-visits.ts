/**
 * Starting visits from a customer list: the job behind `huifang letters` and `huifang forms`.
 *
 * Cheap checks come first and nothing is written until they pass: the list is read and
 * validated whole, the templates are loaded and validated, the output folder is checked, and
 * customers who already have an open visit of the category are named. Then every visit's
 * documents are rendered, written (each file under a temporary name, then renamed: never
 * seen half-written) and stored in the workspace; all of them are made durable together
 * (group commit, see `WriteBatch`), and only then are the visits registered, in one
 * transaction. If anything fails on the way, the files this run wrote to the output folder
 * are removed and nothing is registered.
 */
import { mkdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { maskTail, type Customer } from '../domain/customer.ts';
import { dueDate, dueDateUnder } from '../domain/deadlines.ts';
import type { DeadlinesPolicy } from '../domain/policy.ts';
import { InputError, message, type Message } from '../domain/messages.ts';
import { WORKSPACE_CONFIG_FILE } from '../domain/workspace-config.ts';
import { newVisitId, type VisitId } from '../domain/visit-id.ts';
import { pathSegment, segmentPath } from '../domain/path-segment.ts';
import type { Visit, VisitCategory, VisitChannel } from '../domain/visit.ts';
import { formLayoutId } from '../layout/form.ts';
import { LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { readCustomerList } from '../input/customer-list.ts';
import { WriteBatch } from '../store/atomic.ts';
import { today } from '../env/clock.ts';
import { listVisits, registerStartedRun } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { renderFormDocx, renderLetterDocx, DOCX_TEMPLATES } from './docx.ts';
import type { Batch } from './batch.ts';
import { renderAll } from './render-all.ts';
import type { RenderedDocument } from './renderer.ts';
import { templateData, type Sender } from './template-data.ts';
import { loadDocxTemplate } from './templates.ts';
import { writeCsv } from '../formats/csv.ts';

/** What a run prints: `letters` (回访函 with the record form last) or `forms` (记录表 alone). */
export type RunDocuments = 'letters' | 'forms';

export interface StartVisitsOptions {
  /** The customer list (CSV or XLSX); or `planned`. */
  list?: string;
  /** Visits from a plan instead of a list: each customer with its own category and due date. */
  planned?: PlannedSource;
  documents: RunDocuments;
  /** The category of every visit started from a list. */
  category: VisitCategory;
  /** Default: `letter` for letters, `face-to-face` for forms. */
  channel?: VisitChannel;
  /** Output folder for PDFs, DOCX, batches and the listing. */
  out: string;
  docx?: boolean;
  /** 回访人员: who performs the visits (a name or staff id from the roster). */
  visitor: string;
  /** 复核人员: who reviews the visits (a name or staff id from the roster). */
  reviewer?: string;
  /** Who starts the run (recorded with the visits and documents); default the visitor. */
  actor?: string;
  /** The firm policy's deadlines (policy.json); default: `dueDate`'s terms. */
  deadlines?: DeadlinesPolicy;
  /** Start visits even for customers with an open visit of the same category. */
  repeat?: boolean;
  /** Letters per batch print file (default 500). */
  maxLettersPerBatch?: number;
  /** Sender block; default: the workspace's (`huifang.json`). */
  sender?: Sender;
  /** Reproducible visit ids (demos and tests): a seed for the id generator. */
  seed?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Customers to visit that come from a plan rather than a list (`huifang letters --plan`). */
export interface PlannedSource {
  /** Recorded as the run's source, e.g. `plan:plan-2026-ab12cd34ef56`. */
  path: string;
  sha256: string;
  visits: { customer: Customer; category: VisitCategory; dueOn: string }[];
  /** Called inside the registering transaction with the visit id of each planned visit, in order. */
  onRegistered?: (visitIds: string[]) => void;
}

export interface StartedVisit {
  visitId: VisitId;
  customerId: string;
  branch: string;
  /** Absolute path of the visit's PDF. */
  pdf: string;
  docx?: string;
}

export interface StartVisitsResult {
  runId: string;
  visits: StartedVisit[];
  /** Absolute paths of the batch print PDFs. */
  batches: string[];
  /** What the print room needs of each batch file: pages and duplex sheets, per branch. */
  batchFiles: BatchFileSummary[];
  /** Absolute path of the CSV listing every file written. */
  listing: string;
  messages: Message[];
}

/** A batch print file as the print room sees it (printed double-sided: two pages a sheet). */
export interface BatchFileSummary {
  path: string;
  letters: number;
  pages: number;
  sheets: number;
  branches: { branchCode: string; letters: number; pages: number; sheets: number }[];
}

const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The sender block of the workspace's settings; refused, naming the file, while it is missing. */
export function senderOf(ws: Workspace): Sender {
  if (ws.config.sender) return ws.config.sender;
  throw new InputError(
    `The workspace ${ws.dir} has no sender block: letters cannot say who they are from. ` +
      `Add "sender" (companyName, department, address, postcode, phone, serviceHotline, replyDays) to ${join(ws.dir, WORKSPACE_CONFIG_FILE)}; see docs/workspace.md.`,
  );
}

/** A deterministic byte source for visit ids, from a seed (demos, tests); crypto-random otherwise. */
function idSource(seed: string | undefined): (n: number) => Uint8Array {
  if (!seed) return (n) => randomBytes(n);
  let counter = 0;
  return (n) => createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, n);
}

export async function startVisits(ws: Workspace, options: StartVisitsOptions): Promise<StartVisitsResult> {
  const channel: VisitChannel = options.channel ?? (options.documents === 'letters' ? 'letter' : 'face-to-face');
  const out = resolve(options.out);

  // 1. Cheap checks, nothing written yet.
  const list = options.planned ?? (await listSource(options.list, options.category));
  const sender = options.sender ?? senderOf(ws);
  if (options.docx) loadDocxTemplate(options.documents === 'letters' ? DOCX_TEMPLATES.letter : DOCX_TEMPLATES.form);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new InputError(`The output ${out} is a file, not a folder; name a folder with --out.`);
  }
  if (!options.repeat) refuseOpenVisits(ws, list);

  // 2. Visits in memory.
  const runId = `run-${today().replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  const planned = planVisits(list, options, channel, runId);

  // 3. Render (on both cores for long runs) and write each file as it comes; remember what
  //    was written so that a failure can take it back.
  const run = newRun(ws, options, out, sender, planned);
  try {
    mkdirSync(out, { recursive: true });
    await renderAll(planned, {
      sender,
      type: run.kind,
      onRendered: (rendered, index) => writeVisitDocuments(run, rendered, index),
      batch: {
        maxLettersPerBatch: options.maxLettersPerBatch ?? 500,
        onBatch: (batch, n) => writeBatch(run, batch, n),
      },
    });

    const listingPath = join(out, 'files.csv');
    await run.outputs.write(listingPath, writeCsv(run.listing));
    run.outputs.commit();
    run.objects.commit();

    // 4. Register everything in one transaction.
    registerRun(ws, options, { runId, channel, out, list, planned, stored: run.stored });
    return {
      runId,
      visits: run.started,
      batches: run.batches,
      batchFiles: run.batchFiles,
      listing: listingPath,
      messages: [],
    };
  } catch (e) {
    run.outputs.discard();
    throw e;
  }
}

/** A customer and the visit started for them, with the layout its documents are drawn on. */
interface PlannedVisit {
  visit: Visit & { layoutId: string };
  customer: Customer;
}

/** A stored rendered document, registered with its visit once every file is durable. */
interface StoredDocument {
  visitId: string;
  kind: 'letter' | 'form';
  sha256: string;
  size: number;
  fileName: string;
  pageCount: number;
  mediaType: string;
}

/** The visits to start, as a list or a plan gives them. */
type VisitSource = {
  path: string;
  sha256: string;
  visits: { customer: Customer; category: VisitCategory; dueOn?: string }[];
};

/** Refused, naming each, while customers of the list already have an open visit of the category. */
function refuseOpenVisits(ws: Workspace, list: VisitSource): void {
  const open: Message[] = [];
  const wanted = new Set(list.visits.map((p) => `${p.customer.customerId}\u0000${p.category}`));
  for (const v of listVisits(ws.register)) {
    if (wanted.has(`${v.customerId}\u0000${v.category}`) && v.result === 'pending') {
      open.push(
        message(
          'run/open-visit',
          `customer ${maskTail(v.customerId)} already has an open ${v.category} visit ${v.visitId}`,
          { file: list.path, visitId: v.visitId },
          { fix: 'finish or close that visit first, or pass --repeat to start another' },
        ),
      );
    }
  }
  if (open.length)
    throw new InputError(
      `${open.length} customer(s) in ${list.path} already have an open visit of this category; nothing was written.`,
      open,
    );
}

/** Each customer's visit, in memory: a new id, the visitors, the due date by the rules or the plan. */
function planVisits(
  list: VisitSource,
  options: StartVisitsOptions,
  channel: VisitChannel,
  runId: string,
): PlannedVisit[] {
  const startedOn = today();
  const nextId = idSource(options.seed);
  return list.visits.map(({ customer, category, dueOn }) => {
    const visit: Visit & { layoutId: string } = {
      visitId: newVisitId(nextId),
      customerId: customer.customerId,
      category,
      channel,
      visitor: options.visitor,
      ...(options.reviewer ? { reviewer: options.reviewer } : {}),
      createdOn: startedOn,
      dueOn:
        dueOn ??
        (options.deadlines
          ? dueDateUnder(options.deadlines.byCategory[category], options.deadlines, customer.openedOn, startedOn)
          : dueDate(category, customer.openedOn, startedOn)),
      result: 'pending',
      runId,
      layoutId: options.documents === 'letters' ? LETTER_LAYOUT_ID : formLayoutId(category),
    };
    return { visit, customer };
  });
}

/** One run's writing in progress: what was written (so a failure can take it back) and what to register. */
interface Run {
  ws: Workspace;
  options: StartVisitsOptions;
  out: string;
  sender: Sender;
  planned: PlannedVisit[];
  kind: 'letter' | 'form';
  outputs: WriteBatch;
  objects: WriteBatch;
  started: StartedVisit[];
  stored: StoredDocument[];
  listing: string[][];
  pdfRows: Map<string, string[]>;
  batches: string[];
  batchFiles: BatchFileSummary[];
  done: number;
}

function newRun(ws: Workspace, options: StartVisitsOptions, out: string, sender: Sender, planned: PlannedVisit[]): Run {
  return {
    ws,
    options,
    out,
    sender,
    planned,
    kind: options.documents === 'letters' ? 'letter' : 'form',
    outputs: new WriteBatch(),
    objects: new WriteBatch(),
    started: new Array<StartedVisit>(planned.length),
    stored: [],
    listing: [
      ['visitId', 'customerId', 'branchCode', 'postcode', 'kind', 'path', 'pages', 'sha256', 'batch', 'batchPages'],
    ],
    pdfRows: new Map<string, string[]>(),
    batches: [],
    batchFiles: [],
    done: 0,
  };
}

/** A visit's rendered PDF (and DOCX when asked): written to its branch folder, stored, listed. */
async function writeVisitDocuments(run: Run, rendered: RenderedDocument, index: number): Promise<void> {
  const { visit, customer } = run.planned[index]!;
  const { out, kind, ws } = run;
  const folder = segmentPath(
    out,
    pathSegment('branch', customer.branchCode, `the branch code of customer ${maskTail(customer.customerId)}`),
  );
  const pdf = join(folder, `${visit.visitId}.pdf`);
  await run.outputs.write(pdf, rendered.bytes);
  const { sha256, size } = ws.files.putBytes(rendered.bytes, run.objects);
  run.stored.push({
    visitId: visit.visitId,
    kind,
    sha256,
    size,
    fileName: `${visit.visitId}.pdf`,
    pageCount: rendered.pageCount,
    mediaType: 'application/pdf',
  });
  const pdfRow = [
    visit.visitId,
    customer.customerId,
    customer.branchCode,
    customer.postcode,
    `${kind}-pdf`,
    relative(out, pdf),
    String(rendered.pageCount),
    sha256,
    '',
    '',
  ];
  run.pdfRows.set(visit.visitId, pdfRow);
  run.listing.push(pdfRow);
  const entry: StartedVisit = {
    visitId: visit.visitId,
    customerId: customer.customerId,
    branch: customer.branchCode,
    pdf,
  };
  if (run.options.docx) entry.docx = await writeVisitDocx(run, run.planned[index]!, rendered.pageCount, folder);
  run.started[index] = entry;
  run.options.onProgress?.(++run.done, run.planned.length);
}

/** The visit's DOCX beside its PDF: written, stored, listed; its path. */
async function writeVisitDocx(
  run: Run,
  { visit, customer }: PlannedVisit,
  pageCount: number,
  folder: string,
): Promise<string> {
  const { kind, ws } = run;
  const data = templateData(visit, customer, run.sender);
  const bytes = kind === 'letter' ? renderLetterDocx(data, { pageCount }) : renderFormDocx(data);
  const docx = join(folder, `${visit.visitId}.docx`);
  await run.outputs.write(docx, bytes);
  const blob = ws.files.putBytes(bytes, run.objects);
  run.stored.push({
    visitId: visit.visitId,
    kind,
    sha256: blob.sha256,
    size: blob.size,
    fileName: `${visit.visitId}.docx`,
    pageCount: 0,
    mediaType: DOCX_MEDIA_TYPE,
  });
  run.listing.push([
    visit.visitId,
    customer.customerId,
    customer.branchCode,
    customer.postcode,
    `${kind}-docx`,
    relative(run.out, docx),
    '',
    blob.sha256,
    '',
    '',
  ]);
  return docx;
}

/** A batch print file: written, summarised for the print room, and named in its letters' listing rows. */
async function writeBatch(run: Run, batch: Batch, n: number): Promise<void> {
  const { out } = run;
  const path = join(out, 'batches', `batch-${String(n + 1).padStart(3, '0')}.pdf`);
  await run.outputs.write(path, batch.bytes);
  run.batches.push(path);
  run.batchFiles.push(summariseBatch(path, batch));
  const name = relative(out, path);
  let first = 1;
  for (const [i, visitId] of batch.visitIds.entries()) {
    const row = run.pdfRows.get(visitId);
    const pages = batch.printedPages[i]!;
    if (row) ((row[8] = name), (row[9] = `${first}-${first + pages - 1}`));
    first += pages;
  }
  run.listing.push([
    '',
    '',
    '',
    '',
    'batch-pdf',
    name,
    String(batch.pageCount),
    createHash('sha256').update(batch.bytes).digest('hex'),
    name,
    `1-${batch.pageCount}`,
  ]);
}

/** The run, its customers, visits and stored documents registered in one transaction. */
function registerRun(
  ws: Workspace,
  options: StartVisitsOptions,
  {
    runId,
    channel,
    out,
    list,
    planned,
    stored,
  }: {
    runId: string;
    channel: VisitChannel;
    out: string;
    list: VisitSource;
    planned: PlannedVisit[];
    stored: StoredDocument[];
  },
): void {
  registerStartedRun(ws.register, {
    run: {
      runId,
      command: options.documents,
      sourcePath: list.path,
      sourceSha256: list.sha256,
      options: {
        category: options.planned ? 'planned' : options.category,
        channel,
        docx: Boolean(options.docx),
        out,
      },
    },
    customers: planned.map(({ customer }) => customer),
    visits: planned.map(({ visit }) => visit),
    actor: options.actor ?? options.visitor,
    // Checked again under the write lock: a run started meanwhile may have opened visits for the same customers.
    ...(options.repeat ? {} : { checkFirst: () => refuseOpenVisits(ws, list) }),
    ...(options.planned?.onRegistered
      ? { alsoInTransaction: () => options.planned!.onRegistered!(planned.map(({ visit }) => visit.visitId)) }
      : {}),
    documents: stored.map((s) => ({
      visitId: s.visitId,
      kind: s.kind,
      role: 'rendered' as const,
      sha256: s.sha256,
      size: s.size,
      mediaType: s.mediaType,
      fileName: s.fileName,
      pageCount: s.pageCount || undefined,
      createdBy: options.actor ?? options.visitor,
      meta: { runId },
    })),
  });
}

/** A customer list as the visits to start: every customer, one category, due by the rules. */
async function listSource(
  path: string | undefined,
  category: VisitCategory,
): Promise<{
  path: string;
  sha256: string;
  visits: { customer: Customer; category: VisitCategory; dueOn?: string }[];
}> {
  if (path === undefined) throw new InputError('Name a customer list (or start the visits of a plan with --plan).');
  const list = await readCustomerList(path);
  return { path: list.path, sha256: list.sha256, visits: list.customers.map((customer) => ({ customer, category })) };
}

function summariseBatch(path: string, batch: Batch): BatchFileSummary {
  const sheets = (pages: number) => Math.ceil(pages / 2);
  return {
    path,
    letters: batch.visitIds.length,
    pages: batch.pageCount,
    sheets: sheets(batch.pageCount),
    branches: batch.branches.map((b) => ({ ...b, sheets: sheets(b.pages) })),
  };
}
