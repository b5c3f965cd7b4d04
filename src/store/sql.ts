/**
 * The register's own SQL interface, the one the store modules write against: synchronous,
 * with `?` placeholders, on either an embedded SQLite file or a PostgreSQL server.
 *
 *     const row = sql.prepare('SELECT result FROM visits WHERE visit_id = ?').get(visitId);
 *     sql.transaction(() => { sql.prepare('UPDATE …').run(…); });
 *
 * Every transaction takes the register's write lock at its start (SQLite `BEGIN IMMEDIATE`,
 * PostgreSQL an advisory lock), so writers follow one another exactly alike on both; a
 * transaction opened inside another is a savepoint of the outer one.
 *
 * For modules under `src/store/` alone (the linter refuses an import of this file from
 * anywhere else). Stages hold a `Register`: a sealed token they pass to the store's
 * functions, on which they can run no SQL and open no transaction.
 */
import Database from 'better-sqlite3';

declare const sealed: unique symbol;

/** The register as a stage sees it (登记簿): handed to store functions, never queried. */
export interface Register {
  readonly [sealed]: 'register';
}

/** The open register behind a `Register`: SQLite or PostgreSQL. */
export type Db = Sql & Register;

/** The database behind a register, for the store's own functions. */
export function sqlOf(register: Register): Db {
  return register as Db;
}

/** What a placeholder may stand for. */
export type SqlValue = string | number | bigint | null | undefined | Buffer | Uint8Array;

/** One row of a result, by column name. */
export type SqlRow = Record<string, unknown>;

export interface SqlStatement {
  run(...params: SqlValue[]): { changes: number };
  /** The first row (cast it to the row's type), or undefined. */
  get(...params: SqlValue[]): unknown;
  /** Every row (cast them to the row's type). */
  all(...params: SqlValue[]): unknown[];
}

export interface Sql {
  readonly dialect: 'sqlite' | 'postgres';
  prepare(sql: string): SqlStatement;
  /** Runs statements without parameters (several, separated by `;`). */
  exec(sql: string): void;
  /** Runs `fn` in a transaction that holds the write lock from its start; commits, or rolls back when it throws. */
  transaction<T>(fn: () => T): T;
  /**
   * Opens a transaction that spans several steps of a streamed job (an account import read
   * batch by batch), holding the write lock from its start until `commit` or `rollback`.
   * `bulk`: many rows go in (SQLite keeps a larger page cache meanwhile).
   */
  begin(options?: { bulk?: boolean }): OpenTransaction;
  close(): void;
}

/** A transaction opened by `begin`. */
export interface OpenTransaction {
  commit(): void;
  /** Forgets what was written; does nothing once committed or rolled back. */
  rollback(): void;
}

/** The page cache of a bulk transaction on SQLite, in KiB (negative: SQLite's way of saying KiB). */
const BULK_CACHE_KIB = -64 * 1024;

/** The register on an embedded SQLite file (better-sqlite3). */
export class SqliteSql implements Sql {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 10000');
  }

  prepare(sql: string): SqlStatement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear();
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    const statement = s;
    return {
      run: (...params) => ({ changes: statement.run(...params).changes }),
      get: (...params) => statement.get(...params),
      all: (...params) => statement.all(...params),
    };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    // Inside a transaction better-sqlite3 makes this a savepoint; outside, BEGIN IMMEDIATE.
    return this.db.transaction(fn).immediate();
  }

  begin(options: { bulk?: boolean } = {}): OpenTransaction {
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    if (options.bulk) this.db.pragma(`cache_size = ${BULK_CACHE_KIB}`);
    let open = true;
    const end = (sql: 'COMMIT' | 'ROLLBACK'): void => {
      if (!open) return;
      open = false;
      try {
        if (sql === 'COMMIT' || this.db.inTransaction) this.db.exec(sql);
      } finally {
        if (options.bulk) this.db.pragma(`cache_size = ${cacheSize}`);
      }
    };
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      if (options.bulk) this.db.pragma(`cache_size = ${cacheSize}`);
      throw e;
    }
    return { commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
  }

  close(): void {
    this.db.close();
  }

  /** The version number SQLite keeps in its header (`PRAGMA user_version`). */
  userVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  setUserVersion(version: number): void {
    this.db.pragma(`user_version = ${Math.trunc(version)}`);
  }
}
