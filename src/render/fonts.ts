/**
 * The CJK typeface every document is set in: Noto Sans SC, Regular and Bold, from the
 * `@expo-google-fonts/noto-sans-sc` package. Each 10 MB font is parsed once per process
 * with fontkit; glyph lookups and advance widths are cached, and a subset font (TrueType,
 * only the glyphs a document uses) is assembled by copying the glyphs' outline bytes
 * straight from the original `glyf` table, so the outlines embedded are exactly the
 * font's own and never re-encoded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

export type FaceName = 'regular' | 'bold';

const FONT_FILES: Record<FaceName, string> = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
};

/** A glyph of the original font: its id there and its advance in font units. */
export interface GlyphInfo {
  gid: number;
  advance: number;
}

/** Thrown when text holds a character the typeface cannot draw (it would print as a blank box). */
export class MissingGlyphError extends Error {
  constructor(
    readonly character: string,
    readonly face: FaceName,
    readonly text: string,
  ) {
    const cp = character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    super(
      `The font Noto Sans SC has no glyph for "${character}" (U+${cp}) in "${text.slice(0, 40)}"; replace the character in the customer data or template.`,
    );
    this.name = 'MissingGlyphError';
  }
}

interface TableSlice {
  offset: number;
  length: number;
}

/** One face of the typeface, parsed once. */
export class FontFace {
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly capHeight: number;
  readonly bbox: readonly [number, number, number, number];
  readonly postscriptName: string;
  private readonly font: fontkit.FontkitFont;
  private readonly glyphs = new Map<number, GlyphInfo | null>();
  private readonly tables: Record<'head' | 'hhea' | 'maxp' | 'hmtx' | 'loca' | 'glyf', TableSlice>;
  private readonly prep: TableSlice | undefined;
  private readonly longLoca: boolean;
  private readonly numberOfHMetrics: number;

  private constructor(
    readonly name: FaceName,
    private readonly bytes: Uint8Array,
  ) {
    this.font = fontkit.create(bytes);
    const f = this.font;
    this.unitsPerEm = f.unitsPerEm;
    this.ascent = f.ascent;
    this.descent = f.descent;
    this.capHeight = f.capHeight;
    this.bbox = [f.bbox.minX, f.bbox.minY, f.bbox.maxX, f.bbox.maxY];
    this.postscriptName = f.postscriptName.replace(/[^A-Za-z0-9-]/g, '');
    const table = (tag: string): TableSlice => {
      const t = f.directory.tables[tag];
      if (!t)
        throw new Error(
          `The font file for ${name} has no "${tag}" table; it is not a TrueType font huifang can embed.`,
        );
      return { offset: t.offset, length: t.length };
    };
    this.tables = {
      head: table('head'),
      hhea: table('hhea'),
      maxp: table('maxp'),
      hmtx: table('hmtx'),
      loca: table('loca'),
      glyf: table('glyf'),
    };
    const prep = f.directory.tables['prep'];
    this.prep = prep ? { offset: prep.offset, length: prep.length } : undefined;
    this.longLoca = this.view.getInt16(this.tables.head.offset + 50) === 1;
    this.numberOfHMetrics = this.view.getUint16(this.tables.hhea.offset + 34);
  }

