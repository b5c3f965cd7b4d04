/**
 * File names inside a bag: safe, NFC-normalised, never CR, LF or `%` (so a manifest line
 * never needs percent-encoding for our own bags), and the RFC 8493 §2.1.3 encoding of
 * CR, LF and `%` in manifest lines for the bags of others.
 */

import { safeFileName } from '../domain/path-segment.ts';

/** Each visit's record in its folder of the bag: `data/<visit id>/record.json`. */
export const RECORD_FILE = 'record.json';

/**
 * A safe single path component from any original file name (see `safeFileName`): NFC,
 * letters and digits of any script kept, `.`, `-`, `_`, `(`, `)` kept, everything else
 * becomes `_`; no leading dot; at most 150 bytes with the extension kept.
 */
export function safeComponent(original: string, fallback = 'file'): string {
  return safeFileName(original, fallback);
}

/** The key under which two names collide on a case-insensitive, normalising file system. */
export function collisionKey(path: string): string {
  return path.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * Hands out names that are unique within one folder, also after case folding:
 * `scan.jpg`, `scan-2.jpg`, `scan-3.jpg`.
 */
export class NameAllocator {
  private readonly taken = new Set<string>();

  allocate(wanted: string): string {
    let name = wanted;
    const dot = wanted.lastIndexOf('.');
    const stem = dot > 0 ? wanted.slice(0, dot) : wanted;
    const ext = dot > 0 ? wanted.slice(dot) : '';
    for (let n = 2; this.taken.has(collisionKey(name)); n++) name = `${stem}-${n}${ext}`;
    this.taken.add(collisionKey(name));
    return name;
  }
}

/**
 * RFC 8493 §2.1.3: in a manifest line, CR, LF and `%` (and only those) are percent-encoded;
 * this decodes them (case-insensitive hex, as RFC 3986 allows). huifang's own names never
 * hold them (`safeComponent`), so it writes paths as they are.
 */
export function decodeManifestPath(encoded: string): string {
  return encoded.replace(/%(0[dD]|0[aA]|25)/g, (m) =>
    m.toUpperCase() === '%0D' ? '\r' : m.toUpperCase() === '%0A' ? '\n' : '%',
  );
}
