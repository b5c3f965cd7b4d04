/**
 * Which encoding a CSV file is in, decided on its bytes: a file that is valid UTF-8 (with or
 * without a byte-order mark) is UTF-8; anything else is read as GB18030, the superset of
 * GBK/GB2312 that Excel on Chinese Windows writes ("CSV (逗号分隔)"). Pure ASCII is valid
 * UTF-8 and reads the same either way.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline, Transform, type Readable } from 'node:stream';
import iconv from 'iconv-lite';

export type TextEncoding = 'utf8' | 'gb18030';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** True when the file began with a UTF-8 byte-order mark (removed from `text`). */
  bom: boolean;
}

/** Why bytes could not be read as text; `line` is 1-based where known. */
export class EncodingError extends Error {
  readonly line: number | undefined;
  constructor(reason: string, line?: number) {
    super(reason);
    this.name = 'EncodingError';
    this.line = line;
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Decodes a text file's bytes as UTF-8 when they are valid UTF-8, else as GB18030.
 * Refuses UTF-16 (Excel's "Unicode text") and bytes that are neither, naming the line.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new EncodingError('the file is UTF-16 text (Excel "Unicode text"), not CSV');
  }
  const bom = bytes.length >= 3 && UTF8_BOM.every((b, i) => bytes[i] === b);
  const body = bom ? bytes.subarray(3) : bytes;
  const nul = body.indexOf(0);
  if (nul >= 0) throw new EncodingError('the file holds NUL bytes: it is not a text (CSV) file', lineAt(body, nul));
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    return { text, encoding: 'utf8', bom };
  } catch {
    // Not valid UTF-8: fall through to GB18030.
  }
  if (bom) {
    // A UTF-8 mark on bytes that are not UTF-8: the file was damaged or mixed.
    throw new EncodingError(
      'the file starts with a UTF-8 byte-order mark but is not valid UTF-8',
      firstBadUtf8Line(body),
    );
  }
  const text = iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), 'gb18030');
  const bad = text.indexOf('\uFFFD');
  if (bad >= 0) {
    // Name the line where the file stops being the encoding it follows longest.
    const gbLine = text.slice(0, bad).split(/\r\n|\r|\n/).length;
    const utf8Line = firstBadUtf8Line(body) ?? 1;
    const [line, as] = utf8Line > gbLine ? [utf8Line, 'UTF-8'] : [gbLine, 'GB18030/GBK'];
    throw new EncodingError(`the file is neither UTF-8 nor GB18030/GBK text: line ${line} is not valid ${as}`, line);
  }
  return { text, encoding: 'gb18030', bom: false };
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** The line of the first byte sequence that is not UTF-8, for the error message. */
function firstBadUtf8Line(bytes: Uint8Array): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return lineAt(bytes, start);
      }
      start = i + 1;
    }
  }
  return undefined;
}

/** What a pass over a text file's bytes found: its encoding, and its SHA-256 and size on the way. */
export interface ScannedText {
  encoding: TextEncoding;
  bom: boolean;
  sha256: string;
  size: number;
  /** The first line that is not UTF-8 (for GB18030 files), to name in messages. */
  firstBadUtf8Line: number | undefined;
}

const CHUNK = 1024 * 1024;

/**
 * Decides a text file's encoding as `decodeText` does, reading it once in chunks (never
 * whole): UTF-8 when every line is valid UTF-8, else GB18030. Refuses UTF-16 and NUL bytes,
 * naming the line.
 */
export async function scanTextFile(path: string): Promise<ScannedText> {
  const hash = createHash('sha256');
  const scan = { line: 1, size: 0, carry: Buffer.alloc(0), bad: undefined as number | undefined, bom: false };
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    let bytes = chunk;
    if (scan.size === 0) {
      checkStart(bytes);
      scan.bom = bytes.length >= 3 && UTF8_BOM.every((b, i) => bytes[i] === b);
      if (scan.bom) bytes = bytes.subarray(3);
    }
    scan.size += chunk.length;
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      throw new EncodingError(
        'the file holds NUL bytes: it is not a text (CSV) file',
        scan.line + countLines(Buffer.concat([scan.carry, bytes.subarray(0, nul)])) - 1,
      );
    }
    // Whole lines only: a line break never falls inside a UTF-8 sequence.
    const joined = Buffer.concat([scan.carry, bytes]);
    const cut = joined.lastIndexOf(0x0a) + 1;
    checkUtf8Lines(joined.subarray(0, cut), scan, decoder);
    scan.carry = Buffer.from(joined.subarray(cut));
  }
  checkUtf8Lines(scan.carry, scan, decoder);
  if (scan.bad !== undefined && scan.bom) {
    throw new EncodingError('the file starts with a UTF-8 byte-order mark but is not valid UTF-8', scan.bad);
  }
  return {
    encoding: scan.bad === undefined ? 'utf8' : 'gb18030',
    bom: scan.bom,
    sha256: hash.digest('hex'),
    size: scan.size,
    firstBadUtf8Line: scan.bad,
  };
}

function checkStart(bytes: Uint8Array): void {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new EncodingError('the file is UTF-16 text (Excel "Unicode text"), not CSV');
  }
}

/** Checks whole lines as UTF-8 (until the first bad one is found), counting lines as it goes. */
function checkUtf8Lines(lines: Buffer, scan: { line: number; bad: number | undefined }, decoder: TextDecoder): void {
  if (lines.length === 0) return;
  if (scan.bad === undefined) {
    try {
      decoder.decode(lines);
    } catch {
      scan.bad = scan.line + (firstBadUtf8Line(lines) ?? 1) - 1;
    }
  }
  scan.line += countLines(lines);
}

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n += 1;
  return n;
}

const LINE_BREAK = /\r\n|\r|\n/g;

/**
 * The file's text as a stream, decoded with iconv-lite's stream decoder (a UTF-8 byte-order
 * mark dropped). A GB18030 file with bytes that are not GB18030 fails with an `EncodingError`
 * naming the line where it stops being the encoding it follows longest.
 */
export function decodedTextStream(path: string, scanned: ScannedText): Readable {
  const decoder = iconv.decodeStream(scanned.encoding === 'utf8' ? 'utf8' : 'gb18030', { stripBOM: true });
  let line = 1;
  const check = new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: string, _encoding, done) {
      if (scanned.encoding === 'utf8') return done(null, chunk); // checked whole by the scan
      const bad = chunk.indexOf('\uFFFD');
      if (bad >= 0 && scanned.encoding === 'gb18030') {
        const gbLine = line + (chunk.slice(0, bad).match(LINE_BREAK)?.length ?? 0);
        const utf8Line = scanned.firstBadUtf8Line ?? 1;
        const [at, as] = utf8Line > gbLine ? [utf8Line, 'UTF-8'] : [gbLine, 'GB18030/GBK'];
        done(new EncodingError(`the file is neither UTF-8 nor GB18030/GBK text: line ${at} is not valid ${as}`, at));
        return;
      }
      line += chunk.match(LINE_BREAK)?.length ?? 0;
      done(null, chunk);
    },
  });
  const source = createReadStream(path, { highWaterMark: CHUNK });
  return pipeline(source, decoder, check, () => undefined) as Readable;
}
