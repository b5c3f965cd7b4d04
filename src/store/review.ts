/**
 * The review queue (复核) in the register: every decision the machine was unsure of, one
 * item per page and subject, open until a reviewer confirms or corrects it (who and when
 * are kept). `finalReadingsOf` gives the rules stage a visit's answers and checks with the
 * reviewers' decisions applied and every still-open item left undecided (null).
 */
import { InputError } from '../domain/messages.ts';
import type { Answer } from '../domain/questions.ts';
import { nowIso } from '../env/clock.ts';
import { enterRemarks } from './attempts.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register, type SqlValue } from './sql.ts';
import { visitPagesOfVisits, type CheckReading, type RecordedReading, type VisitPage } from './pages.ts';

/**
 * What an item is about: `answer:<question id>`, `customerSignature`, `handlerSignature`,
 * `seal` (ink present), `seal.red` (the seal is red), `visit` (which visit the page belongs to).
 */
export type ReviewSubject = string;

/** A value under review: an answer, a yes/no decision, a visit id, or null (undecided). */
export type ReviewValue = string | boolean | null;

export type ReviewStatus = 'open' | 'confirmed' | 'corrected' | 'withdrawn';

export interface NewReviewItem {
  page: number;
  visitId: string | null;
  subject: ReviewSubject;
  /** The machine's value (null when it could not decide). */
  machineValue: ReviewValue;
  score: number | null;
  /** Why the machine is unsure, in a reviewer's words. */
  reason: string;
  /** SHA-256 of a picture (PNG in the file store) of what is in doubt, when one was made. */
  cropSha256?: string | null;
}

export interface ReviewItem extends NewReviewItem {
  itemId: number;
  fileSha256: string;
  status: ReviewStatus;
  finalValue: ReviewValue | undefined;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
  createdAt: string;
  /** Name and absolute path of the file the page came from, as first ingested. */
  fileName: string;
  sourcePath: string;
}

interface ReviewRow {
  item_id: number;
  file_sha256: string;
  page: number;
  visit_id: string | null;
  subject: string;
  machine_json: string;
  score: number | null;
  reason: string;
  status: ReviewStatus;
  final_json: string | null;
  decided_by: string | null;
  decided_at: string | null;
  note: string | null;
  created_at: string;
  file_name: string;
  source_path: string;
  crop_sha256?: string | null;
}

const ITEM_SELECT =
  'SELECT r.*, f.file_name, f.source_path FROM review_items r JOIN ingest_files f ON f.sha256 = r.file_sha256';

function itemFromRow(r: ReviewRow): ReviewItem {
  return {
    itemId: r.item_id,
    fileSha256: r.file_sha256,
    page: r.page,
    visitId: r.visit_id,
    subject: r.subject,
    machineValue: JSON.parse(r.machine_json) as ReviewValue,
    score: r.score,
    reason: r.reason,
    status: r.status,
    finalValue: r.final_json === null ? undefined : (JSON.parse(r.final_json) as ReviewValue),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    note: r.note,
    createdAt: r.created_at,
    fileName: r.file_name,
    sourcePath: r.source_path,
    cropSha256: r.crop_sha256 ?? null,
  };
}

