/**
 * The register (登记簿): one embedded SQLite database in the workspace, created on first
 * use and migrated to the current schema version. Only modules under `src/store/` touch it;
 * stages call the typed functions those modules export.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { nowIso } from '../env/clock.ts';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

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
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  migrate(db, path);
  return db;
}

function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, path: string): void {
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

export function recordEvent(db: Db, actor: string, action: string, visitId: string | null, details: object = {}): void {
  db.prepare('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, ?, ?)').run(
    nowIso(),
    actor,
    action,
    visitId,
    JSON.stringify(details),
  );
}
