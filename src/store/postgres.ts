/**
 * The register on a PostgreSQL server, behind the same synchronous interface as SQLite.
 *
 * node-postgres runs on a worker thread (`postgres-worker.ts`); each call posts its request
 * there and blocks this thread on a shared counter (`Atomics.wait`) until the answer is
 * posted, then takes it with `receiveMessageOnPort`. One connection per register, its requests
 * answered in turn; reads started ahead (`readAhead`) run while this thread does other work.
 *
 * The address is a PostgreSQL URL; `schema=NAME` among its parameters names the schema the
 * register lives in (created on first use; default `public`):
 *
 *     postgres://clerk@db.branch.example/huifang?schema=branch310
 *     postgres:///huifang?host=/run/postgresql&schema=branch310
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { InputError } from '../domain/messages.ts';
import { startModuleWorker } from '../env/module-worker.ts';
import { numberedPlaceholders } from './dialect.ts';
import { ANSWERS, ENDED, type PgAnswer, type PgAsk, type PgReply, type PgRequest } from './postgres-protocol.ts';
import { registerBusy, registerGone, registerWaitMs } from './register-wait.ts';
import type { Sql, SqlRow, SqlStatement, SqlValue } from './sql.ts';

/** What tells a read started ahead from another: its statement and parameters. */
function aheadKey(sql: string, values: unknown[]): string {
  return `${sql}\u0000${JSON.stringify(values)}`;
}

/** Whether a register address names a PostgreSQL server. */
export function isPostgresAddress(address: string): boolean {
  return /^postgres(ql)?:\/\//i.test(address);
}

/** The address without its password, for messages. */
export function shownAddress(address: string): string {
  return address.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/** The two numbers of the advisory lock every writing transaction takes: one per register schema. */
function lockKeys(schema: string): [number, number] {
  let h = 0x811c9dc5;
  for (const ch of schema) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  return [0x68660001, h | 0];
}

/** Why the connection is gone, in words for people; undefined when it is not. */
function goneWords(reply: { message: string; code?: string; lost?: boolean }): string | undefined {
  const code = reply.code ?? '';
  if (code === '57P01') return 'the server ended the connection (it is shutting down, or an administrator ended it)';
  if (code === '57P02' || code === '57P03') return 'the server is shutting down or restarting';
  if (code.startsWith('08') || reply.lost) return 'the connection to the server was lost';
  return undefined;
}

/** An error the server reported, with its words and SQLSTATE code. */
export class PostgresError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'PostgresError';
    this.code = code;
  }
}

const CONNECT_TIMEOUT_MS = 60_000;
/** The number of the request that connects: the first one of every connection. */
const CONNECT_REQUEST = 1;

/** A connection's thread, the channel to it, and the counters its caller sleeps on. */
interface Connection {
  worker: Worker;
  port: MessagePort;
  counters: Int32Array;
}

/** Starts a connection's thread and asks it to connect (request `CONNECT_REQUEST`), without waiting. */
function connect(connectionString: string): Connection {
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const channel = new MessageChannel();
  const worker = startModuleWorker('./postgres-worker.ts', import.meta.url, {
    workerData: { port: channel.port2, counters: counters.buffer },
    transferList: [channel.port2],
  });
  worker.unref();
  const request: PgRequest = { op: 'connect', config: { connectionString }, id: CONNECT_REQUEST };
  channel.port1.postMessage(request);
  return { worker, port: channel.port1, counters };
}

/** A connection begun by `connectEarly` that no register has taken up yet. */
let early: { address: string; connection: Connection } | undefined;

/**
 * Begins connecting to the PostgreSQL register at `address` in the background, for the next
 * `PostgresSql` opened at the same address to take up: a command about to open its register
 * loads its modules meanwhile, rather than wait for the connection after them. A wrong
 * address is left for opening to report.
 */
export function connectEarly(address: string): void {
  forgetEarlyConnection();
  let connectionString: string;
  try {
    ({ connectionString } = parseAddress(address));
  } catch {
    return;
  }
  early = { address, connection: connect(connectionString) };
}

/** Ends the connection `connectEarly` began, if no register took it up. */
export function forgetEarlyConnection(): void {
  if (!early) return;
  early.connection.port.close();
  void early.connection.worker.terminate();
  early = undefined;
}

interface ParsedAddress {
  connectionString: string;
  schema: string;
}