  private get view(): DataView {
    return new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Loads a face from the font package (once per process; see `loadFace`). */
  static fromPackage(name: FaceName): FontFace {
    const path = createRequire(import.meta.url).resolve(FONT_FILES[name]);
    return new FontFace(name, new Uint8Array(readFileSync(path)));
  }

  /** The glyph for a code point, or undefined when the font has none. */
  glyph(codePoint: number): GlyphInfo | undefined {
    let g = this.glyphs.get(codePoint);
    if (g === undefined) {
      if (this.font.hasGlyphForCodePoint(codePoint)) {
        const gid = this.font.glyphForCodePoint(codePoint).id;
        g = { gid, advance: this.advanceOf(gid) };
      } else {
        g = null;
      }
      this.glyphs.set(codePoint, g);
    }
    return g ?? undefined;
  }

  /** Advance width of a glyph id in font units, from `hmtx`. */
  advanceOf(gid: number): number {
    const i = Math.min(gid, this.numberOfHMetrics - 1);
    return this.view.getUint16(this.tables.hmtx.offset + i * 4);
  }

  private lsbOf(gid: number): number {
    if (gid < this.numberOfHMetrics) return this.view.getInt16(this.tables.hmtx.offset + gid * 4 + 2);
    return this.view.getInt16(this.tables.hmtx.offset + this.numberOfHMetrics * 4 + (gid - this.numberOfHMetrics) * 2);
  }

  /** Width of a text in points at a size in points; throws MissingGlyphError for undrawable characters. */
  widthOf(text: string, sizePt: number): number {
    let units = 0;
    for (const ch of text) {
      const g = this.glyph(ch.codePointAt(0)!);
      if (!g) throw new MissingGlyphError(ch, this.name, text);
      units += g.advance;
    }
    return (units * sizePt) / this.unitsPerEm;
  }

  /** The outline bytes of a glyph in the original `glyf` table (empty for a blank glyph). */
  outline(gid: number): Uint8Array {
    const loca = this.tables.loca.offset;
    const v = this.view;
    const start = this.longLoca ? v.getUint32(loca + gid * 4) : v.getUint16(loca + gid * 2) * 2;
    const end = this.longLoca ? v.getUint32(loca + gid * 4 + 4) : v.getUint16(loca + gid * 2 + 2) * 2;
    const base = this.tables.glyf.offset;
    return this.bytes.subarray(base + start, base + end);
  }

  /** The glyphs a composite glyph is built from (empty for a simple glyph). */
  components(gid: number): number[] {
    const out: number[] = [];
    forEachComponent(this.outline(gid), (_at, componentGid) => out.push(componentGid));
    return out;
  }

  /**
   * A TrueType font holding the given glyphs, renumbered: the glyph `gids[i]` of this face
   * becomes glyph `i` of the subset. `gids[0]` must be 0 (.notdef), and every component of a
   * composite glyph must be listed too (see `components`).
   */
  subset(gids: readonly number[]): Uint8Array {
    if (gids[0] !== 0) throw new Error('A subset font must start with glyph 0 (.notdef).');
    const newId = new Map<number, number>();
    gids.forEach((g, i) => newId.set(g, i));
    const n = gids.length;
    const outlines = gids.map((gid) => {
      const src = this.outline(gid);
      if (src.length === 0) return src;
      if (new DataView(src.buffer, src.byteOffset, src.byteLength).getInt16(0) >= 0) return src;
      const copy = new Uint8Array(src);
      const cv = new DataView(copy.buffer);
      forEachComponent(copy, (at, componentGid) => {
        const mapped = newId.get(componentGid);
        if (mapped === undefined)
          throw new Error(
            `Subset of ${this.name}: glyph ${gid} uses glyph ${componentGid}, which is not in the subset.`,
          );
        cv.setUint16(at, mapped);
      });
      return copy;
    });
    let glyfLength = 0;
    for (const o of outlines) glyfLength += (o.length + 3) & ~3;
    const glyf = new Uint8Array(glyfLength);
    const loca = new Uint8Array((n + 1) * 4);
    const lv = new DataView(loca.buffer);
    const hmtx = new Uint8Array(n * 4);
    const hv = new DataView(hmtx.buffer);
    let at = 0;
    outlines.forEach((o, i) => {
      lv.setUint32(i * 4, at);
      glyf.set(o, at);
      at += (o.length + 3) & ~3;
      hv.setUint16(i * 4, this.advanceOf(gids[i]!));
      hv.setInt16(i * 4 + 2, this.lsbOf(gids[i]!));
    });
    lv.setUint32(n * 4, at);
    const copyTable = (t: TableSlice): Uint8Array => new Uint8Array(this.bytes.subarray(t.offset, t.offset + t.length));
    const head = copyTable(this.tables.head);
    new DataView(head.buffer).setUint32(8, 0); // checkSumAdjustment, set below
    new DataView(head.buffer).setInt16(50, 1); // long loca
    const hhea = copyTable(this.tables.hhea);
    new DataView(hhea.buffer).setUint16(34, n);
    const maxp = copyTable(this.tables.maxp);
    new DataView(maxp.buffer).setUint16(4, n);
    const tables: [string, Uint8Array][] = [
      ['glyf', glyf],
      ['head', head],
      ['hhea', hhea],
      ['hmtx', hmtx],
      ['loca', loca],
      ['maxp', maxp],
    ];
    if (this.prep) tables.push(['prep', copyTable(this.prep)]);
    return assembleSfnt(tables, head);
  }
}

/** Calls `visit(offset of the glyph index, glyph index)` for each component of a composite glyph. */
function forEachComponent(outline: Uint8Array, visit: (at: number, gid: number) => void): void {
  if (outline.length < 10) return;
  const v = new DataView(outline.buffer, outline.byteOffset, outline.byteLength);
  if (v.getInt16(0) >= 0) return;
  let p = 10;
  for (;;) {
    const flags = v.getUint16(p);
    visit(p + 2, v.getUint16(p + 2));
    p += 4 + (flags & 0x0001 ? 4 : 2);
    if (flags & 0x0008) p += 2;
    else if (flags & 0x0040) p += 4;
    else if (flags & 0x0080) p += 8;
    if (!(flags & 0x0020)) return;
  }
}

function tableChecksum(bytes: Uint8Array): number {
  let sum = 0;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const whole = bytes.length & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + v.getUint32(i)) >>> 0;
  if (whole < bytes.length) {
    let last = 0;
    for (let i = whole; i < whole + 4; i++) last = (last << 8) | (i < bytes.length ? bytes[i]! : 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

/** Writes an sfnt (TrueType) file from tables sorted by tag, with checksums. */
function assembleSfnt(tables: [string, Uint8Array][], head: Uint8Array): Uint8Array {
  tables.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const count = tables.length;
  const headerLength = 12 + 16 * count;
  let total = headerLength;
  for (const [, t] of tables) total += (t.length + 3) & ~3;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let power = 1;
  let log2 = 0;
  while (power * 2 <= count) {
    power *= 2;
    log2++;
  }
  v.setUint32(0, 0x00010000);
  v.setUint16(4, count);
  v.setUint16(6, power * 16);
  v.setUint16(8, log2);
  v.setUint16(10, count * 16 - power * 16);
  let at = headerLength;
  let headAt = 0;
  tables.forEach(([tag, t], i) => {
    const e = 12 + i * 16;
    for (let k = 0; k < 4; k++) out[e + k] = tag.charCodeAt(k);
    v.setUint32(e + 4, tableChecksum(t));
    v.setUint32(e + 8, at);
    v.setUint32(e + 12, t.length);
    out.set(t, at);
    if (t === head) headAt = at;
    at += (t.length + 3) & ~3;
  });
  v.setUint32(headAt + 8, (0xb1b0afba - tableChecksum(out)) >>> 0);
  return out;
}

const faces = new Map<FaceName, FontFace>();

/** The face, parsed on first use and kept for the process's lifetime. */
export function loadFace(name: FaceName): FontFace {
  let face = faces.get(name);
  if (!face) {
    face = FontFace.fromPackage(name);
    faces.set(name, face);
  }
  return face;
}
