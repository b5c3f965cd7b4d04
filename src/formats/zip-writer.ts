/**
 * The one zip writer, for archive bundles (streamed to a file: `ZipWriter`) and Word
 * documents (built in memory: `zipInMemory`), with the same headers either way.
 *
 * Deterministic: the same entries in the same order give the same bytes.
 * Every entry carries the same fixed DOS date (the bag's Bagging-Date, midnight), Unix
 * mode 0644, the UTF-8 name flag, no extra fields and no data descriptors; data that is
 * already compressed (JPEG, PNG, PDF, audio, zip) is STORED, text is deflated.
 *
 * It writes no zip64 records, so a zip stays below 4 GiB and 65 535 entries; the bag
 * planner splits a period into several bags long before that (`ZipLimitError` otherwise).
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { deflateRawSync, crc32 } from 'node:zlib';
import { dirname, basename, join } from 'node:path';
import { mkdirSync } from 'node:fs';

/** Largest offset or size a zip without zip64 can hold. */
export const ZIP32_LIMIT = 0xffffffff;
export const ZIP32_MAX_ENTRIES = 0xffff;

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const FLAG_UTF8 = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
/** Made by: Unix (3), spec 2.0. */
const VERSION_MADE_BY = (3 << 8) | 20;
/** Regular file, rw-r--r--. */
const UNIX_FILE_MODE = 0o100644;

class ZipLimitError extends Error {
  constructor(what: string) {
    super(
      `${what} would exceed what a zip without zip64 can hold (4 GiB, 65 535 entries); split the bundle with a smaller --max-bytes`,
    );
    this.name = 'ZipLimitError';
  }
}

/** Extensions of data that is already compressed: stored, not deflated again. */
const COMPRESSED_EXTENSIONS = new Set([
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'jp2',
  'pdf',
  'zip',
  'gz',
  'bz2',
  'xz',
  '7z',
  'docx',
  'xlsx',
  'pptx',
  'mp3',
  'm4a',
  'aac',
  'ogg',
  'opus',
  'amr',
  'wma',
  'flac',
  'mp4',
  'tif',
  'tiff',
]);

/** Whether an entry with this name is deflated (text and other uncompressed data) or stored. */
function shouldDeflate(name: string): boolean {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return !COMPRESSED_EXTENSIONS.has(ext);
}

/** One entry ready to be written: its name, how it is stored, and its (possibly deflated) body. */
export interface PreparedEntry {
  name: Buffer;
  method: number;
  crc: number;
  size: number;
  body: Uint8Array;
}

/**
 * Prepares an entry from bytes in memory: deflated when the name says text (or `deflate` is
 * set) and deflating makes it smaller, else stored. `level` trades speed for size (default 9).
 */
export function prepareEntry(
  name: string,
  bytes: Uint8Array,
  options: { deflate?: boolean; level?: number } = {},
): PreparedEntry {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entry: PreparedEntry = {
    name: Buffer.from(name, 'utf8'),
    method: METHOD_STORE,
    crc: crc32(data) >>> 0,
    size: data.length,
    body: data,
  };
  if (options.deflate ?? shouldDeflate(name)) {
    const level = options.level ?? 9;
    const deflated = deflateRawSync(data, { level, memLevel: level === 9 ? 9 : 8 });
    if (deflated.length < data.length) {
      entry.method = METHOD_DEFLATE;
      entry.body = deflated;
    }
  }
  return entry;
}

/** A local file header (30 bytes and the name). */
function localHeader(e: PreparedEntry, compressedSize: number, dos: DosDateTime): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(LOCAL_HEADER, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(FLAG_UTF8, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(dos.time, 10);
  h.writeUInt16LE(dos.date, 12);
  h.writeUInt32LE(e.crc >>> 0, 14);
  h.writeUInt32LE(compressedSize, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, e.name]);
}

/** The central directory and its end record, for entries written from offset 0 up to `cdOffset`. */
function centralDirectory(central: readonly CentralRecord[], cdOffset: number, dos: DosDateTime): Buffer {
  const parts: Buffer[] = [];
  for (const e of central) {
    const h = Buffer.alloc(46);
    h.writeUInt32LE(CENTRAL_HEADER, 0);
    h.writeUInt16LE(VERSION_MADE_BY, 4);
    h.writeUInt16LE(20, 6);
    h.writeUInt16LE(FLAG_UTF8, 8);
    h.writeUInt16LE(e.method, 10);
    h.writeUInt16LE(dos.time, 12);
    h.writeUInt16LE(dos.date, 14);
    h.writeUInt32LE(e.crc >>> 0, 16);
    h.writeUInt32LE(e.compressedSize, 20);
    h.writeUInt32LE(e.size, 24);
    h.writeUInt16LE(e.name.length, 28);
    // extra, comment, disk and internal attributes stay zero
    h.writeUInt32LE((UNIX_FILE_MODE << 16) >>> 0, 38);
    h.writeUInt32LE(e.offset, 42);
    parts.push(h, e.name);
  }
  const cd = Buffer.concat(parts);
  if (cdOffset + cd.length + 22 > ZIP32_LIMIT) throw new ZipLimitError('The central directory');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(central.length, 8);
  end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([cd, end]);
}

