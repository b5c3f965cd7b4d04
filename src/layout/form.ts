/**
 * The record form (客户回访记录表): where every field, question row, tick box, signature
 * box and seal box sits. `render/form` draws exactly these rectangles and `scan` reads
 * exactly these rectangles; this file is the only place that knows them.
 *
 * One page per form. Ink is judged inside `ink` rectangles, which leave out the printed
 * labels and border lines of their boxes.
 */
import { questionsFor, type Question } from '../domain/questions.ts';
import type { VisitCategory } from '../domain/visit.ts';
import { CONTENT, LAYOUT_VERSION, rect, inset, type Rect } from './page.ts';

/** Side of a 是/否 tick box. */
const TICK_BOX_SIZE = 5;
/** Height of one question row: two lines of 9.5 pt text. */
const QUESTION_ROW_HEIGHT = 10;

/** A box the customer or handler marks; `id` is what scan reports. */
export interface TickBox {
  /** e.g. `na.opened-in-person:yes`, `satisfaction:neutral` */
  id: string;
  questionId: string;
  /** `yes`/`no` for yes-no questions, the option value for choices. */
  value: string;
  /** The printed label beside or above the box (是, 否, 满意…). */
  label: string;
  box: Rect;
  /** Where a tick is looked for: the box less its border line. */
  ink: Rect;
}

export interface QuestionRow {
  number: number;
  question: Question;
  row: Rect;
  /** Where the question text is printed (wrapped to two lines at most). */
  text: Rect;
  boxes: TickBox[];
}

/** A signature or seal box: drawn with its label, judged for ink in `ink`. */
export interface MarkArea {
  id: 'customerSignature' | 'handlerSignature' | 'seal';
  label: string;
  hint: string;
  box: Rect;
  ink: Rect;
  /** The 日期 line inside the box, filled by hand. */
  date?: Rect;
  /** Its blanks, as printed (`dateLineOf(date)`). */
  dateLine?: DateLine;
}

/** Size of the printed 日期/年/月/日 characters of a date line, in points. */
export const DATE_TEXT_SIZE_PT = 9;

/** One blank of a date line, `____年`: where the digits are written (the rule is its bottom edge), and where its unit is printed. */
export interface DateBlank {
  unit: '年' | '月' | '日';
  blank: Rect;
  /** Left edge of the printed unit character. */
  unitX: number;
}

/** The date line `日期 ____年____月____日`: right-aligned in its rectangle, blanks 12, 7 and 7 mm wide. */
export interface DateLine {
  /** Baseline of the printed characters. */
  baseline: number;
  blanks: DateBlank[];
}

export function dateLineOf(date: Rect): DateLine {
  const charWidth = (DATE_TEXT_SIZE_PT * 25.4) / 72; // CJK characters are one em wide
  const gaps = [12, 7, 7];
  const units = ['年', '月', '日'] as const;
  const baseline = date.y + date.height - 1.5;
  let x = date.x + date.width - (gaps.reduce((a, b) => a + b, 0) + units.length * charWidth) - 0.5;
  const blanks = gaps.map((gap, i) => {
    const blank = rect(x, baseline - 4.2, gap, 4.8);
    x += gap;
    const entry: DateBlank = { unit: units[i]!, blank, unitX: x };
    x += charWidth;
    return entry;
  });
  return { baseline, blanks };
}

export interface FieldCell {
  /** Key of the value printed in it (see render/form). */
  key: 'visitId' | 'category' | 'customerId' | 'customerName' | 'customerKind' | 'branch' | 'channel' | 'visitDate';
  label: string;
  labelCell: Rect;
  valueCell: Rect;
}

export interface FormLayout {
  /** Printed in the QR payload: a scan knows which geometry to read by it. */
  id: string;
  category: VisitCategory;
  title: Rect;
  subtitle: Rect;
  fields: FieldCell[];
  questionHeader: { row: Rect; number: Rect; text: Rect; yes: Rect; no: Rect };
  questions: QuestionRow[];
  remarks: { box: Rect; label: string; ink: Rect };
  marks: MarkArea[];
  /** Every tick box in reading order. */
  tickBoxes: TickBox[];
}

