/**
 * The register (登记簿): an embedded SQLite database in the workspace (the default), or a
 * PostgreSQL server shared by a branch network; created on first use and migrated to the
 * current schema version. Stages hold it as a sealed `Register` (`src/store/sql.ts`) and
 * call the typed functions the store's modules export, each with its transaction inside;
 * only modules under `src/store/` run SQL.
 */
import { nowIso } from '../env/clock.ts';
import { openSql } from './migrate.ts';
import { sqlOf, type Db, type Register } from './sql.ts';

export type { Register } from './sql.ts';

/** Opens the register at `address` (a SQLite file path or a `postgres://` URL) and migrates it. */
export function openRegister(address: string): Db {
  return openSql(address) as Db;
}

/**
 * The threads of this process that reading the register keeps busy: the reader's own, and for
 * a PostgreSQL server the connection's (node-postgres takes the answers apart there, while
 * the reader works on what came before).
 */
export function readingThreads(register: Register): 1 | 2 {
  return sqlOf(register).dialect === 'postgres' ? 2 : 1;
}

export function recordEvent(
  register: Register,
  actor: string,
  action: string,
  visitId: string | null,
  details: object = {},
): void {
  const db = sqlOf(register);
  db.prepare('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, ?, ?)').run(
    nowIso(),
    actor,
    action,
    visitId,
    JSON.stringify(details),
  );
}
