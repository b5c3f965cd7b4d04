/**
 * `validate` over many visits (a branch, a period, the whole register). The register is read
 * a chunk of visits at a time: a few queries per chunk, not a score per visit; a register on a
 * server reads the next chunk's records while this one is validated.
 *
 * A check that records nothing, of enough visits to be worth it, is shared with a second
 * thread (`validate-worker.ts`) when the machine has the cores for it. Each thread has its own
 * connection to the register and takes the next chunk when it is done with one; the results
 * are put back in the visits' order, and the stored files each thread judged are told once,
 * so the report is the one a single thread makes. A recording run validates in turn: it
 * writes, and the register has one writer at a time.
 */
import { availableParallelism } from 'node:os';
import { message, type Message } from '../domain/messages.ts';
import { defaultPolicy, type Policy } from '../domain/policy-sections.ts';
import { today as todayIso } from '../env/clock.ts';
import { startModuleWorker } from '../env/module-worker.ts';
import { readingThreads } from '../store/register.ts';
import { listStaff } from '../store/rules.ts';
import { loadVisitRecords, readVisitRecordsAhead } from '../store/visit-records.ts';
import { visitIdsOf } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import type { RosterEntry } from './duties.ts';
import type { Fixity, FileJudgement, HashMode } from './fixity.ts';
import {
  fixityFor,
  keepFileChecks,
  validateVisit,
  type ValidateOptions,
  type ValidationReport,
  type VisitValidation,
} from './validate.ts';

export interface ValidateAllOptions extends ValidateOptions {
  /** Only the visits of this branch (营业部 code). */
  branch?: string;
  /** Only these visits. */
  visitIds?: readonly string[];
  onProgress?: (done: number, total: number) => void;
  /**
   * Threads that validate a check that records nothing (default: 2 from `SHARE_FROM` visits
   * on a machine with two cores or more, else 1). A recording run always uses one.
   */
  threads?: 1 | 2;
  /** Visits read and held at once (default 1,000 on one thread, 250 on two). */
  chunk?: number;
}

/** Visits whose records are read and held at once, on one thread. */
const RECORDS_AT_ONCE = 1000;
/** Visits a thread takes at once when two share a run: few enough that neither waits long for the other at the end. */
const SHARED_CHUNK = 250;
/** From how many visits a second thread pays for its start (loading the program and opening the register: about 0.2 s). */
const SHARE_FROM = 1000;

/** What every visit of a run is validated with. */
type RunOptions = ValidateOptions & { fixity: Fixity; today: string; policy: Policy };

/** A run's visits, read a chunk at a time (chunk `k` is visits `bounds[k]` to `bounds[k + 1]`), and what they are validated with. */
export interface Run {
  ws: Workspace;
  ids: readonly string[];
  bounds: readonly number[];
  options: RunOptions;
  roster: readonly RosterEntry[];
}

/** Validates every visit (of a branch, or the given ones), in visit id order. */
export async function validateAll(ws: Workspace, options: ValidateAllOptions = {}): Promise<ValidationReport> {
  const ids = options.visitIds ?? visitIdsOf(ws.register, options.branch ? { branchCode: options.branch } : {});
  const roster = listStaff(ws.register);
  const problems = roster.length === 0 && ids.length > 0 ? [noRoster()] : [];
  const policy = options.policy ?? defaultPolicy();
  const fixity = options.fixity ?? fixityFor(ws, options, policy);
  const shared = threadsFor(ws, options, ids.length) === 2;
  const run: Run = {
    ws,
    ids,
    bounds: chunkBounds(
      ids.length,
      Math.max(1, Math.floor(options.chunk ?? (shared ? SHARED_CHUNK : RECORDS_AT_ONCE))),
    ),
    options: { ...options, policy, fixity, today: options.today ?? todayIso() },
    roster,
  };
  const progress = (done: number) => options.onProgress?.(done, ids.length);
  const { visits, threads } = shared
    ? await validateShared(run, progress)
    : { visits: await validateInTurn(run, progress), threads: 1 as const };
  return {
    ok: visits.every((v) => v.ok) && !problems.some((m) => m.severity === 'error'),
    visits,
    exceptions: visits.flatMap((v) => (v.exception ? [v.exception] : [])),
    problems,
    files: { mode: fixity.mode, recheckDays: fixity.recheckDays, ...fixity.tally },
    threads,
  };
}

function noRoster(): Message {
  return message(
    'duties/no-roster',
    'no staff roster has been imported, so whether visitors are marketing staff (营销序列) cannot be checked',
    {},
    { severity: 'warning', fix: 'import the roster: huifang staff import <staff.csv>' },
  );
}

/**
 * Two threads when a second one has cores of its own: a thread reading a PostgreSQL register
 * keeps two busy (its own, and its connection's, which takes the next chunk's records apart
 * while this one is validated), so sharing it pays from four cores; on SQLite from two.
 */
function threadsFor(ws: Workspace, options: ValidateAllOptions, visits: number): 1 | 2 {
  if (options.recordResults ?? true) return 1;
  const cores = availableParallelism();
  return options.threads ?? (visits >= SHARE_FROM && cores >= 2 * readingThreads(ws.register) ? 2 : 1);
}

/**
 * Where each chunk of `count` visits starts, then where the last one ends. The first chunks are
 * smaller (an eighth of `size`, doubling up to it), so that validating starts soon: while one
 * chunk is validated, the next one's records are read ahead.
 */