const X0 = CONTENT.x; // 20
const X1 = CONTENT.x + CONTENT.width; // 190
const NUMBER_COL = 8;
const YES_COL = { x: 160, width: 15 };
const NO_COL = { x: 175, width: 15 };
const FIELD_ROW_HEIGHT = 7;

function tickBox(questionId: string, value: string, label: string, cx: number, cy: number): TickBox {
  const box = rect(cx - TICK_BOX_SIZE / 2, cy - TICK_BOX_SIZE / 2, TICK_BOX_SIZE, TICK_BOX_SIZE);
  return { id: `${questionId}:${value}`, questionId, value, label, box, ink: inset(box, 0.8) };
}

function fieldCells(top: number): FieldCell[] {
  const rows: [FieldCell['key'], string, FieldCell['key'], string][] = [
    ['visitId', '回访编号', 'category', '回访项目'],
    ['customerId', '客户号', 'customerName', '客户名称'],
    ['customerKind', '客户类型', 'branch', '营业部'],
    ['channel', '回访形式', 'visitDate', '回访日期'],
  ];
  const cells: FieldCell[] = [];
  rows.forEach(([k1, l1, k2, l2], i) => {
    const y = top + i * FIELD_ROW_HEIGHT;
    cells.push({
      key: k1,
      label: l1,
      labelCell: rect(X0, y, 22, FIELD_ROW_HEIGHT),
      valueCell: rect(X0 + 22, y, 63, FIELD_ROW_HEIGHT),
    });
    cells.push({
      key: k2,
      label: l2,
      labelCell: rect(105, y, 22, FIELD_ROW_HEIGHT),
      valueCell: rect(127, y, X1 - 127, FIELD_ROW_HEIGHT),
    });
  });
  return cells;
}

function questionRows(questions: readonly Question[], top: number): QuestionRow[] {
  return questions.map((question, i) => {
    const y = top + i * QUESTION_ROW_HEIGHT;
    const row = rect(X0, y, X1 - X0, QUESTION_ROW_HEIGHT);
    const cy = y + QUESTION_ROW_HEIGHT / 2;
    if (question.type === 'yes-no') {
      return {
        number: i + 1,
        question,
        row,
        text: rect(X0 + NUMBER_COL + 1.5, y, YES_COL.x - X0 - NUMBER_COL - 3, QUESTION_ROW_HEIGHT),
        boxes: [
          tickBox(question.id, 'yes', '是', YES_COL.x + YES_COL.width / 2, cy),
          tickBox(question.id, 'no', '否', NO_COL.x + NO_COL.width / 2, cy),
        ],
      };
    }
    // A choice: the text on the left, then each option's box followed by its label.
    const optionWidth = 22;
    const firstX = X1 - optionWidth * question.options.length;
    return {
      number: i + 1,
      question,
      row,
      text: rect(X0 + NUMBER_COL + 1.5, y, firstX - X0 - NUMBER_COL - 3, QUESTION_ROW_HEIGHT),
      boxes: question.options.map((o, k) => tickBox(question.id, o.value, o.label, firstX + k * optionWidth + 4, cy)),
    };
  });
}