/** Writes a file's review items (inside the file's final transaction, after its pages). */
export function replaceReviewItemsOfFile(register: Register, sha256: string, items: readonly NewReviewItem[]): void {
  const db = sqlOf(register);
  db.prepare('DELETE FROM review_items WHERE file_sha256 = ?').run(sha256);
  const insert = db.prepare(
    `INSERT INTO review_items (file_sha256, page, visit_id, subject, machine_json, score, reason, status, created_at, crop_sha256)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
  );
  const now = nowIso();
  for (const i of items)
    insert.run(
      sha256,
      i.page,
      i.visitId,
      i.subject,
      JSON.stringify(i.machineValue),
      i.score,
      i.reason,
      now,
      i.cropSha256 ?? null,
    );
}

export interface ReviewFilter {
  status?: ReviewStatus | 'all';
  visitId?: string;
}

/** Review items (open ones by default), in the order they arrived. */
export function listReviewItems(register: Register, filter: ReviewFilter = {}): ReviewItem[] {
  const db = sqlOf(register);
  const where: string[] = [];
  const args: SqlValue[] = [];
  const status = filter.status ?? 'open';
  if (status !== 'all') {
    where.push('r.status = ?');
    args.push(status);
  }
  if (filter.visitId) {
    where.push('r.visit_id = ?');
    args.push(filter.visitId);
  }
  const sql = `${ITEM_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY r.item_id`;
  return (db.prepare(sql).all(...args) as ReviewRow[]).map(itemFromRow);
}

export function getReviewItem(register: Register, itemId: number): ReviewItem | undefined {
  const db = sqlOf(register);
  const r = db.prepare(`${ITEM_SELECT} WHERE r.item_id = ?`).get(itemId) as ReviewRow | undefined;
  return r && itemFromRow(r);
}

/** Every review item on a file's pages (any status), by page then item. */
export function reviewItemsOfFile(register: Register, sha256: string): ReviewItem[] {
  const db = sqlOf(register);
  return (
    db.prepare(`${ITEM_SELECT} WHERE r.file_sha256 = ? ORDER BY r.page, r.item_id`).all(sha256) as ReviewRow[]
  ).map(itemFromRow);
}

export interface ReviewDecision {
  itemId: number;
  status: 'confirmed' | 'corrected';
  finalValue: ReviewValue;
  actor: string;
  note?: string;
}

/**
 * Records a reviewer's transcription of the 备注 remarks box: the item's decision and the
 * remarks entered on its visit, together (validate opens the exception they call for).
 */
export function recordRemarksTranscription(
  register: Register,
  d: ReviewDecision & { visitId: string; remarks: string },
): ReviewItem {
  const db = sqlOf(register);
  return db.transaction(() => {
    const { visitId, remarks, ...decision } = d;
    const decided = recordReviewDecision(db, decision);
    enterRemarks(db, visitId, remarks, d.actor);
    return decided;
  });
}

/** Records a reviewer's decision on an open item (who and when). */
export function recordReviewDecision(register: Register, d: ReviewDecision): ReviewItem {
  const db = sqlOf(register);
  return db.transaction(() => {
    const item = getReviewItem(db, d.itemId);
    if (!item)
      throw new InputError(`There is no review item ${d.itemId}; \`huifang review list\` shows the open ones.`);
    if (item.status !== 'open') throw new InputError(`Review item ${d.itemId} is already ${item.status}.`);
    db.prepare(
      "UPDATE review_items SET status = ?, final_json = ?, decided_by = ?, decided_at = ?, note = ? WHERE item_id = ? AND status = 'open'",
    ).run(d.status, JSON.stringify(d.finalValue), d.actor, nowIso(), d.note ?? null, d.itemId);
    recordEvent(db, d.actor, `review.${d.status}`, item.visitId, {
      itemId: d.itemId,
      subject: item.subject,
      machineValue: item.machineValue,
      finalValue: d.finalValue,
      sha256: item.fileSha256,
      page: item.page,
    });
    return getReviewItem(db, d.itemId)!;
  });
}

/**
 * Undoes a reviewer's decision: the item is open again, as the machine left it, and the
 * visit's reading of it is undecided until someone decides anew. The decision undone is
 * kept in the event log (`review.reopened`), with who reopened it and why.
 */
export function reopenReviewItem(register: Register, itemId: number, actor: string, reason?: string): ReviewItem {
  const db = sqlOf(register);
  return db.transaction(() => {
    const item = getReviewItem(db, itemId);
    if (!item) throw new Error(`No review item ${itemId}`);
    if (item.status !== 'confirmed' && item.status !== 'corrected')
      throw new Error(`Review item ${itemId} is ${item.status}, not decided`);
    db.prepare(
      "UPDATE review_items SET status = 'open', final_json = NULL, decided_by = NULL, decided_at = NULL, note = NULL WHERE item_id = ?",
    ).run(itemId);
    recordEvent(db, actor, 'review.reopened', item.visitId, {
      itemId,
      subject: item.subject,
      undone: {
        status: item.status,
        finalValue: item.finalValue ?? null,
        decidedBy: item.decidedBy,
        decidedAt: item.decidedAt,
        note: item.note,
      },
      ...(reason ? { reason } : {}),
      sha256: item.fileSha256,
      page: item.page,
    });
    return getReviewItem(db, itemId)!;
  });
}

/** A signature or seal decision after review. `by`: who decided it. */
export interface FinalCheck {
  present: boolean | null;
  score: number | null;
  by: 'machine' | 'reviewer' | 'none';
}

export interface FinalSeal extends FinalCheck {
  red: boolean | null;
  redBy: 'machine' | 'reviewer' | 'none';
}

/**
 * A visit's final readings, for the rules: answers and checks from its latest received
 * form page, with reviewers' decisions applied. A value whose review item is still open
 * is null, and the item is in `openReviewItems` — never the machine's unsure guess.
 */
export interface FinalReadings {
  visitId: string;
  /** The form page the answers and checks come from; null when no form page was received. */
  source: { fileSha256: string; page: number; fileName: string; sourcePath: string } | null;
  /** By question id: `yes`/`no`/a choice value; null when blank, unreadable or under review. */
  answers: Record<string, Answer>;
  checks: { customerSignature: FinalCheck; handlerSignature: FinalCheck; seal: FinalSeal };
  /** Open items on the visit's pages (the source form page and its other pages). */
  openReviewItems: ReviewItem[];
  /** Items reviewers decided, for the record. */
  decidedReviewItems: ReviewItem[];
  /** Every page of the visit, in arrival order: kind, file, page, how it was assigned. */
  pages: { fileSha256: string; page: number; kind: string | null; assignedBy: string; fileName: string }[];
}

