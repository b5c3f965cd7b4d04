/**
 * Where a bag is read from: a zip (streamed, never unpacked to disk) or a folder. Both
 * list the bag's files relative to the bag's top-level folder, and stream each file once.
 */
import { InputError } from '../domain/messages.ts';
import { lstat, open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, basename, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  HostileZipError,
  inspectZip,
  ZipStreamer,
  hostileNameReason,
  DEFAULT_ZIP_LIMITS,
  type ZipEntryInfo,
  type ZipLimits,
} from './zip-reader.ts';

export interface BagFile {
  /** Path relative to the bag's top-level folder, `/`-separated, e.g. `data/HF-…/record.json`. */
  path: string;
  size: number;
}

/** A structural remark about the container (files outside the bag folder and such). */
export interface SourceProblem {
  path: string;
  problem: string;
  rule: string;
}

export interface StreamOptions {
  /** Check a zip entry's CRC-32 while streaming (default true). */
  crc?: boolean;
  /** Where to read each chunk: a buffer of at most `READ_BYTES` (the chunk is a view of its start). */
  buffers?: () => Promise<Buffer>;
}

/** The most bytes read at once. */
const READ_BYTES = 1 << 19;

/** Reads `size` bytes from `position` on, chunk by chunk, each into a buffer from `buffers` (or a new one); stops early at the end of the file. */
async function* readChunks(
  handle: FileHandle,
  position: number,
  size: number,
  buffers?: () => Promise<Buffer>,
): AsyncGenerator<Buffer> {
  for (let at = 0; at < size;) {
    const target = buffers ? await buffers() : Buffer.allocUnsafeSlow(READ_BYTES);
    const want = Math.min(target.length, READ_BYTES, size - at);
    const { bytesRead } = await handle.read(target, 0, want, position + at);
    if (bytesRead === 0) return; // the file ended early (a buffer lent and not filled is the lender's to take back)
    at += bytesRead;
    yield target.subarray(0, bytesRead);
  }
}

export interface BagSource {
  kind: 'zip' | 'folder';
  /** The zip file or folder, absolute. */
  location: string;
  /** Name of the bag's top-level folder (for a folder: its base name). */
  bagName: string;
  files: BagFile[];
  structureProblems: SourceProblem[];
  /**
   * Streams a file's bytes; a zip entry is also checked against its size, and against its
   * CRC-32 unless `crc: false` (the caller then compares `crc32Of` with its own, e.g. from a
   * hashing thread). With `buffers`, each chunk is read into the buffer it gives (e.g. shared
   * memory a hashing thread reads, so that nothing is copied); the chunk is then valid only
   * until the next is asked for.
   */
  stream(path: string, options?: StreamOptions): AsyncIterable<Buffer>;
  /** A zip entry's CRC-32 as its central directory declares it (8 hex digits); null for a folder's files. */
  crc32Of(path: string): string | null;
  close(): void;
}

