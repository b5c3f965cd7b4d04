/**
 * The callback letter's pages (回访函): on page 1 the title, sender line, the addressee
 * block in the DL envelope window (`LETTER.address`), the reference block and the fold
 * marks; then the body, flowing from `LETTER.bodyFirstPage` on into `LETTER.bodyNextPages`.
 *
 * The body's wording is the text template's output (`templates/letter.txt`): paragraphs are
 * separated by blank lines. How paragraphs are set (see docs/rendering.md):
 * - the first paragraph is the salutation, flush left;
 * - a line starting with a number (`1. `, `2、`) is a list item with a hanging indent;
 * - a paragraph starting with 此致 is the closing: 此致 indented, the next line flush left;
 * - the last paragraph is the signature block (company, department, date), set flush right;
 * - every other line starts a paragraph indented by two characters (首行缩进), unless the
 *   template starts it with its own spaces;
 * - lines that wrap are justified, and the last line of a paragraph is not.
 */
import type { Customer } from '../domain/customer.ts';
import { FOLD_LINES_Y, FOLD_MARK, LETTER } from '../layout/letter.ts';
import { CONTENT, rect, type Rect } from '../layout/page.ts';
import { baselineBelow, baselineCentredOn, type PageCanvas, ptToMm } from './canvas.ts';
import { drawTextInBox } from './fit.ts';
import { type WrappedLine, wrapText } from './text.ts';
import type { Sender, TemplateData } from './template-data.ts';

const LETTER_TITLE = '客户回访函';

const BODY_SIZE = 10.5;
const BODY_PITCH = ptToMm(BODY_SIZE) * 1.62;
const PARAGRAPH_GAP = 1.8;
const INDENT = 2; // em
const MAX_JUSTIFY_EM = 0.35;
const SIGNATURE_RIGHT = CONTENT.x + CONTENT.width - 4;

/** Draws the letter's first-page furniture: title, sender, addressee, reference block, fold marks. */
export function drawLetterHead(canvas: PageCanvas, data: TemplateData, sender: Sender, customer: Customer): void {
  const titleStyle = { face: 'bold' as const, size: 17 };
  canvas.text(
    CONTENT.x + (CONTENT.width - canvas.width(LETTER_TITLE, titleStyle)) / 2,
    baselineCentredOn(CONTENT.y + 4.5, 17),
    LETTER_TITLE,
    titleStyle,
  );

  const senderLine = `寄件人：${sender.companyName}　${sender.department}\n${sender.address}　邮编 ${sender.postcode}`;
  drawTextInBox(
    canvas,
    senderLine,
    LETTER.sender,
    { sizes: [7, 6.5, 6, 5.5], maxLines: 2, leading: 1.2, valign: 'bottom', grey: 0.2 },
    'sender line (寄件人)',
    data.visitId,
  );

  drawAddressee(canvas, customer, data.visitId);
  drawReference(canvas, data, sender);

  for (const y of FOLD_LINES_Y) canvas.line(FOLD_MARK.x, y, FOLD_MARK.x + FOLD_MARK.length, y, 0.5);
}

/**
 * The addressee block, strictly inside `LETTER.address` (the part of the sheet that shows
 * through the envelope window): postcode, address, then the name followed by 收; for an
 * institution the name and 联系人. Shrinks the address down to 8 pt; refuses what still
 * does not fit.
 */
function drawAddressee(canvas: PageCanvas, customer: Customer, visitId: string): void {
  const box = LETTER.address;
  const postcodeSize = 11;
  const postcodeBaseline = baselineBelow(box.y, postcodeSize);
  canvas.text(box.x, postcodeBaseline, customer.postcode, { face: 'bold', size: postcodeSize, charSpacing: 2.2 });
  let y = box.y + ptToMm(postcodeSize) * 1.45;

  const nameLines: { text: string; face: 'regular' | 'bold'; size: number }[] = [];
  if (customer.kind === 'institution') {
    nameLines.push({ text: customer.name, face: 'bold', size: 11 });
    nameLines.push({
      text: customer.contactPerson ? `联系人：${customer.contactPerson}　收` : '收',
      face: 'regular',
      size: 10.5,
    });
  } else {
    nameLines.push({ text: `${customer.name}　收`, face: 'bold', size: 12 });
  }
  // Names take what they need at the bottom of the block; the address gets the rest.
  const nameHeights = nameLines.map((n) => {
    const fitted = fitLines(canvas, n.text, box.width, n.face, [n.size, n.size - 1, n.size - 2, 8], 2);
    if (!fitted) throw new AddressError('收件人名称 (addressee name)', n.text, visitId);
    return fitted;
  });
  const namesHeight = nameHeights.reduce((sum, f) => sum + f.lines.length * f.pitch, 0);
  const addressBox = rect(box.x, y, box.width, box.y + box.height - namesHeight - 2 - y);
  const address = drawTextInBox(
    canvas,
    customer.address,
    addressBox,
    { sizes: [10.5, 10, 9.5, 9, 8.5, 8], maxLines: 4, leading: 1.35 },
    '通讯地址 (address in the envelope window)',
    visitId,
  );
  y = addressBox.y + address.height + 2;
  nameHeights.forEach((fitted, i) => {
    for (const line of fitted.lines) {
      canvas.text(box.x, baselineBelow(y, fitted.size), line, { face: nameLines[i]!.face, size: fitted.size });
      y += fitted.pitch;
    }
  });
}

