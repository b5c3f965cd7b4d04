/**
 * The callback letter (回访函): address block for a DL (220×110 mm) window envelope when
 * the A4 sheet is folded in three, sender line, reference block and the body's flow area.
 *
 * A DL window envelope's window is 90×45 mm, 20 mm from the left and 15 mm from the bottom
 * edge, so 50–95 mm below the envelope's top. A sheet folded in three is 99×210 mm in a
 * 110×220 mm envelope and may slide 11 mm up or down and 10 mm sideways; the part of the
 * sheet that shows through the window wherever it settles is 20–100 mm from its left and
 * 50–84 mm from its top. The address block sits inside that part.
 */
import { CONTENT, LAYOUT_VERSION, rect, type Rect } from './page.ts';

export const LETTER_LAYOUT_ID = `letter.v${LAYOUT_VERSION}`;

/** DL envelope and its window, in the envelope's own coordinates (top-left origin). */
export const DL_ENVELOPE = { width: 220, height: 110, window: rect(20, 110 - 15 - 45, 90, 45) } as const;

/** Fold lines of a tri-fold: the sheet is folded at a third and two thirds of its height. */
export const FOLD_LINES_Y: readonly number[] = [99, 198];
/** Short fold marks drawn in the left margin. */
export const FOLD_MARK = { x: 3, length: 5 } as const;

export const LETTER = {
  /**
   * The firm's logo (the workspace's `sender.logo`), scaled to fit and set at the box's left:
   * clear of the top-left registration mark and of the top-right QR code's quiet zone.
   */
  logo: rect(20, 12, 60, 16),
  /** Return address line (寄件人), small type, just above the address block. */
  sender: rect(20, 44, 85, 5),
  /** Addressee (收件人): postcode, address, name. Must stay inside the envelope window. */
  address: rect(22, 51, 76, 32),
  /** Reference block on the right: visit id, date, branch, phone. */
  reference: rect(118, 46, 72, 38),
  /** Where the body text flows on the first page and on later pages. */
  bodyFirstPage: rect(CONTENT.x, 104, CONTENT.width, CONTENT.y + CONTENT.height - 104),
  bodyNextPages: CONTENT,
} as const satisfies Record<string, Rect>;

/** How far a folded sheet can slide inside a DL envelope: 110 − 99 mm down, 220 − 210 mm across. */
export const FOLDED_SHEET_PLAY = { down: DL_ENVELOPE.height - 99, across: DL_ENVELOPE.width - 210 } as const;

/**
 * Whether the address block shows whole through the envelope window for a folded sheet
 * that sits `down` mm below the envelope's top and `across` mm right of its left edge.
 */
export function addressInWindow(down: number, across: number): boolean {
  const a = LETTER.address;
  const w = DL_ENVELOPE.window;
  return (
    a.x + across >= w.x &&
    a.x + a.width + across <= w.x + w.width &&
    a.y + down >= w.y &&
    a.y + a.height + down <= w.y + w.height
  );
}
