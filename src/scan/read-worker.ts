/**
 * A page-reading thread of `openScanReader`: decodes and reads the files it is sent, one at
 * a time, and replies with every page's reading (plain data) in page order.
 */
import { parentPort } from 'node:worker_threads';
import { readScanFile, type ReadReply, type ReadRequest } from './read-pool.ts';

const port = parentPort!;
port.on('message', (request: ReadRequest) => {
  readScanFile(request.bytes, request.name, request.options).then(
    (items) => port.postMessage({ id: request.id, items } satisfies ReadReply),
    (e: unknown) => port.postMessage({ id: request.id, error: e instanceof Error ? e.message : String(e) } satisfies ReadReply),
  );
});
