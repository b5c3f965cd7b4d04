/**
 * The content-addressed file store: every input and every document huifang writes is kept
 * byte-for-byte under its SHA-256 (`objects/ab/abcdef…`). Storing the same bytes twice
 * stores them once. Stored objects are read-only; nothing ever modifies one.
 *
 * This is the only module that knows where stored files live, so that a deployment can
 * later put them on S3-compatible object storage with Object Lock.
 */
import { InputError } from '../domain/messages.ts';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  type ReadStream,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  chmodSync,
} from 'node:fs';
import { copyFile, chmod, rm } from 'node:fs/promises';
import { join, dirname, sep } from 'node:path';
import { tempPathFor, writeFileAtomicSync, type WriteBatch } from './atomic.ts';
import { removeDeadTempFiles, type Leftover } from './leftovers.ts';

export interface StoredObject {
  sha256: string;
  size: number;
}

export function sha256Of(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256OfFile(path: string): Promise<StoredObject> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * What a stored file looks like on disk without reading it: its size and its modification and
 * change times to the nanosecond. Writing to a file, or replacing it, changes its stamp (the
 * change time cannot be set back), so a file whose stamp is the one it had when its bytes
 * last hashed to its name has not been written to since.
 */
export type FileStamp = string;

function stampOf(st: { size: bigint; mtimeNs: bigint; ctimeNs: bigint }): FileStamp {
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The read buffer of `checkNow` (one at a time: it reads synchronously). */
const CHECK_BUFFER = Buffer.allocUnsafe(1 << 20);

export class FileStore {
  readonly root: string;
  /** The folder of the objects, normalized once: an object's path is this and two names. */
  private readonly objects: string;

  constructor(root: string) {
    this.root = root;
    this.objects = join(root, 'objects');
    mkdirSync(this.objects, { recursive: true });
  }

  /**
   * Where an object lives on disk (read-only), to show a person where to open it (a review
   * item's crop in `--json`). Stages read stored objects with `read` and `stream`.
   */
  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`Not a SHA-256: ${JSON.stringify(sha256)}`);
    // what join() would make, without normalizing the checked hex names again: validate asks for thousands
    return `${this.objects}${sep}${sha256.slice(0, 2)}${sep}${sha256}`;
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /**
   * Stores bytes; returns their SHA-256. Idempotent. With a `batch`, the object becomes
   * durable at `batch.commit()` (group commit for long runs) instead of at once.
   *
   * An object already present is trusted only if its bytes still hash to its name: one
   * left torn by a crash before its batch was committed is written again.
   */
  putBytes(bytes: Uint8Array, batch?: WriteBatch): StoredObject {
    const sha256 = sha256Of(bytes);
    const target = this.pathOf(sha256);
    if (!existsSync(target) || sha256Of(readFileSync(target)) !== sha256) {
      if (batch) batch.writeSync(target, bytes);
      else writeFileAtomicSync(target, bytes);
      chmodSync(target, 0o444);
    }
    return { sha256, size: bytes.length };
  }

  /** Stores a file by streaming it (large scans, recordings); returns its SHA-256. Idempotent. */
  async putFile(path: string): Promise<StoredObject> {
    const { sha256, size } = await sha256OfFile(path);
    const target = this.pathOf(sha256);
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      const tmp = tempPathFor(target);
      await copyFile(path, tmp);
      const check = await sha256OfFile(tmp);
      if (check.sha256 !== sha256) {
        await rm(tmp, { force: true });
        throw new InputError(`${path} changed while it was being stored; store it again once it is complete`);
      }
      const fd = openSync(tmp, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, target);
      await chmod(target, 0o444);
    }
    return { sha256, size };
  }

  /**
   * Removes what killed runs left in the store: temporary copies (`<sha>.<pid>.tmp`) whose
   * writing process no longer runs. Files of a run still going are left alone.
   */
  removeLeftovers(): Leftover[] {
    const objects = this.objects;
    let dirs: string[] = [];
    try {
      dirs = readdirSync(objects).filter((d) => /^[0-9a-f]{2}$/.test(d));
    } catch {
      return [];
    }
    return dirs.flatMap((d) => removeDeadTempFiles(join(objects, d)));
  }

  /** A stored object's bytes as a stream (a bundle's large scans and recordings). */
  stream(sha256: string, options: { highWaterMark?: number } = {}): ReadStream {
    return createReadStream(this.pathOf(sha256), options);
  }

  read(sha256: string): Buffer {
    return readFileSync(this.pathOf(sha256));
  }

  sizeOf(sha256: string): number {
    return statSync(this.pathOf(sha256)).size;
  }

  /** A stored object's stamp (size, modification and change times), or null when it is not there. */
  stampOf(sha256: string): FileStamp | null {
    const st = statSync(this.pathOf(sha256), { bigint: true, throwIfNoEntry: false });
    return st ? stampOf(st) : null;
  }

  /**
   * Re-hashes an object now: whether its bytes still match its name, with the stamp of the
   * file that was read; null when it is not there. Reads synchronously, a megabyte at a time
   * (thousands of small scans hash many times faster so than through a stream each).
   */
  checkNow(sha256: string): { ok: boolean; stamp: FileStamp } | null {
    let fd: number;
    try {
      fd = openSync(this.pathOf(sha256), 'r');
    } catch {
      return null;
    }
    try {
      const stamp = stampOf(fstatSync(fd, { bigint: true }));
      const hash = createHash('sha256');
      try {
        for (let n = readSync(fd, CHECK_BUFFER); n > 0; n = readSync(fd, CHECK_BUFFER)) {
          hash.update(CHECK_BUFFER.subarray(0, n));
        }
      } catch {
        return { ok: false, stamp }; // a file that cannot be read to its end (EIO) is not intact
      }
      return { ok: hash.digest('hex') === sha256, stamp };
    } finally {
      closeSync(fd);
    }
  }
}
