/**
 * A visit's machine-readable record in a bundle (`data/<visit id>/record.json`): the visit,
 * the customer (unmasked: this is the archive), answers, checks, result, review decisions
 * and their authors, the audit trail, every file with its original name and SHA-256, and
 * the evidence record that `checkEvidence` (src/domain/evidence.ts) reads — so an auditor
 * can re-check the evidence years later from the bundle alone.
 */
import type { Customer } from '../domain/customer.ts';
import type { VisitEvidenceRecord } from '../domain/evidence.ts';
import type { Message } from '../domain/messages.ts';
import type { Answer } from '../domain/questions.ts';
import type { Visit } from '../domain/visit.ts';
import type { RetentionPolicy } from '../domain/deadlines.ts';
import { eventsOfVisit, type VisitEvent } from '../store/bundles.ts';
import { visitFacts } from '../rules/visit-facts.ts';
import { decisionOf } from '../store/rules.ts';
import { exceptionOfVisit, type ExceptionRecord } from '../store/exceptions.ts';
import { completionOf, type Completion } from '../store/attempts.ts';
import { samplesOfVisit } from '../store/visit-reviews.ts';
import type { VisitDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { NameAllocator, safeComponent } from './names.ts';
import { archiveSelection, isPageExtract, type ExtractOrigin } from './page-extract.ts';
import { recordCategoriesOf, retainFrom, yearsFor } from './retention.ts';

const RECORD_FORMAT = 'huifang-visit-record/1';

/** One file of a visit in the bag. `path` is relative to `data/`. */
export interface ArchivedFile {
  path: string;
  /** The name the file had when it came in or was made (kept here, not in the bag). */
  originalName: string;
  kind: string;
  role: string;
  sha256: string;
  size: number;
  pageCount: number | null;
  sourceSha256: string | null;
  createdAt: string;
  createdBy: string | null;
  meta: Record<string, unknown>;
  /**
   * Only on a page extract (a received batch scan also held other visits' pages): the
   * original it was cut from — SHA-256, name, size, page count and this visit's pages —
   * kept in the workspace, not in the bag.
   */
  extractOf?: ExtractOrigin;
}

/** A review decision (复核) and who made it. */
export interface ArchivedReview {
  subject: string;
  fileSha256: string;
  page: number;
  machineValue: unknown;
  score: number | null;
  reason: string;
  status: string;
  finalValue: unknown;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}

export interface ArchivedVisitRecord {
  format: typeof RECORD_FORMAT;
  visit: Visit;
  customer: Customer;
  /** Whether the visit passed validation when it was archived. */
  valid: boolean;
  /** What validation found when it was archived (empty when valid). */
  validation: Message[];
  /** Final answers: read from the form after review, overlaid with answers entered by a person. */
  answers: Record<string, Answer>;
  /** Final signature and seal decisions on the returned form, and who made each. */
  checks: unknown;
  /** Where the answers and checks were read. */
  readFrom: unknown;
  decision: unknown;
  outcome: unknown;
  enteredAnswers: unknown[];
  reviews: ArchivedReview[];
  openReviews: ArchivedReview[];
  pages: unknown[];
  files: ArchivedFile[];
  events: VisitEvent[];
  /**
   * The input of the evidence table; `documents[].retrievable` as at archiving. Its documents
   * are those in the bag: a batch scan's original is replaced by the visit's extract (role
   * `derived`, `meta.extractOf`), which counts as the received form or attachment.
   */
  evidence: VisitEvidenceRecord;
  /** Retention counts from the visit's completion or the bagging date, whichever is later (never from its start). */
  retention: { recordCategories: string[]; years: number; retainUntil: string; countedFrom: string };
  /** When the visit was completed and whether that was late (a late visit stays flagged). */
  completion: Completion | null;
  /** Reviewers' decisions on the whole visit (复核), oldest first. */
  visitReviews: unknown[];
  /** Logged attempts to reach the customer. */
  attempts: unknown[];
  /** Typed answers that disagreed with the paper form, side by side, with the reviewer's decision. */
  answerConflicts: unknown[];
  /** Spot checks (抽检) that drew this visit. */
  samples: unknown[];
  remarks: unknown[];
  /** The exception record (异常) when one was opened. */
  exception: ExceptionRecord | null;
  /** SHA-256 of the firm policy the visit was validated under. */
  policySha256: string | null;
}

const ROLE_FOLDER: Record<string, string> = {
  rendered: 'rendered',
  received: 'received',
  derived: 'derived',
  stamped: 'stamped',
};

/**
 * Where each document goes in the bag: `<visit>/<role>/<kind>-<safe name>`, unique after case
 * folding. A page extract of a batch scan goes in `received/`, in the place of the original.
 */
function placeDocuments(visitId: string, docs: readonly VisitDocument[]): Map<number, string> {
  const byFolder = new Map<string, NameAllocator>();
  const out = new Map<number, string>();
  const sorted = [...docs].sort((a, b) => a.documentId - b.documentId);
  for (const d of sorted) {
    const folder = `${visitId}/${isPageExtract(d) ? 'received' : (ROLE_FOLDER[d.role] ?? 'other')}`;
    const names = byFolder.get(folder) ?? new NameAllocator();
    byFolder.set(folder, names);
    const safe = safeComponent(d.fileName, d.kind);
    const name = safe.toLowerCase().startsWith(d.kind + '-') ? safe : `${d.kind}-${safe}`;
    out.set(d.documentId, `${folder}/${names.allocate(safeComponent(name))}`);
  }
  return out;
}

function review(i: {
  subject: string;
  fileSha256: string;
  page: number;
  machineValue: unknown;
  score: number | null;
  reason: string;
  status: string;
  finalValue: unknown;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}): ArchivedReview {
  return {
    subject: i.subject,
    fileSha256: i.fileSha256,
    page: i.page,
    machineValue: i.machineValue,
    score: i.score,
    reason: i.reason,
    status: i.status,
    finalValue: i.finalValue ?? null,
    decidedBy: i.decidedBy,
    decidedAt: i.decidedAt,
    note: i.note,
  };
}

/** A visit's validation, as the archive asks for it: whether it passes, and what is wrong. */
export type VisitValidator = (
  visitId: string,
) => { ok: boolean; problems: Message[] } | Promise<{ ok: boolean; problems: Message[] }>;

/**
 * Builds the record of one visit and where its documents go. The evidence record and the
 * final answers come from the rules stage (`visitFacts`), the one place that assembles them.
 */
export async function buildVisitRecord(
  ws: Workspace,
  visitId: string,
  period: string,
  policy: RetentionPolicy,
  validation: { ok: boolean; problems: Message[] },
  bag: { baggingDate: string; policySha256: string | null },
): Promise<{ record: ArchivedVisitRecord; documents: { doc: VisitDocument; path: string }[] }> {
  // Hashes are not re-checked here: archiving re-hashes every byte as it copies it.
  const facts = await visitFacts(ws, visitId);
  const { visit, customer, readings } = facts;
  // Batch scans are archived as extracts of this visit's pages; the originals stay in the workspace.
  const { documents: docs, origins } = archiveSelection(ws, visitId, facts.documents);
  const evidence = evidenceInBag(facts, docs);
  const places = placeDocuments(visitId, docs);
  const categories = recordCategoriesOf(
    visit,
    docs.map((d) => d.kind),
  );
  const completion = completionOf(ws.register, visitId) ?? null;
  const files = archivedFilesOf(ws, docs, places, origins);
  const { layoutId: _layout, ...plainVisit } = visit as Visit & { layoutId?: string };
  const record: ArchivedVisitRecord = {
    format: RECORD_FORMAT,
    visit: plainVisit,
    customer,
    valid: validation.ok,
    validation: validation.problems,
    answers: facts.answers,
    checks: readings.checks,
    readFrom: readings.source,
    decision: decisionOf(ws.register, visitId) ?? null,
    outcome: facts.outcome,
    enteredAnswers: facts.entered,
    reviews: readings.decidedReviewItems.map(review),
    openReviews: readings.openReviewItems.map(review),
    pages: readings.pages,
    files,
    events: eventsOfVisit(ws.register, visitId),
    evidence,
    retention: {
      recordCategories: categories,
      years: yearsFor(policy, categories),
      ...retainFrom(policy, period, categories, completion?.completedOn ?? null, bag.baggingDate),
    },
    completion,
    visitReviews: facts.visitReviews,
    attempts: facts.attempts,
    answerConflicts: facts.conflicts,
    samples: samplesOfVisit(ws.register, visitId),
    remarks: facts.remarks,
    exception: exceptionOfVisit(ws.register, visitId) ?? null,
    policySha256: bag.policySha256,
  };
  return { record, documents: docs.map((doc) => ({ doc, path: places.get(doc.documentId)! })) };
}

/** The evidence record of only the documents that go into the bag. */
function evidenceInBag(
  facts: Awaited<ReturnType<typeof visitFacts>>,
  docs: readonly VisitDocument[],
): Awaited<ReturnType<typeof visitFacts>>['record'] {
  const kept = new Set(docs.map((d) => d.documentId));
  return {
    ...facts.record,
    documents: facts.record.documents.filter((_, i) => kept.has(facts.documents[i]!.documentId)),
  };
}

/** The visit's files as its record lists them, in path order: where each goes and what it is. */
function archivedFilesOf(
  ws: Workspace,
  docs: VisitDocument[],
  places: ReadonlyMap<number, string>,
  origins: ReadonlyMap<number, NonNullable<ArchivedFile['extractOf']>>,
): ArchivedFile[] {
  const files: ArchivedFile[] = docs.map((d) => ({
    path: places.get(d.documentId)!,
    originalName: d.fileName,
    kind: d.kind,
    role: d.role,
    sha256: d.sha256,
    size: ws.files.sizeOf(d.sha256),
    pageCount: d.pageCount,
    sourceSha256: d.sourceSha256,
    createdAt: d.createdAt,
    createdBy: d.createdBy,
    meta: d.meta,
    ...(origins.has(d.documentId) ? { extractOf: origins.get(d.documentId)! } : {}),
  }));
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return files;
}

/** The record's bytes: pretty JSON, UTF-8, LF, keys in a fixed order (deterministic). */
export function recordBytes(record: ArchivedVisitRecord): Buffer {
  return Buffer.from(JSON.stringify(record, null, 2) + '\n', 'utf8');
}