/** Opens a zip: inspects it (HostileZipError for hostile ones), then finds the one top-level folder. */
export async function openZipBag(path: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<BagSource> {
  const location = resolve(path);
  const { bagName, files, byPath, structureProblems } = bagLayout(await inspectZip(location, limits));
  const reader: EntryReader = { location, streamer: await ZipStreamer.open(location), handle: null };
  return {
    kind: 'zip',
    location,
    bagName,
    files,
    structureProblems,
    stream: (rel: string, options: StreamOptions = {}) => streamEntry(reader, byPath.get(rel)!, options),
    crc32Of: (rel: string) => {
      const entry = byPath.get(rel);
      return entry ? (entry.crc32 >>> 0).toString(16).padStart(8, '0') : null;
    },
    close: () => {
      reader.streamer.close();
      void reader.handle?.close();
    },
  };
}

/**
 * The bag inside a zip: its top-level folder (the one holding bagit.txt, else the one most
 * entries lie in), its files relative to that folder, and what lies outside it.
 */
function bagLayout(entries: ZipEntryInfo[]): {
  bagName: string;
  files: BagFile[];
  byPath: Map<string, ZipEntryInfo>;
  structureProblems: SourceProblem[];
} {
  const tops = new Map<string, number>();
  for (const e of entries) {
    const top = e.name.split('/')[0]!;
    tops.set(top, (tops.get(top) ?? 0) + 1);
  }
  const structureProblems: SourceProblem[] = [];
  const withBagit = entries.filter((e) => /^[^/]+\/bagit\.txt$/.test(e.name)).map((e) => e.name.split('/')[0]!);
  const bagName = withBagit[0] ?? [...tops.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const files: BagFile[] = [];
  const byPath = new Map<string, ZipEntryInfo>();
  for (const e of entries) {
    if (!e.name.startsWith(bagName + '/')) {
      structureProblems.push({
        path: e.name,
        problem: `lies outside the bag's top-level folder "${bagName}/"; a bundle holds exactly one top-level folder`,
        rule: 'bag/structure',
      });
      continue;
    }
    if (e.isDirectory) continue;
    const rel = e.name.slice(bagName.length + 1);
    files.push({ path: rel, size: e.size });
    byPath.set(rel, e);
  }
  if (withBagit.length > 1)
    structureProblems.push({
      path: withBagit[1] + '/',
      problem: 'a second bag in the same zip; a bundle holds exactly one',
      rule: 'bag/structure',
    });
  return { bagName, files, byPath, structureProblems };
}

/** How a zip's entries are read: stored ones through one file handle, opened on first use. */
interface EntryReader {
  location: string;
  streamer: ZipStreamer;
  handle: FileHandle | null;
}

/** Streams one entry, checking its size and (unless `crc: false`) its CRC-32 as it goes. */
async function* streamEntry(reader: EntryReader, entry: ZipEntryInfo, options: StreamOptions): AsyncGenerator<Buffer> {
  const checkCrc = options.crc ?? true;
  let crc = 0;
  let n = 0;
  if (entry.method === 0) {
    // Stored (what bundles hold): read straight from the data inspectZip located and
    // bounded, in large reads, without a stream per entry.
    reader.handle ??= await open(reader.location, 'r');
    for await (const got of readChunks(reader.handle, entry.dataStart, entry.size, options.buffers)) {
      n += got.length;
      if (checkCrc) crc = crc32(got, crc);
      yield got;
    }
  } else {
    for await (const chunk of await reader.streamer.stream(entry.name)) {
      if (checkCrc) crc = crc32(chunk as Buffer, crc);
      n += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  if (n !== entry.size)
    throw new HostileZipError(
      `sizes disagree: the entry holds ${n} bytes, the central directory declares ${entry.size}`,
      entry.name,
    );
  if (checkCrc && crc >>> 0 !== entry.crc32 >>> 0) throw new EntryCrcError(entry.name);
}

/** An entry whose data does not match its CRC-32: the zip itself is damaged there. */
export class EntryCrcError extends Error {
  constructor(readonly entry: string) {
    super(`${entry}: the data does not match the zip's CRC-32 for it; the zip is damaged`);
    this.name = 'EntryCrcError';
  }
}

/** Opens a bag folder; refuses symbolic links and names that escape it. */
export async function openFolderBag(path: string): Promise<BagSource> {
  const location = resolve(path);
  const s = await stat(location);
  if (!s.isDirectory()) throw new InputError(`${location} is not a folder`);
  const files: BagFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const rel = prefix + name;
      const full = join(dir, name);
      const st = await lstat(full);
      if (st.isSymbolicLink()) throw new HostileZipError('is a symbolic link; links could point outside the bag', rel);
      const bad = hostileNameReason(rel);
      if (bad) throw new HostileZipError(bad, rel);
      if (st.isDirectory()) await walk(full, rel + '/');
      else if (st.isFile()) files.push({ path: rel, size: st.size });
      else throw new HostileZipError('is neither a file nor a folder (a device or pipe)', rel);
    }
  };
  await walk(location, '');
  return {
    kind: 'folder',
    location,
    bagName: basename(location),
    files,
    structureProblems: [],
    async *stream(rel: string, options: StreamOptions = {}) {
      const handle = await open(join(location, rel), 'r');
      try {
        yield* readChunks(handle, 0, Infinity, options.buffers);
      } finally {
        await handle.close();
      }
    },
    crc32Of: () => null,
    close: () => {},
  };
}
