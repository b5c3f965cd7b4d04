/**
 * Hashing every byte with several algorithms at once, on every core. Each algorithm of a
 * file is given to a thread — worker threads, or the main thread beside its own work
 * (reading, CRCs, writing) — the costliest first, to whichever has done least. On two cores
 * files alternate: SHA-512 on the worker and SHA-256 here for one, the other way round for
 * the next, so a file costs about half the sum of its hashes. Each file is still read once.
 *
 * Chunks travel to the workers through a fixed ring of shared memory (16 slots of 512 KiB):
 * a chunk is read straight into a free slot (or copied there), and each worker hashing that
 * file is told; the slot is free again once every one of them has hashed it. Memory stays
 * fixed whatever the bundle's size, and nothing is allocated per chunk. Without workers (or
 * `threads: false`), the main thread hashes everything.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

const SLOT_BYTES = 512 * 1024;
const SLOTS = 16;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { crc32 } = require('node:zlib');
const ring = Buffer.from(workerData.ring);
const files = new Map();
const crcHasher = () => {
  let crc = 0;
  return { update: (c) => { crc = crc32(c, crc); }, digest: () => (crc >>> 0).toString(16).padStart(8, '0') };
};
parentPort.on('message', (m) => {
  if (m.op === 'begin') files.set(m.id, m.algorithms.map((a) => [a, a === 'crc32' ? crcHasher() : createHash(a)]));
  else if (m.op === 'data') {
    const chunk = ring.subarray(m.slot * ${SLOT_BYTES}, m.slot * ${SLOT_BYTES} + m.length);
    for (const [, h] of files.get(m.id)) h.update(chunk);
    parentPort.postMessage({ op: 'free', slot: m.slot });
  } else if (m.op === 'end') {
    const hs = files.get(m.id);
    files.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, digests: Object.fromEntries(hs.map(([a, h]) => [a, a === 'crc32' ? h.digest() : h.digest('hex')])) });
  }
});
`;

/**
 * The hashes of one file: `update` every chunk (await it: it may wait for a free slot), then
 * `digest`, or `release` when the file is given up.
 */
export interface FileHasher {
  /**
   * A buffer to read the next chunk into: a slot of the shared ring, so that `update` of
   * (the start of) it hands the bytes to the workers without copying them. Asking again
   * before `update` gives the same buffer.
   */
  buffer(): Promise<Buffer>;
  update(chunk: Buffer): Promise<void> | void;
  digest(): Promise<Record<string, string>>;
  /** Gives back a buffer lent and not used (after a read error). */
  release(): void;
}

/**
 * Relative cost of hashing a byte, measured here with OpenSSL's SHA extensions: SHA-512
 * and MD5 about 2.5 times SHA-256, CRC-32 half of it. `crc32` is a zip entry's CRC, as 8
 * hex digits.
 */
const COST: Record<string, number> = { sha256: 1, sha224: 1, sha1: 1, md5: 2.5, sha512: 2.5, sha384: 2.5, crc32: 0.5 };
const costOf = (algorithm: string): number => COST[algorithm] ?? 2.5;

/** A hasher for one algorithm on this thread: a node:crypto hash, or `crc32`. */
function hasherFor(algorithm: string): { update(chunk: Buffer): void; digest(): string } {
  if (algorithm !== 'crc32') {
    const h = createHash(algorithm);
    return { update: (c) => void h.update(c), digest: () => h.digest('hex') };
  }
  let crc = 0;
  return { update: (c) => void (crc = crc32(c, crc)), digest: () => (crc >>> 0).toString(16).padStart(8, '0') };
}

export interface HashPoolOptions {
  /** Hash on worker threads (default true). */
  threads?: boolean;
  /** Worker threads (default: one per core but one, at most three). */
  workers?: number;
  /**
   * The main thread's own work per byte, in the units of `COST` (SHA-256 = 1): reading
   * only, about 0.6 (default); reading, a CRC and writing a zip, about 1.7.
   */
  mainThreadLoad?: number;
}

/** Who hashes which algorithms of a file: `worker` null is the main thread. */
interface Share {
  worker: Worker | null;
  algorithms: string[];
}

