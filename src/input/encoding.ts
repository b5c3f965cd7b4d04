/**
 * Which encoding a CSV file is in, decided on its bytes: a file that is valid UTF-8 (with or
 * without a byte-order mark) is UTF-8; anything else is read as GB18030, the superset of
 * GBK/GB2312 that Excel on Chinese Windows writes ("CSV (逗号分隔)"). Pure ASCII is valid
 * UTF-8 and reads the same either way.
 */
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
