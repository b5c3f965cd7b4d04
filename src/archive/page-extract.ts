/**
 * Extracts of batch scans (拆分): clerks scan whole stacks at once, so one received file —
 * a multi-page TIFF or PDF — often holds the pages of several visits, even of several
 * branches. Ingest records, for each visit, a `received` document whose bytes are the WHOLE
 * original and whose `meta.pages` lists that visit's pages. A bundle must not carry other
 * customers' pages, so such a document is archived as an extract: a PDF holding only the
 * visit's pages, in scan order, made losslessly and deterministically (same input, same
 * bytes), stored in the workspace and recorded once as a `derived` document of the visit
 * (`meta: { extractOf: <original's SHA-256>, pages }`). The original stays in the workspace.
 *
 * PDF originals: the pages are copied as they are (pdf-lib `copyPages`). TIFF, PNG and JPEG
 * originals: each page image is decoded (sharp) and embedded losslessly as PNG-predicted
 * Flate data in a PDF page of the image's physical size; black-and-white pages stay 1-bit.
 */
import sharp from 'sharp';
import {
  concatTransformationMatrix,
  degrees,
  drawObject,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  type PDFContext,
  type PDFRef,
} from '@cantoo/pdf-lib';
import { InputError } from '../domain/messages.ts';
import { getIngestFile } from '../store/ingest.ts';
import { pagesOfFile } from '../store/pages.ts';
import { documentsOf, removeDocuments, storeDocument, type VisitDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { A4 } from '../layout/page.ts';

/** The original a page extract was made from, as a bundle's record names it (its bytes stay in the workspace). */
export interface ExtractOrigin {
  /** SHA-256 of the whole original file (in the workspace's file store). */
  sha256: string;
  /** The name it had when it was ingested. */
  originalName: string;
  size: number;
  /** Pages in the whole original (as ingest counted them). */
  pageCount: number;
  /** This visit's pages of it (1-based, scan order): the extract's pages 1, 2, … */
  pages: number[];
}

/** Which documents of a visit go in a bundle, and where each extract came from. */
export interface ArchiveSelection {
  /** The documents to archive: originals that hold other visits' pages replaced by their extracts. */
  documents: VisitDocument[];
  /** By document id of an extract: its original. */
  origins: Map<number, ExtractOrigin>;
}

const pagesOfMeta = (meta: Record<string, unknown>): number[] =>
  Array.isArray(meta.pages) ? meta.pages.filter((p): p is number => Number.isInteger(p) && (p as number) > 0) : [];

const samePages = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((p, i) => p === b[i]);

/** Whether a document is a page extract made by the archive. */
export function isPageExtract(d: VisitDocument): boolean {
  return d.role === 'derived' && typeof d.meta.extractOf === 'string';
}

/**
 * When a received document's original file also holds pages that are not this visit's
 * (another visit's, quarantined, or unread), the visit's pages and the file's page count;
 * null when the file holds only this visit's pages (it is archived as it is).
 */
function batchPagesOf(ws: Workspace, d: VisitDocument): { pages: number[]; pageCount: number } | null {
  if (d.role !== 'received') return null;
  const pages = pagesOfMeta(d.meta);
  if (pages.length === 0) return null; // a whole file (attached by hand, or an unreadable file moved whole)
  const rows = pagesOfFile(ws.register, d.sha256).filter((r) => r.page > 0);
  const pageCount = Math.max(
    getIngestFile(ws.register, d.sha256)?.pageCount ?? 0,
    ...rows.map((r) => r.page),
    ...pages,
  );
  const own = new Set([
    ...pages,
    ...rows.filter((r) => r.status === 'assigned' && r.visitId === d.visitId).map((r) => r.page),
  ]);
  for (let p = 1; p <= pageCount; p++) if (!own.has(p)) return { pages, pageCount };
  return null;
}

function extractFor(
  docs: readonly VisitDocument[],
  original: VisitDocument,
  pages: readonly number[],
): VisitDocument | undefined {
  return docs.find(
    (e) =>
      isPageExtract(e) &&
      e.meta.extractOf === original.sha256 &&
      e.kind === original.kind &&
      samePages(pagesOfMeta(e.meta), pages),
  );
}

/**
 * The documents of a visit that go in a bundle (reads only): every document, except that a
 * received original holding other visits' pages is replaced by its extract, and extracts
 * that no longer match the visit's pages (a page was moved since) are left out, with the
 * stamped copies of both. Throws when an extract has not been made (`ensurePageExtracts`).
 */
export function archiveSelection(
  ws: Workspace,
  visitId: string,
  docs: readonly VisitDocument[] = documentsOf(ws.register, visitId),
): ArchiveSelection {
  const leaveOut = new Set<number>();
  const origins = new Map<number, ExtractOrigin>();
  const current = new Set<number>();
  for (const d of docs) {
    const batch = batchPagesOf(ws, d);
    if (!batch) continue;
    const extract = extractFor(docs, d, batch.pages);
    if (!extract) {
      throw new InputError(
        `Visit ${visitId}: the extract of pages ${batch.pages.join(', ')} of ${d.fileName} has not been made; build the bundle again (the archive makes it).`,
      );
    }
    leaveOut.add(d.documentId);
    current.add(extract.documentId);
    origins.set(extract.documentId, {
      sha256: d.sha256,
      originalName: d.fileName,
      size: ws.files.sizeOf(d.sha256),
      pageCount: batch.pageCount,
      pages: batch.pages,
    });
  }
  for (const d of docs) if (isPageExtract(d) && !current.has(d.documentId)) leaveOut.add(d.documentId);
  const leftOutSha = new Set(docs.filter((d) => leaveOut.has(d.documentId)).map((d) => d.sha256));
  const keptSha = new Set(docs.filter((d) => !leaveOut.has(d.documentId) && d.role !== 'stamped').map((d) => d.sha256));
  for (const d of docs) {
    if (d.role === 'stamped' && d.sourceSha256 && leftOutSha.has(d.sourceSha256) && !keptSha.has(d.sourceSha256))
      leaveOut.add(d.documentId);
  }
  return { documents: docs.filter((d) => !leaveOut.has(d.documentId)), origins };
}

/**
 * Removes from the register the extracts of a visit that no longer match its pages (a page
 * was moved after the extract was made), and their stamped copies, so that neither the
 * rules nor a bundle count them. Their bytes stay in the file store. Returns how many.
 */
export function dropStaleExtracts(ws: Workspace, visitId: string, actor: string): number {
  const docs = documentsOf(ws.register, visitId);
  const stale = docs.filter((e) => {
    if (!isPageExtract(e)) return false;
    return !docs.some((d) => {
      const batch = batchPagesOf(ws, d);
      return (
        batch !== null &&
        d.sha256 === e.meta.extractOf &&
        d.kind === e.kind &&
        samePages(batch.pages, pagesOfMeta(e.meta))
      );
    });
  });
  if (stale.length === 0) return 0;
  const staleSha = new Set(stale.map((e) => e.sha256));
  const gone = [
    ...stale,
    ...docs.filter((d) => d.role === 'stamped' && d.sourceSha256 !== null && staleSha.has(d.sourceSha256)),
  ];
  removeDocuments(ws.register, gone, actor, "the visit's pages of the original changed since the extract was made");
  return gone.length;
}

/** The extract's file name: `<original stem>.pages-3-4_7.pdf`. */
function extractFileName(originalName: string, pages: readonly number[]): string {
  const stem = originalName.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'scan';
  const runs: string[] = [];
  for (let i = 0; i < pages.length;) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    runs.push(j > i ? `${pages[i]}-${pages[j]}` : `${pages[i]}`);
    i = j + 1;
  }
  return `${stem}.pages-${runs.join('_')}.pdf`;
}