function buildFormLayout(category: VisitCategory): FormLayout {
  const questions = questionsFor(category);
  const fieldsTop = 50;
  const headerTop = fieldsTop + 4 * FIELD_ROW_HEIGHT + 3; // 81
  const headerHeight = 6;
  const rowsTop = headerTop + headerHeight;
  const rows = questionRows(questions, rowsTop);
  const rowsBottom = rowsTop + rows.length * QUESTION_ROW_HEIGHT;
  const remarksTop = rowsBottom + 3;
  const marksTop = CONTENT.y + CONTENT.height - 42; // 220
  const remarksBox = rect(X0, remarksTop, X1 - X0, marksTop - 3 - remarksTop);
  if (remarksBox.height < 12) {
    throw new Error(
      `The ${category} record form has ${rows.length} questions, more than one page holds; split the category's questions or add a form page.`,
    );
  }
  return {
    id: formLayoutId(category),
    category,
    title: rect(X0, 34, X1 - X0, 9),
    subtitle: rect(X0, 43, X1 - X0, 5),
    fields: fieldCells(fieldsTop),
    questionHeader: {
      row: rect(X0, headerTop, X1 - X0, headerHeight),
      number: rect(X0, headerTop, NUMBER_COL, headerHeight),
      text: rect(X0 + NUMBER_COL, headerTop, YES_COL.x - X0 - NUMBER_COL, headerHeight),
      yes: rect(YES_COL.x, headerTop, YES_COL.width, headerHeight),
      no: rect(NO_COL.x, headerTop, NO_COL.width, headerHeight),
    },
    questions: rows,
    remarks: {
      box: remarksBox,
      label: '备注（客户意见与建议）',
      ink: rect(remarksBox.x + 1, remarksBox.y + 6, remarksBox.width - 2, remarksBox.height - 7),
    },
    marks: markAreas(marksTop),
    tickBoxes: rows.flatMap((r) => r.boxes),
  };
}

/** The row of marks at the foot of the form: customer's signature, seal, handler's signature. */
function markAreas(marksTop: number): MarkArea[] {
  const markHeight = 42;
  const customerBox = rect(X0, marksTop, 60, markHeight);
  const sealBox = rect(84, marksTop, 46, markHeight);
  const handlerBox = rect(134, marksTop, X1 - 134, markHeight);
  const LABEL_STRIP = 6.5;
  const DATE_STRIP = 7;
  const inkOf = (b: Rect, withDate: boolean): Rect =>
    rect(b.x + 1, b.y + LABEL_STRIP, b.width - 2, b.height - LABEL_STRIP - (withDate ? DATE_STRIP : 1));
  const dateOf = (b: Rect): Rect => rect(b.x + 1, b.y + b.height - DATE_STRIP, b.width - 2, DATE_STRIP - 1);
  return [
    {
      id: 'customerSignature',
      label: '客户签名',
      hint: '（本人签名或盖章）',
      box: customerBox,
      ink: inkOf(customerBox, true),
      date: dateOf(customerBox),
      dateLine: dateLineOf(dateOf(customerBox)),
    },
    { id: 'seal', label: '盖章处', hint: '（机构客户须加盖公章）', box: sealBox, ink: inkOf(sealBox, false) },
    {
      id: 'handlerSignature',
      label: '经办人签名',
      hint: '（面谈回访时填写）',
      box: handlerBox,
      ink: inkOf(handlerBox, true),
      date: dateOf(handlerBox),
      dateLine: dateLineOf(dateOf(handlerBox)),
    },
  ];
}

export function formLayoutId(category: VisitCategory): string {
  return `form.${category}.v${LAYOUT_VERSION}`;
}

/** What a form layout id looks like (`form.new-account.v3`), to find one in text such as a PDF's keywords. */
export const FORM_LAYOUT_ID_PATTERN = /form\.[a-z-]+\.v\d+/;

const cache = new Map<VisitCategory, FormLayout>();

/** The record form's geometry for a visit category. */
export function formLayout(category: VisitCategory): FormLayout {
  let layout = cache.get(category);
  if (!layout) {
    layout = buildFormLayout(category);
    cache.set(category, layout);
  }
  return layout;
}

/** The geometry named by a QR payload's layout id, or undefined when this version does not know it. */
export function formLayoutById(id: string): FormLayout | undefined {
  const m = /^form\.([a-z-]+)\.v(\d+)$/.exec(id);
  if (!m || Number(m[2]) !== LAYOUT_VERSION) return undefined;
  try {
    return formLayout(m[1] as VisitCategory);
  } catch {
    return undefined;
  }
}
