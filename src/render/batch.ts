/**
 * Batch print files (批量打印): every letter of a run in one stable order — branch, then
 * postcode (for the post office), then visit id — split into files of at most 500 letters.
 *
 * Duplex printing: every letter takes an even number of pages, and its record form gets a
 * sheet of its own, so the customer returns the form and keeps the letter. A letter whose
 * letter pages are odd in number gets a blank page before the form, and the form's back is
 * blank. Padding pages are truly blank — no QR code, no marks, no "此页无正文": a scanner
 * drops blank pages, whereas a printed page without a code, scanned after a form, would be
 * taken for an attachment of that visit (SPEC §4). The return envelope's face, when the
 * letter carries one, follows on envelope stock, its back blank.
 */
import { byCodeUnit } from '../domain/order.ts';
import { PDFDocument } from '@cantoo/pdf-lib';
import type { PreparedDocument } from './document.ts';
import { writeBlankPage, writeDocumentPages, writeFile } from './document.ts';
import { PdfWriter } from './pdf-writer.ts';

export const DEFAULT_MAX_LETTERS_PER_BATCH = 500;

/** One letter (or form) to print in a batch. */
export interface BatchLetter {
  visitId: string;
  branchCode: string;
  postcode: string;
  pageCount: number;
  /** The prepared document (`RenderedDocument.document`): its pages are written as they are. */
  document?: PreparedDocument;
  /** The letter's PDF, when no prepared document is at hand (see `buildBatchesFromPdfs`). */
  bytes?: Uint8Array;
}

export interface BatchOptions {
  /** Letters per file (default 500). */
  maxLettersPerBatch?: number;
}

/** One batch print file. */
export interface Batch {
  bytes: Uint8Array;
  /** The letters in it, in printed order. */
  visitIds: string[];
  pageCount: number;
  /** Printed pages of each letter (blank duplex pages included), in the order of `visitIds`. */
  printedPages: number[];
  /** Printed pages of each branch's letters in the file (blank duplex pages included), in order. */
  branches: { branchCode: string; letters: number; pages: number }[];
}

/** Adds a letter's printed pages to its branch's row (rows in printed order). */
function countBranch(rows: Batch['branches'], branchCode: string, pages: number): void {
  const last = rows.at(-1);
  if (last?.branchCode === branchCode) {
    last.letters += 1;
    last.pages += pages;
  } else rows.push({ branchCode, letters: 1, pages });
}

/** Branch, then postcode, then visit id; stable. */
export function batchOrder<T extends Pick<BatchLetter, 'branchCode' | 'postcode' | 'visitId'>>(
  letters: readonly T[],
): T[] {
  return [...letters].sort(
    (a, b) =>
      byCodeUnit(a.branchCode, b.branchCode) || byCodeUnit(a.postcode, b.postcode) || byCodeUnit(a.visitId, b.visitId),
  );
}

function checkMax(max: number): number {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`Expected a positive whole number for maxLettersPerBatch but received ${String(max)}.`);
  }
  return max;
}

/**
 * The printed page sequence of a document: its pages with duplex padding (null = blank
 * page). With `envelopeLast`, the last page is the return envelope's face: it comes after
 * the form's sheet, on a sheet of its own (envelope stock) with a blank back.
 */
export function duplexSequence(pageCount: number, formLast: boolean, envelopeLast = false): (number | null)[] {
  if (envelopeLast && pageCount > 1) return [...duplexSequence(pageCount - 1, formLast), pageCount - 1, null];
  const pages: (number | null)[] = Array.from({ length: pageCount }, (_, i) => i);
  if (!formLast || pageCount < 1) {
    if (pages.length % 2) pages.push(null);
    return pages;
  }
  const letterPages = pages.slice(0, -1);
  if (letterPages.length % 2) letterPages.push(null);
  return [...letterPages, pageCount - 1, null];
}

/**
 * Batch print files, one at a time (each file's bytes can be written and dropped before
 * the next is built). Letters must carry their prepared `document`.
 */