class AddressError extends Error {
  constructor(what: string, text: string, visitId: string) {
    super(
      `Visit ${visitId}: the ${what} "${text}" does not fit the envelope window even at 8 pt; shorten it in the customer list.`,
    );
    this.name = 'TextFitError';
  }
}

function fitLines(
  canvas: PageCanvas,
  text: string,
  width: number,
  face: 'regular' | 'bold',
  sizes: number[],
  maxLines: number,
): { size: number; lines: string[]; pitch: number } | undefined {
  const font = canvas.fonts.face(face);
  for (const size of sizes) {
    const lines = wrapText(text, { width, measure: (ch) => ptToMm(font.widthOf(ch, size)) });
    if (lines.length <= maxLines && lines.every((l) => l.width <= width + 1e-6))
      return { size, lines: lines.map((l) => l.text), pitch: ptToMm(size) * 1.3 };
  }
  return undefined;
}

function drawReference(canvas: PageCanvas, data: TemplateData, sender: Sender): void {
  const box = LETTER.reference;
  const rows: [string, string][] = [
    ['回访编号', data.visitId],
    ['发函日期', data.letterDate],
    ['回寄截止', data.replyBy],
    ['营业部', data.branchName],
    ['服务热线', sender.serviceHotline],
  ];
  const size = 9;
  const labelWidth = 17;
  const pitch = box.height / rows.length;
  rows.forEach(([label, value], i) => {
    const cell = rect(box.x, box.y + i * pitch, box.width, pitch);
    const cy = cell.y + cell.height / 2;
    canvas.text(cell.x, baselineCentredOn(cy, size), `${label}：`, { size, grey: 0.3 });
    const valueBox = rect(cell.x + labelWidth, cell.y + 0.4, cell.width - labelWidth, cell.height - 0.8);
    drawTextInBox(
      canvas,
      value,
      valueBox,
      {
        sizes: [size, 8.5, 8, 7.5, 7],
        maxLines: 2,
        leading: 1.1,
        valign: 'middle',
        face: i === 0 ? 'bold' : 'regular',
      },
      `${label} (reference block)`,
      data.visitId,
    );
  });
  canvas.line(box.x - 3, box.y + 1, box.x - 3, box.y + box.height - 1, 0.5);
}

interface BodyLine {
  text: string;
  x: number;
  width: number;
  justify?: number; // charSpacing in pt
}

interface BodyBlock {
  lines: BodyLine[];
  /** Keep on one page (the closing and signature). */
  keep: boolean;
  /** Keep on the same page as the next block (此致/敬礼 with the signature). */
  keepWithNext: boolean;
  /** Space above, in mm. */
  gapAbove: number;
}

/** Wrapped lines of body text by width and text: most lines are the same in every letter of a run. */
const wrapCache = new Map<string, WrappedLine[]>();
function wrapCached(
  text: string,
  width: number,
  firstLineWidth: number,
  measure: (ch: string) => number,
): WrappedLine[] {
  const key = `${width.toFixed(3)}|${firstLineWidth.toFixed(3)}|${text}`;
  let lines = wrapCache.get(key);
  if (!lines) {
    if (wrapCache.size > 20_000) wrapCache.clear();
    lines = wrapText(text, { width, firstLineWidth, measure });
    wrapCache.set(key, lines);
  }
  return lines;
}