export function chunkBounds(count: number, size: number): number[] {
  const bounds = [0];
  for (let at = 0, step = Math.max(1, Math.floor(size / 8)); at < count; step = Math.min(size, step * 2)) {
    at = Math.min(count, at + step);
    bounds.push(at);
  }
  return bounds;
}

/** Validates the chunks `claim` hands out (undefined: none left), each read from the register at once; the results by chunk. */
export async function validateClaimed(
  { ws, ids, bounds, options, roster }: Run,
  claim: () => number | undefined,
  onVisit: () => void,
): Promise<Map<number, VisitValidation[]>> {
  const out = new Map<number, VisitValidation[]>();
  const load = { fileChecks: options.fixity.usesLastChecks };
  const chunkOf = (k: number) => ids.slice(bounds[k], bounds[k + 1]);
  for (let k = claim(), next; k !== undefined; k = next) {
    const chunk = chunkOf(k);
    const records = loadVisitRecords(ws.register, chunk, load);
    // the next chunk's records come from a register on a server while this one is validated
    next = claim();
    if (next !== undefined) readVisitRecordsAhead(ws.register, chunkOf(next), load);
    const done: VisitValidation[] = [];
    for (const id of chunk) {
      done.push(await validateVisit(ws, id, options, roster, records));
      onVisit();
    }
    out.set(k, done);
    keepFileChecks(ws, options.fixity, options.recordResults ?? true);
  }
  return out;
}

async function validateInTurn(run: Run, progress: (done: number) => void): Promise<VisitValidation[]> {
  const chunks = run.bounds.length - 1;
  let next = 0;
  let done = 0;
  const claim = () => (next < chunks ? next++ : undefined);
  const results = await validateClaimed(run, claim, () => progress(++done));
  return [...results.values()].flat();
}

/** What the second thread is given (`workerData`). */
export interface SharedRun {
  dir: string;
  registerAddress: string;
  files: string;
  ids: readonly string[];
  bounds: readonly number[];
  options: Omit<ValidateOptions, 'fixity'> & { today: string; policy: Policy };
  fixity: { mode: HashMode; recheckDays: number; now: string };
  /** The staff roster this thread read: both threads judge duties against the same one. */
  roster: readonly RosterEntry[];
  /** [the next chunk to take, visits the second thread has validated]. */
  claims: SharedArrayBuffer;
}

/** What the second thread answers: its chunks and the files it judged, or why it could not. */
export type SharedReply =
  { chunks: [number, VisitValidation[]][]; judged: [string, FileJudgement][] } | { error: string };

/**
 * Chunk `k` of a shared run: the last chunk is the second thread's from its start, so that it
 * takes part however fast this one is; the others go to whichever thread is free.
 */
export function sharedClaim(claims: Int32Array, chunks: number, first?: number): () => number | undefined {
  let own = first;
  return () => {
    if (own !== undefined) {
      const k = own;
      own = undefined;
      return k;
    }
    const k = Atomics.add(claims, 0, 1);
    return k < chunks - 1 ? k : undefined;
  };
}

async function validateShared(
  run: Run,
  progress: (done: number) => void,
): Promise<{ visits: VisitValidation[]; threads: 1 | 2 }> {
  const chunks = run.bounds.length - 1;
  const claims = new Int32Array(new SharedArrayBuffer(8));
  const helper = startHelper(run, claims.buffer as SharedArrayBuffer);
  let mine = 0;
  const onVisit = () => progress(++mine + Atomics.load(claims, 1));
  let results: Map<number, VisitValidation[]>;
  try {
    results = await validateClaimed(run, sharedClaim(claims, chunks), onVisit);
  } catch (e) {
    await helper.stop();
    throw e;
  }
  const reply = await helper.reply;
  if ('chunks' in reply) {
    for (const [k, visits] of reply.chunks) results.set(k, visits);
    run.options.fixity.absorb(reply.judged);
  }
  let done = [...results.values()].reduce((n, visits) => n + visits.length, 0);
  progress(done);
  // what the second thread did not finish (it could not start, or failed) is done here, as on one thread
  const left = Array.from({ length: chunks }, (_, k) => k).filter((k) => !results.has(k));
  const claim = () => left.shift();
  for (const [k, visits] of await validateClaimed(run, claim, () => progress(++done))) results.set(k, visits);
  const visits = Array.from({ length: chunks }, (_, k) => results.get(k)!).flat();
  return { visits, threads: 'chunks' in reply && reply.chunks.length > 0 ? 2 : 1 };
}

function startHelper(
  { ws, ids, bounds, options, roster }: Run,
  claims: SharedArrayBuffer,
): { reply: Promise<SharedReply>; stop: () => Promise<void> } {
  const { fixity, actor, policy, today } = options;
  const shared: SharedRun = {
    dir: ws.dir,
    registerAddress: ws.registerAddress,
    files: ws.files.root,
    ids,
    bounds,
    options: { ...(actor ? { actor } : {}), policy, today, recordResults: false },
    fixity: { mode: fixity.mode, recheckDays: fixity.recheckDays, now: fixity.now },
    roster,
    claims,
  };
  const worker = startModuleWorker('./validate-worker.ts', import.meta.url, { workerData: shared });
  const reply = new Promise<SharedReply>((resolve) => {
    worker.once('message', (m: SharedReply) => resolve(m));
    worker.once('error', (e) => resolve({ error: e.message }));
    worker.once('exit', (code) => resolve({ error: `the thread ended (exit code ${code})` }));
  });
  return { reply, stop: () => worker.terminate().then(() => undefined) };
}
