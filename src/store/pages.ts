/**
 * Pages of ingested files in the register: each page is assigned to a visit (by its QR
 * code, by following a page with one, by a handler such as e-mail, or by a clerk) or sits
 * in quarantine with its reason. Page 0 stands for a whole file that has no readable pages.
 *
 * The received documents of a visit (`documents`, role `received`) are derived from the
 * pages: the pages of one file assigned to one visit with one kind make one document, whose
 * bytes are the original file (the evidence) and whose `meta.pages` lists the pages.
 */
import { InputError } from '../domain/messages.ts';
import { byCodeUnit } from '../domain/order.ts';
import type { Answer } from '../domain/questions.ts';
import type { DocumentKind } from '../domain/visit.ts';
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

/** A signature or seal decision as read: null when undecided (then there is a review item). */
export interface CheckReading {
  present: boolean | null;
  score: number | null;
}

export interface SealReading extends CheckReading {
  /** Whether the seal is red (公章); null on a grey scan or when undecided. */
  red: boolean | null;
}

export interface CheckReadings {
  customerSignature: CheckReading;
  handlerSignature: CheckReading;
  seal: SealReading;
}

/** What the page reader found on a page, as kept in the register (plain JSON). */
export interface RecordedReading {
  /** The QR payload, when one was read. */
  payload?: { visitId: string; kind: string; page: number; pageCount: number; layout: string } | null;
  /** Answers by question id (`yes`/`no`/a choice value, null: blank or undecided). */
  answers?: Record<string, Answer>;
  /** Score of each answer's decision, by question id, when the reader gives one. */
  answerScores?: Record<string, number | null>;
  checks?: CheckReadings;
  /** Whether the scan carries colour (a grey scan cannot show a red seal). */
  colour?: boolean | null;
  /** Anything else the reader reported (orientation, dpi, warnings), kept for people. */
  notes?: string[];
  [more: string]: unknown;
}

export type AssignedBy = 'qr' | 'follow' | 'handler' | 'clerk' | 'none';
export type PageStatus = 'assigned' | 'quarantined';

export interface NewPage {
  /** 1-based page in the file; 0 for the whole file when it has no readable pages. */
  page: number;
  /** The visit it belongs to; null puts it in quarantine (give `reason`). */
  visitId: string | null;
  kind: DocumentKind | null;
  assignedBy: AssignedBy;
  reading?: RecordedReading | null;
  reason?: string;
  ruleId?: string;
  /** SHA-256 of a picture of the page (PNG in the file store), for a person to judge. */
  cropSha256?: string | null;
}

export interface PageRecord {
  fileSha256: string;
  page: number;
  status: PageStatus;
  visitId: string | null;
  kind: DocumentKind | null;
  assignedBy: AssignedBy;
  reading: RecordedReading;
  reason: string | null;
  ruleId: string | null;
  createdAt: string;
  updatedAt: string;
  updatedBy: string;
  /** From the file: name and absolute path as first ingested. */
  fileName: string;
  sourcePath: string;
  fileStartedAt: string;
  /** SHA-256 of a picture of the page (PNG in the file store) for a person to judge, when one was made. */
  cropSha256: string | null;
}

interface PageRow {
  file_sha256: string;
  page: number;
  status: PageStatus;
  visit_id: string | null;
  kind: DocumentKind | null;
  assigned_by: AssignedBy;
  reading_json: string;
  reason: string | null;
  rule_id: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string;
  file_name: string;
  source_path: string;
  started_at: string;
  crop_sha256?: string | null;
}

const PAGE_SELECT = `SELECT p.*, f.file_name, f.source_path, f.started_at FROM pages p JOIN ingest_files f ON f.sha256 = p.file_sha256`;

function pageFromRow(r: PageRow): PageRecord {
  return {
    fileSha256: r.file_sha256,
    page: r.page,
    status: r.status,
    visitId: r.visit_id,
    kind: r.kind,
    assignedBy: r.assigned_by,
    reading: JSON.parse(r.reading_json) as RecordedReading,
    reason: r.reason,
    ruleId: r.rule_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    fileName: r.file_name,
    sourcePath: r.source_path,
    fileStartedAt: r.started_at,
    cropSha256: r.crop_sha256 ?? null,
  };
}

