/**
 * The record form (客户回访记录表), drawn from `formLayout(category)` and nothing else: the
 * scan stage reads back exactly the boxes drawn here.
 *
 * The form is drawn in two parts: what every form of a category shares (title, table,
 * questions, tick boxes, signature and seal boxes), prepared once per run and placed on
 * each page as one form XObject, and the values of one visit (subtitle, field values).
 */
import type { Customer } from '../domain/customer.ts';
import { CUSTOMER_KIND_LABELS } from '../domain/customer.ts';
import { VISIT_CATEGORY_LABELS, VISIT_CHANNEL_LABELS, type Visit } from '../domain/visit.ts';
import { DATE_TEXT_SIZE_PT, dateLineOf, type FieldCell, type FormLayout, type MarkArea } from '../layout/form.ts';
import { inset, rect, type Rect } from '../layout/page.ts';
import { baselineCentredOn, type PageCanvas, ptToMm } from './canvas.ts';
import { drawTextInBox, fitText, type FitOptions, TextFitError } from './fit.ts';
import { chineseDate } from './template-data.ts';

export const FORM_TITLE = '客户回访记录表';

/** Outline widths in points: thin black table lines, heavier tick boxes so they are seen. */
const RULE = 0.6;
const TICK_BOX_RULE = 0.8;
const LABEL_GREY = 0.9;
const PAD = 1.5;

const QUESTION_SIZE = 9.5;
const QUESTION_LEADING = 1.3;

/** Draws the part every form of the layout's category shares. */
export function drawFormStatic(canvas: PageCanvas, layout: FormLayout): void {
  const title = layout.title;
  canvas.text(
    title.x + (title.width - canvas.width(FORM_TITLE, { face: 'bold', size: 16 })) / 2,
    baselineCentredOn(title.y + title.height / 2, 16),
    FORM_TITLE,
    {
      face: 'bold',
      size: 16,
    },
  );

  for (const cell of layout.fields) drawFieldCell(canvas, cell);

  // Question table header.
  const h = layout.questionHeader;
  canvas.fillRect(h.row, LABEL_GREY);
  canvas.strokeRect(h.row, RULE);
  for (const divider of [h.text.x, h.yes.x, h.no.x])
    canvas.line(divider, h.row.y, divider, h.row.y + h.row.height, RULE);
  const headerStyle = { face: 'bold' as const, size: 9 };
  const cy = h.row.y + h.row.height / 2;
  centred(canvas, '序号', h.number, cy, headerStyle);
  canvas.text(h.text.x + PAD, baselineCentredOn(cy, 9), '回访问题', headerStyle);
  centred(canvas, '是', h.yes, cy, headerStyle);
  centred(canvas, '否', h.no, cy, headerStyle);

  for (const q of layout.questions) {
    canvas.strokeRect(q.row, RULE);
    const textRight = q.text.x + q.text.width + PAD;
    canvas.line(h.text.x, q.row.y, h.text.x, q.row.y + q.row.height, RULE);
    canvas.line(textRight, q.row.y, textRight, q.row.y + q.row.height, RULE);
    if (q.question.type === 'yes-no') canvas.line(h.no.x, q.row.y, h.no.x, q.row.y + q.row.height, RULE);
    const rowCy = q.row.y + q.row.height / 2;
    centred(canvas, String(q.number), rect(q.row.x, q.row.y, h.text.x - q.row.x, q.row.height), rowCy, { size: 9 });
    const options: FitOptions = { sizes: [QUESTION_SIZE], maxLines: 2, leading: QUESTION_LEADING, valign: 'middle' };
    const fitted = fitText(canvas, q.question.text, q.text, options);
    if (!fitted) {
      throw new TextFitError(
        `question ${q.question.id} of the ${layout.category} record form (more than two lines)`,
        q.question.text,
        q.text,
      );
    }
    drawTextAt(
      canvas,
      fitted.lines.map((l) => l.text),
      q.text,
      QUESTION_SIZE,
      QUESTION_LEADING,
    );
    for (const box of q.boxes) {
      canvas.strokeRect(box.box, TICK_BOX_RULE);
      // 是/否 stand in the column header above the boxes; a choice's options are labelled beside their boxes.
      if (q.question.type === 'choice')
        canvas.text(box.box.x + box.box.width + 1, baselineCentredOn(rowCy, 9), box.label, { size: 9 });
    }
  }

  const remarks = layout.remarks;
  canvas.strokeRect(remarks.box, RULE);
  canvas.text(remarks.box.x + PAD, baselineCentredOn(remarks.box.y + 3, 9), remarks.label, { face: 'bold', size: 9 });

  for (const mark of layout.marks) drawMarkArea(canvas, mark);
}

