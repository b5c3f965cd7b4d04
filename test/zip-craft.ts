/**
 * Raw zip bytes for tests, written field by field (independent of src/archive's writer),
 * with knobs to make hostile zips: link attributes, lying sizes, overlapping entries.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface CraftEntry {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Unix mode in the external attributes (e.g. 0o120777 for a symbolic link). */
  mode?: number;
  /** Override the sizes the local header declares. */
  localSize?: number;
  /** Override the uncompressed size the central directory declares. */
  centralSize?: number;
  /** Point the central directory at another entry's local header (overlap). */
  offsetOf?: number;
}

/** Builds a zip from entries; sizes and offsets honest unless a knob says otherwise. */
export function craftZip(entries: CraftEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let pos = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data) >>> 0;
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x0800, 6);
    h.writeUInt16LE(e.deflate ? 8 : 0, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE((46 << 9) | (1 << 5) | 1, 12);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(e.localSize ?? body.length, 18);
    h.writeUInt32LE(e.localSize ?? e.data.length, 22);
    h.writeUInt16LE(name.length, 26);
    offsets.push(pos);
    locals.push(h, name, body);
    pos += 30 + name.length + body.length;
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(e.deflate ? 8 : 0, 10);
    c.writeUInt16LE((46 << 9) | (1 << 5) | 1, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(e.centralSize ?? e.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(((e.mode ?? 0o100644) << 16) >>> 0, 38);
    centrals.push(Buffer.concat([c, name]));
  }
  entries.forEach((e, i) => centrals[i]!.writeUInt32LE(offsets[e.offsetOf ?? i]!, 42));
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(pos, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * An overlapping zip (the "zip bomb via overlap" trick): entry `outer` stores bytes that are
 * themselves the local header and data of entry `inner`, and the central directory lists
 * both, so `inner`'s bytes are read twice.
 */
export function craftOverlap(): Buffer {
  const innerZip = craftZip([{ name: 'bag/data/inner.txt', data: Buffer.from('inner data\n') }]);
  const innerLocalLength = 30 + 'bag/data/inner.txt'.length + 'inner data\n'.length;
  const innerLocal = innerZip.subarray(0, innerLocalLength);
  const zip = craftZip([
    { name: 'bag/data/outer.bin', data: Buffer.from(innerLocal) },
    { name: 'bag/data/inner.txt', data: Buffer.from('inner data\n') },
  ]);
  // point the second central entry at the copy of its local header inside the first entry's data
  const cdOffset = zip.readUInt32LE(zip.length - 22 + 16);
  const firstCentralLength = 46 + 'bag/data/outer.bin'.length;
  zip.writeUInt32LE(30 + 'bag/data/outer.bin'.length, cdOffset + firstCentralLength + 42);
  return zip;
}
