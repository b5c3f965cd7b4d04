/**
 * Atomic writes: write to a temporary file beside the target, fsync it, rename it over
 * the target, fsync the folder. A crash leaves either the old file or the new one, never
 * half of one.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This machine's name as it appears in temporary file names (letters, digits and `-`). */
export const HOST_TAG =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 63) || 'host';

/**
 * A temporary name beside `target`, unique across processes and machines that share the
 * folder: `.<name>.@<host>.<pid>.<8 hex>.tmp` (`.partial` for an unfinished bundle). The
 * host and process id tell a later run whose file it is (`leftovers.ts`).
 */
export function tempPathFor(target: string, suffix: 'tmp' | 'partial' = 'tmp'): string {
  const tag = `@${HOST_TAG}.${process.pid}.${randomBytes(4).toString('hex')}`;
  return join(dirname(target), `.${basename(target)}.${tag}.${suffix}`);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on folders; the rename is still atomic.
  }
}

/** Writes `data` under a temporary name beside `target` (fsynced when `durable`), then renames it over `target`. */
function replaceSync(target: string, data: Uint8Array | string, durable: boolean): void {
  mkdirSync(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, target);
}

/** `replaceSync`, asynchronously. */
async function replace(target: string, data: Uint8Array | string, durable: boolean): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (durable) await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(tmp, target);
}

export function writeFileAtomicSync(target: string, data: Uint8Array | string): void {
  replaceSync(target, data, true);
  fsyncDir(dirname(target));
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await replace(target, data, true);
  fsyncDir(dirname(target));
}

/**
 * Group commit for runs that write thousands of files (a letters run writes two a letter):
 * each file is written to a temporary name and renamed into place at once, so it is never
 * seen half-written, and one `commit()` at the end makes them all durable together — one
 * syncfs(2) of each file system touched instead of an fsync per file (about 5 ms each on
 * these disks). Call `commit()` before recording the files anywhere (the register): until
 * then a crash may lose or truncate them, and nothing refers to them.
 *
 * Where syncfs is not available (`sync -f` missing), `commit()` fsyncs every file and
 * folder written, which is what `writeFileAtomic` does one at a time.
 */
export class WriteBatch {
  private readonly files: string[] = [];
  private readonly dirs = new Set<string>();
  /** How many of `files` are durable. */
  private durable = 0;

  /** Writes `data` to `target` (temporary file, then rename); durable after `commit()`. */
  async write(target: string, data: Uint8Array | string): Promise<void> {
    await replace(target, data, false);
    this.files.push(target);
    this.dirs.add(dirname(target));
  }

  /** `write()`, synchronously. */
  writeSync(target: string, data: Uint8Array | string): void {
    replaceSync(target, data, false);
    this.files.push(target);
    this.dirs.add(dirname(target));
  }

  /** Files written so far, in order. */
  get written(): readonly string[] {
    return this.files;
  }

  /** Makes every file written so far durable. */
  commit(): void {
    if (this.durable === this.files.length) return;
    // One folder per file system is enough for syncfs.
    const byDevice = new Map<number, string>();
    for (const dir of this.dirs) byDevice.set(statSync(dir).dev, dir);
    const synced = spawnSync('sync', ['-f', ...byDevice.values()], { stdio: 'ignore' });
    if (synced.status !== 0) {
      for (const file of this.files.slice(this.durable)) {
        const fd = openSync(file, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      for (const dir of this.dirs) fsyncDir(dir);
    }
    this.durable = this.files.length;
    this.dirs.clear();
  }

  /** Removes every file this batch wrote, committed or not (a run that failed takes back its files). */
  discard(): void {
    for (const file of this.files) rmSync(file, { force: true });
    this.files.length = 0;
    this.durable = 0;
    this.dirs.clear();
  }
}
