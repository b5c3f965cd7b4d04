/**
 * Decoding scanned files into page images: JPEG, PNG, TIFF (multi-page, CCITT G4 bilevel
 * as office scanners write it) and scanned PDFs (the embedded page image when a page is
 * one image, else the page rasterized).
 *
 * Scans come from outside: every page is decoded under limits (pixels, pages), and a
 * page that cannot be decoded becomes a `PageFailure` in plain words, never a crash and
 * never the end of the other pages.
 */
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import {
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFDict,
  PDFArray,
  PDFBool,
  type PDFPage,
} from '@cantoo/pdf-lib';
import { rasterizePdf } from '../formats/rasterize.ts';
import { A4 } from '../layout/page.ts';

/** One decoded page: raw pixels, row by row, `channels` bytes a pixel (1 grey or 3 RGB). */
export interface DecodedPage {
  /** 1-based page number within the file. */
  page: number;
  width: number;
  height: number;
  /** Resolution of these pixels: the file's (from its metadata or, when absent or implausible, from the page size as A4), divided by `shrink`. */
  dpi: number;
  /** The file's own resolution. */
  scanDpi: number;
  /** Whole factor the page was shrunk by while decoding (see `DecodeOptions.targetDpi`); 1 when not. */
  shrink: number;
  dpiSource: 'metadata' | 'page-size';
  channels: 1 | 3;
  /** No colour information: a grey or bilevel scan, or a colour file whose every pixel is neutral. */
  grey: boolean;
  /** Black and white only (1-bit, e.g. CCITT G4): faint or red ink may have dropped out. */
  bilevel: boolean;
  data: Uint8Array;
  /** What the page was decoded from: `jpeg`, `png`, `tiff`, `pdf image (jpeg|ccittfax4|flate)`, `pdf rasterized`. */
  source: string;
}

/** A page (or, with `page: null`, a whole file) that could not be decoded. */
export interface PageFailure {
  page: number | null;
  reason: string;
}

export interface DecodeOptions {
  /**
   * Decode pages shrunk by a whole factor towards this resolution (e.g. 150 for reading:
   * JPEGs then decode several times faster). Default: the file's own resolution.
   */
  targetDpi?: number;
  /** Most pixels a page may have (default 80 million: A4 at 600 dpi is 35 million). */
  maxPixels?: number;
  /** Most pages read from one file (default 2000); the rest are reported as one failure. */
  maxPages?: number;
  /** Resolution at which PDF pages that are not a single image are rasterized (default 200). */
  rasterDpi?: number;
  /**
   * Which page to decode next (0-based), asked before each page: several threads decoding
   * one file share a counter this way, each taking the next page no other has taken. Pages
   * are decoded until it returns the page count or more. Default: every page in order.
   */
  claimPage?: () => number;
  /** Told the file's page count as soon as it is known, before its first page is decoded. */
  onPageCount?: (count: number) => void;
}

/** The same options, by the name the limits were first given. */
export type DecodeLimits = DecodeOptions;

export type ScanFormat = 'jpeg' | 'png' | 'tiff' | 'pdf';

export function isPageFailure(p: DecodedPage | PageFailure): p is PageFailure {
  return (p as DecodedPage).data === undefined;
}

/** The format named by a file's first bytes, or null. */
export function sniffFormat(bytes: Uint8Array): ScanFormat | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (
    b.length >= 4 &&
    ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) ||
      (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))
  )
    return 'tiff';
  // PDF readers accept the header anywhere in the first kilobyte.
  const head = Buffer.from(b.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  return null;
}

/**
 * Decodes every page of a scanned file, one at a time, in page order. Yields a
 * `DecodedPage` for each readable page and a `PageFailure` for each unreadable one (or one
 * failure with `page: null` when the whole file is unusable).
 *
 * @example
 * for await (const p of decodePages(bytes, 'batch-07.tif')) {
 *   if (isPageFailure(p)) quarantine(p.page, p.reason); else read(await readPage(p));
 * }
 */
