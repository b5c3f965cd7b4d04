/**
 * Finds the visits whose documents a simulation returns: the PDFs that `huifang letters`
 * or `huifang forms` wrote into a folder, with what the simulator must know of each —
 * visit id, category and form layout, customer kind (an institution stamps a seal),
 * channel (a face-to-face form carries the handler's signature), and which page is the
 * record form.
 *
 * Facts are taken from the most explicit source available: the folder's `files.csv`,
 * then the text printed in the form's field cells (read at the positions of
 * `layout/form.ts`), then the PDF's Info keywords, then the file name.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { CustomerKind } from '../domain/customer.ts';
import { InputError, message, type Message } from '../domain/messages.ts';
import { questionsFor } from '../domain/questions.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { VISIT_CATEGORIES, type VisitCategory, type VisitChannel } from '../domain/visit.ts';
import { FORM_LAYOUT_ID_PATTERN, formLayout, formLayoutById, formLayoutId, type FieldCell } from '../layout/form.ts';
import { LETTER, LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { MM_TO_PT, type Rect } from '../layout/page.ts';
import { isBlankRecord, readCsv, restoreFormula } from '../formats/csv.ts';

/** One visit whose documents can be returned. */
export interface SourceVisit {
  visitId: string;
  customerId: string | null;
  customerName: string | null;
  customerKind: CustomerKind;
  branch: string | null;
  channel: VisitChannel;
  category: VisitCategory;
  /** Form layout id as printed in the form's QR codes, e.g. `form.new-account.v1`. */
  formLayout: string;
  /** Absolute path of the visit's PDF. */
  pdf: string;
  pageCount: number;
  /** 1-based page of the record form. */
  formPage: number;
  /** 1-based pages of the letter (before the form); empty for form-only PDFs. */
  letterPages: number[];
  /** Layout id of the letter pages. */
  letterLayout: string;
  /** 1-based page of the prepaid return envelope's face (after the form), or null when the PDF has none. */
  envelopePage: number | null;
  /** The visit date printed on the form (回访日期), `YYYY-MM-DD`, or null. */
  visitDate: string | null;
  /** The addressee block of the letter's first page, line by line (postcode, address, name), when printed. */
  addressLines: string[];
}

export interface FoundVisits {
  visits: SourceVisit[];
  /** PDFs skipped, and why (batch print files, unreadable files). */
  messages: Message[];
}

const VISIT_ID_PATTERN = /HF-?[0-9A-Z]{5}-?[0-9A-Z]{5}/i;

/** Reads a letters/forms output folder and describes every visit PDF in it. */
export async function findVisits(dir: string): Promise<FoundVisits> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new InputError(`${root} is not a folder; give the --out folder of \`huifang letters\` or \`huifang forms\`.`);
  }
  const messages: Message[] = [];
  const listed = readFilesCsv(root, messages);
  const candidates: { pdf: string; row: CsvFacts | undefined }[] = listed.length
    ? listed.map((row) => ({ pdf: row.pdf, row }))
    : pdfFilesIn(root).map((pdf) => ({ pdf, row: undefined }));
  if (candidates.length === 0) {
    throw new InputError(
      `${root} holds no PDF files and no files.csv; run \`huifang letters <list> --out ${root}\` first.`,
    );
  }
  const visits: SourceVisit[] = [];
  const seen = new Set<string>();
  for (const { pdf, row } of candidates) {
    if (!existsSync(pdf)) {
      messages.push(
        message(
          'simulate/missing-pdf',
          `files.csv lists ${pdf}, which does not exist; skipped`,
          { file: join(root, 'files.csv') },
          { severity: 'warning' },
        ),
      );
      continue;
    }
    const visit = await describePdf(pdf, row, messages);
    if (!visit) continue;
    if (seen.has(visit.visitId)) continue;
    seen.add(visit.visitId);
    visits.push(visit);
  }
  if (visits.length === 0) {
    throw new InputError(`No visit PDF with a record form was found in ${root}.`, messages);
  }
  visits.sort((a, b) => (a.visitId < b.visitId ? -1 : a.visitId > b.visitId ? 1 : 0));
  return { visits, messages };
}

function pdfFilesIn(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory() && depth < 2) walk(p, depth + 1);
      else if (st.isFile() && /\.pdf$/i.test(name)) out.push(p);
    }
  };
  walk(root, 0);
  return out;
}

// ---------------------------------------------------------------------------------------
// files.csv

interface CsvFacts {
  pdf: string;
  visitId?: string;
  customerId?: string;
  customerName?: string;
  customerKind?: CustomerKind;
  branch?: string;
  channel?: VisitChannel;
  category?: VisitCategory;
  layout?: string;
}

