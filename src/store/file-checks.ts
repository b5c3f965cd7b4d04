/**
 * The last check of each stored file (migration 13): when its bytes were last hashed, what
 * was found, and the file's stamp then (`FileStamp`: size, modification and change times).
 * `validate` re-hashes a file only when its stamp has changed since, or the check is older
 * than the policy allows; a recording run (`validate --record`) keeps what it found here.
 */
import { rowsForIds } from './batch.ts';
import type { FileStamp } from './files.ts';
import { sqlOf, type Register } from './sql.ts';

export interface FileCheck {
  sha256: string;
  /** When the bytes were hashed (ISO 8601). */
  checkedAt: string;
  /** The file's stamp when it was read. */
  stamp: FileStamp;
  /** Its bytes hashed to its name. */
  ok: boolean;
}

interface CheckRow {
  sha256: string;
  checked_at: string;
  checked_stamp: string;
  check_ok: number;
}

const CHECK_COLUMNS = 'sha256, checked_at, checked_stamp, check_ok';

/** The last recorded check of each of these stored files (a file never checked is absent). */
export function fileChecksOf(register: Register, sha256s: readonly string[]): Map<string, FileCheck> {
  return checksOf(
    rowsForIds<CheckRow>(
      register,
      [...new Set(sha256s)],
      (m) => `SELECT ${CHECK_COLUMNS} FROM blobs WHERE sha256 IN (${m}) AND checked_at IS NOT NULL`,
    ),
  );
}

/** The last recorded check of each stored file of these visits' documents (a file never checked is absent). */
export function fileChecksOfVisits(register: Register, visitIds: readonly string[]): Map<string, FileCheck> {
  return checksOf(
    rowsForIds<CheckRow>(
      register,
      visitIds,
      (m) =>
        `SELECT ${CHECK_COLUMNS} FROM blobs
         WHERE sha256 IN (SELECT sha256 FROM documents WHERE visit_id IN (${m})) AND checked_at IS NOT NULL`,
    ),
  );
}

function checksOf(rows: readonly CheckRow[]): Map<string, FileCheck> {
  return new Map(
    rows.map((r) => [
      r.sha256,
      { sha256: r.sha256, checkedAt: r.checked_at, stamp: r.checked_stamp, ok: r.check_ok === 1 },
    ]),
  );
}

/** Keeps the checks just made as each file's last check, in one transaction. */
export function recordFileChecks(register: Register, checks: readonly FileCheck[]): void {
  if (checks.length === 0) return;
  const db = sqlOf(register);
  const update = db.prepare('UPDATE blobs SET checked_at = ?, checked_stamp = ?, check_ok = ? WHERE sha256 = ?');
  db.transaction(() => {
    for (const c of checks) update.run(c.checkedAt, c.stamp, c.ok ? 1 : 0, c.sha256);
  });
}
