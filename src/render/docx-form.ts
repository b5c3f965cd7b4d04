/**
 * The record form (客户回访记录表) of a Word letter or form, as a page of drawing objects
 * anchored where `src/layout` puts them: the registration marks, both QR codes (a picture of
 * the page payload of `layout/qr-payload.ts`) and their caption, the field table, the
 * questions with their tick boxes, the remarks box, the signature and seal boxes with their
 * date lines — the same geometry as the PDF form (`render/form.ts`), so that a form printed
 * from Word or LibreOffice is identified and read by `ingest` like a PDF one.
 *
 * What every form of a category shares is built once and kept; a visit adds its values and
 * its QR code (a 1-bit PNG, `word/media/huifang-qr-form.png`, relationship `QR_RELATIONSHIP`).
 */
import { VISIT_CATEGORIES, VISIT_CATEGORY_LABELS, VISIT_CHANNEL_LABELS, type VisitCategory } from '../domain/visit.ts';
import type { VisitId } from '../domain/visit-id.ts';
import {
  dateLineOf,
  formLayout,
  formLayoutId,
  type FieldCell,
  type FormLayout,
  type MarkArea,
} from '../layout/form.ts';
import { LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { inset, QR_CAPTION, QR_CODES, REGISTRATION_MARKS, rect, type Rect } from '../layout/page.ts';
import { encodePagePayload, type PagePayload } from '../layout/qr-payload.ts';
import {
  ANCHOR_PARAGRAPH_END,
  anchorParagraphStart,
  DrawingIds,
  filledRect,
  outlinedRect,
  picture,
  rule,
  textBox,
} from './docx-drawing.ts';
import { FORM_TITLE } from './form.ts';
import { bilevelGridPng } from './png.ts';
import { qrMatrix } from './qr.ts';
import type { TemplateData } from './template-data.ts';
import { SharedXml } from './templates.ts';

/** The QR code picture's relationship id and part name in the Word package. */
export const QR_RELATIONSHIP = {
  id: 'rIdHuifangQrForm',
  part: 'word/media/huifang-qr-form.png',
  target: 'media/huifang-qr-form.png',
} as const;
/** The letter's first page's QR code picture. */
export const LETTER_QR_RELATIONSHIP = {
  id: 'rIdHuifangQrLetter',
  part: 'word/media/huifang-qr-letter.png',
  target: 'media/huifang-qr-letter.png',
} as const;

/** Outline widths in points, as the PDF form draws them. */
const RULE = 0.6;
const TICK_BOX_RULE = 0.8;
const LABEL_GREY = 0.9;
const PAD = 1.5;
const QUESTION_SIZE = 9.5;
/** Pixels a QR module in the picture: sharp edges at any print resolution up to 600 dpi. */
const QR_PX_PER_MODULE = 12;

const FIRST_DRAWING_ID = 5000;

/** Where the form's page sits in its document and what it is printed for. */
export interface FormPage {
  /** The page's number and the document's page count, as the PDF of the same visit has them. */
  page: number;
  pageCount: number;
  /** A letter's form follows the letter's pages: it starts a new page. */
  pageBreakBefore: boolean;
}

const staticCache = new Map<string, SharedXml>();

/**
 * The form page's XML for one visit — one paragraph of anchored objects, in two pieces: what
 * every form of the category shares (the same string each time), then the visit's own — and
 * its QR picture.
 */
export function formPageXml(data: TemplateData, page: FormPage): { xml: [SharedXml, string]; qrPng: Buffer } {
  const category = categoryOf(data);
  const layout = formLayout(category);
  const cacheKey = `${category}:${page.pageBreakBefore}`;
  let shared = staticCache.get(cacheKey);
  if (shared === undefined) {
    const ids = new DrawingIds(FIRST_DRAWING_ID);
    shared = new SharedXml(
      anchorParagraphStart(page.pageBreakBefore) + pageMarks(ids, QR_RELATIONSHIP.id) + formStatic(layout, ids),
    );
    staticCache.set(cacheKey, shared);
  }
  const payload: PagePayload = {
    visitId: data.visitId as VisitId,
    kind: 'form',
    page: page.page,
    pageCount: page.pageCount,
    layout: formLayoutId(category),
  };
  const ids = new DrawingIds(FIRST_DRAWING_ID + 2000);
  const own = captionOf(ids, payload) + formValues(ids, layout, data);
  return { xml: [shared, own + ANCHOR_PARAGRAPH_END], qrPng: qrPicture(encodePagePayload(payload)) };
}

/** The visit category a template's data is for (its label is what the data holds). */
function categoryOf(data: TemplateData): VisitCategory {
  const found = VISIT_CATEGORIES.find((c) => VISIT_CATEGORY_LABELS[c] === data.category);
  if (!found) throw new Error(`no record form for the visit category "${data.category}"`);
  return found;
}

/** The QR code as a 1-bit PNG, one module `QR_PX_PER_MODULE` pixels square. */
export function qrPicture(text: string): Buffer {
  const m = qrMatrix(text);
  return bilevelGridPng(m.size, m.size, m.data, QR_PX_PER_MODULE);
}

/** Registration marks and both QR codes: one picture, of the visit's own payload, placed twice (the visit's caption is added with its values). */
function pageMarks(ids: DrawingIds, relationshipId: string): string {
  const marks = REGISTRATION_MARKS.map((m) => filledRect(ids, m, 0)).join('');
  return (
    marks + [QR_CODES.topRight, QR_CODES.bottomLeft].map((r) => picture(ids, r, relationshipId, 'QR code')).join('')
  );
}

const captionOf = (ids: DrawingIds, p: PagePayload) =>
  textBox(ids, QR_CAPTION, [`${p.visitId}  ${p.page}/${p.pageCount}`], { size: 6.5, align: 'right', valign: 'bottom' });

let letterShared: SharedXml | undefined;

/**
 * The first page of a letter: its registration marks, QR codes (`letter`, page 1 of the PDF's
 * `pageCount`) and caption, as the PDF letter's first page has them; the letter's later pages
 * flow as Word sets them and carry none.
 */
export function letterMarksXml(data: TemplateData, pageCount: number): { xml: [SharedXml, string]; qrPng: Buffer } {
  letterShared ??= new SharedXml(
    anchorParagraphStart(false) + pageMarks(new DrawingIds(FIRST_DRAWING_ID + 3000), LETTER_QR_RELATIONSHIP.id),
  );
  const payload: PagePayload = {
    visitId: data.visitId as VisitId,
    kind: 'letter',
    page: 1,
    pageCount,
    layout: LETTER_LAYOUT_ID,
  };
  return {
    xml: [letterShared, captionOf(new DrawingIds(FIRST_DRAWING_ID + 3100), payload) + ANCHOR_PARAGRAPH_END],
    qrPng: qrPicture(encodePagePayload(payload)),
  };
}

/** What every form of the layout's category shares: title, table, questions, tick boxes, remarks, signature and seal boxes. */
function formStatic(layout: FormLayout, ids: DrawingIds): string {
  const out: string[] = [
    textBox(ids, layout.title, [FORM_TITLE], { size: 16, bold: true, head: true, align: 'center' }),
  ];
  for (const cell of layout.fields) out.push(fieldCell(ids, cell));
  const h = layout.questionHeader;
  out.push(filledRect(ids, h.row, LABEL_GREY, RULE));
  for (const x of [h.text.x, h.yes.x, h.no.x]) out.push(rule(ids, x, h.row.y, x, h.row.y + h.row.height, RULE));
  const head = { size: 9, bold: true, head: true, align: 'center' } as const;
  out.push(
    textBox(ids, h.number, ['序号'], head),
    textBox(ids, rect(h.text.x + PAD, h.text.y, h.text.width - PAD, h.text.height), ['回访问题'], {
      ...head,
      align: 'left',
    }),
  );
  out.push(textBox(ids, h.yes, ['是'], head), textBox(ids, h.no, ['否'], head));
  for (const q of layout.questions) {
    out.push(outlinedRect(ids, q.row, RULE));
    const textRight = q.text.x + q.text.width + PAD;
    out.push(
      rule(ids, h.text.x, q.row.y, h.text.x, q.row.y + q.row.height, RULE),
      rule(ids, textRight, q.row.y, textRight, q.row.y + q.row.height, RULE),
    );
    if (q.question.type === 'yes-no') out.push(rule(ids, h.no.x, q.row.y, h.no.x, q.row.y + q.row.height, RULE));
    out.push(
      textBox(ids, rect(q.row.x, q.row.y, h.text.x - q.row.x, q.row.height), [String(q.number)], {
        size: 9,
        align: 'center',
      }),
    );
    out.push(textBox(ids, q.text, [q.question.text], { size: QUESTION_SIZE }));
    for (const box of q.boxes) {
      out.push(outlinedRect(ids, box.box, TICK_BOX_RULE));
      // 是/否 stand in the column header; a choice's options are labelled beside their boxes.
      if (q.question.type === 'choice')
        out.push(
          textBox(ids, rect(box.box.x + box.box.width + 1, q.row.y + 1, 15, q.row.height - 2), [box.label], {
            size: 9,
          }),
        );
    }
  }
  const remarks = layout.remarks;
  out.push(outlinedRect(ids, remarks.box, RULE));
  out.push(
    textBox(
      ids,
      rect(remarks.box.x + PAD, remarks.box.y + 0.5, remarks.box.width - 2 * PAD, remarks.ink.y - remarks.box.y - 1),
      [remarks.label],
      { size: 9, bold: true, head: true },
    ),
  );
  for (const mark of layout.marks) out.push(markArea(ids, mark));
  return out.join('');
}

function fieldCell(ids: DrawingIds, cell: FieldCell): string {
  return (
    filledRect(ids, cell.labelCell, LABEL_GREY, RULE) +
    outlinedRect(ids, cell.valueCell, RULE) +
    textBox(
      ids,
      rect(cell.labelCell.x + PAD, cell.labelCell.y, cell.labelCell.width - PAD, cell.labelCell.height),
      [cell.label],
      { size: 9 },
    )
  );
}

function markArea(ids: DrawingIds, mark: MarkArea): string {
  const label = rect(mark.box.x + PAD, mark.box.y + 0.8, mark.box.width - 2 * PAD, mark.ink.y - mark.box.y - 1.3);
  let xml =
    outlinedRect(ids, mark.box, RULE) +
    textBox(ids, label, [mark.label], { size: 10, bold: true, head: true, valign: 'top' });
  xml += textBox(ids, rect(label.x, label.y + 4, label.width, 2.2), [mark.hint], { size: 6, grey: 0.3, valign: 'top' });
  if (mark.date) xml += dateLine(ids, mark.date, true);
  return xml;
}

/** `日期 ____年____月____日` as the layout places it (`dateLineOf`), the blanks drawn as rules. */
function dateLine(ids: DrawingIds, box: Rect, label: boolean): string {
  const line = dateLineOf(box);
  const style = { size: 9, valign: 'bottom' } as const;
  const textAt = (x: number, width: number, text: string) =>
    textBox(ids, rect(x, line.baseline - 4, width, 5), [text], style);
  let xml = label ? textAt(box.x + PAD - 1, 9, '日期') : '';
  for (const { unit, blank, unitX } of line.blanks) {
    const ruleY = blank.y + blank.height;
    xml += rule(ids, blank.x + 0.3, ruleY, blank.x + blank.width - 0.3, ruleY, 0.5) + textAt(unitX, 4, unit);
  }
  return xml;
}

/** One visit's values: the subtitle and the field cells; a face-to-face visit's date is left to write by hand. */
function formValues(ids: DrawingIds, layout: FormLayout, data: TemplateData): string {
  let xml = textBox(ids, layout.subtitle, [`${data.category} · ${data.channel}`], { size: 10, align: 'center' });
  for (const cell of layout.fields) {
    const box = inset(cell.valueCell, 0.6);
    const inner = rect(box.x + PAD - 0.6, box.y, box.width - 2 * (PAD - 0.6), box.height);
    const value = fieldValue(cell.key, data);
    xml +=
      value === undefined
        ? dateLine(ids, inner, false)
        : textBox(ids, inner, [value], { size: value.length > 24 ? 7.5 : 9.5 });
  }
  return xml;
}

/** The value printed in a field cell, as the PDF form prints it; undefined leaves a date line. */
function fieldValue(key: FieldCell['key'], data: TemplateData): string | undefined {
  switch (key) {
    case 'visitId':
      return data.visitId;
    case 'category':
      return data.category;
    case 'customerId':
      return data.customerId;
    case 'customerName':
      return data.customerName;
    case 'customerKind':
      return data.customerKind;
    case 'branch':
      return `${data.branchName}（${data.branchCode}）`;
    case 'channel':
      return data.channel;
    case 'visitDate':
      // A letter's visit is dated when it is sent; other visits are dated by hand on the day.
      return data.channel === VISIT_CHANNEL_LABELS.letter ? data.letterDate : undefined;
  }
}