function hasReading(p: VisitPage): boolean {
  const r: RecordedReading = p.reading;
  return p.kind === 'form' && (Boolean(r.checks) || Object.keys(r.answers ?? {}).length > 0);
}

/** A visit's final answers and checks (see `FinalReadings`). */
export function finalReadingsOf(register: Register, visitId: string): FinalReadings {
  const db = sqlOf(register);
  return finalReadingsOfVisits(db, [visitId]).get(visitId)!;
}

/** The review items (any status) of each visit, in the order they arrived. */
export function reviewItemsOfVisits(register: Register, visitIds: readonly string[]): Map<string, ReviewItem[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<ReviewRow>(
    db,
    visitIds,
    (m) => `${ITEM_SELECT} WHERE r.visit_id IN (${m}) ORDER BY r.visit_id, r.item_id`,
  );
  return groupBy(rows.map(itemFromRow), (i) => i.visitId!);
}

/** The final answers and checks of each visit (every id given has an entry). */
export function finalReadingsOfVisits(register: Register, visitIds: readonly string[]): Map<string, FinalReadings> {
  const db = sqlOf(register);
  const pages = visitPagesOfVisits(db, visitIds);
  const items = reviewItemsOfVisits(db, visitIds);
  return new Map(visitIds.map((id) => [id, finalReadings(id, pages.get(id) ?? [], items.get(id) ?? [])]));
}

function finalReadings(visitId: string, pages: readonly VisitPage[], items: readonly ReviewItem[]): FinalReadings {
  const formPages = pages.filter(hasReading);
  const source = formPages.at(-1);
  const relevant = items.filter((i) => {
    const onOlderForm = formPages.some((p) => p !== source && p.fileSha256 === i.fileSha256 && p.page === i.page);
    return !onOlderForm;
  });
  const onSource = (i: ReviewItem) =>
    source !== undefined && i.fileSha256 === source.fileSha256 && i.page === source.page;
  const sourceItems = new Map(relevant.filter(onSource).map((i) => [i.subject, i]));

  const { answers, checks } = applyReview(source?.reading, [...sourceItems.values()]);
  return {
    visitId,
    source: source
      ? { fileSha256: source.fileSha256, page: source.page, fileName: source.fileName, sourcePath: source.sourcePath }
      : null,
    answers,
    checks,
    openReviewItems: relevant.filter((i) => i.status === 'open'),
    decidedReviewItems: relevant.filter((i) => i.status === 'confirmed' || i.status === 'corrected'),
    pages: pages.map((p) => ({
      fileSha256: p.fileSha256,
      page: p.page,
      kind: p.kind,
      assignedBy: p.assignedBy,
      fileName: p.fileName,
    })),
  };
}

/** A page's answers and checks with its review items applied: open items make a value null. */
export interface ReviewedReading {
  answers: Record<string, Answer>;
  checks: { customerSignature: FinalCheck; handlerSignature: FinalCheck; seal: FinalSeal };
}

type CheckSubject = 'customerSignature' | 'handlerSignature' | 'seal';

/**
 * Applies a page's review items to what the machine read: a confirmed or corrected item's
 * final value replaces the machine's; an open item leaves the value null (undecided).
 */
export function applyReview(reading: RecordedReading | undefined, items: readonly ReviewItem[]): ReviewedReading {
  const bySubject = new Map(items.filter((i) => i.status !== 'withdrawn').map((i) => [i.subject, i]));
  const decided = (i: ReviewItem) => i.status === 'confirmed' || i.status === 'corrected';
  const answers: Record<string, Answer> = { ...(reading?.answers ?? {}) };
  for (const i of bySubject.values()) {
    if (!i.subject.startsWith('answer:')) continue;
    const id = i.subject.slice('answer:'.length);
    answers[id] = decided(i) ? ((i.finalValue ?? null) as Answer) : null;
  }
  const check = (subject: CheckSubject): FinalCheck => {
    const c: CheckReading | undefined = reading?.checks?.[subject];
    const base: FinalCheck = c
      ? { present: c.present, score: c.score, by: c.present === null ? 'none' : 'machine' }
      : { present: null, score: null, by: 'none' };
    const i = bySubject.get(subject);
    if (!i) return base;
    return decided(i)
      ? { present: (i.finalValue ?? null) as boolean | null, score: base.score, by: 'reviewer' }
      : { present: null, score: base.score, by: 'none' };
  };
  let red: boolean | null = reading?.checks?.seal.red ?? null;
  let redBy: FinalSeal['redBy'] = red === null ? 'none' : 'machine';
  const redItem = bySubject.get('seal.red');
  if (redItem) {
    red = decided(redItem) ? ((redItem.finalValue ?? null) as boolean | null) : null;
    redBy = decided(redItem) ? 'reviewer' : 'none';
  }
  return {
    answers,
    checks: {
      customerSignature: check('customerSignature'),
      handlerSignature: check('handlerSignature'),
      seal: { ...check('seal'), red, redBy },
    },
  };
}