export async function* decodePages(
  bytes: Uint8Array,
  name: string,
  options: DecodeOptions = {},
): AsyncGenerator<DecodedPage | PageFailure> {
  const lim: Limits = {
    maxPixels: options.maxPixels ?? 80_000_000,
    maxPages: options.maxPages ?? 2000,
    rasterDpi: options.targetDpi
      ? Math.min(options.rasterDpi ?? 200, Math.max(options.targetDpi, 100))
      : (options.rasterDpi ?? 200),
    targetDpi: options.targetDpi ?? null,
    claimPage: options.claimPage ?? counter(),
    onPageCount: options.onPageCount ?? (() => {}),
  };
  if (bytes.length === 0) {
    yield { page: null, reason: `${name} is empty (0 bytes); scan it again or check the copy` };
    return;
  }
  const format = sniffFormat(bytes);
  if (!format) {
    yield {
      page: null,
      reason: `${name} is not a JPEG, PNG, TIFF or PDF file (its first bytes are ${hex(bytes.subarray(0, 8))}); scan to one of those formats`,
    };
    return;
  }
  if (format === 'pdf') {
    yield* decodePdf(bytes, name, lim);
    return;
  }
  let pages = 1;
  try {
    const meta = await sharp(bytes, { limitInputPixels: lim.maxPixels }).metadata();
    pages = Math.max(1, meta.pages ?? 1);
  } catch (e) {
    yield { page: null, reason: `${name}: ${explainImageError(e, format)}` };
    return;
  }
  const count = Math.min(pages, lim.maxPages);
  lim.onPageCount(count);
  for (let i = lim.claimPage(); i < count; i = lim.claimPage()) {
    try {
      yield await decodeImagePage(bytes, format, i, lim, pages > 1);
    } catch (e) {
      yield { page: i + 1, reason: `${name}, page ${i + 1}: ${explainImageError(e, format)}` };
    }
  }
  if (pages > count)
    yield {
      page: count + 1,
      reason: `${name} has ${pages} pages; only the first ${count} were read (page limit). Split the file and ingest the rest separately`,
    };
}

async function decodeImagePage(
  bytes: Uint8Array,
  format: ScanFormat,
  index: number,
  lim: Limits,
  multi: boolean,
  knownDpi?: number,
  knownBilevel = false,
): Promise<DecodedPage> {
  const input = sharp(bytes, {
    limitInputPixels: lim.maxPixels,
    failOn: 'error',
    ...(multi ? { page: index, pages: 1 } : {}),
  });
  const meta = await input.metadata();
  const singleChannel = meta.channels === 1 || meta.channels === 2 || meta.space === 'b-w' || meta.space === 'grey16';
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  const { dpi: scanDpi, dpiSource } = knownDpi
    ? { dpi: knownDpi, dpiSource: 'metadata' as const }
    : resolveDpi(meta.density, width, height);
  const shrink = lim.targetDpi ? Math.max(1, Math.floor(scanDpi / lim.targetDpi + 0.25)) : 1;
  let pipe = input.rotate(); // honour EXIF orientation (photographed pages)
  if (meta.hasAlpha) pipe = pipe.flatten({ background: '#ffffff' });
  // Shrinking while decoding (JPEG's DCT scaling) is what makes large scans quick to read.
  if (shrink > 1) pipe = pipe.resize({ width: Math.max(1, Math.floor(width / shrink)), kernel: 'linear' });
  pipe = singleChannel ? pipe.toColourspace('b-w') : pipe.toColourspace('srgb');
  const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const channels = info.channels === 1 ? 1 : 3;
  const pixels =
    channels === 1 || info.channels === 3
      ? new Uint8Array(data.buffer, data.byteOffset, data.length)
      : dropAlpha(data, info.channels);
  const grey = channels === 1 || isNeutral(pixels);
  // A shrunk bilevel page has grey edges, and a clean grey scan few grey levels: judge the
  // file's own pixels — its bit depth, else a full-resolution strip of a lossless grey page.
  // (A JPEG is never taken for black and white: its codec cannot keep pure black and white.)
  let bilevel = channels === 1 && (knownBilevel || (meta as { bitsPerSample?: number }).bitsPerSample === 1);
  if (channels === 1 && !bilevel) {
    if (shrink === 1) bilevel = isBilevel(pixels);
    else if (format !== 'jpeg') bilevel = isBilevel(await fullResolutionStrip(bytes, index, lim, multi, width, height));
  }
  return {
    page: index + 1,
    width: info.width,
    height: info.height,
    dpi: scanDpi / shrink,
    scanDpi,
    shrink,
    dpiSource,
    channels,
    grey,
    bilevel,
    data: pixels,
    source: format,
  };
}