export function pagesOfFile(register: Register, sha256: string): PageRecord[] {
  const db = sqlOf(register);
  return (db.prepare(`${PAGE_SELECT} WHERE p.file_sha256 = ? ORDER BY p.page`).all(sha256) as PageRow[]).map(
    pageFromRow,
  );
}

export function getPage(register: Register, sha256: string, page: number): PageRecord | undefined {
  const db = sqlOf(register);
  const r = db.prepare(`${PAGE_SELECT} WHERE p.file_sha256 = ? AND p.page = ?`).get(sha256, page) as
    PageRow | undefined;
  return r && pageFromRow(r);
}

/** A visit's pages in the order they arrived (file by file, page by page). */
export function pagesOfVisit(register: Register, visitId: string): PageRecord[] {
  const db = sqlOf(register);
  return pagesOfVisits(db, [visitId]).get(visitId) ?? [];
}

/** The pages of each visit, in arrival order; a visit without pages is left out. */
export function pagesOfVisits(register: Register, visitIds: readonly string[]): Map<string, PageRecord[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<PageRow>(
    db,
    visitIds,
    (m) => `${PAGE_SELECT} WHERE p.visit_id IN (${m}) ORDER BY p.visit_id, f.started_at, f.sha256, p.page`,
  );
  return groupBy(rows.map(pageFromRow), (p) => p.visitId!);
}

/** A page of a visit as its final readings need it (`review.ts`): where it is, its kind, what was read on it. */
export interface VisitPage {
  fileSha256: string;
  page: number;
  kind: DocumentKind | null;
  assignedBy: AssignedBy;
  /** What the reader found on a form page; `{}` on any other kind of page (not read back from the register). */
  reading: RecordedReading;
  fileName: string;
  sourcePath: string;
}

/**
 * The pages of each visit in arrival order, as `pagesOfVisits` gives them, with only what the
 * final readings use: each file's name and arrival read once (not once a page), and the
 * reading of form pages alone parsed. A visit without pages is left out.
 */
export function visitPagesOfVisits(register: Register, visitIds: readonly string[]): Map<string, VisitPage[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<{
    visit_id: string;
    file_sha256: string;
    page: number;
    kind: DocumentKind | null;
    assigned_by: AssignedBy;
    reading_json: string | null;
  }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, file_sha256, page, kind, assigned_by, CASE WHEN kind = 'form' THEN reading_json END AS reading_json FROM pages WHERE visit_id IN (${m})`,
  );
  const files = new Map(
    // asked by visit, not by the files just read, so that it can be read ahead with the pages
    rowsForIds<{ sha256: string; file_name: string; source_path: string; started_at: string }>(
      db,
      visitIds,
      (m) =>
        `SELECT sha256, file_name, source_path, started_at FROM ingest_files
         WHERE sha256 IN (SELECT file_sha256 FROM pages WHERE visit_id IN (${m}))`,
    ).map((f) => [f.sha256, f]),
  );
  const arrival = (r: (typeof rows)[number]) => files.get(r.file_sha256)!.started_at;
  // the order of `pagesOfVisits`: by visit, then file by file as they arrived, then page by page
  rows.sort(
    (a, b) =>
      byCodeUnit(a.visit_id, b.visit_id) ||
      byCodeUnit(arrival(a), arrival(b)) ||
      byCodeUnit(a.file_sha256, b.file_sha256) ||
      a.page - b.page,
  );
  return groupBy(
    rows,
    (r) => r.visit_id,
    (r): VisitPage => {
      const file = files.get(r.file_sha256)!; // every page's file is in ingest_files (its foreign key)
      return {
        fileSha256: r.file_sha256,
        page: r.page,
        kind: r.kind,
        assignedBy: r.assigned_by,
        reading: r.reading_json === null ? {} : (JSON.parse(r.reading_json) as RecordedReading),
        fileName: file.file_name,
        sourcePath: file.source_path,
      };
    },
  );
}

/** Every page in quarantine, oldest first. */
export function quarantinedPages(register: Register): PageRecord[] {
  const db = sqlOf(register);
  return (
    db
      .prepare(`${PAGE_SELECT} WHERE p.status = 'quarantined' ORDER BY f.started_at, f.sha256, p.page`)
      .all() as PageRow[]
  ).map(pageFromRow);
}

/**
 * Pages that are neither a form, a letter, an envelope nor a postal receipt as far as the
 * machine can tell: attached to a visit only because they followed its page (kind
 * `attachment`), or quarantined for having no QR code. Oldest first.
 */
export function unclassifiedPages(register: Register): PageRecord[] {
  const db = sqlOf(register);
  return (
    db
      .prepare(
        `${PAGE_SELECT} WHERE (p.status = 'assigned' AND p.kind = 'attachment' AND p.assigned_by = 'follow')
           OR (p.status = 'quarantined' AND p.rule_id IN ('ingest/no-qr-code', 'ingest/follows-unknown-visit'))
         ORDER BY f.started_at, f.sha256, p.page`,
      )
      .all() as PageRow[]
  ).map(pageFromRow);
}

/**
 * Replaces every page of a file (and its review items, which hang on the pages) and
 * re-derives the file's received documents. Call inside the file's final transaction.
 */
export function replacePagesOfFile(register: Register, sha256: string, pages: readonly NewPage[], actor: string): void {
  const db = sqlOf(register);
  const now = nowIso();
  db.prepare('DELETE FROM review_items WHERE file_sha256 = ?').run(sha256);
  db.prepare('DELETE FROM pages WHERE file_sha256 = ?').run(sha256);
  const insert = db.prepare(
    `INSERT INTO pages (file_sha256, page, status, visit_id, kind, assigned_by, reading_json, reason, rule_id, created_at, updated_at, updated_by, crop_sha256)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of pages) {
    insert.run(
      sha256,
      p.page,
      p.visitId ? 'assigned' : 'quarantined',
      p.visitId,
      p.kind,
      p.assignedBy,
      JSON.stringify(p.reading ?? {}),
      p.visitId ? null : (p.reason ?? 'not assigned to a visit'),
      p.visitId ? null : (p.ruleId ?? 'ingest/unassigned'),
      now,
      now,
      actor,
      p.cropSha256 ?? null,
    );
  }
  syncReceivedDocuments(db, sha256, actor);
}

