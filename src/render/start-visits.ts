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
import { maskTail } from '../domain/customer.ts';
import { dueDate } from '../domain/deadlines.ts';
import { InputError, message, type Message } from '../domain/messages.ts';
import { newVisitId, type VisitId } from '../domain/visit-id.ts';
import { csvField } from '../domain/csv-field.ts';
import { pathSegment, quoteValue, segmentPath } from '../domain/path-segment.ts';
import type { Visit, VisitCategory, VisitChannel } from '../domain/visit.ts';
import { formLayoutId } from '../layout/form.ts';
import { LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { readCustomerList } from '../input/customer-list.ts';
import { WriteBatch } from '../store/atomic.ts';
import { today } from '../store/register.ts';
import { addDocument, insertVisit, listVisits, recordBlob, recordRun, upsertCustomer } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { renderFormDocx, renderLetterDocx, DOCX_TEMPLATES } from './docx.ts';
import { renderAll } from './render-all.ts';
import { templateData, type Sender } from './template-data.ts';
import { loadDocxTemplate, PROJECT_ROOT } from './templates.ts';

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

export function loadSender(path = join(PROJECT_ROOT, 'templates', 'sender.json')): Sender {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`The sender block ${path} cannot be read: ${quoteValue((e as Error).message)}`);
  }
  const problems = senderProblems(raw, path);
  if (problems.length) throw new InputError(`The sender block ${path} has ${problems.length} problem(s)`, problems);
  return raw as Sender;
}

const SENDER_TEXT_FIELDS = ['companyName', 'department', 'address', 'postcode', 'phone', 'serviceHotline'] as const;

/** Each field of the sender block: text of at most 200 characters, `replyDays` a whole number of days from 1 to 365. */
function senderProblems(raw: unknown, file: string): Message[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [message('sender/not-an-object', 'the file must hold one JSON object with the sender fields', { file }, { fix: 'restore templates/sender.json from the release and edit its values' })];
  const v = raw as Record<string, unknown>;
  const problems: Message[] = [];
  for (const key of SENDER_TEXT_FIELDS) {
    const x = v[key];
    if (typeof x !== 'string' || x.trim() === '' || x.length > 200) {
      problems.push(message('sender/bad-field', `${key} must be text of 1 to 200 characters, not ${quoteValue(JSON.stringify(x) ?? 'nothing')}`, { file, column: key }, { fix: `write ${key} as text, e.g. "${key === 'postcode' ? '200120' : '…'}"` }));
    }
  }
  const days = v.replyDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365) {
    problems.push(message('sender/bad-field', `replyDays must be a whole number of days from 1 to 365, not ${quoteValue(JSON.stringify(days) ?? 'nothing')}`, { file, column: 'replyDays' }, { fix: 'write e.g. "replyDays": 15' }));
  }
  return problems;
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

  // 2. Visits in memory.
  const runId = `run-${today().replace(/-/g, '')}-${randomBytes(4).toString('hex')}`;
  const startedOn = today();
  const nextId = idSource(options.seed);
  const layoutId = options.documents === 'letters' ? LETTER_LAYOUT_ID : formLayoutId(options.category);
  const planned = list.customers.map((customer) => {
    const visit: Visit & { layoutId: string } = {
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
    };
    return { visit, customer };
  });

  // 3. Render (on both cores for long runs) and write each file as it comes; remember what
  //    was written so that a failure can take it back.
  const outputs = new WriteBatch();
  const objects = new WriteBatch();
  const started: StartedVisit[] = new Array(planned.length);
  const stored: { visitId: string; kind: 'letter' | 'form'; sha256: string; size: number; fileName: string; pageCount: number; mediaType: string }[] = [];
  const listing: string[][] = [['visitId', 'customerId', 'branchCode', 'postcode', 'kind', 'path', 'pages', 'sha256']];
  const batches: string[] = [];
  const kind = options.documents === 'letters' ? 'letter' : 'form';
  try {
    mkdirSync(out, { recursive: true });
    let done = 0;
    await renderAll(planned, {
      sender,
      type: kind,
      onRendered: async (rendered, index) => {
        const { visit, customer } = planned[index]!;
        const folder = segmentPath(out, pathSegment('branch', customer.branchCode, `the branch code of customer ${maskTail(customer.customerId)}`));
        const pdf = join(folder, `${visit.visitId}.pdf`);
        await outputs.write(pdf, rendered.bytes);
        const { sha256, size } = ws.files.putBytes(rendered.bytes, objects);
        stored.push({ visitId: visit.visitId, kind, sha256, size, fileName: `${visit.visitId}.pdf`, pageCount: rendered.pageCount, mediaType: 'application/pdf' });
        listing.push([visit.visitId, customer.customerId, customer.branchCode, customer.postcode, `${kind}-pdf`, relative(out, pdf), String(rendered.pageCount), sha256]);
        const entry: StartedVisit = { visitId: visit.visitId, customerId: customer.customerId, branch: customer.branchCode, pdf };
        if (options.docx) {
          const data = templateData(visit, customer, sender);
          const bytes = kind === 'letter' ? renderLetterDocx(data) : renderFormDocx(data);
          const docx = join(folder, `${visit.visitId}.docx`);
          await outputs.write(docx, bytes);
          const blob = ws.files.putBytes(bytes, objects);
          stored.push({ visitId: visit.visitId, kind, sha256: blob.sha256, size: blob.size, fileName: `${visit.visitId}.docx`, pageCount: 0, mediaType: DOCX_MEDIA_TYPE });
          listing.push([visit.visitId, customer.customerId, customer.branchCode, customer.postcode, `${kind}-docx`, relative(out, docx), '', blob.sha256]);
          entry.docx = docx;
        }
        started[index] = entry;
        options.onProgress?.(++done, planned.length);
      },
      batch: {
        maxLettersPerBatch: options.maxLettersPerBatch ?? 500,
        onBatch: async (batch, n) => {
          const path = join(out, 'batches', `batch-${String(n + 1).padStart(3, '0')}.pdf`);
          await outputs.write(path, batch.bytes);
          batches.push(path);
          listing.push(['', '', '', '', 'batch-pdf', relative(out, path), String(batch.pageCount), createHash('sha256').update(batch.bytes).digest('hex')]);
        },
      },
    });

    const listingPath = join(out, 'files.csv');
    await outputs.write(listingPath, '\ufeff' + listing.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n');
    outputs.commit();
    objects.commit();

    // 4. Register everything in one transaction.
    ws.db.transaction(() => {
      recordRun(ws.db, { runId, command: options.documents, sourcePath: list.path, sourceSha256: list.sha256, options: { category: options.category, channel, docx: Boolean(options.docx), out } });
      for (const { customer } of planned) upsertCustomer(ws.db, customer);
      for (const { visit } of planned) insertVisit(ws.db, visit, options.visitor);
      for (const s of stored) {
        recordBlob(ws.db, s.sha256, s.size, s.mediaType);
        addDocument(ws.db, { visitId: s.visitId, kind: s.kind, role: 'rendered', sha256: s.sha256, size: s.size, mediaType: s.mediaType, fileName: s.fileName, pageCount: s.pageCount || undefined, createdBy: options.visitor, meta: { runId } });
      }
    })();
    return { runId, visits: started, batches, listing: listingPath, messages: [] };
  } catch (e) {
    outputs.discard();
    throw e;
  }
}

