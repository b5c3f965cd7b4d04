/**
 * Limits on Office files (XLSX customer lists and rosters, DOCX templates) before a library
 * parses them: an XLSX is a zip, and a 286 KB zip can hold shared strings that expand to
 * 300 MB and take gigabytes of memory to parse. The central directory says how large each
 * part is; it is read first (entry count, each part's size, the whole), and then every part
 * is inflated once with its declared size as a hard cap, so a zip that lies about its sizes
 * is refused too. Nothing here holds more than one part's bytes at a time.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, inflateRawSync } from 'node:zlib';

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
  /** Parts read as a stream (never held whole), which may be larger than `maxEntryBytes`. */
  streamedParts?: { pattern: RegExp; maxBytes: number };
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

/** Where the end-of-central-directory record starts in `tail` (the end of a zip), or -1. */
function findEocd(tail: Buffer): number {
  for (let i = tail.length - 22; i >= Math.max(0, tail.length - 22 - 0xffff); i--) {
    if (tail.readUInt32LE(i) === EOCD) return i;
  }
  return -1;
}

/**
 * The central directory's entries (no ZIP64: an Office file within the limits never needs
 * it). `bytes` are the zip's bytes from offset `base` to its end, directory included.
 */
function centralDirectory(bytes: Buffer, limits: OfficeZipLimits, base = 0): Entry[] {
  const eocd = findEocd(bytes);
  if (eocd < 0) throw new OfficeZipError('it is not a zip file (no central directory): not an Office document');
  const count = bytes.readUInt16LE(eocd + 10);
  const cdOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff)
    throw new OfficeZipError('it is a ZIP64 file, larger than any list or template huifang reads');
  if (count > limits.maxEntries)
    throw new OfficeZipError(
      `it holds ${count} parts, more than the ${limits.maxEntries} an Office document of huifang may hold`,
    );
  const entries: Entry[] = [];
  let p = cdOffset - base;
  for (let i = 0; i < count; i++) {
    if (p < 0 || p + 46 > bytes.length || bytes.readUInt32LE(p) !== CENTRAL)
      throw new OfficeZipError('its central directory is damaged');
    const nameLength = bytes.readUInt16LE(p + 28);
    const skip = nameLength + bytes.readUInt16LE(p + 30) + bytes.readUInt16LE(p + 32);
    entries.push({
      name: bytes.toString('utf8', p + 46, Math.min(bytes.length, p + 46 + Math.min(nameLength, 200))),
      method: bytes.readUInt16LE(p + 10),
      compressed: bytes.readUInt32LE(p + 20),
      size: bytes.readUInt32LE(p + 24),
      localOffset: bytes.readUInt32LE(p + 42),
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
  checkSizes(entries, limits);
  for (const e of entries) inflatedWithin(zip, e);
}

/** The declared sizes: each part's, all parts' together, and how much each expands. */
function checkSizes(entries: readonly Entry[], limits: OfficeZipLimits): void {
  let total = 0;
  for (const e of entries) {
    total += e.size;
    const maxBytes = limits.streamedParts?.pattern.test(e.name) ? limits.streamedParts.maxBytes : limits.maxEntryBytes;
    if (e.size > maxBytes || e.size === 0xffffffff)
      throw new OfficeZipError(`its part ${e.name} expands to ${mb(e.size)}, more than the ${mb(maxBytes)} allowed`);
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

/**
 * As `checkOfficeZip`, on a file read in pieces (its directory, then each part inflated as a
 * stream and counted, never held): for workbooks too large to hold, read by a streaming parser.
 */
export async function checkOfficeZipFile(path: string, limits: OfficeZipLimits): Promise<void> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const read = async (offset: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      await file.read(buffer, 0, buffer.length, offset);
      return buffer;
    };
    const tail = await read(Math.max(0, size - 22 - 0xffff), 22 + 0xffff);
    const eocd = findEocd(tail);
    if (eocd < 0) throw new OfficeZipError('it is not a zip file (no central directory): not an Office document');
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset > size || size - cdOffset > MAX_DIRECTORY_BYTES)
      throw new OfficeZipError('its central directory is damaged');
    const entries = centralDirectory(await read(cdOffset, size - cdOffset), limits, cdOffset);
    checkSizes(entries, limits);
    for (const e of entries) {
      const local = await read(e.localOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOCAL)
        throw new OfficeZipError(`its part ${e.name} is damaged`);
      await inflatedWithinFile(path, e, e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28));
    }
  } finally {
    await file.close();
  }
}

/** A directory of `maxEntries` parts with long names is far below this. */
const MAX_DIRECTORY_BYTES = 16 * 2 ** 20;

/** Inflates one part of a file as a stream, counting: more or fewer bytes than it declares is refused. */
async function inflatedWithinFile(path: string, e: Entry, start: number): Promise<void> {
  if (e.method === 0) {
    if (e.compressed !== e.size) throw new OfficeZipError(`its part ${e.name} is stored with two different sizes`);
    return;
  }
  if (e.method !== 8)
    throw new OfficeZipError(`its part ${e.name} uses a compression method (${e.method}) Office does not write`);
  let out = 0;
  const count = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.length;
      done(
        out > e.size
          ? new OfficeZipError(`its part ${e.name} expands to more than the ${e.size} bytes it declares: a zip bomb`)
          : null,
      );
    },
  });
  const source = createReadStream(path, { start, end: Math.max(start, start + e.compressed - 1) });
  try {
    await pipeline(e.compressed === 0 ? Readable.from([]) : source, createInflateRaw(), count);
  } catch (error) {
    source.destroy();
    if (error instanceof OfficeZipError) throw error;
    throw new OfficeZipError(`its part ${e.name} cannot be inflated (${(error as Error).message})`);
  }
  if (out !== e.size)
    throw new OfficeZipError(`its part ${e.name} expands to ${out} bytes, not the ${e.size} it declares`);
}
