/**
 * A small PDF file writer: numbered objects written once, in order, then the
 * cross-reference table and trailer. Render builds its documents with it directly (no
 * object model in between), which is what lets one process write thousands of letters a
 * second; `qpdf --check` and the tests read every file back.
 *
 * Objects shared by many documents (the embedded fonts, the static part of a record form)
 * are emitted once per file through `shared()`.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

const HEADER = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';

/**
 * Compresses a stream's bytes (FlateDecode). `fast` (zlib level 1) is for the per-letter
 * content streams: half the time of the default level for ~15 % more bytes.
 */
export function deflate(data: Uint8Array | string, fast = false): Uint8Array {
  return deflateSync(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, fast ? { level: 1 } : { level: 9 });
}

/** A stream's bytes, compressed (FlateDecode) or as they are. */
export interface StreamData {
  data: Uint8Array;
  deflated: boolean;
}

/**
 * Compresses a stream's bytes when that is worth a zlib call (each costs ~0.1 ms whatever
 * the size): small streams, such as a letter's own few glyphs, are stored as they are.
 */
export function maybeDeflate(data: Uint8Array | string, threshold = 4096): StreamData {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  return bytes.length >= threshold ? { data: deflate(bytes), deflated: true } : { data: bytes, deflated: false };
}

/** The dictionary entry for a stream's filter. */
export function filterEntry(stream: StreamData): string {
  return stream.deflated ? '/Filter/FlateDecode' : '';
}

/** A PDF text string (UTF-16BE with BOM, hex), safe for any Chinese text. */
export function pdfTextString(text: string): string {
  const b = Buffer.from(text, 'utf16le');
  b.swap16();
  return `<FEFF${b.toString('hex').toUpperCase()}>`;
}

export class PdfWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  private readonly offsets: number[] = [];
  private nextNumber = 1;
  private readonly memo = new Map<unknown, number>();

  constructor() {
    this.write(HEADER);
  }

  private write(part: string | Uint8Array): void {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** Reserves an object number, to refer to an object before writing it. */
  alloc(): number {
    return this.nextNumber++;
  }

  /** Writes an object: `body` is its PDF syntax, e.g. `<</Type/Page ...>>`. */
  put(num: number, body: string): number {
    this.offsets[num] = this.length;
    this.write(`${num} 0 obj\n${body}\nendobj\n`);
    return num;
  }

  /** Writes a stream object; `entries` are its dictionary's entries other than /Length. */
  putStream(num: number, entries: string, data: Uint8Array): number {
    this.offsets[num] = this.length;
    this.write(`${num} 0 obj\n<<${entries}/Length ${data.length}>>\nstream\n`);
    this.write(data);
    this.write('\nendstream\nendobj\n');
    return num;
  }

  /** Writes a shared object once per file: the first call for `key` runs `emit`, later ones return its number. */
  shared(key: unknown, emit: (w: PdfWriter) => number): number {
    let num = this.memo.get(key);
    if (num === undefined) {
      num = emit(this);
      this.memo.set(key, num);
    }
    return num;
  }

  /** Finishes the file: cross-reference table and trailer. `id` seeds the file identifier. */
  finish(root: number, info: number | undefined, id: string): Uint8Array {
    const count = this.nextNumber;
    for (let n = 1; n < count; n++) {
      if (this.offsets[n] === undefined) throw new Error(`PDF object ${n} was reserved but never written.`);
    }
    const xrefAt = this.length;
    const lines: string[] = [`xref\n0 ${count}\n0000000000 65535 f \n`];
    for (let n = 1; n < count; n++) lines.push(`${String(this.offsets[n]).padStart(10, '0')} 00000 n \n`);
    const fileId = createHash('md5').update(id).digest('hex').toUpperCase();
    lines.push(
      `trailer\n<</Size ${count}/Root ${root} 0 R${info ? `/Info ${info} 0 R` : ''}/ID[<${fileId}><${fileId}>]>>\nstartxref\n${xrefAt}\n%%EOF\n`,
    );
    this.write(lines.join(''));
    return Buffer.concat(this.chunks, this.length);
  }
}
