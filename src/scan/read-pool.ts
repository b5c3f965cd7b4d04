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
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../env/module-worker.ts';
import { decodePages, isPageFailure, type DecodeOptions } from './decode.ts';
import { loadQrDecoder } from './qr.ts';
import { readPage, type PageReading } from './read-page.ts';

/** One page of a file: its reading, or why it could not be decoded (`page: null`: the whole file). */
export type ScanItem =
  { type: 'reading'; reading: PageReading } | { type: 'failure'; page: number | null; reason: string };

export interface ScanReader {
  /** Decodes and reads every page of a scanned file, in page order. */
  read(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<ScanItem[]>;
  /** Ends the threads (pending reads finish first). */
  close(): Promise<void>;
  /** Files read so far, and times a thread took part in reading one (more than `files` when threads shared batches). */
  stats(): { files: number; threadReads: number };
}

/** Decodes and reads a file on this thread. */
export async function readScanFile(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<ScanItem[]> {
  await loadQrDecoder();
  const items: ScanItem[] = [];
  for await (const p of decodePages(bytes, name, options)) {
    items.push(
      isPageFailure(p)
        ? { type: 'failure', page: p.page, reason: p.reason }
        : { type: 'reading', reading: await readPage(p) },
    );
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
  if (threads <= 0) {
    let files = 0;
    return {
      read: (...args) => (files++, readScanFile(...args)),
      close: async () => {},
      stats: () => ({ files, threadReads: files }),
    };
  }
  return new PoolReader(threads);
}

/** Decoding options that can cross to a thread (no callbacks). */
export type PlainDecodeOptions = Omit<DecodeOptions, 'claimPage' | 'onPageCount'>;

/**
 * @internal messages between the pool and its workers. A file's bytes and its page counter
 * live in shared memory: every thread reading the file claims its next page from `pages`
 * (`[next page, page count or -1]`), so a long batch is read by all threads at once.
 */
export interface ReadRequest {
  id: number;
  bytes: Uint8Array;
  name: string;
  options: PlainDecodeOptions;
  pages: Int32Array;
}
export type ReadReply =
  { id: number; pageCount: number } | { id: number; items: ScanItem[] } | { id: number; error: string };

/** Reads a file's pages with the others sharing `request.pages` (on a worker thread). */
export async function readSharedPages(request: ReadRequest, onPageCount: (count: number) => void): Promise<ScanItem[]> {
  const pages = request.pages;
  const options: DecodeOptions = {
    ...request.options,
    claimPage: () => Atomics.add(pages, 0, 1),
    onPageCount: (count) => {
      if (Atomics.compareExchange(pages, 1, -1, count) === -1) onPageCount(count);
    },
  };
  return readScanFile(request.bytes, request.name, options);
}

interface Job {
  request: ReadRequest;
  /** Threads reading the file now, and the pages each returned. */
  readers: number;
  parts: ScanItem[][];
  /** A thread has finished with it: every page is taken. */
  done: boolean;
  error: Error | null;
  resolve: (items: ScanItem[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

class PoolReader implements ScanReader {
  private readonly workers: Slot[] = [];
  /** Files not yet finished, oldest first. */
  private readonly jobs: Job[] = [];
  private nextId = 1;
  private broken = false;
  /** After `close()`: no thread is started again, and files not yet read are refused. */
  private closed = false;
  private files = 0;
  private threadReads = 0;

  /** Starts every thread at once: each takes a second or so to load, better spent while the first files are stored. */
  constructor(private readonly threads: number) {
    for (let i = 0; i < threads; i++) this.start();
  }

  stats(): { files: number; threadReads: number } {
    return { files: this.files, threadReads: this.threadReads };
  }

  read(bytes: Uint8Array, name: string, options: DecodeOptions): Promise<ScanItem[]> {
    this.files++;
    if (this.closed) return Promise.reject(new Error(`the page reader was closed before ${name} was read`));
    if (this.broken) return readScanFile(bytes, name, options);
    const { claimPage: _claim, onPageCount: _count, ...plain } = options;
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const pages = new Int32Array(new SharedArrayBuffer(8));
    pages[1] = -1;
    return new Promise<ScanItem[]>((resolve, reject) => {
      this.jobs.push({
        request: { id: this.nextId++, bytes: shared, name, options: plain, pages },
        readers: 0,
        parts: [],
        done: false,
        error: null,
        resolve,
        reject,
      });
      this.pump();
    }).catch((e: Error) => {
      // A thread that died (out of memory, a crash in a native decoder) must not lose the
      // file: read it here instead, where any error is reported as the file's own.
      if (e.name === 'ReaderThreadError') return readScanFile(bytes, name, options);
      throw e;
    });
  }

  /**
   * Gives idle threads work: first a page of the oldest file whose pages are not all taken
   * (ingest records files in order, so the oldest is awaited first), else a file no thread
   * has started.
   */
  private pump(): void {
    // A reply that was already on its way when the pool closed must not start a new thread.
    if (this.closed) return;
    for (;;) {
      const job =
        this.jobs.find((j) => !j.done && j.readers > 0 && j.readers < this.threads && pagesLeft(j.request.pages)) ??
        this.jobs.find((j) => j.readers === 0 && !j.done);
      if (!job) return;
      let slot = this.workers.find((w) => w.job === null);
      if (!slot && this.workers.length < this.threads) slot = this.start();
      if (!slot) return;
      slot.job = job;
      job.readers++;
      this.threadReads++;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  private settle(job: Job): void {
    if (job.readers > 0) return;
    this.jobs.splice(this.jobs.indexOf(job), 1);
    if (job.error) job.reject(job.error);
    else job.resolve(mergeParts(job.parts));
  }

  private start(): Slot {
    const slot: Slot = { worker: startWorker(), job: null };
    slot.worker.unref();
    slot.worker.on('message', (reply: ReadReply) => {
      const job = slot.job;
      if (!job || job.request.id !== reply.id) return;
      if ('pageCount' in reply) {
        this.pump(); // a batch: idle threads may join in
        return;
      }
      slot.job = null;
      slot.worker.unref(); // an idle thread never keeps the program alive
      job.readers--;
      job.done = true;
      if ('error' in reply) job.error ??= new Error(reply.error);
      else job.parts.push(reply.items);
      this.settle(job);
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
        job.readers--;
        job.done = true;
        job.error = e;
        this.settle(job);
      }
      this.pump();
    };
    slot.worker.on('error', (e) => fail(e.message));
    slot.worker.on('exit', (code) => fail(`exit code ${code}`));
    this.workers.push(slot);
    return slot;
  }

  /**
   * Ends every thread. Files still being read (a caller that stopped waiting for them, e.g.
   * a duplicate whose reading was started ahead) are refused, never left to start a thread.
   */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    const pending = this.jobs.splice(0);
    await Promise.all(
      workers.map((w) => {
        w.worker.removeAllListeners();
        w.worker.on('error', () => {}); // a thread failing as it ends has nothing left to say
        return w.worker.terminate();
      }),
    );
    for (const job of pending) job.reject(new Error(`the page reader was closed before ${job.request.name} was read`));
  }
}

/** Whether a file being read has pages no thread has taken yet (its page count known). */
function pagesLeft(pages: Int32Array): boolean {
  const count = Atomics.load(pages, 1);
  return count >= 0 && Atomics.load(pages, 0) < count;
}

/**
 * The pages several threads read from one file, in page order. A failure of the whole file
 * (page null) or past the page limit is reported by each thread: kept once.
 */
function mergeParts(parts: ScanItem[][]): ScanItem[] {
  if (parts.length === 1) return parts[0]!;
  const seen = new Set<string>();
  const items: ScanItem[] = [];
  for (const item of parts.flat()) {
    if (item.type === 'failure') {
      const key = `${item.page}\u0000${item.reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    items.push(item);
  }
  const pageOf = (i: ScanItem): number => (i.type === 'reading' ? i.reading.page : (i.page ?? 0));
  return items.sort((a, b) => pageOf(a) - pageOf(b));
}

function startWorker(): Worker {
  return startModuleWorker('./read-worker.ts', import.meta.url);
}
