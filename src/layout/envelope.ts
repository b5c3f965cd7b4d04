/**
 * The prepaid return envelope face (回邮信封) that goes out with every callback letter: a
 * DL envelope (220 × 110 mm, landscape) addressed to the company, the customer pre-printed
 * as sender, and the visit's QR code (document kind `envelope`) and four registration
 * marks, so that the envelope, scanned when it comes back, identifies itself.
 *
 * Units are millimetres in the envelope's own frame (origin top-left, y downwards), as in
 * `page.ts`. Render prints the face as a page of its own size; scan reads its codes the
 * way it reads any page's.
 */
import { DL_ENVELOPE } from './letter.ts';
import { LAYOUT_VERSION, MARK_SIZE, QR_SIZE, rect, type Rect } from './page.ts';

export const ENVELOPE_LAYOUT_ID = `envelope.v${LAYOUT_VERSION}`;

/** The face's page size: a DL envelope, landscape. */
export const ENVELOPE_PAGE = { width: DL_ENVELOPE.width, height: DL_ENVELOPE.height } as const;

/** Registration marks 6 mm in from each corner (envelope printers keep 5 mm clear); TL, TR, BR, BL. */
export const ENVELOPE_MARKS: readonly Rect[] = [
  rect(6, 6, MARK_SIZE, MARK_SIZE),
  rect(ENVELOPE_PAGE.width - 6 - MARK_SIZE, 6, MARK_SIZE, MARK_SIZE),
  rect(ENVELOPE_PAGE.width - 6 - MARK_SIZE, ENVELOPE_PAGE.height - 6 - MARK_SIZE, MARK_SIZE, MARK_SIZE),
  rect(6, ENVELOPE_PAGE.height - 6 - MARK_SIZE, MARK_SIZE, MARK_SIZE),
];

/** The six postcode boxes of the recipient (the company), top left, as on every Chinese envelope. */
export const ENVELOPE_POSTCODE_BOXES: readonly Rect[] = Array.from({ length: 6 }, (_, i) =>
  rect(16 + i * 10, 10, 8, 10),
);

/** The prepaid indicium (国内邮资已付), top right. */
export const ENVELOPE_INDICIUM: Rect = rect(ENVELOPE_PAGE.width - 16 - 30, 12, 30, 24);

/**
 * Two QR codes: one bottom left, one on the top edge beside the indicium. An envelope laid
 * at the top of an A4 scanner bed keeps the upper code inside the bed's top-right corner,
 * where the reader looks first; the other survives a smudge or a torn flap.
 */
export const ENVELOPE_QR_CODES = {
  top: rect(ENVELOPE_INDICIUM.x - 6 - QR_SIZE, 10, QR_SIZE, QR_SIZE),
  bottomLeft: rect(16, ENVELOPE_PAGE.height - 14 - QR_SIZE, QR_SIZE, QR_SIZE),
} as const;

/** The visit id in plain text under the bottom-left code. */
export const ENVELOPE_QR_CAPTION: Rect = rect(
  ENVELOPE_QR_CODES.bottomLeft.x,
  ENVELOPE_QR_CODES.bottomLeft.y + QR_SIZE + 0.5,
  60,
  3,
);

/** The recipient: the company's address, then its name and department followed by 收. */
export const ENVELOPE_RECIPIENT: Rect = rect(46, 42, 128, 22);

/** The sender (寄件人): the customer, pre-printed so that the customer only seals and posts. */
export const ENVELOPE_SENDER: Rect = rect(ENVELOPE_QR_CODES.bottomLeft.x + QR_SIZE + 40, 72, 84, 22);
