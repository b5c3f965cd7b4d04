/**
 * Ingested files in the register: one row per content (SHA-256) with its state
 * (`processing` before any work, `done` when all its pages are recorded), and a sighting
 * each time a path brought those bytes in.
 *
 * Crash safety: `beginIngestFile` commits `processing` before the work; `finishIngestFile`
 * writes every page, review item and document of the file and `done` in one transaction.
 * A run killed in between leaves only `processing`, and the next run redoes the file whole.
 */
import { nowIso } from '../env/clock.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';
import { recordBlob } from './visits.ts';
import { replacePagesOfFile, type NewPage } from './pages.ts';
import { replaceReviewItemsOfFile, type NewReviewItem } from './review.ts';

export type IngestFileStatus = 'processing' | 'done';

export interface IngestFileRecord {
  sha256: string;
  fileName: string;
  /** Absolute path the file had when it was first ingested. */
  sourcePath: string;
  size: number;
  handler: string;
  status: IngestFileStatus;
  pageCount: number | null;
  attempts: number;
  startedAt: string;
  finishedAt: string | null;
  actor: string;
}

interface IngestFileRow {
  sha256: string;
  file_name: string;
  source_path: string;
  size: number;
  handler: string;
  status: IngestFileStatus;
  page_count: number | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  actor: string;
}

function fromRow(r: IngestFileRow): IngestFileRecord {
  return {
    sha256: r.sha256,
    fileName: r.file_name,
    sourcePath: r.source_path,
    size: r.size,
    handler: r.handler,
    status: r.status,
    pageCount: r.page_count,
    attempts: r.attempts,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    actor: r.actor,
  };
}

export function getIngestFile(register: Register, sha256: string): IngestFileRecord | undefined {
  const db = sqlOf(register);
  const r = db.prepare('SELECT * FROM ingest_files WHERE sha256 = ?').get(sha256) as IngestFileRow | undefined;
  return r && fromRow(r);
}

/** Files whose SHA-256 starts with `prefix` (at most `limit`). */
export function findIngestFilesByPrefix(register: Register, prefix: string, limit = 5): IngestFileRecord[] {
  const db = sqlOf(register);
  const rows = db
    .prepare("SELECT * FROM ingest_files WHERE sha256 LIKE ? || '%' ORDER BY sha256 LIMIT ?")
    .all(prefix.toLowerCase(), limit) as IngestFileRow[];
  return rows.map(fromRow);
}

export interface BeginIngest {
  sha256: string;
  size: number;
  mediaType?: string;
  fileName: string;
  sourcePath: string;
  handler: string;
  actor: string;
}

/**
 * What the register knew of a file when ingest reached it:
 * `new` (never seen), `resume` (an earlier run stopped mid-file), `done` (already ingested).
 */
export type BeginOutcome = { state: 'new' | 'resume' | 'done'; file: IngestFileRecord };

/** Records a stored file as `processing` (committed before any work) unless it is done already. */
export function beginIngestFile(register: Register, f: BeginIngest): BeginOutcome {
  const db = sqlOf(register);
  return db.transaction((): BeginOutcome => {
    recordBlob(db, f.sha256, f.size, f.mediaType);
    const existing = getIngestFile(db, f.sha256);
    const now = nowIso();
    let state: BeginOutcome['state'];
    if (!existing) {
      db.prepare(
        `INSERT INTO ingest_files (sha256, file_name, source_path, size, handler, status, attempts, started_at, actor)
           VALUES (?, ?, ?, ?, ?, 'processing', 1, ?, ?)`,
      ).run(f.sha256, f.fileName, f.sourcePath, f.size, f.handler, now, f.actor);
      state = 'new';
    } else if (existing.status === 'processing') {
      db.prepare('UPDATE ingest_files SET attempts = attempts + 1, handler = ? WHERE sha256 = ?').run(
        f.handler,
        f.sha256,
      );
      state = 'resume';
    } else {
      state = 'done';
    }
    db.prepare('INSERT INTO ingest_sightings (sha256, path, seen_at, actor, outcome) VALUES (?, ?, ?, ?, ?)').run(
      f.sha256,
      f.sourcePath,
      now,
      f.actor,
      state === 'done' ? 'duplicate' : state,
    );
    return { state, file: getIngestFile(db, f.sha256)! };
  });
}

export interface FinishIngest {
  sha256: string;
  actor: string;
  pageCount: number | null;
  pages: NewPage[];
  reviewItems: NewReviewItem[];
  /** Called inside the transaction, after the pages are written (documents, derived records). */
  alsoInTransaction?: () => void;
}

/**
 * Writes all of a file's pages and review items and marks it `done`, in one transaction.
 * Anything an earlier, interrupted attempt wrote for the file is replaced, never doubled.
 */
export function finishIngestFile(register: Register, f: FinishIngest): void {
  const db = sqlOf(register);
  db.transaction(() => {
    replacePagesOfFile(db, f.sha256, f.pages, f.actor);
    replaceReviewItemsOfFile(db, f.sha256, f.reviewItems);
    f.alsoInTransaction?.();
    db.prepare("UPDATE ingest_files SET status = 'done', page_count = ?, finished_at = ? WHERE sha256 = ?").run(
      f.pageCount,
      nowIso(),
      f.sha256,
    );
    const visits = [...new Set(f.pages.map((p) => p.visitId).filter((v): v is string => Boolean(v)))];
    recordEvent(db, f.actor, 'ingest.file', null, {
      sha256: f.sha256,
      pages: f.pages.length,
      quarantined: f.pages.filter((p) => !p.visitId).length,
      reviewItems: f.reviewItems.length,
      visits,
    });
  });
}

/** Counts of what the register holds from ingest (tests and reports compare them). */
export function ingestCounts(register: Register): Record<string, number> {
  const db = sqlOf(register);
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    files: one('SELECT count(*) AS n FROM ingest_files'),
    filesDone: one("SELECT count(*) AS n FROM ingest_files WHERE status = 'done'"),
    pages: one('SELECT count(*) AS n FROM pages'),
    assignedPages: one("SELECT count(*) AS n FROM pages WHERE status = 'assigned'"),
    quarantinedPages: one("SELECT count(*) AS n FROM pages WHERE status = 'quarantined'"),
    reviewItems: one('SELECT count(*) AS n FROM review_items'),
    receivedDocuments: one("SELECT count(*) AS n FROM documents WHERE role = 'received'"),
    blobs: one('SELECT count(*) AS n FROM blobs'),
  };
}