/** Header spellings accepted for each fact (lower case, without spaces, dashes or underscores). */
const CSV_COLUMNS: Record<keyof CsvFacts, string[]> = {
  pdf: ['pdf', 'pdfpath', 'path', 'file', 'filename', 'pdffile'],
  visitId: ['visitid', '回访编号', 'visit'],
  customerId: ['customerid', '客户号', 'customer'],
  customerName: ['customername', 'name', '客户名称'],
  customerKind: ['customerkind', 'kindofcustomer', '客户类型'],
  branch: ['branch', 'branchcode', '营业部'],
  channel: ['channel', '回访形式', 'kind', 'document'],
  category: ['category', '回访项目'],
  layout: ['layout', 'formlayout'],
};

function readFilesCsv(root: string, messages: Message[]): CsvFacts[] {
  const path = join(root, 'files.csv');
  if (!existsSync(path)) return [];
  const rows = readCsv(readFileSync(path, 'utf8'))
    .map((r) => r.fields.map(restoreFormula))
    .filter((fields) => !isBlankRecord(fields));
  const header = rows.shift();
  if (!header) return [];
  const col = columnsOf(header);
  if (col('pdf') < 0) {
    messages.push(
      message(
        'simulate/files-csv-no-pdf-column',
        `files.csv has no pdf column (found: ${header.join(', ')}); reading the PDFs in the folder instead`,
        { file: path },
        { severity: 'warning' },
      ),
    );
    return [];
  }
  return rows.flatMap((cells) => factsOfRow(root, cells, col) ?? []);
}

/** The column of each fact in files.csv (header spellings matched loosely), -1 when absent. */
function columnsOf(header: string[]): (key: keyof CsvFacts) => number {
  const norm = header.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s_\-]/g, ''),
  );
  return (key) => {
    for (const name of CSV_COLUMNS[key]) {
      const i = norm.indexOf(name);
      if (i >= 0) return i;
    }
    return -1;
  };
}

/** The facts of one files.csv row, or null for a row that is not one visit's PDF (a batch print file). */
function factsOfRow(root: string, cells: string[], col: (key: keyof CsvFacts) => number): CsvFacts | null {
  const get = (key: keyof CsvFacts): string | undefined => {
    const i = col(key);
    const v = i >= 0 ? cells[i]?.trim() : undefined;
    return v ? v : undefined;
  };
  const pdfCell = get('pdf');
  if (!pdfCell || !/\.pdf$/i.test(pdfCell)) return null;
  // Batch print files hold many visits; the per-visit PDFs are what customers get.
  if (/batch/i.test(get('channel') ?? '') || (col('visitId') >= 0 && !get('visitId'))) return null;
  const facts: CsvFacts = { pdf: isAbsolute(pdfCell) ? pdfCell : join(root, pdfCell) };
  const visitId = get('visitId');
  if (visitId) facts.visitId = visitId;
  const customerId = get('customerId');
  if (customerId) facts.customerId = customerId;
  const customerName = get('customerName');
  if (customerName) facts.customerName = customerName;
  const kind = get('customerKind');
  if (kind) facts.customerKind = /institution|机构/i.test(kind) ? 'institution' : 'individual';
  const branch = get('branch');
  if (branch) facts.branch = branch;
  const channel = channelFrom(get('channel'));
  if (channel) facts.channel = channel;
  const category = categoryFrom(get('category'));
  if (category) facts.category = category;
  const layout = get('layout');
  if (layout && FORM_LAYOUT_ID_PATTERN.test(layout)) facts.layout = layout;
  return facts;
}

function channelFrom(text: string | undefined): VisitChannel | undefined {
  if (!text) return undefined;
  if (/face|面谈|^form\b/i.test(text)) return 'face-to-face';
  if (/e-?questionnaire|问卷/i.test(text)) return 'e-questionnaire';
  if (/e-?mail|邮件/i.test(text)) return 'email';
  if (/phone|电话/i.test(text)) return 'phone';
  if (/letter|信函/i.test(text)) return 'letter';
  return undefined;
}

const CATEGORY_WORDS: [VisitCategory, RegExp][] = [
  ['new-account', /new-account|新开/],
  ['existing', /existing|存量/],
  ['key', /^key$|重点/],
  ['special', /special|特殊/],
  ['advisory', /advisory|投资顾问|签约/],
  ['departed-staff', /departed|离职/],
  ['ib', /^ib$|IB客户/i],
];

