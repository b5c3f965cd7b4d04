/**
 * The few parts of untyped packages that render uses: fontkit 2 (font parsing and cmap
 * lookup) and linebreak (UAX #14 break opportunities).
 */
declare module 'fontkit' {
  export interface FontkitGlyph {
    id: number;
    advanceWidth: number;
  }
  export interface FontkitTableEntry {
    tag: string;
    offset: number;
    length: number;
  }
  export interface FontkitFont {
    postscriptName: string;
    unitsPerEm: number;
    ascent: number;
    descent: number;
    capHeight: number;
    numGlyphs: number;
    bbox: { minX: number; minY: number; maxX: number; maxY: number };
    directory: { tables: Record<string, FontkitTableEntry | undefined> };
    glyphForCodePoint(codePoint: number): FontkitGlyph;
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): FontkitFont;
}

declare module 'linebreak' {
  export interface Break {
    /** UTF-16 index where the next line may start. */
    position: number;
    /** A mandatory break (after a newline). */
    required: boolean;
  }
  export default class LineBreaker {
    constructor(text: string);
    nextBreak(): Break | null;
  }
}