/**
 * Makes (once) the extract of every received document of the visit whose original holds
 * other visits' pages, and records it as a `derived` document. Building again reuses it.
 * Returns the extracts made now.
 */
export async function ensurePageExtracts(ws: Workspace, visitId: string, actor: string): Promise<VisitDocument[]> {
  const made: VisitDocument[] = [];
  for (const d of documentsOf(ws.register, visitId)) {
    const batch = batchPagesOf(ws, d);
    if (!batch || extractFor(documentsOf(ws.register, visitId), d, batch.pages)) continue;
    let bytes: Uint8Array;
    try {
      bytes = await makePageExtract(ws.files.read(d.sha256), batch.pages, {
        title: `回访 ${visitId} ${d.kind}: pages ${batch.pages.join(', ')} of ${d.fileName}`,
        subject: `Extract of pages ${batch.pages.join(', ')} of ${batch.pageCount} of ${d.fileName} (SHA-256 ${d.sha256}); the other pages belong to other visits`,
      });
    } catch (e) {
      throw new InputError(
        `Visit ${visitId}: ${d.fileName} (SHA-256 ${d.sha256.slice(0, 12)}…) also holds pages of other visits, and its pages ${batch.pages.join(', ')} could not be extracted: ${(e as Error).message}. ` +
          `Nothing was archived. Scan this visit's pages again on their own and attach them, or move the pages (huifang pages move).`,
      );
    }
    const { documentId } = storeDocument(
      ws,
      {
        visitId,
        kind: d.kind,
        role: 'derived',
        fileName: extractFileName(d.fileName, batch.pages),
        mediaType: 'application/pdf',
        pageCount: batch.pages.length,
        sourceSha256: d.sha256,
        createdBy: actor,
        meta: { extractOf: d.sha256, pages: batch.pages },
      },
      bytes,
    );
    made.push(documentsOf(ws.register, visitId).find((x) => x.documentId === documentId)!);
  }
  return made;
}

