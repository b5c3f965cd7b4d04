/**
 * The register (登记簿): an embedded SQLite database in the workspace (the default), or a
 * PostgreSQL server shared by a branch network; created on first use and migrated to the
 * current schema version. Only modules under `src/store/` touch it; stages call the typed
 * functions those modules export.
 */
import { nowIso } from '../env/clock.ts';
import { openSql } from './migrate.ts';
import type { Sql } from './sql.ts';

export type Db = Sql;

/** Opens the register at `address` (a SQLite file path or a `postgres://` URL) and migrates it. */
export function openRegister(address: string): Db {
  return openSql(address);
}

export function recordEvent(db: Db, actor: string, action: string, visitId: string | null, details: object = {}): void {
  db.prepare('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, ?, ?)').run(
    nowIso(),
    actor,
    action,
    visitId,
    JSON.stringify(details),
  );
}