function categoryFrom(text: string | undefined): VisitCategory | undefined {
  if (!text) return undefined;
  const t = text.trim();
  if ((VISIT_CATEGORIES as readonly string[]).includes(t)) return t as VisitCategory;
  for (const [c, re] of CATEGORY_WORDS) if (re.test(t)) return c;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The PDF itself

interface PlacedText {
  text: string;
  /** Baseline start in millimetres from the page's top-left corner. */
  x: number;
  y: number;
}

type PdfDocument = Awaited<ReturnType<typeof import('pdfjs-dist/legacy/build/pdf.mjs').getDocument>['promise']>;

async function describePdf(
  pdf: string,
  row: CsvFacts | undefined,
  messages: Message[],
): Promise<SourceVisit | undefined> {
  let doc: PdfDocument;
  try {
    // pdf.js is loaded on first use: loading it costs commands that never need it a second and about 150 MB.
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    doc = await getDocument({ data: new Uint8Array(readFileSync(pdf)), verbosity: 0, isEvalSupported: false }).promise;
  } catch (e) {
    skip(
      messages,
      'simulate/unreadable-pdf',
      `cannot read ${basename(pdf)} as a PDF (${(e as Error).message}); skipped`,
      {
        file: pdf,
      },
    );
    return undefined;
  }
  try {
    return await visitOfPdf(pdf, row, doc, await pageTextsOf(doc), messages);
  } finally {
    await doc.destroy();
  }
}

/** Notes why a PDF is skipped. */
function skip(
  messages: Message[],
  rule: string,
  text: string,
  place: Parameters<typeof message>[2],
  severity: 'warning' | 'info' = 'warning',
): undefined {
  messages.push(message(rule, text, place, { severity }));
  return undefined;
}

/** The text of every page, placed in millimetres from the page's top-left corner. */
async function pageTextsOf(doc: PdfDocument): Promise<PlacedText[][]> {
  const pageTexts: PlacedText[][] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const heightPt = page.getViewport({ scale: 1 }).height;
    const content = await page.getTextContent();
    const placed: PlacedText[] = [];
    for (const item of content.items) {
      if (!('str' in item) || !item.str) continue;
      const t = item.transform as number[];
      placed.push({ text: item.str, x: t[4]! / MM_TO_PT, y: (heightPt - t[5]!) / MM_TO_PT });
    }
    pageTexts.push(placed);
    page.cleanup();
  }
  return pageTexts;
}

/** The visit a rendered PDF is for, from files.csv's row, its record form's cells and its metadata. */
async function visitOfPdf(
  pdf: string,
  row: CsvFacts | undefined,
  doc: PdfDocument,
  pageTexts: PlacedText[][],
  messages: Message[],
): Promise<SourceVisit | undefined> {
  const formPages = pageTexts
    .map((texts, i) => ({ n: i + 1, texts }))
    .filter(({ texts }) => textIn(texts, formLayout('existing').title).includes('记录表'));
  if (formPages.length > 1)
    return skip(
      messages,
      'simulate/batch-pdf',
      `${basename(pdf)} holds ${formPages.length} record forms (a batch print file); skipped — the per-visit PDFs are used`,
      { file: pdf },
      'info',
    );
  const formPage = formPages[0]?.n ?? doc.numPages;
  const formTexts = pageTexts[formPage - 1]!;
  const field = (key: FieldCell['key']): string => {
    const cell = formLayout('existing').fields.find((f) => f.key === key)!;
    return textIn(formTexts, cell.valueCell).trim();
  };
  const infoText = await infoTextOf(doc);
  const visitId = firstVisitId([row?.visitId, field('visitId'), infoText, basename(pdf)]);
  if (!visitId)
    return skip(
      messages,
      'simulate/no-visit-id',
      `${basename(pdf)} names no visit id (not in files.csv, the form's 回访编号 cell, the PDF keywords or the file name); skipped`,
      { file: pdf },
    );
  const form = formOf(pdf, row, field, infoText, formTexts, formPage, visitId, messages);
  if (!form) return undefined;
  const letterPages = Array.from({ length: formPage - 1 }, (_, i) => i + 1);
  const channel: VisitChannel =
    row?.channel && row.channel !== 'letter'
      ? row.channel
      : (channelFrom(field('channel')) ?? row?.channel ?? (letterPages.length ? 'letter' : 'face-to-face'));
  return {
    visitId,
    customerId: row?.customerId ?? (field('customerId') || null),
    customerName: row?.customerName ?? (field('customerName') || null),
    customerKind: row?.customerKind ?? (/机构|institution/i.test(field('customerKind')) ? 'institution' : 'individual'),
    branch: row?.branch ?? (field('branch') || null),
    channel,
    category: form.category,
    formLayout: form.layout,
    pdf: resolve(pdf),
    pageCount: doc.numPages,
    formPage,
    letterPages,
    letterLayout: LETTER_LAYOUT_ID,
    envelopePage:
      formPage < doc.numPages && pageTexts[formPage]!.some((t) => t.text.includes('回邮信封')) ? formPage + 1 : null,
    visitDate: isoDate(field('visitDate')),
    addressLines: letterPages.length ? linesIn(pageTexts[0]!, grow(LETTER.address, 2)) : [],
  };
}

