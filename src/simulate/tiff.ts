/**
 * Joins single-page TIFF files (as sharp writes them: JPEG, LZW or CCITT G4 compressed)
 * into one multi-page TIFF, as a batch scanner writes a stack of pages: each page keeps
 * its own size, resolution and compression; its strips and values are copied byte for
 * byte, only their offsets change.
 */

const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};
const STRIP_OFFSETS = 273;
const STRIP_BYTE_COUNTS = 279;
const TILE_OFFSETS = 324;
const TILE_BYTE_COUNTS = 325;
const NEW_SUBFILE_TYPE = 254;
const PAGE_NUMBER = 297;

interface Entry {
  tag: number;
  type: number;
  count: number;
  /** The value bytes, little-endian. */
  value: Uint8Array;
}

interface Page {
  entries: Entry[];
  /** Image data blocks (strips or tiles), in order. */
  blocks: Uint8Array[];
  dataTag: number;
  countTag: number;
}

/** Reads the first image of a classic TIFF into entries (values converted to little-endian) and data blocks. */
function readPage(tiff: Uint8Array, which: number): Page {
  const v = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = String.fromCharCode(tiff[0]!, tiff[1]!);
  if ((order !== 'II' && order !== 'MM') || v.getUint16(2, order === 'II') !== 42) {
    throw new Error(`page ${which} of the batch is not a classic TIFF image`);
  }
  const le = order === 'II';
  const ifd = v.getUint32(4, le);
  const n = v.getUint16(ifd, le);
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12;
    const tag = v.getUint16(e, le);
    const type = v.getUint16(e + 2, le);
    const count = v.getUint32(e + 4, le);
    const size = (TYPE_SIZES[type] ?? 1) * count;
    const at = size <= 4 ? e + 8 : v.getUint32(e + 8, le);
    const raw = tiff.subarray(at, at + size);
    entries.push({ tag, type, count, value: toLittleEndian(raw, type, le) });
  }
  const numbers = (tag: number): number[] => {
    const e = entries.find((x) => x.tag === tag);
    if (!e) return [];
    const dv = new DataView(e.value.buffer, e.value.byteOffset, e.value.byteLength);
    return Array.from({ length: e.count }, (_, i) =>
      e.type === 3 ? dv.getUint16(i * 2, true) : dv.getUint32(i * 4, true),
    );
  };
  const tiled = entries.some((e) => e.tag === TILE_OFFSETS);
  const dataTag = tiled ? TILE_OFFSETS : STRIP_OFFSETS;
  const countTag = tiled ? TILE_BYTE_COUNTS : STRIP_BYTE_COUNTS;
  const offsets = numbers(dataTag);
  const counts = numbers(countTag);
  if (offsets.length === 0 || offsets.length !== counts.length)
    throw new Error(`page ${which} of the batch has no image data`);
  const blocks = offsets.map((o, i) => tiff.subarray(o, o + counts[i]!));
  return { entries, blocks, dataTag, countTag };
}

function toLittleEndian(raw: Uint8Array, type: number, le: boolean): Uint8Array {
  const copy = new Uint8Array(raw);
  if (le) return copy;
  const unit = type === 5 || type === 10 ? 4 : (TYPE_SIZES[type] ?? 1);
  if (unit === 1) return copy;
  for (let i = 0; i + unit <= copy.length; i += unit) copy.subarray(i, i + unit).reverse();
  return copy;
}

function u16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return b;
}
function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** One multi-page TIFF (little-endian) from single-page TIFFs, pages in the given order. */
export function joinTiffPages(pages: readonly Uint8Array[]): Uint8Array {
  if (pages.length === 0) throw new Error('a multi-page TIFF needs at least one page');
  const parsed = pages.map((p, i) => readPage(p, i + 1));
  const chunks: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array): number => {
    if (size % 2) {
      chunks.push(new Uint8Array(1));
      size += 1;
    }
    const at = size;
    chunks.push(b);
    size += b.length;
    return at;
  };
  const header = new Uint8Array(8);
  header.set([0x49, 0x49, 42, 0]);
  push(header);
  let previousNextPointer = 4; // where the pointer to the next IFD goes
  const patches: { at: number; value: number }[] = [];
  parsed.forEach((page, index) => {
    const offsets = page.blocks.map((b) => push(b));
    const entries: Entry[] = page.entries
      .filter((e) => e.tag !== NEW_SUBFILE_TYPE && e.tag !== PAGE_NUMBER)
      .map((e) =>
        e.tag === page.dataTag ? { tag: e.tag, type: 4, count: offsets.length, value: concat(offsets.map(u32)) } : e,
      );
    entries.push({ tag: NEW_SUBFILE_TYPE, type: 4, count: 1, value: u32(2) });
    entries.push({ tag: PAGE_NUMBER, type: 3, count: 2, value: concat([u16(index), u16(parsed.length)]) });
    entries.sort((a, b) => a.tag - b.tag);
    const valueAt = new Map<Entry, number>();
    for (const e of entries) if (e.value.length > 4) valueAt.set(e, push(e.value));
    const ifd = new Uint8Array(2 + entries.length * 12 + 4);
    const dv = new DataView(ifd.buffer);
    dv.setUint16(0, entries.length, true);
    entries.forEach((e, i) => {
      const at = 2 + i * 12;
      dv.setUint16(at, e.tag, true);
      dv.setUint16(at + 2, e.type, true);
      dv.setUint32(at + 4, e.count, true);
      if (e.value.length > 4) dv.setUint32(at + 8, valueAt.get(e)!, true);
      else ifd.set(e.value, at + 8);
    });
    const ifdAt = push(ifd);
    patches.push({ at: previousNextPointer, value: ifdAt });
    previousNextPointer = ifdAt + 2 + entries.length * 12;
  });
  const out = concat(chunks);
  const dv = new DataView(out.buffer);
  for (const p of patches) dv.setUint32(p.at, p.value, true);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