/** This thread's share of hashing one file, and the bytes it has seen. */
interface HashedHere {
  hashers: (readonly [string, ReturnType<typeof hasherFor>])[];
  bytes: number;
}

function hashHere(here: HashedHere, chunk: Buffer): void {
  here.bytes += chunk.length;
  for (const [, h] of here.hashers) h.update(chunk);
}

function digestsHere(here: HashedHere): Record<string, string> {
  return Object.fromEntries(here.hashers.map(([a, h]) => [a, h.digest()]));
}

/** The ring slot a file's reader was lent to read its next chunk into, if any. */
interface Lending {
  slot: number | null;
}

export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly ring = new SharedArrayBuffer(SLOT_BYTES * SLOTS);
  private readonly view = Buffer.from(this.ring);
  private readonly free: number[] = Array.from({ length: SLOTS }, (_, i) => i);
  /** Workers yet to hash each slot's chunk. */
  private readonly holders = new Int32Array(SLOTS);
  private waiters: (() => void)[] = [];
  private nextId = 1;
  private readonly pending = new Map<string, (d: Record<string, string>) => void>();
  /** Work done by each thread so far (bytes × cost; `null` is the main thread), and the files and bytes hashed. */
  private readonly work = new Map<Worker | null, number>();
  private files = 0;
  private bytes = 0;
  private failure: Error | undefined;

  private constructor(private readonly mainThreadLoad: number) {}

  /** Starts a pool of worker threads unless `threads` is false. */
  static create(options: HashPoolOptions = {}): HashPool {
    const pool = new HashPool(options.mainThreadLoad ?? 0.6);
    if (!(options.threads ?? true)) return pool;
    const count = options.workers ?? Math.max(1, Math.min(3, availableParallelism() - 1));
    for (let i = 0; i < count; i++) {
      try {
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          workerData: { ring: pool.ring },
          resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
        });
        worker.unref();
        const index = i;
        worker.on('message', (m: { op: string; slot?: number; id?: number; digests?: Record<string, string> }) => {
          if (m.op === 'free') {
            if (--pool.holders[m.slot!]! === 0) {
              pool.free.push(m.slot!);
              pool.waiters.shift()?.();
            }
          } else if (m.op === 'digest') {
            const key = `${index}:${m.id}`;
            pool.pending.get(key)?.(m.digests!);
            pool.pending.delete(key);
          }
        });
        worker.on('error', (e) => {
          pool.failure = e;
          for (const resolve of pool.waiters.splice(0)) resolve();
          for (const resolve of pool.pending.values()) resolve({});
        });
        pool.workers.push(worker);
      } catch {
        break;
      }
    }
    return pool;
  }

  private async slot(): Promise<number> {
    for (;;) {
      if (this.failure) throw this.failure;
      const s = this.free.pop();
      if (s !== undefined) return s;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Which thread hashes which of a file's algorithms: the costliest first, each to the
   * thread with the least work so far (all files hashed before counted by their size; this
   * file by the mean size), the main thread carrying its own reading too. On two cores files
   * alternate: SHA-512 on the worker for one, here for the next, and SHA-256 the other way.
   */
  private plan(algorithms: readonly string[]): Share[] {
    const typical = this.files ? this.bytes / this.files : 2 ** 20;
    const threads = [
      ...this.workers.map((worker) => ({
        worker: worker as Worker | null,
        algorithms: [] as string[],
        load: this.work.get(worker) ?? 0,
      })),
      { worker: null, algorithms: [] as string[], load: this.work.get(null) ?? 0 },
    ];
    for (const a of [...algorithms].sort((x, y) => costOf(y) - costOf(x))) {
      const t = threads.reduce((best, x) => (x.load < best.load ? x : best));
      t.algorithms.push(a);
      t.load += costOf(a) * typical;
    }
    return threads
      .filter((t) => t.algorithms.length > 0)
      .map(({ worker, algorithms: algs }) => ({ worker, algorithms: algs }));
  }

  /** Counts a hashed file's work against the threads that did it. */
  private account(plan: Share[], bytes: number): void {
    this.files++;
    this.bytes += bytes;
    this.work.set(null, (this.work.get(null) ?? 0) + this.mainThreadLoad * bytes);
    for (const share of plan)
      this.work.set(
        share.worker,
        (this.work.get(share.worker) ?? 0) + share.algorithms.reduce((n, a) => n + costOf(a), 0) * bytes,
      );
  }

  /** Hashers for one file, its `algorithms` shared between the workers and this thread. */
  begin(algorithms: readonly string[]): FileHasher {
    const plan = this.plan(algorithms);
    const here: HashedHere = {
      hashers: (plan.find((s) => s.worker === null)?.algorithms ?? []).map((a) => [a, hasherFor(a)] as const),
      bytes: 0,
    };
    const away = plan.filter((s): s is Share & { worker: Worker } => s.worker !== null);
    const id = this.nextId++;
    for (const s of away) s.worker.postMessage({ op: 'begin', id, algorithms: s.algorithms });
    return away.length === 0 ? this.hasherHere(plan, here) : this.sharedHasher(plan, here, away, id);
  }

  /** A file hashed on this thread alone, read into one buffer of its own. */
  private hasherHere(plan: Share[], here: HashedHere): FileHasher {
    let own: Buffer | undefined;
    return {
      buffer: async () => (own ??= Buffer.allocUnsafeSlow(SLOT_BYTES)),
      update: (chunk) => hashHere(here, chunk),
      digest: async () => {
        this.account(plan, here.bytes);
        return digestsHere(here);
      },
      release: () => {},
    };
  }

  /** A file hashed by workers (through the shared ring's slots) and by this thread at once. */
  private sharedHasher(plan: Share[], here: HashedHere, away: (Share & { worker: Worker })[], id: number): FileHasher {
    const lending: Lending = { slot: null };
    const send = (s: number, length: number): void => {
      this.holders[s] = away.length;
      for (const a of away) a.worker.postMessage({ op: 'data', id, slot: s, length });
    };
    const giveBack = (): void => {
      if (lending.slot === null) return;
      this.free.push(lending.slot);
      lending.slot = null;
      this.waiters.shift()?.();
    };
    return {
      buffer: async () => {
        lending.slot ??= await this.slot();
        return this.view.subarray(lending.slot * SLOT_BYTES, (lending.slot + 1) * SLOT_BYTES);
      },
      update: async (chunk: Buffer) => {
        await this.handOver(chunk, lending, send);
        // Hashed here while the workers hash the same bytes (the slot stays theirs until every one is done).
        hashHere(here, chunk);
      },
      digest: async () => {
        giveBack();
        this.account(plan, here.bytes);
        const fromWorkers = await this.digestsAway(away, id);
        if (this.failure) throw this.failure;
        return Object.assign(digestsHere(here), ...fromWorkers) as Record<string, string>;
      },
      release: () => {
        giveBack();
        for (const s of away) s.worker.postMessage({ op: 'end', id });
      },
    };
  }

  /** Hands a chunk to the workers: the lent slot it was read into as it is, or copied into free slots. */
  private async handOver(chunk: Buffer, lending: Lending, send: (slot: number, length: number) => void): Promise<void> {
    const lent = lending.slot;
    if (lent !== null && chunk.buffer === this.ring && chunk.byteOffset === lent * SLOT_BYTES && chunk.length > 0) {
      // Read straight into the lent slot: nothing to copy.
      lending.slot = null;
      send(lent, chunk.length);
      return;
    }
    for (let offset = 0; offset < chunk.length; offset += SLOT_BYTES) {
      const piece = chunk.subarray(offset, offset + SLOT_BYTES);
      const s = await this.slot();
      piece.copy(this.view, s * SLOT_BYTES);
      send(s, piece.length);
    }
  }

  /** Ends a file on each worker it was shared with; their digests. */
  private digestsAway(away: (Share & { worker: Worker })[], id: number): Promise<Record<string, string>[]> {
    return Promise.all(
      away.map(
        (s) =>
          new Promise<Record<string, string>>((resolve) => {
            this.pending.set(`${this.workers.indexOf(s.worker)}:${id}`, resolve);
            s.worker.postMessage({ op: 'end', id });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
