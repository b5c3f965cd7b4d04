/**
 * Worker threads that run one of huifang's own modules, whether huifang runs compiled
 * (dist/*.js, as installed) or from its TypeScript sources (tests, development).
 *
 * From sources, the thread loads the module through tsx's `tsImport`: Node 20 does not hand
 * the main thread's loader hooks to worker threads, and vitest's transform does not reach
 * them either. Compiled, the thread runs the `.js` file beside the caller directly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a thread running the module `name` (e.g. `./read-worker.ts`) that sits beside the
 * calling module, whose `import.meta.url` is `from`.
 */
export function startModuleWorker(name: string, from: string, options: WorkerOptions = {}): Worker {
  if (from.endsWith('.js')) return new Worker(new URL(name.replace(/\.ts$/, '.js'), from), options);
  const tsx = pathToFileURL(
    join(dirname(createRequire(from).resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const worker = new URL(name, from).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(worker)}, ${JSON.stringify(worker)}))`;
  return new Worker(code, { ...options, eval: true });
}
