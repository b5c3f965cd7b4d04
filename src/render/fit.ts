/**
 * Setting a text inside a box: wrapped (`text.ts`), shrunk down to a smallest size when it
 * does not fit, and refused with a `TextFitError` when even that fails — a clipped name or
 * address must never reach the post.
 */
import { quoteValue } from '../domain/path-segment.ts';
import type { Rect } from '../layout/page.ts';
import { baselineBelow, type PageCanvas, ptToMm } from './canvas.ts';
import type { FaceName } from './fonts.ts';
import { wrapText, type WrappedLine } from './text.ts';

/** A text that does not fit its box even at the smallest size allowed. */
export class TextFitError extends Error {
  constructor(
    /** What the text is, in users' words, e.g. `通讯地址 (address block)`. */
    readonly what: string,
    readonly text: string,
    readonly box: Rect,
    readonly visitId?: string,
  ) {
    super(
      `${visitId ? `Visit ${visitId}: ` : ''}the ${what} ${quoteValue(text)} does not fit its ${box.width}×${box.height} mm box ` +
        'even at the smallest type size; shorten it in the customer list (or the template).',
    );
    this.name = 'TextFitError';
  }
}

export interface FitOptions {
  face?: FaceName;
  /** Sizes in points to try, largest first. */
  sizes: readonly number[];
  maxLines: number;
  /** Line pitch as a multiple of the size (default 1.3). */
  leading?: number;
  align?: 'left' | 'centre' | 'right';
  /** Vertical placement of the lines in the box (default top). */
  valign?: 'top' | 'middle' | 'bottom';
  grey?: number;
}

export interface FittedText {
  size: number;
  lines: WrappedLine[];
  /** Line pitch in mm. */
  pitch: number;
  /** Height the lines take, in mm (em boxes of the first and last line included). */
  height: number;
}

/** The largest of `sizes` at which the text wraps into the box, or undefined. */
export function fitText(canvas: PageCanvas, text: string, box: Rect, options: FitOptions): FittedText | undefined {
  const face = canvas.fonts.face(options.face ?? 'regular');
  for (const size of options.sizes) {
    // One line more than allowed is enough to know the size fails: a huge text costs no more.
    const lines = wrapText(text, {
      width: box.width,
      measure: (ch) => ptToMm(face.widthOf(ch, size)),
      maxLines: options.maxLines + 1,
    });
    if (lines.length > options.maxLines) continue;
    if (lines.some((l) => l.width > box.width + 1e-6)) continue;
    const pitch = ptToMm(size) * (options.leading ?? 1.3);
    const height = (lines.length - 1) * pitch + ptToMm(size) * 1.05;
    if (height > box.height + 1e-6) continue;
    return { size, lines, pitch, height };
  }
  return undefined;
}

/** Draws lines fitted by `fitText` into the box. */
function drawFitted(canvas: PageCanvas, fitted: FittedText, box: Rect, options: FitOptions): void {
  const free = box.height - fitted.height;
  const top = box.y + (options.valign === 'middle' ? free / 2 : options.valign === 'bottom' ? free : 0);
  fitted.lines.forEach((line, i) => {
    const x =
      options.align === 'centre'
        ? box.x + (box.width - line.width) / 2
        : options.align === 'right'
          ? box.x + box.width - line.width
          : box.x;
    canvas.text(x, baselineBelow(top, fitted.size) + i * fitted.pitch, line.text, {
      face: options.face ?? 'regular',
      size: fitted.size,
      ...(options.grey ? { grey: options.grey } : {}),
    });
  });
}

/** Fits and draws a text into a box, or throws `TextFitError` naming `what`. */
export function drawTextInBox(
  canvas: PageCanvas,
  text: string,
  box: Rect,
  options: FitOptions,
  what: string,
  visitId?: string,
): FittedText {
  const fitted = fitText(canvas, text, box, options);
  if (!fitted) throw new TextFitError(what, text, box, visitId);
  drawFitted(canvas, fitted, box, options);
  return fitted;
}
