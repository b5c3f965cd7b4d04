/**
 * Embedded subset fonts as PDF objects: a Type0 font with Identity-H encoding over a
 * CIDFontType2 (TrueType outlines), its widths, and a ToUnicode map so that the text can be
 * selected, searched and extracted (pdftotext returns the Chinese).
 *
 * A `GlyphSet` numbers the glyphs a font holds: character ids (CIDs) are the glyph numbers
 * of the subset, so the content streams write CIDs and the font maps them one to one.
 */
import { createHash } from 'node:crypto';
import { type FaceName, type FontFace, MissingGlyphError } from './fonts.ts';
import { filterEntry, maybeDeflate, type PdfWriter, type StreamData } from './pdf-writer.ts';

const HEX4: string[] = [];
/** A CID as four hex digits, for `<…> Tj`. */
function hex4(cid: number): string {
  let h = HEX4[cid];
  if (h === undefined) {
    h = cid.toString(16).toUpperCase().padStart(4, '0');
    HEX4[cid] = h;
  }
  return h;
}

/** The glyphs one embedded font holds, in CID order; CID 0 is .notdef. */
export class GlyphSet {
  readonly gids: number[] = [0];
  /** The text each CID stands for (ToUnicode); components of composite glyphs have none. */
  readonly unicode: (string | undefined)[] = [undefined];
  private readonly byCodePoint = new Map<number, string>();
  private readonly byGid = new Map<number, number>([[0, 0]]);

  constructor(readonly face: FontFace) {}

  /** Hex CID of a character already in the set, or undefined. */
  lookup(codePoint: number): string | undefined {
    return this.byCodePoint.get(codePoint);
  }

  /** Adds a character (and the components of its glyph) and returns its hex CID. */
  add(char: string, codePoint: number, context: string): string {
    const known = this.byCodePoint.get(codePoint);
    if (known !== undefined) return known;
    const g = this.face.glyph(codePoint);
    if (!g) throw new MissingGlyphError(char, this.face.name, context);
    const cid = this.addGid(g.gid, char);
    const hex = hex4(cid);
    this.byCodePoint.set(codePoint, hex);
    return hex;
  }

  private addGid(gid: number, char: string | undefined): number {
    let cid = this.byGid.get(gid);
    if (cid === undefined) {
      for (const c of this.face.components(gid)) this.addGid(c, undefined);
      cid = this.gids.length;
      this.gids.push(gid);
      this.unicode.push(char);
      this.byGid.set(gid, cid);
    } else if (char !== undefined && this.unicode[cid] === undefined) {
      this.unicode[cid] = char;
    }
    return cid;
  }

  /** Adds every character of a text. */
  addText(text: string): void {
    for (const ch of text) {
      if (ch === '\n' || ch === '\r') continue;
      this.add(ch, ch.codePointAt(0)!, text);
    }
  }

  get size(): number {
    return this.gids.length;
  }
}

/** A subset font ready to be written into any number of PDF files. */
export interface FontData {
  face: FaceName;
  /** `ABCDEF+NotoSansSC-Regular` */
  baseFont: string;
  fontFile: StreamData;
  length1: number;
  widths: string;
  toUnicode: StreamData;
  descriptor: string;
}

function widthsArray(set: GlyphSet): string {
  const face = set.face;
  const scale = 1000 / face.unitsPerEm;
  const parts: string[] = [];
  let runStart = -1;
  let run: number[] = [];
  const flush = (): void => {
    if (run.length) parts.push(`${runStart}[${run.join(' ')}]`);
    run = [];
  };
  set.gids.forEach((gid, cid) => {
    const w = Math.round(face.advanceOf(gid) * scale);
    if (w === 1000) {
      flush();
      return;
    }
    if (!run.length) runStart = cid;
    else if (runStart + run.length !== cid) {
      flush();
      runStart = cid;
    }
    run.push(w);
  });
  flush();
  return `[${parts.join('')}]`;
}

function toUnicodeCMap(set: GlyphSet): string {
  const entries: string[] = [];
  set.unicode.forEach((text, cid) => {
    if (text === undefined) return;
    const b = Buffer.from(text, 'utf16le');
    b.swap16();
    entries.push(`<${hex4(cid)}><${b.toString('hex').toUpperCase()}>`);
  });
  const blocks: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const block = entries.slice(i, i + 100);
    blocks.push(`${block.length} beginbfchar\n${block.join('\n')}\nendbfchar`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000><FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

/** The subset tag: six capital letters derived from the glyphs held, so equal subsets get equal names. */
function subsetTag(set: GlyphSet): string {
  const digest = createHash('md5').update(Uint32Array.from(set.gids)).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (digest[i]! % 26));
  return tag;
}

/** Builds the subset font and its PDF dictionaries' contents for a glyph set. */
export function buildFontData(set: GlyphSet): FontData {
  const face = set.face;
  const raw = face.subset(set.gids);
  const scale = 1000 / face.unitsPerEm;
  const baseFont = `${subsetTag(set)}+${face.postscriptName}`;
  const [x0, y0, x1, y1] = face.bbox.map((v) => Math.round(v * scale));
  const descriptor =
    `/Type/FontDescriptor/FontName/${baseFont}/Flags 4/FontBBox[${x0} ${y0} ${x1} ${y1}]/ItalicAngle 0` +
    `/Ascent ${Math.round(face.ascent * scale)}/Descent ${Math.round(face.descent * scale)}` +
    `/CapHeight ${Math.round(face.capHeight * scale)}/StemV ${face.name === 'bold' ? 140 : 80}`;
  return {
    face: face.name,
    baseFont,
    fontFile: maybeDeflate(raw),
    length1: raw.length,
    widths: widthsArray(set),
    toUnicode: maybeDeflate(toUnicodeCMap(set)),
    descriptor,
  };
}

/** Writes a font's objects and returns the number of its Type0 font dictionary. */
export function writeFont(w: PdfWriter, font: FontData): number {
  const file = w.putStream(w.alloc(), `${filterEntry(font.fontFile)}/Length1 ${font.length1}`, font.fontFile.data);
  const descriptor = w.put(w.alloc(), `<<${font.descriptor}/FontFile2 ${file} 0 R>>`);
  const cidFont = w.put(
    w.alloc(),
    `<</Type/Font/Subtype/CIDFontType2/BaseFont/${font.baseFont}/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>` +
      `/FontDescriptor ${descriptor} 0 R/DW 1000/W ${font.widths}/CIDToGIDMap/Identity>>`,
  );
  const toUnicode = w.putStream(w.alloc(), filterEntry(font.toUnicode), font.toUnicode.data);
  return w.put(
    w.alloc(),
    `<</Type/Font/Subtype/Type0/BaseFont/${font.baseFont}/Encoding/Identity-H/DescendantFonts[${cidFont} 0 R]/ToUnicode ${toUnicode} 0 R>>`,
  );
}
