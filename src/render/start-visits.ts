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
import { mkdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { maskTail, type Customer } from '../domain/customer.ts';
import { dueDate } from '../domain/deadlines.ts';
import { InputError, message, type Message } from '../domain/messages.ts';
import { newVisitId, type VisitId } from '../domain/visit-id.ts';
import type { Visit, VisitCategory, VisitChannel } from '../domain/visit.ts';
import { formLayoutId } from '../layout/form.ts';
import { LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { readCustomerList } from '../input/customer-list.ts';
import { WriteBatch } from '../store/atomic.ts';
import { today } from '../env/clock.ts';
import { addDocument, insertVisit, listVisits, recordBlob, recordRun, upsertCustomer } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { renderFormDocx, renderLetterDocx, DOCX_TEMPLATES } from './docx.ts';
import { renderAll } from './render-all.ts';
import { templateData, type Sender } from './template-data.ts';
import { loadDocxTemplate, PROJECT_ROOT } from './templates.ts';
import { writeCsv } from '../formats/csv.ts';

/** What a run prints: `letters` (回访函 with the record form last) or `forms` (记录表 alone). */
export type RunDocuments = 'letters' | 'forms';

export interface StartVisitsOptions {
  /** The customer list (CSV or XLSX). */
  list: string;
  documents: RunDocuments;
  category: VisitCategory;
  /** Default: `letter` for letters, `face-to-face` for forms. */
  channel?: VisitChannel;
  /** Output folder for PDFs, DOCX, batches and the listing. */
  out: string;
  docx?: boolean;
  /** 回访人员: who performs the visits (a name or staff id from the roster). */
  visitor: string;
  /** Start visits even for customers with an open visit of the same category. */
  repeat?: boolean;
  /** Letters per batch print file (default 500). */
  maxLettersPerBatch?: number;
  /** Sender block; default `templates/sender.json`. */
  sender?: Sender;
  /** Reproducible visit ids (demos and tests): a seed for the id generator. */
  seed?: string;
  onProgress?: (done: number, total: number) => void;
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
  /** Absolute path of the CSV listing every file written. */
  listing: string;
  messages: Message[];
}

const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function loadSender(path = join(PROJECT_ROOT, 'templates', 'sender.json')): Sender {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Sender;
  } catch (e) {
    throw new InputError(`The sender block ${path} cannot be read: ${(e as Error).message}`);
  }
}

/** A deterministic byte source for visit ids, from a seed (demos, tests); crypto-random otherwise. */
function idSource(seed: string | undefined): (n: number) => Uint8Array {
  if (!seed) return (n) => randomBytes(n);
  let counter = 0;
  return (n) => createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, n);
}

type Planned = { visit: Visit & { layoutId: string }; customer: Customer };
type StoredFile = { visitId: string; kind: 'letter' | 'form'; sha256: string; size: number; fileName: string; pageCount: number; mediaType: string };

/** What a run writes as it goes, so that a failure can take it back, and registers at the end. */
interface RunOutputs {
  out: string;
  kind: 'letter' | 'form';
  outputs: WriteBatch;
  objects: WriteBatch;
  started: StartedVisit[];
  stored: StoredFile[];
  listing: string[][];
  batches: string[];
}

