/**
 * The register (登记簿): one embedded SQLite database in the workspace, created on first
 * use and migrated to the current schema version. Stages hold it as a sealed `Register`
 * (`src/store/sql.ts`) and call the typed functions the store's modules export, each with its
 * transaction inside; only modules under `src/store/` run SQL.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { nowIso } from '../env/clock.ts';
import { MIGRATIONS } from './migrations.ts';
import { sqlOf, type Db, type Register } from './sql.ts';

export type { Register } from './sql.ts';

class SchemaTooNewError extends Error {
  constructor(path: string, found: number, known: number) {
    super(
      `The register ${path} has schema version ${found}, newer than this huifang knows (${known}); use a newer huifang with this workspace.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

export function openRegister(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path) as Db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  migrate(db, path);
  return db;
}

function schemaVersion(register: Register): number {
  const db = sqlOf(register);
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(register: Register, path: string): void {
  const db = sqlOf(register);
  const current = schemaVersion(db);
  const latest = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
  if (current > latest) throw new SchemaTooNewError(path, current, latest);
  const pending = MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
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