export function* batches(letters: readonly BatchLetter[], options: BatchOptions = {}): Generator<Batch> {
  const max = checkMax(options.maxLettersPerBatch ?? DEFAULT_MAX_LETTERS_PER_BATCH);
  const ordered = batchOrder(letters);
  for (const letter of ordered) {
    if (!letter.document) {
      throw new Error(
        `Letter ${letter.visitId} has no prepared document; pass RenderedDocument.document, or use buildBatchesFromPdfs() for PDF bytes.`,
      );
    }
  }
  for (let start = 0; start < ordered.length; start += max) {
    const chunk = ordered.slice(start, start + max);
    const w = new PdfWriter();
    let pageCount = 0;
    const branches: Batch['branches'] = [];
    const printedPages: number[] = [];
    const first = chunk[0]!.document!;
    const bytes = writeFile(
      w,
      {
        title: `回访函批量打印 ${chunk[0]!.visitId} 等${chunk.length}封`,
        createdOn: first.createdOn,
        id: chunk.map((l) => l.visitId).join(','),
      },
      (parent) => {
        const kids: number[] = [];
        for (const letter of chunk) {
          const doc = letter.document!;
          const pages = writeDocumentPages(w, doc, parent);
          const envelopeLast = doc.pages.at(-1)?.size !== undefined;
          const formLast = doc.pages.at(envelopeLast ? -2 : -1)?.form ?? false;
          const sequence = duplexSequence(pages.length, formLast, envelopeLast);
          let before: number | null = null;
          for (const index of sequence) {
            // A blank back takes the size of the page it backs (A4, or the envelope's).
            const size = before === null ? undefined : doc.pages[before]!.size;
            kids.push(index === null ? writeBlankPage(w, parent, size) : pages[index]!);
            before = index;
          }
          countBranch(branches, letter.branchCode, sequence.length);
          printedPages.push(sequence.length);
        }
        pageCount = kids.length;
        return kids;
      },
    );
    yield { bytes, visitIds: chunk.map((l) => l.visitId), pageCount, printedPages, branches };
  }
}

/**
 * Builds the batch print files of a run: sorted by branch, postcode and visit id, every
 * letter padded to an even page count, at most `maxLettersPerBatch` letters a file.
 *
 * @example
 * for (const batch of buildBatches(letters)) await writeFileAtomic(path, batch.bytes);
 */
export function buildBatches(letters: readonly BatchLetter[], options: BatchOptions = {}): Batch[] {
  return Array.from(batches(letters, options));
}

/**
 * The same from letters' PDF bytes (any PDF, e.g. a letter edited and re-exported), through
 * pdf-lib: slower, for when no prepared document is at hand. Pages are padded at the end
 * of each letter to an even count.
 */
export async function buildBatchesFromPdfs(
  letters: readonly BatchLetter[],
  options: BatchOptions = {},
): Promise<Batch[]> {
  const max = checkMax(options.maxLettersPerBatch ?? DEFAULT_MAX_LETTERS_PER_BATCH);
  const ordered = batchOrder(letters);
  const out: Batch[] = [];
  for (let start = 0; start < ordered.length; start += max) {
    const chunk = ordered.slice(start, start + max);
    const batch = await PDFDocument.create();
    const branches: Batch['branches'] = [];
    const printedPages: number[] = [];
    for (const letter of chunk) {
      if (!letter.bytes) throw new Error(`Letter ${letter.visitId} has no PDF bytes to put in a batch.`);
      const source = await PDFDocument.load(letter.bytes);
      const pages = await batch.copyPages(source, source.getPageIndices());
      for (const page of pages) batch.addPage(page);
      if (pages.length % 2) batch.addPage(pages[0] ? [pages[0].getWidth(), pages[0].getHeight()] : undefined);
      countBranch(branches, letter.branchCode, pages.length + (pages.length % 2));
      printedPages.push(pages.length + (pages.length % 2));
    }
    out.push({
      bytes: await batch.save({ useObjectStreams: false }),
      visitIds: chunk.map((l) => l.visitId),
      pageCount: batch.getPageCount(),
      printedPages,
      branches,
    });
  }
  return out;
}
