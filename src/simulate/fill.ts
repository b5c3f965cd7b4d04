/**
 * How a customer fills a record form: which answers, with which pen and style, whether
 * they sign and date it, whether an institution stamps its seal; and the ink overlay
 * (SVG in page millimetres) that draws exactly that plan. The plan is the ground truth of
 * the un-degraded page: nothing is drawn that the plan does not record.
 */
import type { CustomerKind } from '../domain/customer.ts';
import { isAsked, type Answer, type Answers } from '../domain/questions.ts';
import type { VisitChannel } from '../domain/visit.ts';
import { centre, type Rect } from '../layout/page.ts';
import { dateLineOf, type FormLayout, type TickBox } from '../layout/form.ts';
import {
  boxMark,
  handwrittenText,
  randomPen,
  roundSeal,
  scribbleOut,
  scribbledLines,
  signature,
  type MarkStyle,
  type Pen,
  type SealInk,
} from './ink.ts';
import type { Random } from './random.ts';

/** What was done to one question's boxes. */
export interface QuestionFill {
  questionId: string;
  /** What the customer meant; null when left blank or when two boxes stand marked. */
  answer: Answer;
  /** Box values carrying a mark that still stands. */
  marked: string[];
  /** Box values marked and then scribbled out. */
  crossedOut: string[];
  style: MarkStyle | null;
  /** The mark strays past the box's border. */
  outside: boolean;
}

export interface SealFill {
  ink: SealInk['ink'];
  /** Centre (mm, page coordinates), radius (mm) and turn (degrees). */
  x: number;
  y: number;
  radius: number;
  angle: number;
  /** The seal's ring crosses the seal box's border. */
  overBorder: boolean;
}

export interface FormFill {
  questions: QuestionFill[];
  customerSignature: boolean;
  handlerSignature: boolean;
  seal: SealFill | null;
  /** Dates written by hand in the date lines (`YYYY-MM-DD`; written as digits in the 年/月/日 blanks), or null. */
  customerDate: string | null;
  handlerDate: string | null;
  remarks: boolean;
  /** Why a person must look at this page whatever the scan quality (e.g. `two-marks`). */
  expectReview: string[];
  /** The pen's colour, for the record. */
  pen: string;
}

export interface Filler {
  customerKind: CustomerKind;
  channel: VisitChannel;
  /** The visit's date as `YYYY-MM-DD`, for the handwritten dates. */
  date: string;
}

/** Decides how a customer fills this form. */
export function planFill(layout: FormLayout, who: Filler, rng: Random): FormFill {
  const style: MarkStyle = rng.weighted<MarkStyle>([
    ['tick', 60],
    ['cross', 20],
    ['dot', 10],
    ['fill', 10],
  ]);
  const careless = rng.chance(0.15);
  const answers: Answers = {};
  const questions: QuestionFill[] = [];
  const review = new Set<string>();
  for (const row of layout.questions) {
    const fill = fillQuestion(row, answers, style, careless, review, rng);
    answers[row.question.id] = fill.answer;
    questions.push(fill);
  }
  const institution = who.customerKind === 'institution';
  const faceToFace = who.channel === 'face-to-face';
  const customerSignature = institution ? rng.chance(0.7) : rng.chance(0.9);
  const handlerSignature = faceToFace && rng.chance(0.94);
  const seal = institution && rng.chance(0.9) ? planSeal(layout, rng) : null;
  const date = handDate(who.date, rng);
  return {
    questions,
    customerSignature,
    handlerSignature,
    seal,
    customerDate: (customerSignature || seal) && rng.chance(0.8) ? date : null,
    handlerDate: handlerSignature && rng.chance(0.85) ? handDate(who.date, rng) : null,
    remarks: rng.chance(0.12),
    expectReview: [...review].sort(),
    pen: '',
  };
}

/** How one question is answered and marked (a changed mind, two marks: `review` says so). */
function fillQuestion(
  row: FormLayout['questions'][number],
  answers: Answers,
  style: MarkStyle,
  careless: boolean,
  review: Set<string>,
  rng: Random,
): QuestionFill {
  const q = row.question;
  const values = row.boxes.map((b) => b.value);
  let answer: Answer;
  if (!isAsked(q, answers)) answer = rng.chance(0.05) ? rng.pick(values) : null;
  else if (rng.chance(careless ? 0.08 : 0.02)) answer = null;
  else if (q.type === 'choice') answer = rng.weighted(q.options.map((o, i) => [o.value, [75, 19, 6][i] ?? 5] as const));
  else if (q.pass === null) answer = rng.chance(q.id.endsWith('brought-by-staff') ? 0.4 : 0.3) ? 'yes' : 'no';
  else answer = rng.chance(0.9) ? q.pass : q.pass === 'yes' ? 'no' : 'yes';
  const fill: QuestionFill = { questionId: q.id, answer, marked: [], crossedOut: [], style: null, outside: false };
  if (answer === null) return fill;
  fill.marked.push(answer);
  fill.style = style;
  fill.outside = rng.chance(careless ? 0.2 : 0.05);
  const others = values.filter((v) => v !== answer);
  if (rng.chance(0.025)) {
    // Changed their mind: the other box marked, then scribbled out.
    fill.crossedOut.push(rng.pick(others));
    review.add('two-marks');
  } else if (rng.chance(0.008)) {
    // Two boxes marked and neither withdrawn: nobody can tell the answer.
    fill.marked.push(rng.pick(others));
    fill.answer = null;
    review.add('two-marks');
  }
  return fill;
}

