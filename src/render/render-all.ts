/**
 * Renders every letter (or form) of a run, on several threads when it pays: each worker
 * thread has its own `LetterRenderer`; this thread receives the PDFs and hands each to
 * `onRendered` (to be written and stored).
 *
 * With `batch`, documents are rendered in batch order (branch, postcode, visit id) and each
 * batch print file is built and handed to `onBatch` as soon as its letters are rendered;
 * then their prepared documents are let go. Memory stays bounded by a batch or two, however
 * long the run.
 *
 * @example
 * await renderAll(inputs, {
 *   sender,
 *   onRendered: (doc) => writeFileAtomic(pathOf(doc.visitId), doc.bytes),
 *   batch: { onBatch: (batch, n) => writeFileAtomic(batchPath(n), batch.bytes) },
 * });
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../env/module-worker.ts';
import { type Batch, type BatchLetter, batchOrder, batches, DEFAULT_MAX_LETTERS_PER_BATCH } from './batch.ts';
import type { PreparedDocument, SharedResources } from './document.ts';
import { type DocumentInput, LetterRenderer, type LetterRendererOptions, type RenderedDocument } from './renderer.ts';

export interface RenderAllOptions extends LetterRendererOptions {
  /** `letter` (default): letters with the form last; `form`: the record form alone. */
  type?: 'letter' | 'form';
  /**
   * Rendering threads. Default: one per CPU core (at most 4) for runs of 200 documents or
   * more, else this thread only. 1 renders in this thread.
   */
  workers?: number;
  /** Documents per message to a worker (default 25). */
  chunkSize?: number;
  /** Called for each document as it is rendered; awaited, one call at a time. `index` is the input's. */
  onRendered?: (document: RenderedDocument, index: number) => void | Promise<void>;
  /** Build batch print files as the run goes (see the module's comment). */
  batch?: {
    maxLettersPerBatch?: number;
    /** Called for each batch file in order (`index` from 0); awaited. */
    onBatch: (batch: Batch, index: number) => void | Promise<void>;
  };
}

/**
 * What `renderAll` keeps of each document: its place in batches, and, unless batches were
 * built during the run, its prepared document (for `batches()`).
 */
export type RenderedLetter = BatchLetter;

/** @internal message types between `renderAll` and its workers */
export interface WorkerSetup {
  type: 'letter' | 'form';
  sender: LetterRendererOptions['sender'];
  letterTemplate?: string;
}
export interface WorkerRequest {
  id: number;
  inputs: DocumentInput[];
}
type RemoteDocument = Omit<PreparedDocument, 'shared'> & { sharedKey: string };
export type WorkerReply =
  | {
      id: number;
      results: { visitId: string; bytes: Uint8Array; pageCount: number; document: RemoteDocument }[];
      shared: SharedResources[];
    }
  | { id: number; error: { name: string; message: string; stack: string } };

/** Receives rendered documents in any order; keeps summaries; emits batches in order. */
class Collector {
  readonly out: RenderedLetter[];
  private readonly pending = new Map<number, PreparedDocument>();
  private nextBatchStart = 0;
  private batchIndex = 0;
  private readonly max: number;

  constructor(
    private readonly inputs: readonly DocumentInput[],
    /** Input index of each rendering position. */
    readonly order: readonly number[],
    private readonly options: RenderAllOptions,
  ) {
    this.out = new Array(inputs.length);
    this.max = options.batch?.maxLettersPerBatch ?? DEFAULT_MAX_LETTERS_PER_BATCH;
    if (!Number.isInteger(this.max) || this.max < 1) {
      throw new RangeError(`Expected a positive whole number for maxLettersPerBatch but received ${String(this.max)}.`);
    }
  }

  async add(position: number, rendered: RenderedDocument): Promise<void> {
    const index = this.order[position]!;
    await this.options.onRendered?.(rendered, index);
    const { customer } = this.inputs[index]!;
    const summary: RenderedLetter = {
      visitId: rendered.visitId,
      branchCode: customer.branchCode,
      postcode: customer.postcode,
      pageCount: rendered.pageCount,
    };
    if (!this.options.batch) {
      summary.document = rendered.document;
    } else {
      this.pending.set(position, rendered.document);
      await this.emitReady();
    }
    this.out[index] = summary;
  }

  private async emitReady(): Promise<void> {
    const total = this.order.length;
    while (this.nextBatchStart < total) {
      const end = Math.min(this.nextBatchStart + this.max, total);
      for (let p = this.nextBatchStart; p < end; p++) if (!this.pending.has(p)) return;
      const letters: BatchLetter[] = [];
      for (let p = this.nextBatchStart; p < end; p++) {
        const index = this.order[p]!;
        const { customer, visit } = this.inputs[index]!;
        letters.push({
          visitId: visit.visitId,
          branchCode: customer.branchCode,
          postcode: customer.postcode,
          pageCount: 0,
          document: this.pending.get(p)!,
        });
        this.pending.delete(p);
      }
      this.nextBatchStart = end;
      for (const batch of batches(letters, { maxLettersPerBatch: this.max }))
        await this.options.batch!.onBatch(batch, this.batchIndex++);
    }
  }
}

