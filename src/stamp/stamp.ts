/**
 * Stamping (SPEC §5): every PDF that will be archived gets the visit id, customer id,
 * document kind, the SHA-256 of its source and the archive reference in its Info dictionary
 * and in an XMP metadata stream, and a visible footer (archive reference, page n/m) on every
 * page that never covers content:
 *
 * - pages huifang rendered (A4, `Producer (huifang…)`): the footer goes in `FOOTER_BAND`,
 *   which render never draws into;
 * - any other page (a scan, a mail client's printout): nothing is scaled or moved; the page
 *   is rasterised and the footer, in 6 pt type, goes into the lowest 8 mm only where that
 *   strip is blank (else the top 8 mm, else a blank stretch of either); a page with no blank
 *   place gets no footer, and the result says which pages (the metadata still names them).
 *
 * The input bytes are never modified; the stamped copy is new bytes. Deterministic: the same
 * input and options give the same bytes (the file identifier is derived from them, and no
 * clock is read — pass `date` to record one).
 */
import { invalidParameter } from '../domain/messages.ts';
import { createHash } from 'node:crypto';
import {
  degrees,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFArray,
  PDFString,
  StandardFonts,
  rgb,
  type PDFFont,
  type PDFPage,
} from '@cantoo/pdf-lib';
import { A4, FOOTER_BAND, mmToPt } from '../layout/page.ts';
import { rasterizePdf, type RasterPage } from '../formats/rasterize.ts';
import { buildXmp } from './xmp.ts';

export interface StampOptions {
  visitId: string;
  customerId: string;
  /** The document kind (`form`, `email-printout`, `envelope`, …). */
  kind: string;
  /** SHA-256 of the source file the PDF is (or was made from). */
  sourceSha256: string;
  /** The archive reference printed in the footer, e.g. `3101-2026-11/HF-7K3M9-Q2T4X/03`. */
  archiveRef: string;
  /** ISO date-time to record as the modification date; none is written when absent. */
  date?: string;
  /** `huifang`: footer in FOOTER_BAND; `foreign`: footer only where the page is blank; `auto` (default) decides per document. */
  layout?: 'auto' | 'huifang' | 'foreign';
  /** Name of the file, for error messages. */
  fileName?: string;
}

export interface StampResult {
  pdf: Uint8Array;
  pageCount: number;
  /** Where each page's footer went. */
  footers: { page: number; placement: 'footer-band' | 'bottom-margin' | 'top-margin' | 'none' }[];
  /** Pages that got no footer because no blank place was found (content is never covered). */
  footerSkipped: number[];
}

/** A PDF that cannot be stamped (encrypted, damaged); the original stays as it is. */
export class StampError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'StampError';
  }
}

/** Info dictionary keys huifang adds (besides Title, Subject, Keywords). */
const INFO_KEYS = {
  visitId: 'HuifangVisitId',
  customerId: 'HuifangCustomerId',
  kind: 'HuifangDocumentKind',
  sourceSha256: 'HuifangSourceSha256',
  archiveRef: 'HuifangArchiveRef',
} as const;

const FOOTER_SIZE_BAND = 7;
const FOOTER_SIZE_FOREIGN = 6;
/** The strip of a foreign page the footer may use: the lowest (or highest) 8 mm. */
const STRIP_MM = 8;
/** Ink: a pixel darker than this (0–255 luminance) counts as content. */
const INK_LEVEL = 200;
const SCAN_DPI = 50;

function pdfDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw invalidParameter('date', 'an ISO date-time', iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `D:${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

function assertFooterText(ref: string): void {
  if (!/^[\x20-\x7e]+$/.test(ref)) {
    throw invalidParameter('archiveRef (it is printed in the footer)', 'printable ASCII', ref);
  }
}

function isA4(page: PDFPage): boolean {
  const { width, height } = page.getMediaBox();
  return (
    Math.abs(width - mmToPt(A4.width)) < 2 &&
    Math.abs(height - mmToPt(A4.height)) < 2 &&
    page.getRotation().angle % 360 === 0
  );
}

function textOf(info: PDFDict | undefined, key: string): string | undefined {
  const v = info?.lookup(PDFName.of(key));
  return v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : undefined;
}

/** Columns (in px) of a raster strip that hold ink, as a boolean per column. */
function inkColumns(r: RasterPage, top: number, bottom: number): boolean[] {
  const cols = new Array<boolean>(r.width).fill(false);
  for (let y = Math.max(0, top); y < Math.min(r.height, bottom); y++) {
    for (let x = 0; x < r.width; x++) {
      const i = (y * r.width + x) * 4;
      const lum = 0.299 * r.data[i]! + 0.587 * r.data[i + 1]! + 0.114 * r.data[i + 2]!;
      if (lum < INK_LEVEL) cols[x] = true;
    }
  }
  return cols;
}

/** The left end (px) of a blank run of `need` px in a strip, preferring the right-hand end; -1 if none. */
function blankRun(cols: boolean[], need: number, margin: number): number {
  let run = 0;
  for (let x = cols.length - 1 - margin; x >= margin; x--) {
    run = cols[x] ? 0 : run + 1;
    if (run >= need) return x;
  }
  return -1;
}

interface Spot {
  placement: 'bottom-margin' | 'top-margin';
  /** Left end of the text, in mm from the visible page's left edge. */
  xMm: number;
  /** Baseline, in mm from the visible page's bottom edge. */
  yMm: number;
}

/** Finds a blank place for a footer `widthMm` wide on a rendered page, or null. */
function findBlankSpot(r: RasterPage, widthMm: number): Spot | null {
  const pxPerMm = r.dpi / 25.4;
  const strip = Math.ceil(STRIP_MM * pxPerMm);
  const need = Math.ceil((widthMm + 2) * pxPerMm);
  const margin = Math.ceil(3 * pxPerMm);
  const heightMm = r.height / pxPerMm;
  const bottom = blankRun(inkColumns(r, r.height - strip, r.height), need, margin);
  if (bottom >= 0) return { placement: 'bottom-margin', xMm: bottom / pxPerMm + 1, yMm: 3.2 };
  const top = blankRun(inkColumns(r, 0, strip), need, margin);
  if (top >= 0) return { placement: 'top-margin', xMm: top / pxPerMm + 1, yMm: heightMm - STRIP_MM + 3.2 };
  return null;
}

/** Draws text at a position given in the page's visible (rotated) frame. */
function drawVisible(page: PDFPage, font: PDFFont, text: string, size: number, xPt: number, yPt: number): void {
  const box = page.getCropBox();
  const angle = ((page.getRotation().angle % 360) + 360) % 360;
  const { x: x0, y: y0, width: W, height: H } = box;
  let x = x0 + xPt;
  let y = y0 + yPt;
  if (angle === 90) [x, y] = [x0 + W - yPt, y0 + xPt];
  else if (angle === 180) [x, y] = [x0 + W - xPt, y0 + H - yPt];
  else if (angle === 270) [x, y] = [x0 + yPt, y0 + H - xPt];
  page.drawText(text, { x, y, size, font, color: rgb(0.25, 0.25, 0.25), rotate: degrees(angle) });
}

/**
 * Stamps a PDF: metadata (Info + XMP) and a footer on every page. Returns new bytes; the
 * input is not touched.
 *
 * @example
 * const { pdf } = await stampPdf(bytes, { visitId, customerId, kind: 'form', sourceSha256, archiveRef: '3101-2026-11/HF-7K3M9-Q2T4X/01' });
 * @throws StampError when the PDF is encrypted or cannot be parsed.
 */
export async function stampPdf(bytes: Uint8Array, options: StampOptions): Promise<StampResult> {
  assertFooterText(options.archiveRef);
  const doc = await loadForStamping(bytes, options.fileName ?? 'the PDF');
  const maker = makerOf(doc);
  const footers = await drawFooters(doc, bytes, options, maker.madeByHuifang);
  const names = writeInfo(doc, options);
  const fingerprint = writeXmp(doc, bytes, options, names, maker);
  setFileIdentifier(doc, fingerprint);
  const pdf = await doc.save({ useObjectStreams: false, updateFieldAppearances: false });
  return {
    pdf,
    pageCount: doc.getPageCount(),
    footers,
    footerSkipped: footers.filter((f) => f.placement === 'none').map((f) => f.page),
  };
}

const ENCRYPTED =
  'the PDF is encrypted (password-protected); it cannot be stamped. Archive it unstamped with its SHA-256, or ask for an unprotected copy';

/** The PDF parsed, or a StampError saying why it cannot be stamped. */
async function loadForStamping(bytes: Uint8Array, fileName: string): Promise<PDFDocument> {
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(new Uint8Array(bytes), { updateMetadata: false });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new StampError(
      fileName,
      /encrypt/i.test(why) ? ENCRYPTED : `the PDF cannot be read (${why}); it is archived as it is`,
    );
  }
  if (doc.isEncrypted) throw new StampError(fileName, ENCRYPTED);
  return doc;
}

/** Who made the PDF, as its Info dictionary says. */
interface Maker {
  producer: string | undefined;
  creator: string | undefined;
  /** Made by huifang: its A4 pages get the footer in the footer band. */
  madeByHuifang: boolean;
}

/** Who made the PDF, as its Info dictionary says (huifang's own pages get the footer band). */
function makerOf(doc: PDFDocument): Maker {
  const context = doc.context;
  const existingInfo = context.trailerInfo.Info ? context.lookup(context.trailerInfo.Info, PDFDict) : undefined;
  const producer = textOf(existingInfo, 'Producer');
  const creator = textOf(existingInfo, 'Creator');
  const madeByHuifang = /^huifang/i.test(producer ?? '') || /^huifang/i.test(creator ?? '');
  return { producer, creator, madeByHuifang };
}

/** A footer on every page: in the footer band on huifang's pages, in a blank place on any other. */
async function drawFooters(
  doc: PDFDocument,
  bytes: Uint8Array,
  options: StampOptions,
  madeByHuifang: boolean,
): Promise<StampResult['footers']> {
  const { archiveRef, layout = 'auto' } = options;
  const pages = doc.getPages();
  const total = pages.length;
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const footers: StampResult['footers'] = [];
  const useBand = (p: PDFPage): boolean => layout === 'huifang' || (layout === 'auto' && madeByHuifang && isA4(p));
  const foreignPages = pages.map((p, i) => (useBand(p) ? 0 : i + 1)).filter((n) => n > 0);
  const rasters = new Map<number, RasterPage>();
  if (foreignPages.length > 0) {
    for (const r of await rasterizePdf(bytes, { dpi: SCAN_DPI, pages: foreignPages })) rasters.set(r.page, r);
  }
  pages.forEach((page, i) => {
    const n = i + 1;
    if (useBand(page)) {
      drawBandFooter(page, font, `Archive ${archiveRef}   Page ${n}/${total}`);
      footers.push({ page: n, placement: 'footer-band' });
      return;
    }
    const text = `${archiveRef}  ${n}/${total}`;
    const widthMm = (font.widthOfTextAtSize(text, FOOTER_SIZE_FOREIGN) * 25.4) / 72;
    const spot = findBlankSpot(rasters.get(n)!, widthMm);
    if (!spot) {
      footers.push({ page: n, placement: 'none' });
      return;
    }
    drawVisible(page, font, text, FOOTER_SIZE_FOREIGN, mmToPt(spot.xMm), mmToPt(spot.yMm));
    footers.push({ page: n, placement: spot.placement });
  });
  return footers;
}

/** The footer in FOOTER_BAND of a page huifang rendered, centred in the band's height. */
function drawBandFooter(page: PDFPage, font: PDFFont, text: string): void {
  const band = FOOTER_BAND;
  const size = FOOTER_SIZE_BAND;
  drawVisible(
    page,
    font,
    text,
    size,
    mmToPt(band.x),
    mmToPt(A4.height - band.y - band.height) + (mmToPt(band.height) - size) / 2 + 1,
  );
}

/** What the metadata names the document by. */
interface StampNames {
  title: string;
  subject: string;
  keywords: string;
}

/** The Info dictionary: title, subject, keywords and huifang's own keys. */
function writeInfo(doc: PDFDocument, options: StampOptions): StampNames {
  const { visitId, customerId, kind, sourceSha256, archiveRef, date } = options;
  const title = `${kind} ${visitId}`;
  const subject = `回访 ${visitId} 客户 ${customerId} 文件类型 ${kind}`;
  const keywords = `huifang; ${visitId}; ${customerId}; ${kind}; ${archiveRef}; sha256:${sourceSha256}`;
  doc.setTitle(title);
  doc.setSubject(subject);
  const context = doc.context;
  const info = context.lookup(context.trailerInfo.Info, PDFDict);
  info.set(PDFName.of('Keywords'), PDFHexString.fromText(keywords));
  info.set(PDFName.of(INFO_KEYS.visitId), PDFString.of(visitId));
  info.set(PDFName.of(INFO_KEYS.customerId), PDFString.of(customerId));
  info.set(PDFName.of(INFO_KEYS.kind), PDFString.of(kind));
  info.set(PDFName.of(INFO_KEYS.sourceSha256), PDFString.of(sourceSha256));
  info.set(PDFName.of(INFO_KEYS.archiveRef), PDFHexString.fromText(archiveRef));
  if (date) info.set(PDFName.of('ModDate'), PDFString.of(pdfDate(date)));
  return { title, subject, keywords };
}

/**
 * The XMP metadata stream (uncompressed, as XMP readers scan for it). Returns the stamp's
 * fingerprint: a hash of the input and the options, from which the instance id and the file
 * identifier are derived.
 */
function writeXmp(doc: PDFDocument, bytes: Uint8Array, options: StampOptions, names: StampNames, maker: Maker): string {
  const { visitId, customerId, kind, sourceSha256, archiveRef, date, layout = 'auto' } = options;
  const fingerprint = createHash('sha256')
    .update(bytes)
    .update(JSON.stringify({ visitId, customerId, kind, sourceSha256, archiveRef, date: date ?? null, layout }))
    .digest('hex');
  const uuid = (h: string) =>
    `uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  const xmp = buildXmp({
    title: names.title,
    description: names.subject,
    keywords: names.keywords,
    identifier: archiveRef,
    ...(maker.producer ? { producer: maker.producer } : {}),
    creatorTool: maker.creator ?? 'huifang',
    ...(date ? { modifyDate: new Date(date).toISOString() } : {}),
    documentId: uuid(sourceSha256),
    instanceId: uuid(fingerprint),
    huifang: {
      VisitId: visitId,
      CustomerId: customerId,
      DocumentKind: kind,
      SourceSha256: sourceSha256,
      ArchiveRef: archiveRef,
    },
  });
  const context = doc.context;
  const metadata = context.stream(Buffer.from(xmp, 'utf8'), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), context.register(metadata));
  return fingerprint;
}

/** A file identifier derived from the content and the stamp, so the same input gives the same bytes. */
function setFileIdentifier(doc: PDFDocument, fingerprint: string): void {
  const context = doc.context;
  const id = PDFHexString.of(fingerprint.slice(0, 32).toUpperCase());
  context.trailerInfo.ID = PDFArray.withContext(context);
  (context.trailerInfo.ID as PDFArray).push(id);
  (context.trailerInfo.ID as PDFArray).push(id);
}