/** A horizontal strip across the middle of a page (a tenth of its height), grey, at the file's own resolution. */
async function fullResolutionStrip(
  bytes: Uint8Array,
  index: number,
  lim: Limits,
  multi: boolean,
  width: number,
  height: number,
): Promise<Uint8Array> {
  const top = Math.floor(height * 0.45);
  const h = Math.max(1, Math.min(height - top, Math.floor(height * 0.1)));
  const strip = await sharp(bytes, {
    limitInputPixels: lim.maxPixels,
    failOn: 'error',
    ...(multi ? { page: index, pages: 1 } : {}),
  })
    .rotate()
    .extract({ left: 0, top, width, height: h })
    .toColourspace('b-w')
    .raw({ depth: 'uchar' })
    .toBuffer();
  return new Uint8Array(strip.buffer, strip.byteOffset, strip.length);
}

function dropAlpha(data: Uint8Array, channels: number): Uint8Array {
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < data.length; i += channels, j += 3) {
    out[j] = data[i]!;
    out[j + 1] = data[i + 1]!;
    out[j + 2] = data[i + 2]!;
  }
  return out;
}

/**
 * Whether a grey image holds only black and white (sampled). Shrunk, a black-and-white
 * page holds only a few grey levels (the means of black and white pixels), where a grey
 * scan spreads over all of them.
 */
function isBilevel(grey: Uint8Array, shrink = 1): boolean {
  const hist = new Uint32Array(256);
  let n = 0;
  for (let i = 0; i < grey.length; i += 5, n++) hist[grey[i]!]!++;
  if (shrink === 1) {
    // Unshrunk: (almost) every pixel pure black or white, and some black. A few grey specks
    // (dust added after thresholding, a stamp pasted on) do not make a grey scan, whose
    // anti-aliased print edges alone spread over many levels.
    const between = n - hist[0]! - hist[255]!;
    return n > 0 && between <= 0.002 * n && hist[0]! >= 0.001 * n;
  }
  const top = [...hist]
    .sort((a, b) => b - a)
    .slice(0, 12)
    .reduce((s, x) => s + x, 0);
  return n > 0 && top / n >= 0.95;
}

/** Whether an RGB image carries no colour: every sampled pixel neutral within JPEG rounding. */
function isNeutral(rgb: Uint8Array): boolean {
  const step = 3 * 7;
  for (let i = 0; i + 2 < rgb.length; i += step) {
    const r = rgb[i]!;
    const g = rgb[i + 1]!;
    const b = rgb[i + 2]!;
    if (Math.max(Math.abs(r - g), Math.abs(g - b), Math.abs(r - b)) > 6) return false;
  }
  return true;
}

/**
 * The resolution to believe: the metadata's when it makes the image a plausible page
 * (140–330 mm on its short side), else the one that makes the image A4.
 */