interface FileInfoRow {
  file_name: string;
  size: number;
}

/**
 * Makes the file's received documents match its assigned pages: one document per visit and
 * kind, listing its pages in `meta.pages`. Only documents that ingest made are touched
 * (`meta.ingest`); one attached by hand with the same bytes is left as it is.
 */
export function syncReceivedDocuments(register: Register, sha256: string, actor: string): void {
  const db = sqlOf(register);
  const file = db.prepare('SELECT file_name, size FROM ingest_files WHERE sha256 = ?').get(sha256) as
    FileInfoRow | undefined;
  if (!file) throw new InputError(`No ingested file ${sha256}`);
  const groups = assignedPageGroups(db, sha256);
  updateIngestedDocuments(db, sha256, actor, groups);
  addReceivedDocuments(db, sha256, actor, file, groups);
}

/** A received document's pages: one group per visit and kind. */
type PageGroups = Map<string, { visitId: string; kind: string; pages: number[] }>;

/** The file's assigned pages, grouped by visit and kind. */
function assignedPageGroups(register: Register, sha256: string): PageGroups {
  const db = sqlOf(register);
  const groups: PageGroups = new Map();
  const rows = db
    .prepare("SELECT page, visit_id, kind FROM pages WHERE file_sha256 = ? AND status = 'assigned' ORDER BY page")
    .all(sha256) as {
    page: number;
    visit_id: string;
    kind: string;
  }[];
  for (const r of rows) {
    const key = `${r.visit_id}\u0000${r.kind}`;
    const g = groups.get(key) ?? { visitId: r.visit_id, kind: r.kind, pages: [] };
    g.pages.push(r.page);
    groups.set(key, g);
  }
  return groups;
}

/**
 * The file's received documents already there: ingest's own updated to their pages (or
 * removed when none are left), one attached by hand left alone. Groups dealt with are taken
 * out of `groups`.
 */
