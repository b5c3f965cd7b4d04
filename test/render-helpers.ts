/**
 * Fixtures and pixel helpers for the render tests: visits and customers built directly
 * from the domain types, and measurements on rasterized pages (in layout millimetres).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import type { Customer } from '../src/domain/customer.ts';
import { checkCharacter, VISIT_ID_ALPHABET, type VisitId } from '../src/domain/visit-id.ts';
import type { Visit, VisitCategory, VisitChannel } from '../src/domain/visit.ts';
import { mmToPx, type Rect } from '../src/layout/page.ts';
import type { RasterPage } from '../src/formats/rasterize.ts';
import type { Sender } from '../src/render/template-data.ts';

export const SENDER: Sender = (
  JSON.parse(readFileSync(new URL('../samples/firm.json', import.meta.url), 'utf8')) as { sender: Sender }
).sender;

let counter = 0;
/** Valid visit ids in sequence (fixed, so failures are reproducible). */
export function visitIdFor(n: number): VisitId {
  const digits = n.toString(32).padStart(9, '0');
  const body = Array.from(digits, (c) => VISIT_ID_ALPHABET[parseInt(c, 32)]!).join('');
  const compact = body + checkCharacter(body);
  return `HF-${compact.slice(0, 5)}-${compact.slice(5)}` as VisitId;
}

export function makeVisit(
  overrides: Partial<Visit> & { category?: VisitCategory; channel?: VisitChannel } = {},
): Visit {
  counter++;
  return {
    visitId: visitIdFor(1000 + counter),
    customerId: 'C0001',
    category: 'new-account',
    channel: 'letter',
    createdOn: '2026-11-28',
    dueOn: '2026-12-28',
    result: 'pending',
    ...overrides,
  };
}

export function makeCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    customerId: '310100123456',
    name: '张伟明',
    kind: 'individual',
    branchCode: '3101',
    branchName: '上海浦东南路证券营业部',
    address: '上海市黄浦区南京东路步行街一百二十三弄45号801室',
    postcode: '200001',
    phone: '13800001111',
    email: 'zhang@example.cn',
    openedOn: '2026-10-15',
    ...overrides,
  };
}

/** The text pdf.js extracts from each page, whitespace removed. */
export async function pageTexts(bytes: Uint8Array): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const out: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      out.push(
        content.items
          .map((i) => ('str' in i ? i.str : ''))
          .join('')
          .replace(/\s+/g, ''),
      );
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

/** pdftotext's output, whitespace removed. */
export function pdftotext(path: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, '');
}

/** Rectangle in pixels of a page for a rectangle in mm, clamped to the page. */
function pxRect(page: RasterPage, r: Rect): { x0: number; y0: number; x1: number; y1: number } {
  const x0 = Math.max(0, Math.round(mmToPx(r.x, page.dpi)));
  const y0 = Math.max(0, Math.round(mmToPx(r.y, page.dpi)));
  const x1 = Math.min(page.width, Math.round(mmToPx(r.x + r.width, page.dpi)));
  const y1 = Math.min(page.height, Math.round(mmToPx(r.y + r.height, page.dpi)));
  return { x0, y0, x1, y1 };
}

const isDark = (page: RasterPage, x: number, y: number, threshold: number): boolean => {
  const i = (y * page.width + x) * 4;
  const lum = 0.299 * page.data[i]! + 0.587 * page.data[i + 1]! + 0.114 * page.data[i + 2]!;
  return lum < threshold;
};

/** Share of dark pixels (luminance below `threshold`) in a rectangle (mm). */
export function darkFraction(page: RasterPage, r: Rect, threshold = 128): number {
  const { x0, y0, x1, y1 } = pxRect(page, r);
  let dark = 0;
  let all = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      all++;
      if (isDark(page, x, y, threshold)) dark++;
    }
  }
  return all ? dark / all : 0;
}

/** Bounds (mm) of the dark pixels in a rectangle (mm), or null when there are none. */
export function inkBounds(page: RasterPage, r: Rect, threshold = 160): Rect | null {
  const { x0, y0, x1, y1 } = pxRect(page, r);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (!isDark(page, x, y, threshold)) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  if (minX === Infinity) return null;
  const mm = (px: number): number => (px * 25.4) / page.dpi;
  return { x: mm(minX), y: mm(minY), width: mm(maxX + 1 - minX), height: mm(maxY + 1 - minY) };
}

/** The page turned upside down. */
export function rotate180(page: RasterPage): RasterPage {
  const data = new Uint8ClampedArray(page.data.length);
  const pixels = page.width * page.height;
  for (let p = 0; p < pixels; p++) {
    const q = pixels - 1 - p;
    data[q * 4] = page.data[p * 4]!;
    data[q * 4 + 1] = page.data[p * 4 + 1]!;
    data[q * 4 + 2] = page.data[p * 4 + 2]!;
    data[q * 4 + 3] = page.data[p * 4 + 3]!;
  }
  return { ...page, data };
}

let zxingReady: Promise<unknown> | undefined;
function loadZxing(): Promise<unknown> {
  if (!zxingReady) {
    const bytes = readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    zxingReady = Promise.resolve(prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true }));
  }
  return zxingReady;
}

/** The QR codes decoded in a rectangle (mm) of a page. */
export async function decodeQr(page: RasterPage, r: Rect): Promise<string[]> {
  await loadZxing();
  const { x0, y0, x1, y1 } = pxRect(page, r);
  const width = x1 - x0;
  const height = y1 - y0;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    data.set(page.data.subarray(((y + y0) * page.width + x0) * 4, ((y + y0) * page.width + x1) * 4), y * width * 4);
  }
  const results = await readBarcodes({ data, width, height } as ImageData, {
    formats: ['QRCode'],
    tryHarder: true,
    tryRotate: true,
    maxNumberOfSymbols: 2,
  });
  return results.filter((r) => r.isValid).map((r) => r.text);
}
