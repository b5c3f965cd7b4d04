/**
 * Unpacking a bundle for people (e.g. to open its index.html): only after the zip passed
 * inspection (no hostile names, links, overlaps or bombs), each entry streamed to a file
 * under the destination, never outside it.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { inspectZip, ZipStreamer, HostileZipError } from './zip-reader.ts';

/** Extracts a zip into `dest`; returns the absolute paths written. Refuses hostile zips first. */
export async function extractZip(zip: string, dest: string): Promise<string[]> {
  const root = resolve(dest);
  const entries = await inspectZip(zip);
  const streamer = await ZipStreamer.open(zip);
  const written: string[] = [];
  try {
    for (const e of entries) {
      const target = resolve(join(root, e.name));
      if (target !== root && !target.startsWith(root + sep))
        throw new HostileZipError('would be written outside the destination', e.name);
      if (e.isDirectory) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      await pipeline(await streamer.stream(e.name), createWriteStream(target, { flags: 'wx', mode: 0o644 }));
      written.push(target);
    }
  } finally {
    streamer.close();
  }
  return written;
}
