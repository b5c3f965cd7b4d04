/**
 * The marks every page carries so that a scan identifies and aligns itself: two QR codes
 * in opposite corners (`QR_CODES`) holding the page payload (`layout/qr-payload.ts`), the
 * visit id in plain text under the top-right code, and four solid registration marks.
 * QR codes are drawn as vector squares (one filled path, so no seams between modules).
 */
import QRCode from 'qrcode';
import { mmToPt, A4, QR_CAPTION, QR_CODES, REGISTRATION_MARKS, type Rect } from '../layout/page.ts';
import { encodePagePayload, type PagePayload } from '../layout/qr-payload.ts';
import { num, type PageCanvas } from './canvas.ts';

/** Error correction level Q: about a quarter of the code may be smudged or torn. */
const QR_ERROR_CORRECTION = 'Q';
/**
 * The mask pattern, fixed: choosing the best of eight per code costs ten times more than
 * encoding, and every mask is valid; the tests decode the codes from rendered pixels.
 */
const QR_MASK = 4;

/** A QR code's module matrix: `size` × `size`, row by row, 1 for a dark module. */
export interface QrMatrix {
  size: number;
  data: Uint8Array;
}

/** Encodes a payload as a QR code (byte mode, level Q). */
export function qrMatrix(payload: string): QrMatrix {
  const code = QRCode.create([{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }], {
    errorCorrectionLevel: QR_ERROR_CORRECTION,
    maskPattern: QR_MASK,
  });
  return { size: code.modules.size, data: code.modules.data };
}

/**
 * The path of a QR code's dark modules in module units (one `re` per horizontal run),
 * row 0 at the top: place it with `qrOperators`.
 */
export function qrPath(matrix: QrMatrix): string {
  const parts: string[] = [];
  const { size, data } = matrix;
  for (let row = 0; row < size; row++) {
    let col = 0;
    while (col < size) {
      if (!data[row * size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < size && data[row * size + col]) col++;
      parts.push(`${start} ${row} ${col - start} 1 re`);
    }
  }
  return parts.join('\n');
}

/** PDF operators filling a QR code's path inside `r` (mm) on a page `pageHeight` mm high: scaled so that the modules fill the square. */
export function qrOperators(path: string, size: number, r: Rect, pageHeight: number = A4.height): string {
  const module = mmToPt(r.width) / size;
  return `q ${num(module)} 0 0 ${num(-module)} ${num(mmToPt(r.x))} ${num(mmToPt(pageHeight - r.y))} cm\n${path}\nf Q`;
}

/** Draws both QR codes, the caption and the four registration marks of a page. */
export function drawPageMarks(canvas: PageCanvas, payload: PagePayload): void {
  for (const mark of REGISTRATION_MARKS) canvas.fillRect(mark);
  const matrix = qrMatrix(encodePagePayload(payload));
  const path = qrPath(matrix);
  canvas.raw(qrOperators(path, matrix.size, QR_CODES.topRight));
  canvas.raw(qrOperators(path, matrix.size, QR_CODES.bottomLeft));
  const caption = `${payload.visitId}  ${payload.page}/${payload.pageCount}`;
  const size = 6.5;
  const width = canvas.width(caption, { size });
  const right = QR_CODES.topRight.x + QR_CODES.topRight.width;
  canvas.text(Math.max(QR_CAPTION.x, right - width), QR_CAPTION.y + QR_CAPTION.height - 0.5, caption, { size });
}
