/**
 * Reading a zip without unpacking it: first a structural inspection of the central
 * directory and every local header (cheap, a few bytes per entry) that refuses hostile
 * zips with a clear reason before any data is decompressed; then yauzl streams each
 * entry's data, checking its declared size as it goes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { close as closeFs, createReadStream, fstatSync, openSync, read as readFs } from 'node:fs';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { collisionKey } from './names.ts';

/** Limits for untrusted zips (safe defaults, as sharp's `limitInputPixels`). */
export interface ZipLimits {
  /** Largest total of declared uncompressed sizes. Default 1 TiB. */
  maxTotalBytes: number;
  /** Largest ratio of uncompressed to compressed size for an entry over 1 MiB. Default 200. */
  maxRatio: number;
  /** Most entries. Default 1 000 000. */
  maxEntries: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxTotalBytes: 2 ** 40, maxRatio: 200, maxEntries: 1_000_000 };

/** One entry as the central directory declares it, after inspection. */
export interface ZipEntryInfo {
  index: number;
  name: string;
  isDirectory: boolean;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  dataStart: number;
}

/** A zip refused before reading: `entry` names the offending entry when there is one. */
export class HostileZipError extends Error {
  constructor(
    readonly reason: string,
    readonly entry?: string,
  ) {
    super(entry ? `${entry}: ${reason}` : reason);
    this.name = 'HostileZipError';
  }
}

/** A file that is not a zip we can read (truncated, not a zip, split archive). */
export class UnreadableZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableZipError';
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function decodeName(raw: Buffer, utf8Flag: boolean): string {
  const text = raw.toString('utf8');
  if (utf8Flag || !text.includes('\uFFFD')) return text;
  return raw.toString('latin1');
}

/** Why a name is refused, or undefined when it is acceptable. */
export function hostileNameReason(name: string): string | undefined {
  if (name.includes('\0')) return 'the name contains a NUL character';
  if (name.includes('\\')) return 'the name contains a backslash (a Windows path separator could escape the folder)';
  if (name.startsWith('/')) return 'the name is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'the name starts with a drive letter (an absolute Windows path)';
  if (name.split('/').some((c) => c === '..'))
    return 'the name contains ".." and would escape the folder it is unpacked into';
  return undefined;
}

type ReadAt = (position: number, length: number) => Promise<Buffer>;

/** One central directory record, as declared (zip64 sizes resolved). */
interface CentralEntry {
  index: number;
  madeBy: number;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  external: number;
  offset: number;
  rawName: Buffer;
  name: string;
}

/**
 * Inspects a zip's structure and refuses hostile ones (HostileZipError) or unreadable ones
 * (UnreadableZipError). Reads only the end records, the central directory and the local
 * headers, never the entries' data.
 */
export async function inspectZip(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipEntryInfo[]> {
  const fh = await open(path, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const read = boundedReader(fh, fileSize, path);
    const { count, cdOffset, cdSize } = await findCentralDirectory(read, fileSize, path, limits);
    const cd = await read(cdOffset, cdSize);
    const entries: ZipEntryInfo[] = [];
    const names = { exact: new Set<string>(), folded: new Map<string, string>(), total: 0 };
    let p = 0;
    for (let index = 0; index < count; index++) {
      const e = readCentralEntry(cd, p, index, count, path);
      p = e.next;
      checkEntry(e.entry, limits, names);
      entries.push(await checkLocalHeader(read, e.entry));
    }
    checkNoOverlap(entries, cdOffset);
    return entries;
  } finally {
    await fh.close();
  }
}

/** Reads exactly `length` bytes at `position`, refusing a read past the end (a truncated zip). */
function boundedReader(fh: FileHandle, fileSize: number, path: string): ReadAt {
  return async (position, length) => {
    if (position < 0 || position + length > fileSize)
      throw new UnreadableZipError(`${path} is truncated: a record at byte ${position} runs past the end of the file`);
    const b = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(b, done, length - done, position + done);
      if (bytesRead === 0) throw new UnreadableZipError(`${path} is truncated at byte ${position + done}`);
      done += bytesRead;
    }
    return b;
  };
}