function resolveDpi(
  metaDpi: number | undefined,
  width: number,
  height: number,
): { dpi: number; dpiSource: 'metadata' | 'page-size' } {
  if (metaDpi && metaDpi >= 50 && metaDpi <= 2400) {
    // The short side of a scanned page: A5 148 mm … A3 297 mm, with some glass around it.
    const wMm = (Math.min(width, height) / metaDpi) * 25.4;
    if (wMm >= 140 && wMm <= 330) return { dpi: metaDpi, dpiSource: 'metadata' };
  }
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  // Whichever side is relatively shorter than A4 was cut; the other gives the scale.
  const dpi = Math.max((short / A4.width) * 25.4, (long / A4.height) * 25.4);
  return { dpi: Math.round(dpi), dpiSource: 'page-size' };
}

function explainImageError(e: unknown, format: ScanFormat): string {
  const text = e instanceof Error ? e.message : String(e);
  const label = format.toUpperCase();
  if (/pixel limit/i.test(text))
    return `the ${label} image is larger than the pixel limit (a decompression bomb or an absurd resolution); it was not decoded. Rescan at 600 dpi or less`;
  if (
    /premature end|truncat|unexpected end|end of (file|data)|short read|read error|out of data|not enough data/i.test(
      text,
    )
  )
    return `the ${label} file is truncated (it ends before the image does); copy or scan it again`;
  if (/unsupported image format|bad seek|corrupt|invalid|not a|improper|bogus|unknown/i.test(text))
    return `the ${label} file is damaged and cannot be decoded (${firstLine(text)}); scan it again`;
  return `the ${label} image cannot be decoded (${firstLine(text)}); scan it again`;
}

const firstLine = (s: string): string => s.split('\n')[0]!.slice(0, 160);
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

// ---------------------------------------------------------------------------------------
// PDF

interface Limits {
  maxPixels: number;
  maxPages: number;
  rasterDpi: number;
  targetDpi: number | null;
  claimPage: () => number;
  onPageCount: (count: number) => void;
}

/**
 * The pages of a PDF as pdf-lib reads them; null when it cannot (damaged structure, no page
 * tree, encryption): pdf.js is tried then.
 */
async function pdfLibPages(bytes: Uint8Array): Promise<PDFPage[] | null> {
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
    return doc.isEncrypted ? null : doc.getPages();
  } catch {
    return null;
  }
}

/** 0, 1, 2, …: every page in order. */
function counter(): () => number {
  let next = 0;
  return () => next++;
}

async function* decodePdf(bytes: Uint8Array, name: string, lim: Limits): AsyncGenerator<DecodedPage | PageFailure> {
  const pages = await pdfLibPages(bytes);
  if (pages === null) {
    // pdf-lib is strict about structure (and leaves encrypted streams encrypted); pdf.js
    // repairs more, and opens files whose user password is empty. Try it before giving up.
    yield* rasterizeAll(bytes, name, lim);
    return;
  }
  if (pages.length === 0) {
    yield {
      page: null,
      reason: `${name}: the PDF has no readable pages (damaged or truncated); export or scan it again`,
    };
    return;
  }
  const count = Math.min(pages.length, lim.maxPages);
  lim.onPageCount(count);
  for (let i = lim.claimPage(); i < count; i = lim.claimPage()) {
    const n = i + 1;
    try {
      const page = pages[i]!;
      const image = await extractPageImage(page, lim);
      if (image) {
        yield { ...image, page: n };
        continue;
      }
      const raster = await rasterizeOne(bytes, n, page.getWidth(), page.getHeight(), lim);
      yield pageImagesBilevel(page) ? { ...raster, bilevel: true } : raster;
    } catch (e) {
      yield { page: n, reason: `${name}, page ${n}: ${explainPdfError(e)}` };
    }
  }
  if (pages.length > count)
    yield {
      page: count + 1,
      reason: `${name} has ${pages.length} pages; only the first ${count} were read (page limit). Split the file and ingest the rest separately`,
    };
}

