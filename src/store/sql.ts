/**
 * The register's own SQL interface, the one the store modules write against: synchronous,
 * with `?` placeholders, on either an embedded SQLite file or a PostgreSQL server.
 *
 *     const row = sql.prepare('SELECT result FROM visits WHERE visit_id = ?').get(visitId);
 *     sql.transaction(() => { sql.prepare('UPDATE …').run(…); });
 *
 * Every transaction takes the register's write lock at its start (SQLite `BEGIN IMMEDIATE`,
 * PostgreSQL an advisory lock), so writers follow one another exactly alike on both; a
 * transaction opened inside another is a savepoint of the outer one. (`lockingAfter` alone
 * takes it later, on PostgreSQL, after writing rows that are nobody else's.) A writer waits
 * for the lock up to the same bounded time on both (`register-wait.ts`: 10 s), then gives up
 * with one message for people, nothing written.
 *
 * For modules under `src/store/` alone (the linter refuses an import of this file from
 * anywhere else). Stages hold a `Register`: a sealed token they pass to the store's
 * functions, on which they can run no SQL and open no transaction.
 */
import Database from 'better-sqlite3';
import { registerBusy, registerWaitMs } from './register-wait.ts';

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
  /**
   * Runs `fn` in a transaction that holds the write lock from its start; commits, or rolls
   * back when it throws. A writer waits for the lock up to `registerWaitMs()` (10 s), then
   * fails with `RegisterUnavailableError` (busy), nothing written.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` in a transaction that takes no write lock, for the connection's own TEMP tables
   * alone (rows checked and staged before a short locked transaction copies them into the
   * register): other clerks' writes go on meanwhile. Writing a register table in it is a fault.
   */
  scratch<T>(fn: () => T): T;
  /**
   * Runs `unlocked`, then `locked` with what `unlocked` returned, in one transaction that
   * takes the write lock only between the two where the database allows it: on PostgreSQL,
   * what a transaction writes is its own until it commits, so `unlocked` may write rows that
   * no other transaction reads or changes (a new import's accounts, under an id of their own)
   * while other clerks' writes go on; the lock is then taken for `locked` and the commit. On
   * SQLite a writer holds the file's one write lock from its first write, so the lock is taken
   * at the start, as by `transaction`. Either way nothing is kept unless both parts succeed.
   */
  lockingAfter<U, T>(unlocked: () => U, locked: (done: U) => T): T;
  /**
   * Starts the reads `reads` asks for without waiting for their answers, so that the same
   * statements asked later with the same parameters are answered from what came meanwhile: a
   * register on a server answers while this thread works on something else. `reads` is run at
   * once with every answer empty, to learn its statements (one that needs an earlier one's
   * answer is left to be asked later, as usual). Reads alone (a write in `reads` is a fault),
   * outside a transaction (inside one, nothing is started); a write of this connection's
   * forgets them. A read started ahead sees the register as it was when it ran. The embedded
   * SQLite answers at once, and starts nothing.
   */
  readAhead(reads: () => void): void;
  /** How many transactions this connection has committed since it was opened (migrations not counted). */
  committed: number;
  close(): void;
}

/** The register on an embedded SQLite file (better-sqlite3). */
export class SqliteSql implements Sql {
  readonly dialect = 'sqlite';
  committed = 0;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly waitMs = registerWaitMs();

  constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${this.waitMs}`);
    this.guard(() => this.db.pragma('journal_mode = WAL'));
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
  }

  /** Runs `f`; SQLite's "database is locked" (the wait for the write lock ran out) becomes the message for people. */
  private guard<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_BUSY'))
        throw registerBusy(this.path, this.waitMs, this.committed > 0);
      throw e;
    }
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
      run: (...params) => this.guard(() => ({ changes: statement.run(...params).changes })),
      get: (...params) => this.guard(() => statement.get(...params)),
      all: (...params) => this.guard(() => statement.all(...params)),
    };
  }

  exec(sql: string): void {
    this.guard(() => this.db.exec(sql));
  }

  transaction<T>(fn: () => T): T {
    // Inside a transaction better-sqlite3 makes this a savepoint; outside, BEGIN IMMEDIATE.
    const outer = !this.db.inTransaction;
    const result = this.guard(() => this.db.transaction(fn).immediate());
    if (outer) this.committed++;
    return result;
  }

  scratch<T>(fn: () => T): T {
    // BEGIN DEFERRED locks a database only when it is used: TEMP tables alone leave the register's file unlocked.
    return this.db.transaction(fn).deferred();
  }

  lockingAfter<U, T>(unlocked: () => U, locked: (done: U) => T): T {
    return this.transaction(() => locked(unlocked()));
  }

  readAhead(): void {
    // answered at once, in this thread: nothing to start
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