/** The PDF's keywords, subject and title (where `huifang letters` names the visit and layout). */
async function infoTextOf(doc: PdfDocument): Promise<string> {
  const meta = await doc.getMetadata().catch(() => undefined);
  const info = (meta?.info ?? {}) as Record<string, unknown>;
  return ['Keywords', 'Subject', 'Title']
    .map((k) => (typeof info[k] === 'string' ? (info[k] as string) : ''))
    .join(' ');
}

/** The visit category and form layout of a PDF's record form, or undefined (noted) when neither can be told. */
function formOf(
  pdf: string,
  row: CsvFacts | undefined,
  field: (key: FieldCell['key']) => string,
  infoText: string,
  formTexts: PlacedText[],
  formPage: number,
  visitId: string,
  messages: Message[],
): { category: VisitCategory; layout: string } | undefined {
  const layoutFromInfo = FORM_LAYOUT_ID_PATTERN.exec(infoText)?.[0];
  const category =
    row?.category ??
    categoryFrom(field('category')) ??
    (row?.layout ? formLayoutById(row.layout)?.category : undefined) ??
    (layoutFromInfo ? formLayoutById(layoutFromInfo)?.category : undefined) ??
    categoryFromQuestions(formTexts);
  if (!category)
    return skip(
      messages,
      'simulate/no-category',
      `${basename(pdf)}: cannot tell the visit category of its record form (page ${formPage}); skipped`,
      { file: pdf, page: formPage, visitId },
    );
  const layout = row?.layout ?? layoutFromInfo ?? formLayoutId(category);
  if (!formLayoutById(layout))
    return skip(
      messages,
      'simulate/unknown-layout',
      `${basename(pdf)}: form layout "${layout}" is unknown to this version of huifang; skipped`,
      { file: pdf, visitId },
    );
  return { category, layout };
}

/** `2026-03-02`, `2026/3/2`, `2026.3.2` or `2026年3月2日` as an ISO date; null otherwise. */
function isoDate(text: string): string | null {
  const m = /(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function firstVisitId(texts: (string | undefined)[]): string | undefined {
  for (const t of texts) {
    if (!t) continue;
    const m = VISIT_ID_PATTERN.exec(t.replace(/\s+/g, ''));
    if (!m) continue;
    const parsed = parseVisitId(m[0]);
    if (parsed.ok) return parsed.visitId;
  }
  return undefined;
}

/** The category whose every question text (its first 12 characters) is printed on the page. */
function categoryFromQuestions(texts: PlacedText[]): VisitCategory | undefined {
  const all = texts
    .map((t) => t.text)
    .join('')
    .replace(/\s+/g, '');
  let best: VisitCategory | undefined;
  let bestCount = 0;
  for (const c of VISIT_CATEGORIES) {
    const qs = questionsFor(c);
    const found = qs.filter((q) => all.includes(q.text.replace(/\s+/g, '').slice(0, 12))).length;
    if (found === qs.length && found > bestCount) {
      best = c;
      bestCount = found;
    }
  }
  return best;
}

function grow(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by };
}

function inside(t: PlacedText, r: Rect): boolean {
  return t.x >= r.x - 0.5 && t.x <= r.x + r.width && t.y >= r.y && t.y <= r.y + r.height + 0.5;
}

function textIn(texts: PlacedText[], r: Rect): string {
  return linesIn(texts, r).join('');
}

function linesIn(texts: PlacedText[], r: Rect): string[] {
  const hits = texts.filter((t) => inside(t, r)).sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: { y: number; parts: PlacedText[] }[] = [];
  for (const t of hits) {
    const line = lines.find((l) => Math.abs(l.y - t.y) < 1.2);
    if (line) line.parts.push(t);
    else lines.push({ y: t.y, parts: [t] });
  }
  return lines
    .map((l) =>
      l.parts
        .sort((a, b) => a.x - b.x)
        .map((p) => p.text)
        .join('')
        .trim(),
    )
    .filter(Boolean);
}