/** The end records: where the central directory is, how long, and how many entries it declares. */
async function findCentralDirectory(
  read: ReadAt,
  fileSize: number,
  path: string,
  limits: ZipLimits,
): Promise<{ count: number; cdOffset: number; cdSize: number }> {
  if (fileSize < 22) throw new UnreadableZipError(`${path} is not a zip file (${fileSize} bytes)`);
  const tailLength = Math.min(fileSize, 22 + 0xffff);
  const tail = await read(fileSize - tailLength, tailLength);
  let eocdAt = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocdAt = i;
      break;
    }
  }
  if (eocdAt < 0)
    throw new UnreadableZipError(`${path} is not a zip file (no end-of-central-directory record); is it truncated?`);
  const eocdPos = fileSize - tailLength + eocdAt;
  if (tail.readUInt16LE(eocdAt + 4) !== 0 || tail.readUInt16LE(eocdAt + 6) !== 0)
    throw new UnreadableZipError(`${path} is part of a split (multi-disk) zip, which huifang does not read`);
  let count: number = tail.readUInt16LE(eocdAt + 10);
  let cdSize: number = tail.readUInt32LE(eocdAt + 12);
  let cdOffset: number = tail.readUInt32LE(eocdAt + 16);
  let cdEnd = eocdPos;
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && eocdPos >= 20) {
    const loc = await read(eocdPos - 20, 20);
    if (loc.readUInt32LE(0) === ZIP64_LOCATOR) {
      const z64At = Number(loc.readBigUInt64LE(8));
      const z = await read(z64At, 56);
      if (z.readUInt32LE(0) !== ZIP64_EOCD)
        throw new UnreadableZipError(`${path}: the zip64 end record is not where its locator says`);
      count = Number(z.readBigUInt64LE(32));
      cdSize = Number(z.readBigUInt64LE(40));
      cdOffset = Number(z.readBigUInt64LE(48));
      cdEnd = z64At;
    }
  }
  if (count > limits.maxEntries)
    throw new HostileZipError(`the zip declares ${count} entries, more than the limit of ${limits.maxEntries}`);
  if (cdOffset + cdSize > cdEnd)
    throw new UnreadableZipError(
      `${path}: the central directory (bytes ${cdOffset}–${cdOffset + cdSize}) overlaps the end records; the zip is damaged`,
    );
  if (cdSize > 512 * 2 ** 20)
    throw new HostileZipError(`the central directory is ${cdSize} bytes, more than any bag needs`);
  return { count, cdOffset, cdSize };
}

/** One central directory record at `p`, and where the next starts. */
function readCentralEntry(
  cd: Buffer,
  p: number,
  index: number,
  count: number,
  path: string,
): { entry: CentralEntry; next: number } {
  if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
    throw new UnreadableZipError(`${path}: central directory entry ${index + 1} of ${count} is damaged`);
  const flags = cd.readUInt16LE(p + 8);
  const nameLength = cd.readUInt16LE(p + 28);
  const extraLength = cd.readUInt16LE(p + 30);
  const commentLength = cd.readUInt16LE(p + 32);
  const rawName = cd.subarray(p + 46, p + 46 + nameLength);
  const entry: CentralEntry = {
    index,
    madeBy: cd.readUInt16LE(p + 4),
    flags,
    method: cd.readUInt16LE(p + 10),
    crc: cd.readUInt32LE(p + 16),
    compressedSize: cd.readUInt32LE(p + 20),
    size: cd.readUInt32LE(p + 24),
    external: cd.readUInt32LE(p + 38),
    offset: cd.readUInt32LE(p + 42),
    rawName,
    name: decodeName(rawName, (flags & 0x0800) !== 0),
  };
  readZip64Extra(entry, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
  const next = p + 46 + nameLength + extraLength + commentLength;
  if (next > cd.length)
    throw new UnreadableZipError(`${path}: central directory entry ${index + 1} runs past the directory's end`);
  return { entry, next };
}

/** zip64 extended information: the 64-bit sizes and offset where the 32-bit fields say 0xffffffff. */
function readZip64Extra(e: CentralEntry, extra: Buffer): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q);
    const len = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      let r = q + 4;
      if (e.size === 0xffffffff && r + 8 <= q + 4 + len) ((e.size = Number(extra.readBigUInt64LE(r))), (r += 8));
      if (e.compressedSize === 0xffffffff && r + 8 <= q + 4 + len)
        ((e.compressedSize = Number(extra.readBigUInt64LE(r))), (r += 8));
      if (e.offset === 0xffffffff && r + 8 <= q + 4 + len) e.offset = Number(extra.readBigUInt64LE(r));
    }
    q += 4 + len;
  }
}