/** Rasterizes every page with pdf.js when pdf-lib cannot open the file (damaged or encrypted). */
async function* rasterizeAll(bytes: Uint8Array, name: string, lim: Limits): AsyncGenerator<DecodedPage | PageFailure> {
  let sizes: { width: number; height: number }[];
  try {
    sizes = await pdfPageSizes(bytes);
  } catch (e) {
    yield { page: null, reason: `${name}: ${explainPdfError(e)}` };
    return;
  }
  const count = Math.min(sizes.length, lim.maxPages);
  lim.onPageCount(count);
  for (let i = lim.claimPage(); i < count; i = lim.claimPage()) {
    try {
      yield await rasterizeOne(bytes, i + 1, sizes[i]!.width, sizes[i]!.height, lim);
    } catch (e) {
      yield { page: i + 1, reason: `${name}, page ${i + 1}: ${explainPdfError(e)}` };
    }
  }
  if (sizes.length > count)
    yield {
      page: count + 1,
      reason: `${name} has ${sizes.length} pages; only the first ${count} were read (page limit)`,
    };
}

async function pdfPageSizes(bytes: Uint8Array): Promise<{ width: number; height: number }[]> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const out: { width: number; height: number }[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const vp = page.getViewport({ scale: 1 });
      out.push({ width: vp.width, height: vp.height });
      page.cleanup();
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

async function rasterizeOne(
  bytes: Uint8Array,
  n: number,
  widthPt: number,
  heightPt: number,
  lim: Limits,
): Promise<DecodedPage> {
  const inches = (widthPt / 72) * (heightPt / 72);
  // Never more pixels than the limit, whatever page size the file claims.
  const dpi = Math.max(20, Math.min(lim.rasterDpi, Math.floor(Math.sqrt(lim.maxPixels / Math.max(inches, 1e-6)))));
  const [raster] = await rasterizePdf(bytes, { dpi, pages: [n] });
  if (!raster) throw new Error(`page ${n} could not be rendered`);
  const rgb = dropAlpha(new Uint8Array(raster.data.buffer, raster.data.byteOffset, raster.data.length), 4);
  return {
    page: n,
    width: raster.width,
    height: raster.height,
    dpi,
    scanDpi: dpi,
    shrink: 1,
    dpiSource: 'metadata',
    channels: 3,
    grey: isNeutral(rgb),
    bilevel: false,
    data: rgb,
    source: 'pdf rasterized',
  };
}

function explainPdfError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.name : '';
  if (/^Vips|premature end|pixel limit/i.test(text))
    return `its page image: ${explainImageError(e, 'jpeg').replace(/^the JPEG (file|image)/, 'the image')}`;
  if (name === 'PasswordException' || /password/i.test(text))
    return 'the PDF is encrypted with a password; save an unprotected copy and ingest that';
  if (/invalid pdf structure|invalidpdf|no pdf header|xref|trailer|unexpected end|truncat/i.test(name + ' ' + text))
    return `the PDF is damaged or truncated (${firstLine(text)}); export or scan it again`;
  return `the PDF page cannot be read: ${firstLine(text)}; export or scan it again`;
}

/**
 * The page's image when the page is nothing but one image filling it (what scanners
 * write), decoded; null when the page must be rasterized instead.
 */
async function extractPageImage(page: PDFPage, lim: Limits): Promise<Omit<DecodedPage, 'page'> | null> {
  const img = soleImageOf(page);
  if (!img) return null;
  const d = img.dict;
  const w = numberOf(d.lookup(PDFName.of('Width')));
  const h = numberOf(d.lookup(PDFName.of('Height')));
  if (!w || !h) return null;
  if (w * h > lim.maxPixels)
    throw new Error(
      `its image is ${w}×${h} pixels, more than the pixel limit (a decompression bomb or an absurd resolution)`,
    );
  const { width: pw, height: ph } = page.getSize();
  // The image must fill the page: same proportions (the scanner wrote one image a page).
  if (Math.abs(w / h - pw / ph) > 0.03 * (pw / ph)) return null;
  if (d.lookup(PDFName.of('SMask')) || d.lookup(PDFName.of('ImageMask')) === PDFBool.True) return null;
  const filters = filterNames(d.lookup(PDFName.of('Filter')));
  const image: PdfImage = { stream: img, w, h, dpi: Math.round((w / pw) * 72) };
  if (filters.length !== 1) return null;
  if (filters[0] === 'DCTDecode') {
    const one = await decodeImagePage(img.contents, 'jpeg', 0, lim, false, image.dpi);
    return { ...one, source: 'pdf image (jpeg)' };
  }
  if (filters[0] === 'CCITTFaxDecode') return faxImage(image, lim);
  if (filters[0] === 'FlateDecode') return flateImage(image, lim);
  return null;
}

