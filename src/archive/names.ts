/**
 * File names inside a bag: safe, NFC-normalised, never CR, LF or `%` (so a manifest line
 * never needs percent-encoding for our own bags), and the RFC 8493 §2.1.3 encoding of
 * CR, LF and `%` in manifest lines for the bags of others.
 */

/** Each visit's record in its folder of the bag: `data/<visit id>/record.json`. */
export const RECORD_FILE = 'record.json';

/** Longest name component we write, in UTF-8 bytes (most file systems allow 255). */
const MAX_COMPONENT_BYTES = 150;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A safe single path component from any original file name: NFC, letters and digits of any
 * script kept, `.`, `-`, `_`, `(`, `)` kept, everything else (separators, controls, `%`,
 * quotes, spaces) becomes `_`; no leading dot; at most 150 bytes with the extension kept.
 */
export function safeComponent(original: string, fallback = 'file'): string {
  let s = original.normalize('NFC');
  // keep only the last component of a path someone typed
  s = s.split(/[\\/]/).pop() ?? '';
  s = s.replace(/[^\p{L}\p{N}\p{M}._()\-]/gu, '_').replace(/_+/g, '_');
  s = s.replace(/^[.\s_]+/, '').replace(/[.\s]+$/, '');
  if (!s || WINDOWS_RESERVED.test(s)) s = s ? `_${s}` : fallback;
  if (Buffer.byteLength(s) > MAX_COMPONENT_BYTES) {
    const dot = s.lastIndexOf('.');
    const ext = dot > 0 && s.length - dot <= 10 ? s.slice(dot) : '';
    let stem = s.slice(0, s.length - ext.length);
    while (Buffer.byteLength(stem + ext) > MAX_COMPONENT_BYTES) stem = [...stem].slice(0, -1).join('');
    s = stem + ext;
  }
  return s.normalize('NFC');
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
  return encoded.replace(/%(0[dD]|0[aA]|25)/g, (m) => (m.toUpperCase() === '%0D' ? '\r' : m.toUpperCase() === '%0A' ? '\n' : '%'));
}
