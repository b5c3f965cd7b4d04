/**
 * Reading scanned files on several threads. A file's pages are decoded and read (QR code,
 * alignment, boxes) on a worker thread; the caller gets every page's reading, or the reason
 * it could not be decoded, in page order. Nothing here touches the register: ingest keeps
 * its writes on the main thread.
 *
 *     const reader = openScanReader(2);
 *     const items = await reader.read(bytes, 'batch-07.tif', { targetDpi: 150 });
 *     await reader.close();
 *
 * With 0 threads (or when worker threads cannot start) files are read on this thread.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { decodePages, isPageFailure, type DecodeOptions } from './decode.ts';
import { loadQrDecoder } from './qr.ts';
import { readPage, type PageReading } from './read-page.ts';

/** One page of a file: its reading, or why it could not be decoded (`page: null`: the whole file). */
export type ScanItem = { type: 'reading'; reading: PageReading } | { type: 'failure'; page: number | null; reason: string };

export interface ScanReader {
  /** Decodes and reads every page of a scanned file, in page order. */
  read(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<ScanItem[]>;
  /** Ends the threads (pending reads finish first). */
  close(): Promise<void>;
}

/** Decodes and reads a file on this thread. */
export async function readScanFile(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<ScanItem[]> {
  await loadQrDecoder();
  const items: ScanItem[] = [];
  for await (const p of decodePages(bytes, name, options)) {
    items.push(isPageFailure(p) ? { type: 'failure', page: p.page, reason: p.reason } : { type: 'reading', reading: await readPage(p) });
  }
  return items;
}

/** The number of reading threads to use by default: `HUIFANG_READ_THREADS`, else the machine's cores (at most 4). */
export function defaultReadThreads(): number {
  const env = process.env.HUIFANG_READ_THREADS;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return Math.min(4, availableParallelism());
}

/** A reader on `threads` worker threads (0: this thread). */
export function openScanReader(threads = defaultReadThreads()): ScanReader {
  if (threads <= 0) return { read: readScanFile, close: async () => {} };
  return new PoolReader(threads);
}

/** @internal messages between the pool and its workers */
export interface ReadRequest {
  id: number;
  bytes: Uint8Array;
  name: string;
  options: DecodeOptions;
}
export type ReadReply = { id: number; items: ScanItem[] } | { id: number; error: string };

interface Job {
  request: ReadRequest;
  resolve: (items: ScanItem[]) => void;
  reject: (e: Error) => void;
}

class PoolReader implements ScanReader {
  private readonly workers: { worker: Worker; job: Job | null }[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private broken = false;

  constructor(private readonly threads: number) {}

  read(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<ScanItem[]> {
    if (this.broken) return readScanFile(bytes, name, options);
    return new Promise<ScanItem[]>((resolve, reject) => {
      this.queue.push({ request: { id: this.nextId++, bytes, name, options }, resolve, reject });
      this.pump();
    }).catch((e: Error) => {
      // A thread that died (out of memory, a crash in a native decoder) must not lose the
      // file: read it here instead, where any error is reported as the file's own.
      if (e.name === 'ReaderThreadError') return readScanFile(bytes, name, options);
      throw e;
    });
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.workers.find((w) => w.job === null);
      if (!slot && this.workers.length < this.threads) slot = this.start();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage(job.request);
    }
  }

  private start(): { worker: Worker; job: Job | null } {
    const slot: { worker: Worker; job: Job | null } = { worker: startWorker(), job: null };
    slot.worker.on('message', (reply: ReadReply) => {
      const job = slot.job;
      slot.job = null;
      if (job && job.request.id === reply.id) {
        if ('error' in reply) job.reject(new Error(reply.error));
        else job.resolve(reply.items);
      }
      this.pump();
    });
    const fail = (why: string): void => {
      const i = this.workers.indexOf(slot);
      if (i >= 0) this.workers.splice(i, 1);
      if (this.workers.length === 0) this.broken = true;
      const job = slot.job;
      slot.job = null;
      if (job) {
        const e = new Error(`a page-reading thread stopped (${why})`);
        e.name = 'ReaderThreadError';
        job.reject(e);
      }
      this.pump();
    };
    slot.worker.on('error', (e) => fail(e.message));
    slot.worker.on('exit', (code) => fail(`exit code ${code}`));
    this.workers.push(slot);
    return slot;
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => {
      w.worker.removeAllListeners('exit');
      return w.worker.terminate();
    }));
  }
}

function startWorker(): Worker {
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const worker = new URL('./read-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(worker)}, ${JSON.stringify(worker)}))`;
  return new Worker(code, { eval: true });
}