/** An institution's round seal in the seal box: red (now and then a black photocopy), placed and turned by hand. */
function planSeal(layout: FormLayout, rng: Random): SealFill {
  const box = layout.marks.find((m) => m.id === 'seal')!.box;
  const radius = rng.range(16, 20.5);
  const c = centre(box);
  const x = c.x + rng.range(-1.5, 1.5);
  const y = c.y + rng.range(-2.5, 3);
  return {
    ink: rng.chance(0.06) ? 'black' : 'red',
    x,
    y,
    radius,
    angle: rng.chance(0.6) ? rng.range(-8, 8) : rng.range(-40, 40),
    overBorder:
      x - radius < box.x || x + radius > box.x + box.width || y - radius < box.y || y + radius > box.y + box.height,
  };
}

/** The day the customer dates the form: a few days after the visit date, as `YYYY-MM-DD`. */
function handDate(iso: string, rng: Random): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + rng.int(0, 12));
  return d.toISOString().slice(0, 10);
}

/** Where the digits of a date are written: the blanks of the printed date line, from the layout. */
function dateBlanks(r: Rect): Rect[] {
  return dateLineOf(r).blanks.map(({ blank }) => ({
    x: blank.x + 0.2,
    y: blank.y,
    width: blank.width - 0.4,
    height: blank.height - 0.2,
  }));
}

/** A date written by hand into the blanks of a date line: year (sometimes two digits), month, day. */
function handwrittenDate(iso: string, r: Rect, pen: Pen, rng: Random): string {
  const [y, m, d] = iso.split('-') as [string, string, string];
  const parts = [
    rng.chance(0.2) ? y.slice(2) : y,
    rng.chance(0.5) ? m : String(Number(m)),
    rng.chance(0.5) ? d : String(Number(d)),
  ];
  return dateBlanks(r)
    .map((blank, i) => handwrittenText(parts[i]!, blank, pen, rng))
    .join('');
}

/**
 * The ink of a filled form as an SVG document of `widthPx` × `heightPx` pixels whose
 * user units are page millimetres at `dpi`. `fill.pen` is set to the pen used.
 */
export function fillOverlay(
  layout: FormLayout,
  fill: FormFill,
  widthPx: number,
  heightPx: number,
  dpi: number,
  rng: Random,
): string {
  const pen = randomPen(rng);
  fill.pen = pen.colour;
  const handlerPen: Pen = { ...randomPen(rng), colour: rng.pick(['#111111', '#1b2a7a']) };
  const parts: string[] = [];
  const boxes = new Map<string, TickBox>(layout.tickBoxes.map((b) => [b.id, b]));
  for (const q of fill.questions) {
    for (const value of [...q.crossedOut, ...q.marked]) {
      const b = boxes.get(`${q.questionId}:${value}`)!;
      const c = centre(b.box);
      const off = q.outside && q.marked.includes(value) ? b.box.width * 0.35 : b.box.width * 0.08;
      const at = { x: c.x + rng.range(-off, off), y: c.y + rng.range(-off, off) };
      parts.push(boxMark(q.style ?? 'tick', at, b.box.width, pen, rng));
      if (q.crossedOut.includes(value)) parts.push(scribbleOut(c, b.box.width, pen, rng));
    }
  }
  const mark = (id: string): { ink: Rect; date?: Rect } => layout.marks.find((m) => m.id === id)!;
  if (fill.seal) {
    const s = fill.seal;
    const ink: SealInk =
      s.ink === 'red'
        ? { ink: 'red', colour: rng.pick(['#d81e1e', '#e0262b', '#c8102e', '#e53935']), opacity: rng.range(0.55, 0.85) }
        : { ink: 'black', colour: '#2a2a2a', opacity: rng.range(0.5, 0.8) };
    parts.push(roundSeal({ x: s.x, y: s.y }, s.radius, s.angle, ink, rng));
  }
  if (fill.customerSignature) parts.push(signature(inner(mark('customerSignature').ink), pen, rng));
  if (fill.handlerSignature) parts.push(signature(inner(mark('handlerSignature').ink), handlerPen, rng));
  if (fill.customerDate) parts.push(handwrittenDate(fill.customerDate, mark('customerSignature').date!, pen, rng));
  if (fill.handlerDate) parts.push(handwrittenDate(fill.handlerDate, mark('handlerSignature').date!, handlerPen, rng));
  if (fill.remarks) parts.push(scribbledLines(inner(layout.remarks.ink), pen, rng));
  return svgDocument(parts.join(''), widthPx, heightPx, dpi);
}

/** Strokes are kept 1 mm inside the box they belong to, so their ink never reaches a neighbour. */
function inner(r: Rect): Rect {
  return { x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2 };
}

/**
 * An SVG document of the page's pixel size, drawn in millimetres on an opaque white
 * ground: multiplied onto the page, white leaves the print exactly as it was and ink darkens it.
 */
function svgDocument(body: string, widthPx: number, heightPx: number, dpi: number): string {
  const w = ((widthPx * 25.4) / dpi).toFixed(4);
  const h = ((heightPx * 25.4) / dpi).toFixed(4);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${w} ${h}"><rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>${body}</svg>`;
}
