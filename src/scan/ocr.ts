/**
 * Optical character recognition of short printed lines (the visit id under a page's QR code
 * and in the form's 回访编号 cell) with tesseract.js. Its engine (.wasm) comes from the
 * tesseract.js-core package and its English model from @tesseract.js-data/eng, both in
 * node_modules: nothing is fetched from the network, and nothing is cached on disk.
 *
 * One recognizer a thread, started on first use (about a second) and stopped after a few
 * idle seconds, so that a process that is done is not held open by it.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import type { Worker } from 'tesseract.js';
import type { GreyImage } from './grey.ts';

/** Characters a visit id line can hold: the visit id alphabet (Crockford base 32), the dash, the page n/m. */
const WHITELIST = '0123456789ABCDEFGHJKMNPQRSTVWXYZ-/ ';
const IDLE_MS = 3000;

let worker: Promise<Worker> | null = null;
let idle: NodeJS.Timeout | null = null;

/** Where the English model lies (the package's integer LSTM model). */
export function englishModelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

function recognizer(): Promise<Worker> {
  if (!worker) {
    worker = (async () => {
      // Loaded on first use: most runs read every page by its codes and never need it.
      const { createWorker, OEM, PSM } = await import('tesseract.js');
      const w = await createWorker('eng', OEM.LSTM_ONLY, {
        langPath: englishModelPath(),
        gzip: true,
        cacheMethod: 'none',
        logger: () => {},
        errorHandler: () => {},
      });
      await w.setParameters({ tessedit_char_whitelist: WHITELIST, tessedit_pageseg_mode: PSM.SINGLE_BLOCK });
      return w;
    })();
    worker.catch(() => {
      worker = null;
    });
  }
  return worker;
}

/** Stops the recognizer now (it also stops by itself when idle). */
export async function closeOcr(): Promise<void> {
  if (idle) clearTimeout(idle);
  idle = null;
  const w = worker;
  worker = null;
  if (w) await (await w).terminate();
}

/** The text tesseract reads on a grey image (one block of printed lines) whose resolution is `dpi`. */
export async function recognizeLines(img: GreyImage, dpi: number): Promise<string> {
  if (idle) clearTimeout(idle);
  try {
    const png = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
      raw: { width: img.width, height: img.height, channels: 1 },
    })
      .withMetadata({ density: dpi })
      .png()
      .toBuffer();
    const w = await recognizer();
    const result = await w.recognize(png);
    return result.data.text;
  } finally {
    idle = setTimeout(() => void closeOcr(), IDLE_MS);
    idle.unref();
  }
}
