/**
 * Code 128 bars for the simulated postal receipts, from ZXing-C++'s writer (zxing-wasm, the
 * project's barcode decoder; its writer's .wasm is loaded from node_modules, not a CDN).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';

let ready: Promise<unknown> | null = null;

function loadWriter(): Promise<unknown> {
  ready ??= (async () => {
    const bytes = await readFile(createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm'));
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return ready;
}

/** The modules of a Code 128 symbol for `text`, left to right: true for a bar. */
export async function code128Modules(text: string): Promise<boolean[]> {
  await loadWriter();
  const r = await writeBarcode(text, { format: 'Code128' } as Parameters<typeof writeBarcode>[1]);
  if (r.error) throw new Error(`cannot encode ${JSON.stringify(text)} as Code 128: ${r.error}`);
  return Array.from(r.symbol.data.subarray(0, r.symbol.width), (v) => v < 128);
}
