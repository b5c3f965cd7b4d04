/**
 * The return envelope face (回邮信封) printed with every callback letter, from
 * `layout/envelope.ts`: the company as recipient (postcode boxes, address, name 收), the
 * prepaid indicium, the customer pre-printed as sender, and the visit's QR codes (kind
 * `envelope`) and registration marks, so that the envelope scanned on its return is filed
 * with its visit by itself.
 */
import type { Customer } from '../domain/customer.ts';
import type { VisitId } from '../domain/visit-id.ts';
import {
  ENVELOPE_INDICIUM,
  ENVELOPE_LAYOUT_ID,
  ENVELOPE_MARKS,
  ENVELOPE_PAGE,
  ENVELOPE_POSTCODE_BOXES,
  ENVELOPE_QR_CAPTION,
  ENVELOPE_QR_CODES,
  ENVELOPE_RECIPIENT,
  ENVELOPE_SENDER,
} from '../layout/envelope.ts';
import { centre } from '../layout/page.ts';
import { encodePagePayload } from '../layout/qr-payload.ts';
import { baselineCentredOn, type PageCanvas } from './canvas.ts';
import { drawTextInBox } from './fit.ts';
import { qrMatrix, qrOperators, qrPath } from './qr.ts';
import type { Sender } from './template-data.ts';

/** The envelope's QR payload text: the visit, kind `envelope`, page 1/1, `envelope.v1`. */
export function envelopePayload(visitId: VisitId): string {
  return encodePagePayload({ visitId, kind: 'envelope', page: 1, pageCount: 1, layout: ENVELOPE_LAYOUT_ID });
}

/** Draws the whole face on a canvas of the envelope's size (`new PageCanvas(fonts, ENVELOPE_PAGE.height)`). */
export function drawEnvelopeFace(canvas: PageCanvas, visitId: VisitId, sender: Sender, customer: Customer): void {
  if (canvas.pageHeight !== ENVELOPE_PAGE.height)
    throw new Error(`The envelope face needs a canvas ${ENVELOPE_PAGE.height} mm high, not ${canvas.pageHeight} mm.`);
  for (const mark of ENVELOPE_MARKS) canvas.fillRect(mark);
  const matrix = qrMatrix(envelopePayload(visitId));
  const path = qrPath(matrix);
  for (const r of Object.values(ENVELOPE_QR_CODES)) canvas.raw(qrOperators(path, matrix.size, r, ENVELOPE_PAGE.height));
  canvas.text(ENVELOPE_QR_CAPTION.x, ENVELOPE_QR_CAPTION.y + ENVELOPE_QR_CAPTION.height - 0.5, `${visitId}  回邮信封`, {
    size: 6.5,
  });

  // Recipient postcode, one digit a box.
  ENVELOPE_POSTCODE_BOXES.forEach((box, i) => {
    canvas.strokeRect(box, 0.8);
    const digit = sender.postcode[i] ?? '';
    const size = 14;
    canvas.text(centre(box).x - canvas.width(digit, { size }) / 2, baselineCentredOn(centre(box).y, size), digit, {
      size,
    });
  });
  canvas.strokeRect(ENVELOPE_INDICIUM, 0.8);
  const indicium = ['国内邮资已付', '回邮专用', '无需贴票'];
  indicium.forEach((line, i) => {
    const size = i === 0 ? 9 : 7.5;
    canvas.text(centre(ENVELOPE_INDICIUM).x - canvas.width(line, { size }) / 2, ENVELOPE_INDICIUM.y + 7 + i * 6, line, {
      size,
    });
  });

  drawTextInBox(
    canvas,
    `${sender.address}\n${sender.companyName}　${sender.department}　收`,
    ENVELOPE_RECIPIENT,
    { face: 'bold', sizes: [13, 12, 11, 10, 9], maxLines: 3, leading: 1.5 },
    'recipient on the return envelope (收件人)',
    visitId,
  );
  const who =
    customer.kind === 'institution' && customer.contactPerson
      ? `${customer.name}（${customer.contactPerson}）`
      : customer.name;
  drawTextInBox(
    canvas,
    `寄件人：${who}\n${customer.address}　邮编 ${customer.postcode}`,
    ENVELOPE_SENDER,
    { sizes: [9, 8.5, 8, 7.5, 7, 6.5], maxLines: 4, leading: 1.3, valign: 'bottom' },
    'sender on the return envelope (寄件人)',
    visitId,
  );
}
