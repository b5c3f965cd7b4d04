/**
 * Drawing onto a page in the layout's terms: millimetres from the top-left corner. A
 * `PageCanvas` writes PDF content-stream operators; text is encoded glyph by glyph into the
 * document's fonts (`DocumentFonts`): the characters every document of a kind shares come
 * from a font prepared once per run, the rest (names, addresses) go into a small font of
 * the document's own.
 */
import { A4, mmToPt, type Rect } from '../layout/page.ts';
import type { FaceName, FontFace } from './fonts.ts';
import { type GlyphSet } from './pdf-font.ts';

/** Resource names of the fonts in content streams. */
export const FONT_RESOURCE = {
  shared: { regular: 'R0', bold: 'B0' },
  own: { regular: 'R1', bold: 'B1' },
} as const;

/** A number for a content stream: two decimals at most, no trailing zeros. */
export function num(v: number): string {
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * The fonts one document writes with: the shared ones (fixed glyph sets, prepared once)
 * and the document's own, which grow as text is drawn. `own` says where a character
 * missing from the shared fonts goes: into a font of the document's own (made on first
 * need), into the shared font itself (`grow-shared`, while a run's shared fonts are being
 * collected), or nowhere (`none`: static content must use shared glyphs only).
 */
export class DocumentFonts {
  readonly own: Record<FaceName, GlyphSet | undefined> = { regular: undefined, bold: undefined };

  constructor(
    readonly shared: Record<FaceName, GlyphSet>,
    private readonly makeOwn: ((face: FaceName) => GlyphSet) | 'grow-shared' | 'none',
  ) {}

  face(name: FaceName): FontFace {
    return this.shared[name].face;
  }

  /** PDF operators showing `text` with the face at `size`: one `Tf … Tj` per font run. */
  show(faceName: FaceName, size: number, text: string): string {
    const shared = this.shared[faceName];
    const out: string[] = [];
    let current: 'shared' | 'own' | undefined;
    let run = '';
    const flush = (): void => {
      if (run) out.push(`/${FONT_RESOURCE[current!][faceName]} ${num(size)} Tf<${run}>Tj`);
      run = '';
    };
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let which: 'shared' | 'own' = 'shared';
      let hex = shared.lookup(cp);
      if (hex === undefined) {
        if (this.makeOwn === 'grow-shared') {
          hex = shared.add(ch, cp, text);
        } else if (this.makeOwn === 'none') {
          throw new Error(
            `"${ch}" in "${text}" is not in the shared ${faceName} font; static content must use the shared glyphs only.`,
          );
        } else {
          const own = (this.own[faceName] ??= this.makeOwn(faceName));
          hex = own.add(ch, cp, text);
          which = 'own';
        }
      }
      if (which !== current) {
        flush();
        current = which;
      }
      run += hex;
    }
    flush();
    return out.join('');
  }
}

export interface TextStyle {
  face?: FaceName;
  /** Size in points. */
  size: number;
  /** Extra space after each character, in points (justification). */
  charSpacing?: number;
  /** Grey level 0 (black) … 1 (white). */
  grey?: number;
}

/** One page's content stream, built in layout coordinates (mm, top-left origin). */
export class PageCanvas {
  private readonly ops: string[] = [];
  private readonly heightPt: number;

  /** `pageHeight`: the page's height in mm (A4 unless the page is another size, e.g. an envelope). */
  constructor(
    readonly fonts: DocumentFonts,
    readonly pageHeight: number = A4.height,
  ) {
    this.heightPt = mmToPt(pageHeight);
  }

  private static x(mm: number): string {
    return num(mmToPt(mm));
  }
  private y(mm: number): string {
    return num(this.heightPt - mmToPt(mm));
  }

  /** A solid black rectangle (registration marks, QR modules). */
  fillRect(r: Rect, grey = 0): void {
    this.ops.push(
      `${grey ? `${num(grey)} g ` : ''}${PageCanvas.x(r.x)} ${this.y(r.y + r.height)} ${num(mmToPt(r.width))} ${num(mmToPt(r.height))} re f${grey ? ' 0 g' : ''}`,
    );
  }

  /** Raw operators (already in PDF points), e.g. a QR code's path. */
  raw(ops: string): void {
    this.ops.push(ops);
  }

  /** A rectangle's outline; `width` in points, the line centred on the rectangle's edge. */
  strokeRect(r: Rect, width: number): void {
    this.ops.push(
      `${num(width)} w ${PageCanvas.x(r.x)} ${this.y(r.y + r.height)} ${num(mmToPt(r.width))} ${num(mmToPt(r.height))} re S`,
    );
  }

  /** A straight line; `width` in points; `dash` in points (on, off). */
  line(x1: number, y1: number, x2: number, y2: number, width: number, dash?: readonly [number, number]): void {
    const d = dash ? `[${num(dash[0])} ${num(dash[1])}] 0 d ` : '';
    this.ops.push(
      `${d}${num(width)} w ${PageCanvas.x(x1)} ${this.y(y1)} m ${PageCanvas.x(x2)} ${this.y(y2)} l S${dash ? ' [] 0 d' : ''}`,
    );
  }

  /** Text starting at `x` with its baseline at `baseline` (mm). */
  text(x: number, baseline: number, text: string, style: TextStyle): void {
    if (!text) return;
    const face = style.face ?? 'regular';
    const tc = style.charSpacing ? `${num(style.charSpacing)} Tc ` : '';
    const grey = style.grey ? `${num(style.grey)} g ` : '';
    this.ops.push(
      `BT ${grey}${tc}${PageCanvas.x(x)} ${this.y(baseline)} Td ${this.fonts.show(face, style.size, text)}${tc ? ' 0 Tc' : ''}${grey ? ' 0 g' : ''} ET`,
    );
  }

  /** Width of a text in mm. */
  width(text: string, style: TextStyle): number {
    return (this.fonts.face(style.face ?? 'regular').widthOf(text, style.size) * 25.4) / 72;
  }

  /** Draws an image XObject by resource name into `r` (mm), stretched to it: give `r` the image's aspect. */
  drawImage(name: string, r: Rect): void {
    this.ops.push(
      `q ${num(mmToPt(r.width))} 0 0 ${num(mmToPt(r.height))} ${PageCanvas.x(r.x)} ${this.y(r.y + r.height)} cm /${name} Do Q`,
    );
  }

  /** Draws a form XObject by resource name. */
  drawForm(name: string): void {
    this.ops.push(`q /${name} Do Q`);
  }

  /** The content stream's text. */
  toString(): string {
    return this.ops.join('\n');
  }
}

/** Points to millimetres. */
export function ptToMm(pt: number): number {
  return (pt * 25.4) / 72;
}

/**
 * The baseline that centres a line of Chinese text of `size` points on `centreY` (mm):
 * an ideograph's em box runs from 0.12 em below the baseline to 0.88 em above it.
 */
export function baselineCentredOn(centreY: number, size: number): number {
  return centreY + ptToMm(size) * 0.38;
}

/** The baseline of a line of text whose em box starts at `top` (mm). */
export function baselineBelow(top: number, size: number): number {
  return top + ptToMm(size) * 0.88;
}