// ─── making the PDF ─────────────────────────────────────────────────────────────────

const isPdfBytes = (b: Uint8Array) => Buffer.from(b.subarray(0, 1024)).toString('latin1').includes('%PDF-');

/**
 * A PDF holding `pages` (1-based, in the order given) of a scanned file: PDF pages copied
 * as they are; image pages (TIFF, PNG, JPEG) embedded losslessly. Deterministic: no dates,
 * no random ids; the document info names what it is an extract of.
 */
async function makePageExtract(
  original: Uint8Array,
  pages: readonly number[],
  info: { title: string; subject: string },
): Promise<Uint8Array> {
  if (pages.length === 0) throw new Error('no pages to extract');
  const out = await PDFDocument.create({ updateMetadata: false });
  out.setTitle(info.title);
  out.setSubject(info.subject);
  out.setProducer('huifang');
  out.setCreator('huifang archive (page extract)');
  if (isPdfBytes(original)) await copyPdfPages(out, original, pages);
  else await embedImagePages(out, original, pages);
  return out.save({ useObjectStreams: false, addDefaultPage: false });
}

async function copyPdfPages(out: PDFDocument, original: Uint8Array, pages: readonly number[]): Promise<void> {
  let src: PDFDocument;
  try {
    src = await PDFDocument.load(original, { updateMetadata: false });
  } catch (e) {
    throw new Error(`the PDF cannot be opened to copy its pages (${(e as Error).message.split('\n')[0]})`);
  }
  if (src.isEncrypted) throw new Error('the PDF is encrypted, so its pages cannot be copied');
  const count = src.getPageCount();
  const missing = pages.filter((p) => p > count);
  if (missing.length) throw new Error(`the PDF has ${count} pages; page ${missing[0]} is not in it`);
  for (const page of await out.copyPages(
    src,
    pages.map((p) => p - 1),
  ))
    out.addPage(page);
}

async function embedImagePages(out: PDFDocument, original: Uint8Array, pages: readonly number[]): Promise<void> {
  const meta = await sharp(original).metadata();
  const count = Math.max(1, meta.pages ?? 1);
  const missing = pages.filter((p) => p > count);
  if (missing.length) throw new Error(`the file has ${count} page(s); page ${missing[0]} is not in it`);
  for (const p of pages) {
    const img = await pageImage(original, p - 1, count > 1);
    const ref = imageXObject(out.context, img);
    const wPt = (img.width / img.dpi) * 72;
    const hPt = (img.height / img.dpi) * 72;
    const page = out.addPage([wPt, hPt]);
    const name = page.node.newXObject('Scan', ref);
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(wPt, 0, 0, hPt, 0, 0),
      drawObject(name),
      popGraphicsState(),
    );
    if (img.rotate) page.setRotation(degrees(img.rotate));
  }
}

interface PageImage {
  width: number;
  height: number;
  dpi: number;
  /** Samples, row by row, big-endian when 16-bit; `bits` 1 means packed black-and-white. */
  samples: Uint8Array;
  colors: 1 | 3;
  bits: 1 | 8 | 16;
  alpha: Uint8Array | null;
  /** Clockwise display rotation from the file's orientation tag (0, 90, 180, 270). */
  rotate: number;
}

/** A page's resolution: the file's when plausible for a scanned page, else the one that makes it A4. */
function pageDpi(density: number | undefined, width: number, height: number): number {
  if (density && density >= 50 && density <= 2400) {
    const shortMm = (Math.min(width, height) / density) * 25.4;
    if (shortMm >= 50 && shortMm <= 1200) return density;
  }
  return Math.max((Math.min(width, height) / A4.width) * 25.4, (Math.max(width, height) / A4.height) * 25.4);
}

