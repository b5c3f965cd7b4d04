/**
 * The thread that talks to the PostgreSQL server for `postgres.ts`. The register's store is
 * synchronous; node-postgres is not. So the main thread posts each request here and sleeps
 * on a shared counter; this thread runs it, posts the answer, counts it and wakes the main
 * thread. Requests run one at a time, in the order they came; reads started ahead run while
 * the main thread works on other things.
 */
import type PgTypes from 'pg';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ANSWERS, ENDED, type PgAnswer, type PgReply, type PgRequest } from './postgres-protocol.ts';

// node-postgres asks whether it runs on Cloudflare Workers by `navigator.userAgent`, and where
// there is no `navigator` (Node before 21) by making a fetch Response, which loads Node's whole
// fetch library into this thread: 20 ms of every command on a PostgreSQL register. Node 21 and
// later have a `navigator` that answers; here this thread is given the same answer.
const scope = globalThis as { navigator?: unknown };
if (scope.navigator === undefined) scope.navigator = { userAgent: `Node.js/${process.versions.node.split('.')[0]}` };
const { default: pg } = await import('pg');

interface WorkerData {
  port: MessagePort;
  counters: SharedArrayBuffer;
}

// Counts and sums come back as numbers, as in SQLite; so do truth values (1 and 0).
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    if (oid === 16) return (v: string) => (v === 't' ? 1 : 0);
    return pg.types.getTypeParser(oid, format);
  },
} as PgTypes.CustomTypesConfig;

const { port, counters: shared } = workerData as WorkerData;
const counters = new Int32Array(shared);
let client: PgTypes.Client | undefined;
/** The connection ended or failed (the server went away, or ended it): every later request is refused at once. */
let lost = false;
/** The SQLSTATE of the error that ended the connection (57P01: the server ended it), told with every later refusal. */
let lostCode: string | undefined;

function answer(reply: PgAnswer): void {
  // posted before it is counted: a caller that sees the count finds the answer on its port
  port.postMessage(reply);
  Atomics.add(counters, ANSWERS, 1);
  Atomics.notify(counters, ANSWERS);
}

function failure(e: unknown, connect = false): PgReply {
  const err = e as { message?: string; code?: string };
  const message = err.message || String(e);
  // The server ended the connection (57P01–57P03, class 08), the socket failed (ECONNRESET,
  // EPIPE, …), or node-postgres saw the connection end.
  if (/^(57P0[123]|08...)$/.test(err.code ?? '')) {
    lost = true;
    lostCode ??= err.code;
  }
  if (/^E[A-Z]+$/.test(err.code ?? '') || /Connection terminated|not queryable/i.test(message)) lost = true;
  return {
    ok: false,
    message,
    ...(err.code ? { code: err.code } : {}),
    ...(connect ? { connect } : {}),
    ...(lost && !connect ? { lost } : {}),
  };
}

async function handle(req: PgRequest): Promise<PgReply> {
  if (req.op === 'connect') {
    try {
      // Keepalive probes find a server that vanished without a word (a cut network), so that a
      // waiting request fails instead of hanging.
      client = new pg.Client({ ...req.config, types, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
      // the request under way, and every later one, fails
      client.on('error', (e: Error & { code?: string }) => {
        lost = true;
        lostCode ??= e.code;
      });
      client.on('end', () => (lost = true));
      await client.connect();
      return { ok: true, rows: [], rowCount: 0 };
    } catch (e) {
      return failure(e, true);
    }
  }
  if (!client) return { ok: false, message: 'not connected to the PostgreSQL register' };
  if (lost && req.op !== 'close')
    return { ok: false, message: 'the connection was lost', lost, ...(lostCode ? { code: lostCode } : {}) };
  try {
    if (req.op === 'close') {
      if (!lost) await client.end();
      client = undefined;
      return { ok: true, rows: [], rowCount: 0 };
    }
    const result =
      req.op === 'exec'
        ? await client.query(req.text)
        : await client.query({ text: req.text, values: req.values, ...(req.name ? { name: req.name } : {}) });
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return { ok: true, rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
  } catch (e) {
    return failure(e);
  }
}

// One request at a time, in the order they came: each starts when the one before has been answered.
let queue: Promise<void> = Promise.resolve();
port.on('message', (req: PgRequest) => {
  queue = queue.then(() =>
    handle(req).then(
      (reply) => answer({ ...reply, id: req.id }),
      (e: unknown) => answer({ ...failure(e), id: req.id }),
    ),
  );
});
process.on('exit', () => {
  Atomics.store(counters, ENDED, 1);
  Atomics.add(counters, ANSWERS, 1);
  Atomics.notify(counters, ANSWERS);
});
parentPort?.postMessage('ready');