export async function startVisits(ws: Workspace, options: StartVisitsOptions): Promise<StartVisitsResult> {
  const channel: VisitChannel = options.channel ?? (options.documents === 'letters' ? 'letter' : 'face-to-face');
  const out = resolve(options.out);
  // 1. Cheap checks, nothing written yet.
  const { list, sender } = await checkBeforeWriting(ws, options, out);
  // 2. Visits in memory.
  const runId = `run-${today().replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  const planned = planVisits(list.customers, options, channel, runId);
  // 3. Render (on both cores for long runs) and write each file as it comes; remember what
  //    was written so that a failure can take it back.
  const run: RunOutputs = {
    out,
    kind: options.documents === 'letters' ? 'letter' : 'form',
    outputs: new WriteBatch(),
    objects: new WriteBatch(),
    started: new Array(planned.length),
    stored: [],
    listing: [['visitId', 'customerId', 'branchCode', 'postcode', 'kind', 'path', 'pages', 'sha256']],
    batches: [],
  };
  try {
    mkdirSync(out, { recursive: true });
    await renderAndWrite(ws, options, run, planned, sender);
    const listingPath = join(out, 'files.csv');
    await run.outputs.write(listingPath, writeCsv(run.listing));
    run.outputs.commit();
    run.objects.commit();
    // 4. Register everything in one transaction.
    ws.db.transaction(() => {
      recordRun(ws.db, { runId, command: options.documents, sourcePath: list.path, sourceSha256: list.sha256, options: { category: options.category, channel, docx: Boolean(options.docx), out } });
      for (const { customer } of planned) upsertCustomer(ws.db, customer);
      for (const { visit } of planned) insertVisit(ws.db, visit, options.visitor);
      for (const s of run.stored) {
        recordBlob(ws.db, s.sha256, s.size, s.mediaType);
        addDocument(ws.db, { visitId: s.visitId, kind: s.kind, role: 'rendered', sha256: s.sha256, size: s.size, mediaType: s.mediaType, fileName: s.fileName, pageCount: s.pageCount || undefined, createdBy: options.visitor, meta: { runId } });
      }
    })();
    return { runId, visits: run.started, batches: run.batches, listing: listingPath, messages: [] };
  } catch (e) {
    run.outputs.discard();
    throw e;
  }
}

/** The list read and checked, the sender and templates loaded, the output usable; nothing written. */
async function checkBeforeWriting(ws: Workspace, options: StartVisitsOptions, out: string): Promise<{ list: Awaited<ReturnType<typeof readCustomerList>>; sender: Sender }> {
  const list = await readCustomerList(options.list);
  const sender = options.sender ?? loadSender();
  if (options.docx) loadDocxTemplate(options.documents === 'letters' ? DOCX_TEMPLATES.letter : DOCX_TEMPLATES.form);
  if (existsSync(out) && !statSync(out).isDirectory()) {
    throw new InputError(`The output ${out} is a file, not a folder; name a folder with --out.`);
  }
  if (!options.repeat) {
    const open: Message[] = [];
    const wanted = new Set(list.customers.map((c) => c.customerId));
    for (const v of listVisits(ws.db)) {
      if (wanted.has(v.customerId) && v.category === options.category && v.result === 'pending') {
        open.push(message('run/open-visit', `customer ${maskTail(v.customerId)} already has an open ${options.category} visit ${v.visitId}`, { file: list.path, visitId: v.visitId }, { fix: 'finish or close that visit first, or pass --repeat to start another' }));
      }
    }
    if (open.length) throw new InputError(`${open.length} customer(s) in ${list.path} already have an open visit of this category; nothing was written.`, open);
  }
  return { list, sender };
}

/** One new visit per customer, with its id, due date and form layout. */
function planVisits(customers: readonly Customer[], options: StartVisitsOptions, channel: VisitChannel, runId: string): Planned[] {
  const startedOn = today();
  const nextId = idSource(options.seed);
  const layoutId = options.documents === 'letters' ? LETTER_LAYOUT_ID : formLayoutId(options.category);
  return customers.map((customer) => ({
    visit: {
      visitId: newVisitId(nextId),
      customerId: customer.customerId,
      category: options.category,
      channel,
      visitor: options.visitor,
      createdOn: startedOn,
      dueOn: dueDate(options.category, customer.openedOn, startedOn),
      result: 'pending',
      runId,
      layoutId,
    },
    customer,
  }));
}

/** Renders every visit's document (and batch files), writing each as it comes. */
async function renderAndWrite(ws: Workspace, options: StartVisitsOptions, run: RunOutputs, planned: Planned[], sender: Sender): Promise<void> {
  let done = 0;
  await renderAll(planned, {
    sender,
    type: run.kind,
    onRendered: async (rendered, index) => {
      run.started[index] = await writeRendered(ws, options, run, planned[index]!, rendered, sender);
      options.onProgress?.(++done, planned.length);
    },
    batch: {
      maxLettersPerBatch: options.maxLettersPerBatch ?? 500,
      onBatch: async (batch, n) => {
        const path = join(run.out, 'batches', `batch-${String(n + 1).padStart(3, '0')}.pdf`);
        await run.outputs.write(path, batch.bytes);
        run.batches.push(path);
        run.listing.push(['', '', '', '', 'batch-pdf', relative(run.out, path), String(batch.pageCount), createHash('sha256').update(batch.bytes).digest('hex')]);
      },
    },
  });
}

/** Writes one visit's PDF (and DOCX) under its branch's folder, stores it, and lists it. */
async function writeRendered(ws: Workspace, options: StartVisitsOptions, run: RunOutputs, { visit, customer }: Planned, rendered: { bytes: Uint8Array; pageCount: number }, sender: Sender): Promise<StartedVisit> {
  const { kind } = run;
  const folder = join(run.out, customer.branchCode);
  const pdf = join(folder, `${visit.visitId}.pdf`);
  await run.outputs.write(pdf, rendered.bytes);
  const { sha256, size } = ws.files.putBytes(rendered.bytes, run.objects);
  run.stored.push({ visitId: visit.visitId, kind, sha256, size, fileName: `${visit.visitId}.pdf`, pageCount: rendered.pageCount, mediaType: 'application/pdf' });
  run.listing.push([visit.visitId, customer.customerId, customer.branchCode, customer.postcode, `${kind}-pdf`, relative(run.out, pdf), String(rendered.pageCount), sha256]);
  const entry: StartedVisit = { visitId: visit.visitId, customerId: customer.customerId, branch: customer.branchCode, pdf };
  if (options.docx) entry.docx = await writeDocx(ws, run, { visit, customer }, sender, folder);
  return entry;
}

/** Writes one visit's Word document beside its PDF, stores it, and lists it. */
async function writeDocx(ws: Workspace, run: RunOutputs, { visit, customer }: Planned, sender: Sender, folder: string): Promise<string> {
  const { kind } = run;
  const data = templateData(visit, customer, sender);
  const bytes = kind === 'letter' ? renderLetterDocx(data) : renderFormDocx(data);
  const docx = join(folder, `${visit.visitId}.docx`);
  await run.outputs.write(docx, bytes);
  const blob = ws.files.putBytes(bytes, run.objects);
  run.stored.push({ visitId: visit.visitId, kind, sha256: blob.sha256, size: blob.size, fileName: `${visit.visitId}.docx`, pageCount: 0, mediaType: DOCX_MEDIA_TYPE });
  run.listing.push([visit.visitId, customer.customerId, customer.branchCode, customer.postcode, `${kind}-docx`, relative(run.out, docx), '', blob.sha256]);
  return docx;
}