/** Refuses a hostile entry: its name, links, encryption, duplicate or colliding names, bombs. */
function checkEntry(
  e: CentralEntry,
  limits: ZipLimits,
  names: { exact: Set<string>; folded: Map<string, string>; total: number },
): void {
  const { name, method, size, compressedSize } = e;
  const badName = hostileNameReason(name);
  if (badName) throw new HostileZipError(badName, name);
  const host = e.madeBy >> 8;
  const mode = e.external >>> 16;
  if ((host === 3 || host === 19) && (mode & 0o170000) === 0o120000)
    throw new HostileZipError('the entry is a symbolic link; links could point outside the bag', name);
  if ((host === 0 || host === 10 || host === 11 || host === 14) && (e.external & 0x400) !== 0)
    throw new HostileZipError('the entry is a Windows reparse point (a link)', name);
  if (e.flags & 0x0001) throw new HostileZipError('the entry is encrypted', name);
  if (method !== 0 && method !== 8)
    throw new UnreadableZipError(`${name}: compression method ${method} is not supported (only stored and deflated)`);
  if (names.exact.has(name)) throw new HostileZipError('the name appears twice in the zip', name);
  names.exact.add(name);
  const key = collisionKey(name.replace(/\/$/, ''));
  const earlier = names.folded.get(key);
  if (earlier !== undefined)
    throw new HostileZipError(
      `the name collides with "${earlier}" after Unicode normalisation and case folding; unpacked on another system one would overwrite the other`,
      name,
    );
  names.folded.set(key, name);
  if (method === 0 && compressedSize !== size)
    throw new HostileZipError(
      `a stored entry declares ${compressedSize} stored bytes but ${size} uncompressed bytes`,
      name,
    );
  if (size > 2 ** 20 && compressedSize > 0 && size / compressedSize > limits.maxRatio) {
    throw new HostileZipError(
      `the entry expands ${Math.round(size / compressedSize)}-fold (${compressedSize} → ${size} bytes), above the limit of ${limits.maxRatio}: a zip bomb`,
      name,
    );
  }
  if (size > 0 && compressedSize === 0)
    throw new HostileZipError(`the entry declares ${size} bytes from no compressed data`, name);
  names.total += size;
  if (names.total > limits.maxTotalBytes)
    throw new HostileZipError(
      `the entries declare more than ${limits.maxTotalBytes} bytes in total uncompressed: a zip bomb`,
    );
}