function updateIngestedDocuments(register: Register, sha256: string, actor: string, groups: PageGroups): void {
  const db = sqlOf(register);
  const existing = db
    .prepare("SELECT document_id, visit_id, kind, meta_json FROM documents WHERE role = 'received' AND sha256 = ?")
    .all(sha256) as {
    document_id: number;
    visit_id: string;
    kind: string;
    meta_json: string;
  }[];
  for (const d of existing) {
    const meta = JSON.parse(d.meta_json) as Record<string, unknown>;
    const key = `${d.visit_id}\u0000${d.kind}`;
    const group = groups.get(key);
    if (!meta.ingest) {
      groups.delete(key); // attached by hand: leave it, and do not add a second one
      continue;
    }
    if (!group) {
      db.prepare('DELETE FROM documents WHERE document_id = ?').run(d.document_id);
      recordEvent(db, actor, 'document.removed', d.visit_id, {
        kind: d.kind,
        role: 'received',
        sha256,
        reason: 'its pages were moved',
      });
      continue;
    }
    const pages = group.pages.filter((p) => p > 0);
    db.prepare('UPDATE documents SET page_count = ?, meta_json = ? WHERE document_id = ?').run(
      pages.length || null,
      JSON.stringify({ ...meta, ingest: true, pages }),
      d.document_id,
    );
    groups.delete(key);
  }
}

/** A received document for each group left: its visit and kind, and the pages it holds. */
function addReceivedDocuments(
  register: Register,
  sha256: string,
  actor: string,
  file: FileInfoRow,
  groups: PageGroups,
): void {
  const db = sqlOf(register);
  const now = nowIso();
  const insert = db.prepare(
    `INSERT INTO documents (visit_id, kind, role, sha256, file_name, page_count, source_sha256, created_at, created_by, meta_json)
     VALUES (?, ?, 'received', ?, ?, ?, NULL, ?, ?, ?)`,
  );
  for (const g of groups.values()) {
    const pages = g.pages.filter((p) => p > 0);
    insert.run(
      g.visitId,
      g.kind,
      sha256,
      file.file_name,
      pages.length || null,
      now,
      actor,
      JSON.stringify({ ingest: true, pages }),
    );
    recordEvent(db, actor, 'document.added', g.visitId, {
      kind: g.kind,
      role: 'received',
      sha256,
      fileName: file.file_name,
      pages,
    });
  }
}

export interface PageMove {
  sha256: string;
  page: number;
  visitId: string;
  kind: DocumentKind;
  actor: string;
}

/**
 * Re-assigns a page (or a quarantined whole file, page 0) to a visit and kind, recording
 * who and when; a quarantined page leaves quarantine. Its review items follow it; an item
 * that asked which visit the page belongs to is settled by the move.
 */
export function movePage(register: Register, m: PageMove): { before: PageRecord; after: PageRecord } {
  const db = sqlOf(register);
  return db.transaction(() => {
    const before = getPage(db, m.sha256, m.page);
    if (!before) throw new InputError(`No page ${m.page} in ingested file ${m.sha256}`);
    const now = nowIso();
    db.prepare(
      `UPDATE pages SET status = 'assigned', visit_id = ?, kind = ?, assigned_by = 'clerk', reason = NULL, rule_id = NULL, updated_at = ?, updated_by = ?
         WHERE file_sha256 = ? AND page = ?`,
    ).run(m.visitId, m.kind, now, m.actor, m.sha256, m.page);
    db.prepare('UPDATE review_items SET visit_id = ? WHERE file_sha256 = ? AND page = ?').run(
      m.visitId,
      m.sha256,
      m.page,
    );
    db.prepare(
      `UPDATE review_items SET status = 'corrected', final_json = ?, decided_by = ?, decided_at = ?, note = 'settled by moving the page'
         WHERE file_sha256 = ? AND page = ? AND subject = 'visit' AND status = 'open'`,
    ).run(JSON.stringify(m.visitId), m.actor, now, m.sha256, m.page);
    syncReceivedDocuments(db, m.sha256, m.actor);
    const details = {
      sha256: m.sha256,
      page: m.page,
      from: before.visitId ? { visitId: before.visitId, kind: before.kind } : { quarantine: before.reason },
      to: { visitId: m.visitId, kind: m.kind },
    };
    recordEvent(db, m.actor, 'page.moved', m.visitId, details);
    if (before.visitId && before.visitId !== m.visitId) recordEvent(db, m.actor, 'page.moved', before.visitId, details);
    return { before, after: getPage(db, m.sha256, m.page)! };
  });
}
