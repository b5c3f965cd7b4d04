/**
 * A rendering thread of `renderAll`: makes its own `LetterRenderer` and renders the chunks
 * of visits it is sent. Resources shared by a category's documents are sent back once, and
 * documents refer to them by key, so that thousands of letters do not each carry the fonts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LetterRenderer } from './renderer.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './render-all.ts';
import type { SharedResources } from './document.ts';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const renderer = await LetterRenderer.create({
  sender: setup.sender,
  ...(setup.letterTemplate ? { letterTemplate: setup.letterTemplate } : {}),
});
const sent = new Set<string>();

port.on('message', (request: WorkerRequest) => {
  const shared: SharedResources[] = [];
  const transfer: ArrayBuffer[] = [];
  try {
    const results = request.inputs.map((input) => {
      const rendered = setup.type === 'letter' ? renderer.renderLetter(input) : renderer.renderForm(input);
      const { shared: resources, ...document } = rendered.document;
      if (!sent.has(resources.key)) {
        sent.add(resources.key);
        shared.push(resources);
      }
      const bytes = rendered.bytes;
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer)
        transfer.push(bytes.buffer);
      return {
        visitId: rendered.visitId,
        bytes,
        pageCount: rendered.pageCount,
        document: { ...document, sharedKey: resources.key },
      };
    });
    const reply: WorkerReply = { id: request.id, results, shared };
    port.postMessage(reply, transfer);
  } catch (error) {
    const e = error as Error;
    const reply: WorkerReply = { id: request.id, error: { name: e.name, message: e.message, stack: e.stack ?? '' } };
    port.postMessage(reply);
  }
});
port.postMessage({ ready: true });
