/**
 * Page geometry shared by every printed document: A4 paper, the registration marks and
 * QR codes that let a scan identify and align itself, the content area and the footer
 * band that stamping writes into.
 *
 * Units are millimetres with the origin at the page's top-left corner, y growing
 * downwards, as on paper and in scanned images. `render` converts to PDF points, `scan`
 * to pixels; neither defines a position of its own.
 */

/** Layout version printed in every QR code; bump it whenever a position below changes. */
export const LAYOUT_VERSION = 1;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export const A4 = { width: 210, height: 297 } as const;

/** Millimetres to PDF points. */
export const MM_TO_PT = 72 / 25.4;
export function mmToPt(mm: number): number {
  return mm * MM_TO_PT;
}
/** Millimetres to pixels at a resolution in dots per inch. */
export function mmToPx(mm: number, dpi: number): number {
  return (mm * dpi) / 25.4;
}
/** Millimetres to English Metric Units (DrawingML, Word documents): 36,000 a millimetre, whole. */
export const MM_TO_EMU = 36000;
export function mmToEmu(mm: number): number {
  return Math.round(mm * MM_TO_EMU);
}

export function rect(x: number, y: number, width: number, height: number): Rect {
  return { x, y, width, height };
}
export function centre(r: Rect): Point {
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}
/** A rectangle shrunk by `by` mm on every side. */
export function inset(r: Rect, by: number): Rect {
  return { x: r.x + by, y: r.y + by, width: r.width - 2 * by, height: r.height - 2 * by };
}

/** Side of each solid square registration mark. */
export const MARK_SIZE = 6;

/**
 * Solid black registration marks near the four corners, inside the printable area of an
 * office laser printer (≥ 5 mm from every edge). Order: top-left, top-right, bottom-right,
 * bottom-left — the order a projective fit pairs them with the corners found in a scan.
 */
export const REGISTRATION_MARKS: readonly Rect[] = [
  rect(10, 10, MARK_SIZE, MARK_SIZE),
  rect(A4.width - 10 - MARK_SIZE, 10, MARK_SIZE, MARK_SIZE),
  rect(A4.width - 10 - MARK_SIZE, A4.height - 10 - MARK_SIZE, MARK_SIZE, MARK_SIZE),
  rect(10, A4.height - 10 - MARK_SIZE, MARK_SIZE, MARK_SIZE),
];

/** Side of each QR code, quiet zone excluded (the layout keeps 3 mm clear around it). */
export const QR_SIZE = 20;

/**
 * Two QR codes in opposite corners, so that a page upside down, or with one code torn or
 * smudged, still identifies itself.
 */
export const QR_CODES = {
  topRight: rect(A4.width - 20 - QR_SIZE, 10, QR_SIZE, QR_SIZE),
  bottomLeft: rect(20, A4.height - 10 - QR_SIZE, QR_SIZE, QR_SIZE),
} as const;

/** Where documents put their content; nothing is drawn outside it but marks, codes and the footer. */
export const CONTENT: Rect = rect(20, 34, 170, 228); // y 34 … 262

/**
 * The band that stamping writes the archive footer into (archive reference, page n/m):
 * right of the bottom-left QR code, above the bottom marks' lower edge, below the content.
 * Render never draws here, so a footer never covers content.
 */
export const FOOTER_BAND: Rect = rect(45, 276, 143, 8);

/** A small caption under the top-right QR code, e.g. the visit id in plain text. */
export const QR_CAPTION: Rect = rect(QR_CODES.topRight.x - 30, 30.5, QR_SIZE + 30, 3);