function parseAddress(address: string): ParsedAddress {
  // Not WHATWG URL: PostgreSQL URLs may have no host (`postgres://clerk@/db?host=/socket`).
  const param = /([?&])schema=([^&#]*)&?/.exec(address);
  let schema = 'public';
  let connectionString = address;
  if (param) {
    try {
      schema = decodeURIComponent(param[2]!);
    } catch {
      schema = param[2]!;
    }
    const rest = param[0].endsWith('&') ? param[1]! : '';
    connectionString = address.slice(0, param.index) + rest + address.slice(param.index + param[0].length);
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new InputError(
      `The register address ${shownAddress(address)} names the schema "${schema}"; a schema name is 1 to 63 lower-case letters, digits or _, not starting with a digit.`,
    );
  return { connectionString, schema };
}

export class PostgresSql implements Sql {
  readonly dialect = 'postgres';
  readonly schema: string;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counters: Int32Array;
  private lastId = CONNECT_REQUEST;
  /** Requests whose answers are still wanted when they come (a forgotten read ahead's are dropped). */
  private readonly wanted = new Set<number>();
  /** Answers that came before their request was waited for, by request number. */
  private readonly arrived = new Map<number, PgReply>();
  /** Reads started ahead and not yet asked for: their request numbers by statement and parameters. */
  private readonly ahead = new Map<string, number>();
  private readingAhead = false;
  /** Statements prepared on this connection: their names and their text with numbered placeholders. */
  private readonly prepared = new Map<string, { name?: string; text: string }>();
  private readonly lock: [number, number];
  private readonly waitMs = registerWaitMs();
  private depth = 0;
  private closed = false;
  /** The connection was lost: nothing more can be asked of it. */
  private gone = false;
  committed = 0;

  constructor(readonly address: string) {
    const { connectionString, schema } = parseAddress(address);
    this.schema = schema;
    this.lock = lockKeys(schema);
    const begun = early?.address === address ? early.connection : undefined;
    if (begun) early = undefined;
    ({ worker: this.worker, port: this.port, counters: this.counters } = begun ?? connect(connectionString));
    this.wanted.add(CONNECT_REQUEST);
    const reply = this.answerTo(CONNECT_REQUEST, CONNECT_TIMEOUT_MS);
    if (!reply.ok) {
      this.end();
      throw new InputError(
        `The PostgreSQL register ${shownAddress(address)} cannot be reached: ${reply.message}. ` +
          'Check that the server is running and that the address given by --register, $HUIFANG_REGISTER or "register" in huifang.json is right.',
      );
    }
    // A command's queries are index reads of a few thousand rows at most: parallel workers
    // (a process each, started per query) cost more than they save, 3 to 30 times more on a
    // busy 2-core server (a branch's pages: 40 ms with workers, 10 ms without). And a key
    // looked up in an index costs little more than a page read in order when the register is
    // on SSD or in memory: with the built-in 4 (disks with heads) the planner hashes all
    // ingested files to name the open review items' files, 200 ms instead of 25 ms on
    // 950,000 files. A server whose administrator chose another figure keeps it.
    // lock_timeout bounds every wait for a lock, the register's advisory write lock among them
    // (PostgreSQL applies it to advisory locks too: SQLSTATE 55P03), as busy_timeout does on SQLite.
    this.exec(
      `SET search_path TO "${schema}"; SET lock_timeout = ${this.waitMs}; SET max_parallel_workers_per_gather = 0; ` +
        "SELECT set_config('random_page_cost', '1.1', false) WHERE current_setting('random_page_cost') = '4'",
    );
  }

  private call(req: PgAsk, timeoutMs = Infinity): PgReply {
    return this.answerTo(this.send(req), timeoutMs);
  }

  /** Posts a request to the connection's thread; its number. */
  private send(req: PgAsk): number {
    if (this.closed) throw new Error('The PostgreSQL register was closed.');
    const id = ++this.lastId;
    this.wanted.add(id);
    const request: PgRequest = { ...req, id };
    this.port.postMessage(request);
    return id;
  }

  /** Waits for the answer to request `id`, keeping those to other wanted requests that come first. */
  private answerTo(id: number, timeoutMs = Infinity): PgReply {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // read before the port: an answer posted after this is counted after it, and ends the wait
      const seen = Atomics.load(this.counters, ANSWERS);
      for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
        const answer = m.message as PgAnswer;
        if (this.wanted.delete(answer.id)) this.arrived.set(answer.id, answer);
      }
      const reply = this.arrived.get(id);
      if (reply) {
        this.arrived.delete(id);
        return reply;
      }
      if (Atomics.load(this.counters, ENDED) === 1)
        return { ok: false, message: 'the connection thread ended', lost: true };
      if (Date.now() > deadline) return { ok: false, message: `no answer within ${timeoutMs / 1000} s` };
      Atomics.wait(this.counters, ANSWERS, seen, 1000);
    }
  }

  /** Drops the reads started ahead and not asked for: their answers are not kept when they come. */
  private forgetAhead(): void {
    for (const id of this.ahead.values()) {
      this.wanted.delete(id);
      this.arrived.delete(id);
    }
    this.ahead.clear();
  }

  private ok(reply: PgReply): { rows: SqlRow[]; rowCount: number } {
    if (reply.ok) return reply;
    const where = shownAddress(this.address);
    // 55P03: the wait for a lock ran out (lock_timeout); the transaction is rolled back whole.
    if (reply.code === '55P03') throw registerBusy(where, this.waitMs, this.committed > 0);
    const gone = goneWords(reply);
    if (gone) {
      this.gone = true;
      throw registerGone(where, gone, this.committed > 0);
    }
    throw new PostgresError(reply.message, reply.code);
  }

  /** A statement as the server takes it: prepared once a connection (by name), its placeholders numbered. */
  private statementOf(sql: string): { name?: string; text: string } {
    const known = this.prepared.get(sql);
    if (known) return known;
    // SQL built on the fly past a few thousand distinct texts runs unnamed rather than
    // filling the server's memory.
    if (this.prepared.size >= 2000) return { text: numberedPlaceholders(sql) };
    const statement = { name: `h${this.prepared.size + 1}`, text: numberedPlaceholders(sql) };
    this.prepared.set(sql, statement);
    return statement;
  }

  private query(sql: string, params: SqlValue[]): { rows: SqlRow[]; rowCount: number } {
    const values = params.map((p) => (typeof p === 'bigint' ? p.toString() : (p ?? null)));
    const req: PgAsk = { op: 'query', ...this.statementOf(sql), values };
    const read = /^\s*SELECT\b/i.test(sql);
    if (this.readingAhead) {
      if (!read) throw new Error(`Only reads are started ahead, not: ${sql.slice(0, 80)}`);
      const key = aheadKey(sql, values);
      if (!this.ahead.has(key)) this.ahead.set(key, this.send(req));
      return { rows: [], rowCount: 0 };
    }
    if (this.ahead.size > 0) {
      // a write of this connection's makes what was read ahead out of date
      if (!read) this.forgetAhead();
      const key = aheadKey(sql, values);
      const early = this.ahead.get(key);
      if (early !== undefined) {
        this.ahead.delete(key);
        return this.ok(this.answerTo(early));
      }
    }
    return this.ok(this.call(req));
  }

  readAhead(reads: () => void): void {
    // inside a transaction, a read must see what the transaction wrote just before it
    if (this.depth > 0 || this.readingAhead) return;
    this.forgetAhead();
    this.readingAhead = true;
    try {
      reads();
    } finally {
      this.readingAhead = false;
    }
  }

  prepare(sql: string): SqlStatement {
    return {
      run: (...params) => ({ changes: this.query(sql, params).rowCount }),
      get: (...params) => this.query(sql, params).rows[0],
      all: (...params) => this.query(sql, params).rows,
    };
  }

  exec(sql: string): void {
    this.forgetAhead();
    this.ok(this.call({ op: 'exec', text: sql }));
  }

  transaction<T>(fn: () => T): T {
    return this.inTransaction(true, fn);
  }

  scratch<T>(fn: () => T): T {
    return this.inTransaction(false, fn);
  }

  lockingAfter<U, T>(unlocked: () => U, locked: (done: U) => T): T {
    // Inside a transaction that holds the lock already, the two parts are a savepoint of it.
    if (this.depth > 0) return this.transaction(() => locked(unlocked()));
    const result = this.inTransaction(false, () => {
      const done = unlocked();
      // waited for as at BEGIN (lock_timeout), held until the transaction ends
      this.exec(this.lockStatement());
      return locked(done);
    });
    this.committed++;
    return result;
  }

  /** A transaction (`locked`: holding the register's write lock from its start), or a savepoint inside one. */
  private inTransaction<T>(locked: boolean, fn: () => T): T {
    const depth = this.depth;
    if (depth === 0) this.beginTransaction(locked);
    else this.exec(`SAVEPOINT s${depth}`);
    this.depth++;
    try {
      const result = fn();
      if (result instanceof Promise) throw new TypeError('A register transaction must not be async.');
      this.exec(depth === 0 ? 'COMMIT' : `RELEASE SAVEPOINT s${depth}`);
      if (depth === 0 && locked) this.committed++;
      return result;
    } catch (e) {
      try {
        if (!this.gone)
          this.exec(depth === 0 ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT s${depth}; RELEASE SAVEPOINT s${depth}`);
      } catch {
        // the connection is gone: the server has rolled back already
      }
      throw e;
    } finally {
      this.depth = depth;
    }
  }

  /**
   * BEGIN, and when `locked` the register's advisory lock, waited for up to the session's
   * lock_timeout (`registerWaitMs()`); a wait that runs out rolls back and fails as busy.
   */
  private beginTransaction(locked: boolean): void {
    const lock = locked ? `; ${this.lockStatement()}` : '';
    try {
      this.exec(`BEGIN ISOLATION LEVEL READ COMMITTED${lock}`);
    } catch (e) {
      try {
        if (!this.gone) this.exec('ROLLBACK');
      } catch {
        // the connection is gone: nothing to roll back
      }
      throw e;
    }
  }

  /** The statement that takes the register's write lock, held until the transaction ends. */
  private lockStatement(): string {
    return `SELECT pg_advisory_xact_lock(${this.lock[0]}, ${this.lock[1]})`;
  }

  close(): void {
    if (this.closed) return;
    if (this.gone) return this.end();
    // Every request has been answered (a read ahead not asked for is not waited for): the
    // thread ends the session and then itself, without this one waiting for the server.
    this.send({ op: 'close' });
    this.closed = true;
    this.port.close();
  }

  private end(): void {
    this.closed = true;
    this.port.close();
    void this.worker.terminate();
  }
}