/** One image of a PDF page, its size in pixels and its resolution on the page. */
interface PdfImage {
  stream: PDFRawStream;
  w: number;
  h: number;
  dpi: number;
}

/** The page's one image XObject, or null when it has none, several, or anything else (forms: rasterize). */
function soleImageOf(page: PDFPage): PDFRawStream | null {
  const rotate = page.getRotation().angle % 360;
  if (rotate !== 0) return null;
  const resources = page.node.Resources();
  const xobjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (!xobjects) return null;
  const images: PDFRawStream[] = [];
  for (const [, ref] of xobjects.entries()) {
    const obj = page.doc.context.lookup(ref);
    if (!(obj instanceof PDFRawStream)) return null;
    const subtype = obj.dict.lookup(PDFName.of('Subtype'));
    if (subtype !== PDFName.of('Image')) return null;
    images.push(obj);
  }
  return images.length === 1 ? images[0]! : null;
}

/** A CCITT G4 image (a black-and-white scan), decoded as a G4 TIFF; null for other CCITT kinds. */
async function faxImage({ stream, w, h, dpi }: PdfImage, lim: Limits): Promise<Omit<DecodedPage, 'page'> | null> {
  const d = stream.dict;
  const parms = d.lookup(PDFName.of('DecodeParms'));
  const p =
    parms instanceof PDFDict ? parms : parms instanceof PDFArray ? (parms.lookup(0) as PDFDict | undefined) : undefined;
  const k = numberOf(p?.lookup(PDFName.of('K'))) ?? 0;
  const blackIs1 = p?.lookup(PDFName.of('BlackIs1')) === PDFBool.True;
  const aligned = p?.lookup(PDFName.of('EncodedByteAlign')) === PDFBool.True;
  const decode = d.lookup(PDFName.of('Decode'));
  const inverted = decode instanceof PDFArray && numberOf(decode.lookup(0)) === 1;
  if (k >= 0 || aligned) return null;
  const one = await decodeImagePage(
    g4Tiff(stream.contents, w, h, blackIs1 !== inverted),
    'tiff',
    0,
    lim,
    false,
    dpi,
    true,
  );
  return { ...one, source: 'pdf image (ccittfax4)' };
}

/** A Flate-compressed grey, RGB or 1-bit image, inflated within its declared size; null for other kinds. */
async function flateImage({ stream, w, h, dpi }: PdfImage, lim: Limits): Promise<Omit<DecodedPage, 'page'> | null> {
  const d = stream.dict;
  const bpc = numberOf(d.lookup(PDFName.of('BitsPerComponent')));
  const cs = d.lookup(PDFName.of('ColorSpace'));
  const channels = cs === PDFName.of('DeviceGray') ? 1 : cs === PDFName.of('DeviceRGB') ? 3 : 0;
  const parms = d.lookup(PDFName.of('DecodeParms'));
  if (!channels || parms || (bpc !== 8 && !(bpc === 1 && channels === 1))) return null;
  // 1-bit images (black-and-white scans) pack 8 pixels a byte, rows padded to bytes.
  const expected = bpc === 1 ? ((w + 7) >> 3) * h : w * h * channels;
  let raw: Buffer;
  try {
    raw = inflateSync(stream.contents, { maxOutputLength: expected + 65536 });
  } catch (e) {
    if (e instanceof RangeError || /larger than/i.test(String(e)))
      throw new Error(
        `its image holds more data than its declared ${w}×${h} ${bpc === 1 ? 'black-and-white' : channels === 1 ? 'grey' : 'RGB'} pixels (a damaged file or a decompression bomb)`,
      );
    throw new Error(`its image data is damaged (${firstLine(String(e))})`);
  }
  if (raw.length < expected) throw new Error('its image data is shorter than its size says (truncated)');
  if (bpc === 1) {
    const decode = d.lookup(PDFName.of('Decode'));
    const blackIs1 = decode instanceof PDFArray && numberOf(decode.lookup(0)) === 1;
    return { ...bilevelPage(raw, w, h, blackIs1, dpi, lim), source: 'pdf image (flate, 1-bit)' };
  }
  const bilevel = channels === 1 && isBilevel(raw.subarray(0, w * h));
  const one = await decodeRawPage(raw.subarray(0, expected), w, h, channels as 1 | 3, dpi, lim, bilevel);
  return { ...one, source: 'pdf image (flate)' };
}

