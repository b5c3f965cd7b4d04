/**
 * Opening a register at an address (a SQLite file path or a PostgreSQL URL) and bringing its
 * schema to the current version: the same numbered migrations on both. SQLite keeps the
 * version in its header (`PRAGMA user_version`); PostgreSQL in the table `huifang_schema`
 * of the register's schema, which is created on first use.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { postgresDdl } from './dialect.ts';
import { MIGRATIONS } from './migrations.ts';
import { isPostgresAddress, PostgresSql, shownAddress } from './postgres.ts';
import { SqliteSql, type Sql } from './sql.ts';

export class SchemaTooNewError extends Error {
  constructor(where: string, found: number, known: number) {
    super(
      `The register ${where} has schema version ${found}, newer than this huifang knows (${known}); use a newer huifang with this workspace.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);

/** Opens the register at `address` and migrates it; a file path means SQLite. */
export function openSql(address: string): Sql {
  if (isPostgresAddress(address)) {
    const sql = new PostgresSql(address);
    try {
      migratePostgres(sql, shownAddress(address));
      sql.committed = 0;
    } catch (e) {
      sql.close();
      throw e;
    }
    return sql;
  }
  mkdirSync(dirname(address), { recursive: true });
  const sql = new SqliteSql(address);
  try {
    migrateSqlite(sql, address);
    sql.committed = 0;
  } catch (e) {
    sql.close();
    throw e;
  }
  return sql;
}

function pending(current: number, where: string) {
  if (current > LATEST_SCHEMA_VERSION) throw new SchemaTooNewError(where, current, LATEST_SCHEMA_VERSION);
  return MIGRATIONS.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
}

function migrateSqlite(sql: SqliteSql, where: string): void {
  for (const m of pending(sql.userVersion(), where)) {
    sql.transaction(() => {
      sql.exec(m.sql);
      sql.setUserVersion(m.version);
    });
  }
}

function postgresVersion(sql: PostgresSql): number | undefined {
  try {
    const row = sql.prepare('SELECT MAX(version) AS v FROM huifang_schema').get() as { v: number | null };
    return row.v ?? 0;
  } catch {
    return undefined; // no register in this schema yet
  }
}

function migratePostgres(sql: PostgresSql, where: string): void {
  // Most opens find the register current and take no lock.
  const seen = postgresVersion(sql);
  if (seen !== undefined && pending(seen, where).length === 0) return;
  sql.transaction(() => {
    sql.exec(`CREATE SCHEMA IF NOT EXISTS "${sql.schema}"`);
    sql.exec('CREATE TABLE IF NOT EXISTS huifang_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)');
    const row = sql.prepare('SELECT MAX(version) AS v FROM huifang_schema').get() as { v: number | null };
    for (const m of pending(row.v ?? 0, where)) {
      sql.exec(postgresDdl(m.postgres ?? m.sql));
      sql
        .prepare('INSERT INTO huifang_schema (version, applied_at) VALUES (?, ?)')
        .run(m.version, new Date().toISOString());
    }
  });
}