/** A whole zip in memory (a Word document): the entries in order, every one dated `entryDate`. */
export function zipInMemory(entries: readonly PreparedEntry[], entryDate: string): Uint8Array {
  const dos = dosDateTime(entryDate);
  const parts: Uint8Array[] = [];
  const central: CentralRecord[] = [];
  let at = 0;
  for (const e of entries) {
    const header = localHeader(e, e.body.length, dos);
    central.push({
      name: e.name,
      method: e.method,
      crc: e.crc,
      compressedSize: e.body.length,
      size: e.size,
      offset: at,
    });
    parts.push(header, e.body);
    at += header.length + e.body.length;
  }
  if (entries.length > ZIP32_MAX_ENTRIES || at > ZIP32_LIMIT) throw new ZipLimitError('The document');
  parts.push(centralDirectory(central, at, dos));
  const out = Buffer.concat(parts);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

type DosDateTime = { date: number; time: number };

/** DOS date and time for a calendar date at 00:00:00 (zip has no time zone). */
function dosDateTime(isoDate: string): DosDateTime {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  if (!(y >= 1980 && y <= 2107)) throw new Error(`A zip cannot hold the date ${isoDate}`);
  return { date: ((y - 1980) << 9) | (m << 5) | d, time: 0 };
}

interface CentralRecord {
  name: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** What was written for one entry. */
export interface WrittenEntry {
  name: string;
  size: number;
  compressedSize: number;
  crc32: number;
  stored: boolean;
}

export class ZipWriter {
  private readonly central: CentralRecord[] = [];
  private position = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    /** Where the zip is written until the caller moves it into place (`path`) once closed. */
    readonly temporaryPath: string,
    private readonly handle: FileHandle,
    private readonly dos: DosDateTime,
  ) {}

  /**
   * Starts a zip for `path`, written to `tempPath` (default: a name beside it with this
   * process's id), where it stays once `close`d for the caller to move into place.
   */
  static async create(path: string, entryDate: string, tempPath?: string): Promise<ZipWriter> {
    mkdirSync(dirname(path), { recursive: true });
    tempPath ??= join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
    const handle = await open(tempPath, 'w', 0o644);
    return new ZipWriter(path, tempPath, handle, dosDateTime(entryDate));
  }

  /** Bytes written so far. */
  get size(): number {
    return this.position;
  }

  private async write(bytes: Buffer): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += bytes.length;
  }

  private checkRoom(name: string, compressedSize: number): void {
    if (this.central.length + 1 > ZIP32_MAX_ENTRIES) throw new ZipLimitError(`Entry ${name}`);
    if (this.position + 30 + Buffer.byteLength(name) + compressedSize > ZIP32_LIMIT)
      throw new ZipLimitError(`Entry ${name}`);
  }

  /** Adds an entry from bytes in memory; deflated when that helps and the name says text. */
  async addBuffer(name: string, bytes: Uint8Array, options: { deflate?: boolean } = {}): Promise<WrittenEntry> {
    const e = prepareEntry(name, bytes, options);
    this.checkRoom(name, e.body.length);
    const offset = this.position;
    await this.write(localHeader(e, e.body.length, this.dos));
    await this.write(Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength));
    this.central.push({
      name: e.name,
      method: e.method,
      crc: e.crc,
      compressedSize: e.body.length,
      size: e.size,
      offset,
    });
    return { name, size: e.size, compressedSize: e.body.length, crc32: e.crc, stored: e.method === METHOD_STORE };
  }

  /**
   * Adds a STORED entry of known size from a stream of chunks (a scan, a recording), reading
   * it once: `onChunk` sees every chunk (to feed the manifests' hashers). The CRC is written
   * into the local header afterwards, so no data descriptor is needed.
   */
  async addStream(
    name: string,
    size: number,
    chunks: AsyncIterable<Buffer>,
    onChunk: (chunk: Buffer) => void | Promise<void> = () => {},
  ): Promise<WrittenEntry> {
    const nameBytes = Buffer.from(name, 'utf8');
    this.checkRoom(name, size);
    const offset = this.position;
    await this.write(
      localHeader({ name: nameBytes, method: METHOD_STORE, crc: 0, size, body: Buffer.alloc(0) }, size, this.dos),
    );
    let crc = 0;
    let seen = 0;
    for await (const chunk of chunks) {
      seen += chunk.length;
      if (seen > size) throw new Error(`${name} grew while it was being archived (more than ${size} bytes)`);
      crc = crc32(chunk, crc);
      await Promise.all([onChunk(chunk), this.write(chunk)]);
    }
    if (seen !== size) throw new Error(`${name} has ${seen} bytes, expected ${size}; the stored file changed`);
    const crcBytes = Buffer.alloc(4);
    crcBytes.writeUInt32LE(crc >>> 0, 0);
    await this.handle.write(crcBytes, 0, 4, offset + 14);
    this.central.push({ name: nameBytes, method: METHOD_STORE, crc, compressedSize: size, size, offset });
    return { name, size, compressedSize: size, crc32: crc >>> 0, stored: true };
  }

  /**
   * Writes the central directory and flushes, leaving the whole zip under its temporary name
   * (`temporaryPath`) for the caller to move into place. Returns its size.
   */
  async close(): Promise<number> {
    await this.write(centralDirectory(this.central, this.position, this.dos));
    await this.handle.sync();
    await this.handle.close();
    this.closed = true;
    return this.position;
  }

  /** Abandons the zip: nothing is left behind. */
  async abort(): Promise<void> {
    if (!this.closed) await this.handle.close().catch(() => {});
    this.closed = true;
    await rm(this.temporaryPath, { force: true });
  }
}

/** Bytes a zip adds around an entry's data (local header + central header), for planning. */
export function zipOverhead(name: string): number {
  const n = Buffer.byteLength(name);
  return 30 + n + 46 + n;
}