/**
 * A 1-bit image (rows padded to bytes) as a grey page, shrunk by a whole factor towards
 * the target resolution by averaging blocks of pixels (a shrunk bilevel page has grey edges).
 */
function bilevelPage(
  packed: Uint8Array,
  w: number,
  h: number,
  blackIs1: boolean,
  dpi: number,
  lim: Limits,
): Omit<DecodedPage, 'page' | 'source'> {
  const shrink = lim.targetDpi ? Math.max(1, Math.floor(dpi / lim.targetDpi + 0.25)) : 1;
  const ow = Math.max(1, Math.floor(w / shrink));
  const oh = Math.max(1, Math.floor(h / shrink));
  const rowBytes = (w + 7) >> 3;
  const sums = new Uint32Array(ow);
  const out = new Uint8Array(ow * oh);
  const n = shrink * shrink;
  const groups = shrink === 2 || shrink === 4 || shrink === 8 ? bitGroupCounts(shrink) : null;
  for (let oy = 0; oy < oh; oy++) {
    sums.fill(0);
    for (let dy = 0; dy < shrink; dy++) {
      const row = (oy * shrink + dy) * rowBytes;
      if (groups) {
        // Blocks that tile a byte (2 or 4 pixels wide): each block's bit count from a table.
        const per = 8 / shrink;
        for (let ox = 0; ox < ow; ox++) sums[ox]! += groups[packed[row + Math.floor(ox / per)]! * per + (ox % per)]!;
        continue;
      }
      for (let ox = 0, x = 0; ox < ow; ox++) {
        let s = 0;
        for (let dx = 0; dx < shrink; dx++, x++) s += (packed[row + (x >> 3)]! >> (7 - (x & 7))) & 1;
        sums[ox]! += s;
      }
    }
    // A set bit is white unless the image says black is 1.
    for (let ox = 0; ox < ow; ox++) {
      const white = blackIs1 ? n - sums[ox]! : sums[ox]!;
      out[oy * ow + ox] = Math.round((255 * white) / n);
    }
  }
  return {
    width: ow,
    height: oh,
    dpi: dpi / shrink,
    scanDpi: dpi,
    shrink,
    dpiSource: 'metadata',
    channels: 1,
    grey: true,
    bilevel: true,
    data: out,
  };
}

const bitGroupTables = new Map<number, Uint8Array>();

/** For every byte value, the set bits in each of its `8 / width` groups of `width` bits, most significant first. */
function bitGroupCounts(width: number): Uint8Array {
  let table = bitGroupTables.get(width);
  if (!table) {
    const per = 8 / width;
    table = new Uint8Array(256 * per);
    for (let b = 0; b < 256; b++) {
      for (let g = 0; g < per; g++) {
        let count = 0;
        for (let i = 0; i < width; i++) count += (b >> (7 - (g * width + i))) & 1;
        table[b * per + g] = count;
      }
    }
    bitGroupTables.set(width, table);
  }
  return table;
}

