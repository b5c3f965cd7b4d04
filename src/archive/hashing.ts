/**
 * Hashing every byte with several algorithms at once, on every core: each file is hashed
 * (all its algorithms) by one of a few worker threads, while the main thread only reads,
 * checks CRCs and writes — so files are hashed in parallel and each file is still read once.
 *
 * Chunks travel through a fixed ring of shared memory (16 slots of 512 KiB): the main thread
 * copies a chunk into a free slot and tells a worker; the worker hashes the slot and frees it.
 * Memory stays fixed whatever the bundle's size, and nothing is allocated per chunk. Without
 * workers (or `threads: false`), the main thread hashes.
 */
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

const SLOT_BYTES = 512 * 1024;
const SLOTS = 16;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const ring = Buffer.from(workerData.ring);
const files = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'begin') files.set(m.id, m.algorithms.map((a) => [a, createHash(a)]));
  else if (m.op === 'data') {
    const chunk = ring.subarray(m.slot * ${SLOT_BYTES}, m.slot * ${SLOT_BYTES} + m.length);
    for (const [, h] of files.get(m.id)) h.update(chunk);
    parentPort.postMessage({ op: 'free', slot: m.slot });
  } else if (m.op === 'end') {
    const hs = files.get(m.id);
    files.delete(m.id);
    parentPort.postMessage({ op: 'digest', id: m.id, digests: Object.fromEntries(hs.map(([a, h]) => [a, h.digest('hex')])) });
  }
});
`;

/** The hashes of one file: `update` every chunk (await it: it may wait for a free slot), then `digest`. */
export interface FileHasher {
  update(chunk: Buffer): Promise<void> | void;
  digest(): Promise<Record<string, string>>;
}

interface HashWorker {
  worker: Worker;
  queued: number;
}

export class HashPool {
  private readonly workers: HashWorker[] = [];
  private readonly ring = new SharedArrayBuffer(SLOT_BYTES * SLOTS);
  private readonly view = Buffer.from(this.ring);
  private readonly free: number[] = Array.from({ length: SLOTS }, (_, i) => i);
  private waiters: (() => void)[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (d: Record<string, string>) => void>();
  private failure: Error | undefined;

  private constructor() {}

  /**
   * Starts a pool of worker threads unless `threads` is false: one per core but one (the main
   * thread reads, checks CRCs and writes), at least one, at most three. On two cores one
   * worker measured fastest (bench/archive.ts); more only compete with the main thread.
   */
  static create(options: { threads?: boolean; workers?: number } = {}): HashPool {
    const pool = new HashPool();
    if (!(options.threads ?? true)) return pool;
    const count = options.workers ?? Math.max(1, Math.min(3, availableParallelism() - 1));
    for (let i = 0; i < count; i++) {
      try {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ring: pool.ring }, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
        worker.unref();
        const slot: HashWorker = { worker, queued: 0 };
        worker.on('message', (m: { op: string; slot?: number; id?: number; digests?: Record<string, string> }) => {
          if (m.op === 'free') {
            slot.queued--;
            pool.free.push(m.slot!);
            pool.waiters.shift()?.();
          } else if (m.op === 'digest') {
            pool.pending.get(m.id!)?.(m.digests!);
            pool.pending.delete(m.id!);
          }
        });
        worker.on('error', (e) => {
          pool.failure = e;
          for (const resolve of pool.waiters.splice(0)) resolve();
          for (const resolve of pool.pending.values()) resolve({});
        });
        pool.workers.push(slot);
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

  /** Hashers for one file, all `algorithms` computed by one worker (or here, without workers). */
  begin(algorithms: readonly string[]): FileHasher {
    if (this.workers.length === 0) {
      const local: [string, Hash][] = algorithms.map((a) => [a, createHash(a)]);
      return {
        update: (chunk) => {
          for (const [, h] of local) h.update(chunk);
        },
        digest: async () => Object.fromEntries(local.map(([a, h]) => [a, h.digest('hex')])),
      };
    }
    const target = this.workers.reduce((a, b) => (b.queued < a.queued ? b : a));
    const id = this.nextId++;
    target.worker.postMessage({ op: 'begin', id, algorithms });
    return {
      update: async (chunk: Buffer) => {
        for (let offset = 0; offset < chunk.length; offset += SLOT_BYTES) {
          const piece = chunk.subarray(offset, offset + SLOT_BYTES);
          const s = await this.slot();
          piece.copy(this.view, s * SLOT_BYTES);
          target.queued++;
          target.worker.postMessage({ op: 'data', id, slot: s, length: piece.length });
        }
      },
      digest: async () => {
        const digests = await new Promise<Record<string, string>>((resolve) => {
          this.pending.set(id, resolve);
          target.worker.postMessage({ op: 'end', id });
        });
        if (this.failure) throw this.failure;
        return digests;
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