/** Draws one visit's values: the subtitle and the field cells. */
export function drawFormValues(canvas: PageCanvas, layout: FormLayout, visit: Visit, customer: Customer): void {
  const subtitle = `${VISIT_CATEGORY_LABELS[visit.category]} · ${VISIT_CHANNEL_LABELS[visit.channel]}`;
  drawTextInBox(
    canvas,
    subtitle,
    layout.subtitle,
    { sizes: [10], maxLines: 1, align: 'centre', valign: 'middle' },
    'subtitle of the record form',
    visit.visitId,
  );
  for (const cell of layout.fields) {
    const value = fieldValue(cell.key, visit, customer);
    const box = inset(cell.valueCell, 0.6);
    const inner = rect(box.x + PAD - 0.6, box.y, box.width - 2 * (PAD - 0.6), box.height);
    if (value === undefined) {
      drawDateLine(canvas, inner, false);
      continue;
    }
    drawTextInBox(
      canvas,
      value,
      inner,
      { sizes: [9.5, 9, 8.5, 8, 7.5, 7, 6.5], maxLines: 2, leading: 1.15, valign: 'middle' },
      `${cell.label} (form field ${cell.key})`,
      visit.visitId,
    );
  }
}

/** The value printed in a field cell; undefined leaves a date line to fill in by hand. */
function fieldValue(key: FieldCell['key'], visit: Visit, customer: Customer): string | undefined {
  switch (key) {
    case 'visitId':
      return visit.visitId;
    case 'category':
      return VISIT_CATEGORY_LABELS[visit.category];
    case 'customerId':
      return customer.customerId;
    case 'customerName':
      return customer.name;
    case 'customerKind':
      return CUSTOMER_KIND_LABELS[customer.kind];
    case 'branch':
      return `${customer.branchName}（${customer.branchCode}）`;
    case 'channel':
      return VISIT_CHANNEL_LABELS[visit.channel];
    case 'visitDate':
      // A letter's visit is dated when it is sent; other visits are dated by hand on the day.
      return visit.channel === 'letter' ? chineseDate(visit.createdOn) : undefined;
  }
}

function drawFieldCell(canvas: PageCanvas, cell: FieldCell): void {
  canvas.fillRect(cell.labelCell, LABEL_GREY);
  canvas.strokeRect(cell.labelCell, RULE);
  canvas.strokeRect(cell.valueCell, RULE);
  canvas.text(cell.labelCell.x + PAD, baselineCentredOn(cell.labelCell.y + cell.labelCell.height / 2, 9), cell.label, {
    size: 9,
  });
}

function drawMarkArea(canvas: PageCanvas, mark: MarkArea): void {
  canvas.strokeRect(mark.box, RULE);
  const labelStyle = { face: 'bold' as const, size: 10 };
  const baseline = baselineCentredOn(mark.box.y + 3.4, 10);
  canvas.text(mark.box.x + PAD, baseline, mark.label, labelStyle);
  const labelWidth = canvas.width(mark.label, labelStyle);
  canvas.text(mark.box.x + PAD + labelWidth + 0.5, baseline, mark.hint, { size: 7, grey: 0.3 });
  if (mark.date) drawDateLine(canvas, mark.date, true);
}

/** `日期 ____年____月____日` as the layout places it (`dateLineOf`), the blanks drawn as rules. */
function drawDateLine(canvas: PageCanvas, box: Rect, label: boolean): void {
  const size = DATE_TEXT_SIZE_PT;
  const line = dateLineOf(box);
  if (label) canvas.text(box.x + PAD - 1, line.baseline, '日期', { size });
  for (const { unit, blank, unitX } of line.blanks) {
    const ruleY = blank.y + blank.height;
    canvas.line(blank.x + 0.3, ruleY, blank.x + blank.width - 0.3, ruleY, 0.5);
    canvas.text(unitX, line.baseline, unit, { size });
  }
}

function centred(
  canvas: PageCanvas,
  text: string,
  box: Rect,
  cy: number,
  style: { face?: 'regular' | 'bold'; size: number },
): void {
  canvas.text(box.x + (box.width - canvas.width(text, style)) / 2, baselineCentredOn(cy, style.size), text, style);
}

/** Lines of one size centred vertically in a box. */
function drawTextAt(canvas: PageCanvas, lines: string[], box: Rect, size: number, leading: number): void {
  const pitch = ptToMm(size) * leading;
  const firstCentre = box.y + box.height / 2 - ((lines.length - 1) * pitch) / 2;
  lines.forEach((line, i) => canvas.text(box.x, baselineCentredOn(firstCentre + i * pitch, size), line, { size }));
}