/** Renders all inputs; resolves with one entry per input, in input order. */
export async function renderAll(
  inputs: readonly DocumentInput[],
  options: RenderAllOptions,
): Promise<RenderedLetter[]> {
  const type = options.type ?? 'letter';
  const threads = options.workers ?? (inputs.length >= 200 ? Math.min(4, availableParallelism()) : 1);
  const indices = inputs.map((input, index) => ({
    index,
    visitId: input.visit.visitId,
    branchCode: input.customer.branchCode,
    postcode: input.customer.postcode,
  }));
  const order = (options.batch ? batchOrder(indices) : indices).map((e) => e.index);
  const collector = new Collector(inputs, order, options);
  if (threads <= 1 || inputs.length === 0) {
    const renderer = await LetterRenderer.create(options);
    for (let p = 0; p < order.length; p++) {
      const input = inputs[order[p]!]!;
      await collector.add(p, type === 'letter' ? renderer.renderLetter(input) : renderer.renderForm(input));
    }
    return collector.out;
  }
  const chunkSize = options.chunkSize ?? 25;
  await renderOnWorkers(
    inputs,
    order,
    options,
    type,
    Math.min(threads, Math.ceil(inputs.length / chunkSize)),
    chunkSize,
    collector,
  );
  return collector.out;
}

async function renderOnWorkers(
  inputs: readonly DocumentInput[],
  order: readonly number[],
  options: RenderAllOptions,
  type: 'letter' | 'form',
  threads: number,
  chunkSize: number,
  collector: Collector,
): Promise<void> {
  const setup: WorkerSetup = {
    type,
    sender: options.sender,
    ...(options.letterTemplate ? { letterTemplate: options.letterTemplate } : {}),
  };
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = new Dispatch(inputs, order, chunkSize, collector, resolve, reject);
      for (let t = 0; t < threads; t++) {
        const worker = startWorker(setup);
        workers.push(worker);
        dispatch.attach(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Hands chunks of documents to the rendering threads and their replies to the collector;
 * settles once every document was handed on, or at the first failure.
 */
class Dispatch {
  private next = 0; // next rendering position to send
  private done = 0;
  private failed = false;
  // Replies are handled one after another, so that callbacks never overlap; a worker
  // gets its next chunk only when its reply has been handled (backpressure).
  private queue = Promise.resolve();
  private readonly shared = new Map<string, SharedResources>();

  constructor(
    private readonly inputs: readonly DocumentInput[],
    private readonly order: readonly number[],
    private readonly chunkSize: number,
    private readonly collector: Collector,
    private readonly resolve: () => void,
    private readonly reject: (error: Error) => void,
  ) {}

  attach(worker: Worker): void {
    worker.on('message', (message: WorkerReply | { ready: true }) => {
      if ('ready' in message) {
        // Two chunks in flight per worker, so it never waits for this thread.
        this.send(worker);
        this.send(worker);
        return;
      }
      this.queue = this.queue.then(() => this.receive(worker, message)).catch((error: Error) => this.fail(error));
    });
    worker.on('error', (error) =>
      this.fail(new Error(`A rendering thread failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) => {
      if (code !== 0 && this.done < this.order.length)
        this.fail(new Error(`A rendering thread stopped (exit code ${code}) before every document was rendered.`));
    });
  }

  private fail(error: Error): void {
    if (!this.failed) {
      this.failed = true;
      this.reject(error);
    }
  }

  private send(worker: Worker): void {
    if (this.next >= this.order.length || this.failed) return;
    const id = this.next;
    const end = Math.min(this.next + this.chunkSize, this.order.length);
    const request: WorkerRequest = { id, inputs: this.order.slice(this.next, end).map((i) => this.inputs[i]!) };
    this.next = end;
    worker.postMessage(request);
  }

  private async receive(worker: Worker, reply: WorkerReply): Promise<void> {
    if ('error' in reply) {
      const error = new Error(reply.error.message);
      error.name = reply.error.name;
      error.stack = reply.error.stack;
      throw error;
    }
    for (const s of reply.shared) this.shared.set(s.key, s);
    for (let k = 0; k < reply.results.length; k++) {
      const r = reply.results[k]!;
      const { sharedKey, ...rest } = r.document;
      const resources = this.shared.get(sharedKey);
      if (!resources) throw new Error(`renderAll: a worker referred to shared resources ${sharedKey} it never sent.`);
      const rendered: RenderedDocument = {
        visitId: r.visitId as RenderedDocument['visitId'],
        bytes: r.bytes,
        pageCount: r.pageCount,
        document: { ...rest, shared: resources },
      };
      await this.collector.add(reply.id + k, rendered);
    }
    this.send(worker);
    this.done += reply.results.length;
    if (this.done === this.order.length) this.resolve();
  }
}

/** Starts a rendering thread. */
function startWorker(setup: WorkerSetup): Worker {
  return startModuleWorker('./render-worker.ts', import.meta.url, { workerData: setup });
}