const NUMBERED = /^(\d+[.．、]\s?)/;
const OWN_INDENT = /^[\u3000 ]/;

/** Splits the template's output into laid-out blocks of lines. */
export function layoutBody(canvas: PageCanvas, body: string, width: number): BodyBlock[] {
  const face = canvas.fonts.face('regular');
  const measure = (ch: string): number => ptToMm(face.widthOf(ch, BODY_SIZE));
  const em = ptToMm(BODY_SIZE);
  const paragraphs = body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t\u3000]*\n/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.length > 0);
  const left = CONTENT.x;
  const blocks: BodyBlock[] = [];
  paragraphs.forEach((paragraph, pi) => {
    const sourceLines = paragraph.split('\n');
    const isSalutation = pi === 0;
    const isSignature = pi === paragraphs.length - 1 && pi > 0 && sourceLines.length <= 4;
    const isClosing = sourceLines[0]?.trim() === '此致';
    const out: BodyLine[] = [];
    sourceLines.forEach((source, li) => {
      if (isSignature) {
        const text = source.trim();
        const w = wrapCached(text, width, width, measure).map((l) => l.text);
        for (const t of w) {
          const tw = canvas.width(t, { size: BODY_SIZE });
          out.push({ text: t, x: SIGNATURE_RIGHT - tw, width: tw });
        }
        return;
      }
      let first = INDENT * em;
      let rest = 0;
      if (isSalutation || (isClosing && li > 0) || OWN_INDENT.test(source)) first = 0;
      const numbered = NUMBERED.exec(source);
      if (numbered && !isSalutation) rest = first + canvas.width(numbered[1]!, { size: BODY_SIZE });
      const wrapped = wrapCached(source, width - rest, width - first, measure);
      wrapped.forEach((line, i) => {
        const x = left + (i === 0 ? first : rest);
        const avail = width - (i === 0 ? first : rest);
        const chars = Array.from(line.text).length;
        let justify: number | undefined;
        if (!line.last && chars > 1) {
          const spare = ((avail - line.width) * 72) / 25.4 / (chars - 1);
          if (spare > 0 && spare <= MAX_JUSTIFY_EM * BODY_SIZE) justify = spare;
        }
        out.push({ text: line.text, x, width: line.width, ...(justify ? { justify } : {}) });
      });
    });
    blocks.push({
      lines: out,
      keep: isSignature || isClosing,
      keepWithNext: isClosing,
      gapAbove: pi === 0 ? 0 : isSignature ? PARAGRAPH_GAP * 2 : PARAGRAPH_GAP,
    });
  });
  // A short paragraph just before the closing goes with it: the signature page never holds the closing alone.
  const closing = blocks.findIndex((b) => b.keepWithNext);
  const before = blocks[closing - 1];
  if (closing > 1 && before && before.lines.length <= 3) {
    before.keep = true;
    before.keepWithNext = true;
  }
  return blocks;
}

/**
 * Sets the body blocks into the first page's body area and as many further pages as they
 * need (`newPage` makes one and returns its canvas). Returns the number of pages used.
 */
export function flowBody(blocks: BodyBlock[], first: PageCanvas, newPage: () => PageCanvas): number {
  let canvas = first;
  let area: Rect = LETTER.bodyFirstPage;
  let y = area.y;
  let pages = 1;
  const bottom = (): number => area.y + area.height;
  const breakPage = (): void => {
    canvas = newPage();
    area = LETTER.bodyNextPages;
    y = area.y;
    pages++;
  };
  blocks.forEach((block, i) => {
    if (y > area.y) y += block.gapAbove;
    let height = block.lines.length * BODY_PITCH;
    for (let j = i; blocks[j]?.keepWithNext && blocks[j + 1]; j++)
      height += blocks[j + 1]!.gapAbove + blocks[j + 1]!.lines.length * BODY_PITCH;
    if (block.keep && y + height > bottom() && height <= LETTER.bodyNextPages.height) breakPage();
    for (const line of block.lines) {
      if (y + BODY_PITCH > bottom() + 1e-6) breakPage();
      const baseline = y + (BODY_PITCH - ptToMm(BODY_SIZE)) / 2 + ptToMm(BODY_SIZE) * 0.88;
      canvas.text(line.x, baseline, line.text, {
        size: BODY_SIZE,
        ...(line.justify ? { charSpacing: line.justify } : {}),
      });
      y += BODY_PITCH;
    }
  });
  return pages;
}
