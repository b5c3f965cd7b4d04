/**
 * A page-reading thread of `openScanReader`: decodes and reads the pages it claims of each
 * file it is sent, and replies with their readings (plain data) in page order. It says
 * early how many pages the file has, so that idle threads can join in on a batch.
 */
import { parentPort } from 'node:worker_threads';
import { readSharedPages, type ReadReply, type ReadRequest } from './read-pool.ts';

const port = parentPort!;
port.on('message', (request: ReadRequest) => {
  readSharedPages(request, (pageCount) => port.postMessage({ id: request.id, pageCount } satisfies ReadReply)).then(
    (items) => port.postMessage({ id: request.id, items } satisfies ReadReply),
    (e: unknown) =>
      port.postMessage({ id: request.id, error: e instanceof Error ? e.message : String(e) } satisfies ReadReply),
  );
});