async function pageImage(bytes: Uint8Array, index: number, multi: boolean): Promise<PageImage> {
  const open = () => sharp(bytes, multi ? { page: index, pages: 1 } : {});
  const meta = await open().metadata();
  const wide = meta.depth === 'ushort' || meta.depth === 'short';
  let pipe = open();
  // Keep grey pages grey (sharp would output sRGB); CMYK becomes sRGB, which is what viewers show.
  if ((meta.channels ?? 3) <= 2) pipe = pipe.toColourspace(wide ? 'grey16' : 'b-w');
  else if (meta.space === 'cmyk') pipe = pipe.toColourspace('srgb');
  const { data, info } = await pipe.raw(wide ? { depth: 'ushort' } : {}).toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const hasAlpha = channels === 2 || channels === 4;
  const colors = (channels >= 3 ? 3 : 1) as 1 | 3;
  const bytesPerSample = wide ? 2 : 1;
  const n = width * height;
  const samples = new Uint8Array(n * colors * bytesPerSample);
  const alpha = hasAlpha ? new Uint8Array(n * bytesPerSample) : null;
  const src = new Uint8Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < colors; c++) {
      for (let b = 0; b < bytesPerSample; b++) {
        // sharp's 16-bit samples are little-endian; PDF's are big-endian
        samples[(i * colors + c) * bytesPerSample + b] =
          src[(i * channels + c) * bytesPerSample + (bytesPerSample - 1 - b)]!;
      }
    }
    if (alpha)
      for (let b = 0; b < bytesPerSample; b++)
        alpha[i * bytesPerSample + b] = src[(i * channels + colors) * bytesPerSample + (bytesPerSample - 1 - b)]!;
  }
  const rotate = meta.orientation === 3 ? 180 : meta.orientation === 6 ? 90 : meta.orientation === 8 ? 270 : 0;
  const dpi = pageDpi(meta.density, width, height);
  if (colors === 1 && !wide && !alpha && samples.every((v) => v === 0 || v === 255)) {
    return { width, height, dpi, samples: packBits(samples, width, height), colors, bits: 1, alpha: null, rotate };
  }
  return { width, height, dpi, samples, colors, bits: wide ? 16 : 8, alpha, rotate };
}

/** Black-and-white samples (0 or 255) as 1-bit rows, 1 = white (DeviceGray). */
function packBits(grey: Uint8Array, width: number, height: number): Uint8Array {
  const rowBytes = Math.ceil(width / 8);
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (grey[y * width + x] === 255) out[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return out;
}

/**
 * PNG row filtering (the PDF Flate predictor 15: each row chooses its filter), chosen per
 * row by the smallest sum of absolute differences, as PNG encoders do.
 */
function pngPredict(data: Uint8Array, rowBytes: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array((rowBytes + 1) * height);
  const zero = new Uint8Array(rowBytes);
  const trial = Array.from({ length: 5 }, () => new Uint8Array(rowBytes));
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * rowBytes, (y + 1) * rowBytes);
    const up = y > 0 ? data.subarray((y - 1) * rowBytes, y * rowBytes) : zero;
    let best = 0;
    let bestCost = Infinity;
    for (let f = 0; f < 5; f++) {
      const t = trial[f]!;
      let cost = 0;
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0;
        const b = up[i]!;
        const c = i >= bpp ? up[i - bpp]! : 0;
        let pred = 0;
        if (f === 1) pred = a;
        else if (f === 2) pred = b;
        else if (f === 3) pred = (a + b) >> 1;
        else if (f === 4) {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
        const v = (row[i]! - pred) & 0xff;
        t[i] = v;
        cost += v < 128 ? v : 256 - v;
        if (cost >= bestCost) break;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    // a trial that stopped early was not the best, so the winner's row is complete
    out[y * (rowBytes + 1)] = best;
    out.set(trial[best]!, y * (rowBytes + 1) + 1);
  }
  return out;
}

function flateImage(
  context: PDFContext,
  samples: Uint8Array,
  width: number,
  height: number,
  colors: 1 | 3,
  bits: 1 | 8 | 16,
  extra: Record<string, unknown> = {},
): PDFRef {
  const rowBytes = Math.ceil((width * colors * bits) / 8);
  const bpp = Math.max(1, (colors * bits) / 8);
  const stream = context.flateStream(pngPredict(samples, rowBytes, height, bpp), {
    Type: 'XObject',
    Subtype: 'Image',
    Width: width,
    Height: height,
    ColorSpace: colors === 1 ? 'DeviceGray' : 'DeviceRGB',
    BitsPerComponent: bits,
    DecodeParms: { Predictor: 15, Colors: colors, BitsPerComponent: bits, Columns: width },
    ...extra,
  });
  return context.register(stream);
}

function imageXObject(context: PDFContext, img: PageImage): PDFRef {
  const smask = img.alpha ? flateImage(context, img.alpha, img.width, img.height, 1, img.bits === 16 ? 16 : 8) : null;
  return flateImage(context, img.samples, img.width, img.height, img.colors, img.bits, smask ? { SMask: smask } : {});
}