/** The local header must agree with the central directory; gives where the entry's data starts. */
async function checkLocalHeader(read: ReadAt, e: CentralEntry): Promise<ZipEntryInfo> {
  const { name, offset, method, compressedSize, size, crc } = e;
  const local = await read(offset, 30);
  if (local.readUInt32LE(0) !== LOCAL)
    throw new HostileZipError(`the central directory points to byte ${offset}, where there is no local header`, name);
  const lFlags = local.readUInt16LE(6);
  const lMethod = local.readUInt16LE(8);
  const lNameLength = local.readUInt16LE(26);
  const lExtraLength = local.readUInt16LE(28);
  const lName = await read(offset + 30, lNameLength);
  if (!lName.equals(e.rawName))
    throw new HostileZipError(
      `the local header names "${decodeName(lName, true)}", the central directory "${name}"`,
      name,
    );
  if (lMethod !== method)
    throw new HostileZipError(
      `the local header says compression method ${lMethod}, the central directory ${method}`,
      name,
    );
  if (!(lFlags & 0x0008)) {
    const lCompressed = local.readUInt32LE(18);
    const lSize = local.readUInt32LE(22);
    const z64 = lCompressed === 0xffffffff || lSize === 0xffffffff;
    if (!z64 && (lCompressed !== compressedSize || lSize !== size)) {
      throw new HostileZipError(
        `sizes disagree: the local header declares ${lCompressed} compressed / ${lSize} uncompressed bytes, the central directory ${compressedSize} / ${size}`,
        name,
      );
    }
    if (local.readUInt32LE(14) !== crc)
      throw new HostileZipError(`the local header's CRC-32 differs from the central directory's`, name);
  }
  const dataStart = offset + 30 + lNameLength + lExtraLength;
  return {
    index: e.index,
    name,
    isDirectory: name.endsWith('/'),
    method,
    crc32: crc,
    compressedSize,
    size,
    localHeaderOffset: offset,
    dataStart,
  };
}

/** No entry's bytes may overlap another's, nor the central directory (overlap bombs). */
function checkNoOverlap(entries: ZipEntryInfo[], cdOffset: number): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const end = e.dataStart + e.compressedSize;
    const next = byOffset[i + 1];
    const limit = next ? next.localHeaderOffset : cdOffset;
    if (end > limit) {
      throw new HostileZipError(
        next
          ? `the entry's data (bytes ${e.dataStart}–${end}) overlaps the entry "${next.name}" at byte ${next.localHeaderOffset}: overlapping entries are a zip-bomb technique`
          : `the entry's data runs into the central directory`,
        e.name,
      );
    }
  }
}

/**
 * yauzl's file reader with 1 MiB reads (its default reads 16 KiB at a time, which makes
 * hashing several times slower on large scans).
 */
class FileRangeReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly path: string,
    private readonly fd: number,
  ) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    if (end <= start) return Readable.from([]);
    return createReadStream(this.path, { start, end: end - 1, highWaterMark: 1 << 19 });
  }
  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null) => void,
  ): void {
    readFs(this.fd, buffer, offset, length, position, (err) => callback(err));
  }
  override close(callback: (err: Error | null) => void): void {
    closeFs(this.fd, (err) => callback(err));
  }
}

/** An open zip whose entries can be streamed, each once, in any order. */
export class ZipStreamer {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly byName: Map<string, yauzl.Entry>,
  ) {}

  static async open(path: string): Promise<ZipStreamer> {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const reader = new FileRangeReader(path, fd);
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromRandomAccessReader(
        reader,
        size,
        { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false },
        (err, z) => (err ? reject(err) : resolve(z!)),
      ),
    );
    const byName = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const raw = entry.fileName as unknown as Buffer;
        byName.set(decodeName(raw, (entry.generalPurposeBitFlag & 0x0800) !== 0), entry);
        zip.readEntry();
      });
      zip.once('end', () => resolve());
      zip.once('error', reject);
      zip.readEntry();
    });
    return new ZipStreamer(zip, byName);
  }

  /** The entry's uncompressed bytes as a stream; errors if the data disagrees with its declared size or CRC. */
  async stream(name: string): Promise<Readable> {
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`No entry ${name} in the zip`);
    const stream = await new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s!))),
    );
    return stream;
  }

  close(): void {
    this.zip.close();
  }
}
