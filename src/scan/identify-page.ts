/**
 * Identifying a page, whatever state it came back in: its QR codes as printed; on a
 * speckled fax or photocopy the codes with its isolated dots removed (the whole page is then
 * read so, and speckles do not count as ink either), then its corners after a 3 × 3 median; and when no code can be read at all,
 * the visit id printed under the top-right code and in the form's 回访编号 cell, read by OCR
 * and accepted only when its check character holds (`printed-id.ts`).
 */
import type { GreyImage } from './grey.ts';
import { median3, removeSpecks, speckleShare } from './despeckle.ts';
import { findPageCodes, identify, type FoundCode, type Identification } from './qr.ts';
import type { Alignment } from './align.ts';
import { readPrintedId } from './printed-id.ts';

/** Share of isolated dots (`speckleShare`) above which a page is despeckled before it is read. Clean scans, dithered ones included, stay under 0.4 %; a fax with speckles is 2–5 %. */
export const SPECKLED_SHARE = 0.01;

export interface PageIdentity {
  /** The image to read the page from: the working copy, despeckled when it was speckled. */
  work: GreyImage;
  codes: FoundCode[];
  id: Identification;
  /** The page was speckled and is read after a median filter. */
  despeckled: boolean;
  /** What a person should know about how the page was identified. */
  notes: string[];
  /** How the page was identified: its QR codes, its printed visit id (OCR), or not at all. */
  by: 'qr' | 'printed-id' | null;
  /** With `printed-id`: the page placed on its registration marks. */
  alignment?: Alignment;
  /** False when the page was identified by a printed id without its page n/m (the payload's page then means nothing). */
  pageNumberRead: boolean;
}

export interface IdentifyOptions {
  /** Read the printed visit id when no QR code can be read (default true). */
  ocr?: boolean;
  /** The page is black and white: speckles are looked for (on grey and colour pages they are rare and cost a look a page). */
  bilevel?: boolean;
}

/**
 * Identifies a page: by its QR codes (despeckled when needed), else, when no code at all
 * was seen, by its printed visit id.
 */
export async function identifyPage(work: GreyImage, dpi: number, opts: IdentifyOptions = {}): Promise<PageIdentity> {
  const byCodes = await identifyByCodes(work, dpi, opts.bilevel ?? true);
  if (byCodes.id.payload || byCodes.codes.length > 0 || opts.ocr === false) return byCodes;
  let notes: string[] = [];
  let printed = await readPrintedId(byCodes.work, notes);
  if (!printed && byCodes.despeckled) {
    // On a speckled page the printed line may read better after a median (clumps of specks gone too).
    notes = [];
    printed = await readPrintedId(median3(byCodes.work), notes);
  }
  byCodes.notes.push(...notes);
  if (!printed) return byCodes;
  const id: Identification = {
    payload: printed.payload,
    codes: [],
    quarterTurns: printed.upsideDown ? 2 : 0,
    problems: [],
  };
  return { ...byCodes, id, by: 'printed-id', alignment: printed.alignment, pageNumberRead: printed.pageNumberRead };
}

/** Finds and reads the page's QR codes, despeckling first when the page is speckled and retrying despeckled when none was read. */
export async function identifyByCodes(work: GreyImage, dpi: number, lookForSpeckles = true): Promise<PageIdentity> {
  const notes: string[] = [];
  const share = lookForSpeckles ? speckleShare(work) : 0;
  let despeckled = false;
  if (share > SPECKLED_SHARE) {
    work = removeSpecks(work);
    despeckled = true;
    notes.push(
      `the scan is speckled (${(share * 100).toFixed(1)} % of its pixels are isolated dots); it was read after removing them`,
    );
  }
  let codes = await findPageCodes(work, dpi);
  if (codes.length === 0) {
    // A few specks on a code's finder patterns are enough to hide it (and clumps of them
    // survive the removal of isolated dots): try the corners once more after a 3 × 3 median
    // (pages with no code at all, envelopes and receipts, pay little).
    const retry = await findPageCodes(work, dpi, { filter: median3, wholePage: false });
    if (retry.length > 0) {
      codes = retry;
      notes.push('the QR codes were read after removing specks from the scan');
    }
  }
  const id = identify(codes);
  return { work, codes, id, despeckled, notes, by: id.payload ? 'qr' : null, pageNumberRead: id.payload !== null };
}
