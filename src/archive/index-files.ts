/**
 * A bundle's index, for people and for programs: `data/index.json`, `data/index.csv`
 * (UTF-8 with a byte-order mark so that Excel shows Chinese) and `data/index.html` (the page
 * for people, ./index-page.ts).
 */
import type { ExtractOrigin } from './page-extract.ts';
import type { ArchivedFile, ArchivedVisitRecord } from './record.ts';
import { RECORD_FILE } from './names.ts';
import { readCsv, restoreFormula, writeCsv } from '../formats/csv.ts';

export const INDEX_JSON = 'index.json';
export const INDEX_CSV = 'index.csv';
export const INDEX_HTML = 'index.html';
export const INDEX_FORMAT = 'huifang-index/1';

/** A file as the index lists it: the visit record's entry for it, less what only the record keeps. */
export type IndexFile = Pick<ArchivedFile, 'path' | 'originalName' | 'kind' | 'role' | 'sha256' | 'size' | 'extractOf'>;

export interface IndexVisit {
  visitId: string;
  customerId: string;
  customerName: string;
  customerKind: string;
  category: string;
  channel: string;
  result: string;
  /** Passed validation when archived. */
  valid: boolean;
  /** What validation found when archived, one sentence each. */
  problems: string[];
  /** `<visit id>/record.json`, relative to data/. */
  record: string;
  files: IndexFile[];
}

export interface BundleIndex {
  format: typeof INDEX_FORMAT;
  bundle: string;
  branch: string;
  branchName: string;
  period: string;
  part: number;
  partCount: number;
  baggingDate: string;
  retainUntil: string;
  includesInvalid: boolean;
  visits: IndexVisit[];
}

/** The index entry of one visit, from its record. */
export function indexVisitOf(record: ArchivedVisitRecord): IndexVisit {
  return {
    visitId: record.visit.visitId,
    customerId: record.customer.customerId,
    customerName: record.customer.name,
    customerKind: record.customer.kind,
    category: record.visit.category,
    channel: record.visit.channel,
    result: record.visit.result,
    valid: record.valid,
    problems: record.validation.filter((m) => m.severity === 'error').map((m) => `${m.reason} [${m.ruleId}]`),
    record: `${record.visit.visitId}/${RECORD_FILE}`,
    files: record.files.map((f) => ({
      path: f.path,
      originalName: f.originalName,
      kind: f.kind,
      role: f.role,
      sha256: f.sha256,
      size: f.size,
      ...(f.extractOf ? { extractOf: f.extractOf } : {}),
    })),
  };
}

export function indexJson(index: BundleIndex): Buffer {
  return Buffer.from(JSON.stringify(index, null, 2) + '\n', 'utf8');
}

const CSV_COLUMNS = [
  'visit_id',
  'customer_id',
  'customer_name',
  'customer_kind',
  'category',
  'channel',
  'result',
  'valid',
  'problems',
  'file',
  'original_name',
  'kind',
  'role',
  'sha256',
  'size',
  'extract_of',
] as const;

/** How the index names an extract's original: `pages 3, 4 of 12 of batch.tif (SHA-256 …)`. */
export function describeOrigin(o: ExtractOrigin): string {
  return `pages ${o.pages.join(', ')} of ${o.pageCount} of ${o.originalName} (SHA-256 ${o.sha256}, ${o.size} bytes)`;
}

/** One row per file (the record included), so a spreadsheet can filter by visit or kind. */
export function indexCsv(index: BundleIndex): Buffer {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const v of index.visits) {
    const head = [
      v.visitId,
      v.customerId,
      v.customerName,
      v.customerKind,
      v.category,
      v.channel,
      v.result,
      v.valid ? 'yes' : 'no',
      v.problems.join('; '),
    ];
    rows.push([...head, v.record, 'record.json', 'record', 'record', '', '', '']);
    for (const f of v.files)
      rows.push([
        ...head,
        f.path,
        f.originalName,
        f.kind,
        f.role,
        f.sha256,
        String(f.size),
        f.extractOf ? describeOrigin(f.extractOf) : '',
      ]);
  }
  return Buffer.from(writeCsv(rows), 'utf8');
}

/** Parses index.csv back (for verify): rows as objects keyed by column. */
export function parseIndexCsv(bytes: Buffer): Record<string, string>[] {
  const [header, ...body] = readCsv(bytes.toString('utf8')).map((r) => r.fields);
  return body.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, restoreFormula(r[i] ?? '')])));
}

/** A relative link to a path under data/ (each segment percent-encoded). */
export function hrefOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
