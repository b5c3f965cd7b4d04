/**
 * Limits on Office files (XLSX customer lists and rosters, DOCX templates) before a library
 * parses them: an XLSX is a zip, and a 286 KB zip can hold shared strings that expand to
 * 300 MB and take gigabytes of memory to parse. The central directory says how large each
 * part is; it is read first (entry count, each part's size, the whole), and then every part
 * is inflated once with its declared size as a hard cap, so a zip that lies about its sizes
 * is refused too. Nothing here holds more than one part's bytes at a time.
 */
import { inflateRawSync } from 'node:zlib';

export interface OfficeZipLimits {
  /** Most parts (entries) a file may hold. */
  maxEntries: number;
  /** Most bytes all parts may expand to together. */
  maxTotalBytes: number;
  /** Most bytes one part may expand to. */
  maxEntryBytes: number;
  /** A part larger than `ratioFloorBytes` may expand at most this many times its compressed size. */
  maxRatio: number;
  ratioFloorBytes: number;
}

/**
 * For customer lists, rosters and templates. A list of 100 000 customers is about 60 MB of
 * XML; a ratio above 100 (Apache POI's threshold) is what a zip bomb looks like.
 */
export const OFFICE_ZIP_LIMITS: OfficeZipLimits = {
  maxEntries: 1000,
  maxTotalBytes: 100 * 2 ** 20,
  maxEntryBytes: 100 * 2 ** 20,
  maxRatio: 100,
  ratioFloorBytes: 2 ** 20,
};

/** Why an Office file was refused before parsing, in users' words. */
export class OfficeZipError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'OfficeZipError';
  }
}

interface Entry {
  name: string;
  method: number;
  compressed: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The central directory's entries (no ZIP64: an Office file within the limits never needs it). */
function centralDirectory(zip: Buffer, limits: OfficeZipLimits): Entry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new OfficeZipError('it is not a zip file (no central directory): not an Office document');
  const count = zip.readUInt16LE(eocd + 10);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff)
    throw new OfficeZipError('it is a ZIP64 file, larger than any list or template huifang reads');
  if (count > limits.maxEntries)
    throw new OfficeZipError(
      `it holds ${count} parts, more than the ${limits.maxEntries} an Office document of huifang may hold`,
    );
  const entries: Entry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL)
      throw new OfficeZipError('its central directory is damaged');
    const nameLength = zip.readUInt16LE(p + 28);
    const skip = nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    entries.push({
      name: zip.toString('utf8', p + 46, Math.min(zip.length, p + 46 + Math.min(nameLength, 200))),
      method: zip.readUInt16LE(p + 10),
      compressed: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
    });
    p += 46 + skip;
  }
  return entries;
}

const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MB`;

/**
 * Refuses (throws `OfficeZipError`) a zip whose parts are too many, too large, expand too
 * much, or expand to more than their declared size. Returns when the file is within limits.
 */
export function checkOfficeZip(zip: Buffer, limits: OfficeZipLimits = OFFICE_ZIP_LIMITS): void {
  const entries = centralDirectory(zip, limits);
  let total = 0;
  for (const e of entries) {
    total += e.size;
    if (e.size > limits.maxEntryBytes || e.size === 0xffffffff)
      throw new OfficeZipError(
        `its part ${e.name} expands to ${mb(e.size)}, more than the ${mb(limits.maxEntryBytes)} allowed`,
      );
    if (total > limits.maxTotalBytes)
      throw new OfficeZipError(
        `its parts expand to more than ${mb(limits.maxTotalBytes)} together (a zip bomb, or a list far larger than any huifang reads)`,
      );
    if (e.size > limits.ratioFloorBytes && e.size > e.compressed * limits.maxRatio) {
      throw new OfficeZipError(
        `its part ${e.name} expands ${Math.round(e.size / Math.max(1, e.compressed))} times (${mb(e.size)}), more than the ${limits.maxRatio} times a real document does: a zip bomb`,
      );
    }
  }
  for (const e of entries) inflatedWithin(zip, e);
}

/** Inflates one part with its declared size as the cap: a part that lies about its size is refused. */
function inflatedWithin(zip: Buffer, e: Entry): void {
  const at = e.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL) throw new OfficeZipError(`its part ${e.name} is damaged`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + e.compressed);
  if (e.method === 0) {
    if (e.compressed !== e.size) throw new OfficeZipError(`its part ${e.name} is stored with two different sizes`);
    return;
  }
  if (e.method !== 8)
    throw new OfficeZipError(`its part ${e.name} uses a compression method (${e.method}) Office does not write`);
  let out: Buffer;
  try {
    out = inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) });
  } catch (error) {
    const tooLarge = error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new OfficeZipError(
      tooLarge
        ? `its part ${e.name} expands to more than the ${e.size} bytes it declares: a zip bomb`
        : `its part ${e.name} cannot be inflated (${(error as Error).message})`,
    );
  }
  if (out.length !== e.size)
    throw new OfficeZipError(`its part ${e.name} expands to ${out.length} bytes, not the ${e.size} it declares`);
}