/** Raw 8-bit pixels (grey or RGB) as a page, shrunk towards the target resolution. */
async function decodeRawPage(
  raw: Uint8Array,
  w: number,
  h: number,
  channels: 1 | 3,
  dpi: number,
  lim: Limits,
  bilevel: boolean,
): Promise<Omit<DecodedPage, 'page' | 'source'>> {
  const shrink = lim.targetDpi ? Math.max(1, Math.floor(dpi / lim.targetDpi + 0.25)) : 1;
  let pipe = sharp(raw, { raw: { width: w, height: h, channels }, limitInputPixels: lim.maxPixels });
  if (shrink > 1) pipe = pipe.resize({ width: Math.max(1, Math.floor(w / shrink)), kernel: 'linear' });
  pipe = channels === 1 ? pipe.toColourspace('b-w') : pipe.toColourspace('srgb');
  const { data, info } = await pipe.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== channels)
    throw new Error(`its ${channels === 1 ? 'grey' : 'RGB'} image decoded to ${info.channels} channels`);
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  return {
    width: info.width,
    height: info.height,
    dpi: dpi / shrink,
    scanDpi: dpi,
    shrink,
    dpiSource: 'metadata',
    channels,
    grey: channels === 1 || isNeutral(pixels),
    bilevel,
    data: pixels,
  };
}

/**
 * Whether every image drawn on a PDF page is black and white (1 bit a pixel, CCITT or
 * JBIG2): such a page, once rasterized, is a bilevel scan whose red ink may have dropped out.
 */
function pageImagesBilevel(page: PDFPage): boolean {
  try {
    const xobjects = page.node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
    if (!xobjects) return false;
    let images = 0;
    for (const [, ref] of xobjects.entries()) {
      const obj = page.doc.context.lookup(ref);
      if (!(obj instanceof PDFRawStream) || obj.dict.lookup(PDFName.of('Subtype')) !== PDFName.of('Image'))
        return false;
      const filters = filterNames(obj.dict.lookup(PDFName.of('Filter')));
      const bpc = numberOf(obj.dict.lookup(PDFName.of('BitsPerComponent')));
      const oneBit =
        bpc === 1 ||
        obj.dict.lookup(PDFName.of('ImageMask')) === PDFBool.True ||
        filters.includes('CCITTFaxDecode') ||
        filters.includes('JBIG2Decode');
      if (!oneBit) return false;
      images++;
    }
    return images > 0;
  } catch {
    return false;
  }
}

function filterNames(f: unknown): string[] {
  if (f instanceof PDFName) return [f.decodeText()];
  if (f instanceof PDFArray) return f.asArray().map((x) => (x instanceof PDFName ? x.decodeText() : '?'));
  return [];
}

function numberOf(x: unknown): number | undefined {
  return x instanceof PDFNumber ? x.asNumber() : undefined;
}

/** Wraps CCITT G4 data from a PDF in a minimal single-strip TIFF so that libvips decodes it. */
function g4Tiff(data: Uint8Array, width: number, height: number, blackIs1: boolean): Uint8Array {
  const entries: [number, number, number, number][] = [
    // tag, type (3 SHORT, 4 LONG), count, value
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, 1, 1],
    [259, 3, 1, 4], // CCITT T.6
    [262, 3, 1, blackIs1 ? 1 : 0],
    [273, 4, 1, 0], // strip offset, patched below
    [277, 3, 1, 1],
    [278, 4, 1, height],
    [279, 4, 1, data.length],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const header = 8;
  const dataOffset = header + ifdSize;
  const out = new Uint8Array(dataOffset + data.length);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 0x2a, 0x00]);
  v.setUint32(4, 8, true);
  v.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12;
    v.setUint16(at, tag, true);
    v.setUint16(at + 2, type, true);
    v.setUint32(at + 4, count, true);
    const val = tag === 273 ? dataOffset : value;
    if (type === 3) v.setUint16(at + 8, val, true);
    else v.setUint32(at + 8, val, true);
  });
  v.setUint32(10 + entries.length * 12, 0, true);
  out.set(data, dataOffset);
  return out;
}
