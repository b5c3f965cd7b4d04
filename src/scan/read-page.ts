/**
 * Reading one scanned page: identify it by its QR codes, align it with its registration
 * marks, and — for record forms — read every tick box, the two signature boxes and the
 * seal box through the geometry that drew the form (`layout/form.ts`).
 *
 * Every decision carries a score; whatever the reader is unsure of is listed in `review`
 * and left undecided (null), never guessed. A blank signature or seal box is never
 * decided "present": its thresholds are set so that doubt goes to review.
 */
import type { Answer } from '../domain/questions.ts';
import { formLayoutById, type FormLayout, type MarkArea, type QuestionRow } from '../layout/form.ts';
import type { Rect } from '../layout/page.ts';
import type { PagePayload } from '../layout/qr-payload.ts';
import { A4 } from '../layout/page.ts';
import { alignPage, project, scaleAt, type Alignment } from './align.ts';
import {
  areaScore,
  measureInk,
  measureTick,
  tickScore,
  type ColourSampler,
  type InkMeasure,
  type TickReach,
} from './boxes.ts';
import type { DecodedPage } from './decode.ts';
import { greyWorkingCopy, type GreyImage } from './grey.ts';
import { findBarcodes } from './barcode.ts';
import { cropOfRect, encodeGreyPng, pageThumbnail, posterise } from './crop.ts';
import { identifyPage, SPECKLED_SHARE, type IdentifyOptions } from './identify-page.ts';
import { median3, removeSpecks, speckleShare } from './despeckle.ts';

/**
 * How far past a tick box's printed outline ink is looked for (mm): a tick that strays over
 * the border is still a tick. Clear of neighbouring print: row lines lie 2.5 mm above and
 * below every box; a choice's label starts 1 mm right of its box and a column rule 1.5 mm
 * left of the first option.
 */
const TICK_REACH: Record<'yesNo' | 'choice', TickReach> = {
  yesNo: { top: 1.3, right: 1.3, bottom: 1.3, left: 1.3 },
  choice: { top: 1.3, right: 0.7, bottom: 1.3, left: 0.9 },
};
/** Half-width of the band along a tick box's printed outline that is not read (the print itself). */
const TICK_BAND_MM = 0.5;
/** Ink blots in a tick box smaller than this across (mm) are dust; the smallest dot a person makes is about 1.8 mm. */
const TICK_MIN_EXTENT_MM = 0.9;

/** Resolution the reader works at (the grey copy is the page shrunk by a whole factor towards it). */
export const WORKING_DPI = 150;

/**
 * Decision lines. Scores are 0 … 1 with the decision at 0.5; a score inside a band goes to
 * review undecided. Signature and seal bands lean towards review: deciding a blank box
 * "signed" is the one mistake that must not happen.
 */
const THRESHOLDS = {
  tick: { decide: 0.5, review: [0.3, 0.6] as const },
  /** Ink area (mm²) at which a signature/seal score is 0.5. */
  inkHalfMm2: 4,
  ink: { absent: 0.3, present: 0.6 },
  /** Red area (mm²) at which the red-seal score is 0.5. */
  redHalfMm2: 8,
  red: { absent: 0.3, present: 0.6 },
  /** Alignment residual (mm) beyond which every box of the page goes to review. */
  residualMm: 1.2,
  /** Where ink starts in the seal box, from paper (0) to black (1): a red seal scanned grey is light. */
  sealCut: 0.28,
  /** Outline contrast of a tick box below which its printed outline counts as not found. */
  outline: 0.2,
  /** Ink area (mm²) in the remarks box at which it counts as written in (a word of handwriting is 15–30 mm²; a blank box reads below 1 mm²). */
  remarksHalfMm2: 6,
  /**
   * A box read blank holds faint ink to look at when it has this many more dust-sized dots,
   * and this much more of their area, than the page's blank boxes, `chain` of them lined up
   * within 1 mm of each other (a light pen's tick thresholded at 150 dpi is 5–8 single dots,
   * 0.15–0.35 mm², 3–7 in a chain; a speckled fax's blank box chains 2 at most), or this much more
   * faint stroke (`strokeMm2`: a light pen on a blurred grey scan, short of the ink cut,
   * 1–2 mm²; blank boxes read 0).
   */
  faint: { blots: 4, mm2: 0.12, chain: 3, strokeMm2: 0.5 },
} as const;

/** A signature or seal box: ink present (null: undecided), with its score. */
export interface InkDecision {
  present: boolean | null;
  /** 0 no ink … 1 plenty; 0.5 at the decision line. */
  score: number;
  /** Inked area found, mm². */
  inkMm2: number;
  review: boolean;
}

export interface SealDecision extends InkDecision {
  /** Red seal present; null when undecided or when the scan has no colour (grey, bilevel). */
  red: boolean | null;
  redScore: number | null;
  /**
   * The box looked empty on a black-and-white scan, which can drop a red seal: `present` is
   * null but not listed for review — the caller reviews it when the visit needs a seal.
   */
  lostInBilevel: boolean;
}

export interface QuestionReading {
  answer: Answer;
  /** Confidence in `answer` (or in the blank), 0 … 1. */
  score: number;
  status: 'answered' | 'blank' | 'several' | 'uncertain';
  /** Score of each box, by value (`yes`, `no`, `satisfied` …). */
  boxes: Record<string, number>;
  review: boolean;
  /** Boxes read blank that hold faint ink — a chain of dots or a light stroke (a light pen thinned out by the scan) — by value. */
  faint?: string[];
}

export interface ReviewItem {
  /** What to look at: a question id, `customerSignature`, `handlerSignature`, `seal` (ink in the box), `seal.red` (its colour), `qr`, `page`. */
  subject: string;
  reason: string;
}

export interface PageReading {
  /** 1-based page number within its file. */
  page: number;
  identified: boolean;
  /** `qr` by its QR codes; `printed-id` by the visit id printed on it (OCR, check character valid); null when not identified. */
  identifiedBy: 'qr' | 'printed-id' | null;
  payload: PagePayload | null;
  /** False when the page's number was not read (identified by its printed id alone): `payload.page` is then 1 of 1 and means nothing. */
  pageNumberRead: boolean;
  /** QR codes read (0, 1 or 2), foreign ones included. */
  qrFound: number;
  rotated180: boolean;
  /** Clockwise quarter turns the page lay at (0 upright, 2 upside down); null when unidentified. */
  quarterTurns: number | null;
  /** Resolution of the scan (not of the shrunk copy read), measured from the marks; the file's when the page was not aligned. */
  dpi: number;
  /** The scan has no colour information (red seals undecidable). */
  grey: boolean;
  alignment: { residualMm: number; pointsUsed: number; model: Alignment['model']; marksFound: number } | null;
  /** Question id → answer (`yes`, `no`, an option value), null when blank, doubly marked or uncertain. */
  answers: Record<string, Answer>;
  answerScores: Record<string, number>;
  questions: Record<string, QuestionReading>;
  checks: { customerSignature: InkDecision; handlerSignature: InkDecision; seal: SealDecision } | null;
  review: ReviewItem[];
  problems: string[];
  /** Postal tracking numbers (S10) read from Code 128 barcodes on a page without a QR code (a postal receipt). */
  trackingNumbers?: string[];
  /**
   * Pictures (grey PNG) of what a person must look at: one per review subject of the page
   * (its question's row, its box), and `page` — the whole page shrunk — for a page that
   * could not be identified or aligned.
   */
  crops?: { subject: string; png: Uint8Array }[];
  /** Ink found in the 备注 remarks box (mm²), on a read form. */
  remarksInkMm2?: number;
}

/**
 * Reads a decoded page. Never throws for a bad page: what went wrong is in `problems` and
 * `review`.
 *
 * @example
 * const reading = await readPage(page);
 * if (reading.identified && reading.checks?.seal.red) …
 */
export async function readPage(page: DecodedPage, options: IdentifyOptions = {}): Promise<PageReading> {
  const factor = Math.max(1, Math.round(page.dpi / WORKING_DPI));
  const first = greyWorkingCopy(page, factor);
  const reading = emptyReading(page);
  const seen: CropContext = { work: first, alignment: null, layout: null };
  try {
    const found = await identifyPage(first, page.dpi / factor, { bilevel: page.bilevel, ...options });
    const work = found.work;
    if (!(await noteIdentity(reading, found, page))) return reading;
    const layout = formLayoutOf(reading);
    if (!layout) return reading;
    const alignment = found.alignment ?? alignPage(work, found.codes);
    seen.layout = layout;
    seen.alignment = alignment;
    if (!alignment) {
      reading.review.push({ subject: 'page', reason: 'the page could not be aligned' });
      return reading;
    }
    const pageDoubt = noteAlignment(reading, alignment, work, factor * page.shrink);
    const colour = page.grey || page.channels !== 3 ? null : colourSampler(page, factor);
    readForm(reading, work, alignment, layout, inkLevelOf(alignment), colour, page.bilevel, pageDoubt);
  } catch (e) {
    const reason = `the page could not be read: ${e instanceof Error ? e.message : String(e)}`;
    reading.problems.push(reason);
    reading.review.push({ subject: 'page', reason });
  } finally {
    attachCrops(reading, seen);
  }
  return reading;
}

/** The reading of a page before anything is known of it. */
function emptyReading(page: DecodedPage): PageReading {
  return {
    page: page.page,
    identified: false,
    identifiedBy: null,
    payload: null,
    pageNumberRead: false,
    qrFound: 0,
    rotated180: false,
    quarterTurns: null,
    dpi: page.scanDpi,
    grey: page.grey,
    alignment: null,
    answers: {},
    answerScores: {},
    questions: {},
    checks: null,
    review: [],
    problems: [],
  };
}

/**
 * Records what identified the page (or why nothing did, reading a postal receipt's barcodes
 * on a page without codes). Returns whether the page is a form to read on.
 */
async function noteIdentity(
  reading: PageReading,
  found: Awaited<ReturnType<typeof identifyPage>>,
  page: DecodedPage,
): Promise<boolean> {
  const { codes, id } = found;
  reading.qrFound = codes.length;
  reading.problems.push(...found.notes, ...id.problems);
  if (!id.payload) {
    const reason = codes.length === 0 ? 'no QR code could be read on the page' : id.problems.join('; ');
    reading.review.push({ subject: 'qr', reason });
    if (codes.length === 0) {
      reading.problems.push('no QR code could be read on the page (torn, covered, or not a huifang page)');
      await readTrackingBarcodes(reading, page);
    }
    return false;
  }
  reading.identified = true;
  reading.identifiedBy = found.by;
  reading.pageNumberRead = found.pageNumberRead;
  reading.payload = id.payload;
  reading.quarterTurns = id.quarterTurns;
  reading.rotated180 = id.quarterTurns === 2;
  if (id.quarterTurns === 1 || id.quarterTurns === 3)
    reading.problems.push('the page was scanned turned a quarter; it was read that way');
  return id.payload.kind === 'form';
}

/** The layout of an identified form page, or null (listed for review) when this version cannot read it. */
function formLayoutOf(reading: PageReading): FormLayout | null {
  const layout = formLayoutById(reading.payload!.layout);
  if (layout) return layout;
  const reason = `the page's layout "${reading.payload!.layout}" is not one this version of huifang can read`;
  reading.problems.push(reason);
  reading.review.push({ subject: 'page', reason });
  return null;
}

/**
 * Records the alignment and the scan's resolution it measured (`scale`: scan pixels a
 * working pixel); lists the page for review when it is cut, aligns poorly or lacks its
 * marks. Returns whether the page is in doubt.
 */
function noteAlignment(reading: PageReading, alignment: Alignment, work: GreyImage, scale: number): boolean {
  reading.problems.push(...alignment.problems);
  reading.alignment = {
    residualMm: round(alignment.residualMm, 3),
    pointsUsed: alignment.pointsUsed,
    model: alignment.model,
    marksFound: alignment.marks.filter(Boolean).length,
  };
  reading.dpi = Math.round(alignment.dpi * scale);
  const coverage = pageCoverage(alignment, work);
  const pageDoubt =
    coverage < 0.75
      ? `only ${Math.round(coverage * 100)} % of the page lies inside the scan as aligned; the page is cut or the alignment is wrong`
      : alignment.residualMm > THRESHOLDS.residualMm
        ? `the page aligns poorly (${alignment.residualMm.toFixed(1)} mm off at the QR codes)`
        : alignment.model === 'codes'
          ? 'no registration mark was found; the page was aligned on its QR codes only'
          : null;
  if (pageDoubt) reading.review.push({ subject: 'page', reason: pageDoubt });
  return pageDoubt !== null;
}

interface CropContext {
  work: GreyImage;
  alignment: Alignment | null;
  layout: FormLayout | null;
}

/** Where on the form a review subject is (mm), or undefined for the page as a whole. */
function subjectRect(layout: FormLayout, subject: string): Rect | undefined {
  if (subject === 'remarks') return layout.remarks.box;
  if (subject === 'seal.red') return layout.marks.find((m) => m.id === 'seal')?.box;
  const mark = layout.marks.find((m) => m.id === subject);
  if (mark) return mark.box;
  return layout.questions.find((q) => q.question.id === subject)?.row;
}

/** Crops for the page's review subjects, or a picture of the whole page when it was not identified or aligned (see `PageReading.crops`). */
function attachCrops(reading: PageReading, seen: CropContext): void {
  try {
    const crops: { subject: string; png: Uint8Array }[] = [];
    const a = seen.alignment;
    const layout = seen.layout;
    for (const subject of new Set(reading.review.map((r) => r.subject))) {
      const r = a && layout ? subjectRect(layout, subject) : undefined;
      if (r && a)
        crops.push({
          subject,
          png: encodeGreyPng(posterise(cropOfRect(seen.work, a.transform, r, reading.quarterTurns))),
        });
    }
    const needsPage = !reading.identified || reading.review.some((r) => !crops.some((c) => c.subject === r.subject));
    if (needsPage) crops.push({ subject: 'page', png: encodeGreyPng(posterise(pageThumbnail(seen.work))) });
    if (crops.length) reading.crops = crops;
  } catch {
    // A picture is a help for the reviewer, never a reason to lose the reading.
  }
}

/** A page without a QR code may be a postal receipt: its Code 128 barcodes, read at the decoded resolution (bars are finer than QR modules). */
async function readTrackingBarcodes(reading: PageReading, page: DecodedPage): Promise<void> {
  const copy = greyWorkingCopy(page, 1);
  let found = await findBarcodes(copy);
  // Specks on a faxed receipt break the bars' edges, as they do a QR code's: read once more
  // with the isolated dots removed, then after a 3 × 3 median (bars two pixels wide survive it).
  if (!found.some((b) => b.trackingNumber) && speckleShare(copy) > SPECKLED_SHARE) {
    found = await findBarcodes(removeSpecks(copy));
    if (!found.some((b) => b.trackingNumber)) found = await findBarcodes(median3(copy));
  }
  const numbers = found.flatMap((b) => (b.trackingNumber ? [b.trackingNumber] : []));
  for (const b of found)
    if (!b.trackingNumber && /^[A-Z]{2}\d{9}[A-Z]{2}$/i.test(b.text))
      reading.problems.push(`a barcode reads ${b.text}, which is not a valid tracking number: ${b.problem}`);
  if (numbers.length) reading.trackingNumbers = numbers;
}

/** What reading a form's boxes needs besides the page's reading: the image, its transform and levels. */
interface FormContext {
  work: GreyImage;
  h: Alignment['transform'];
  pxPerMm: number;
  layout: FormLayout;
  inkLevel: number;
  colour: ColourSampler | null;
  bilevel: boolean;
}

/** What the page's blank tick boxes hold: ink that is no mark (grain, print bleed) and dust-sized dots. */
interface BlankLevels {
  ink: number;
  dust: { mm2: number; blots: number; chain: number };
  faintMm2: number;
}

function readForm(
  reading: PageReading,
  work: GreyImage,
  alignment: Alignment,
  layout: FormLayout,
  inkLevel: number,
  colour: ColourSampler | null,
  bilevel: boolean,
  pageDoubt: boolean,
): void {
  const h = alignment.transform;
  const ctx: FormContext = { work, h, pxPerMm: scaleAt(h, { x: 105, y: 148.5 }), layout, inkLevel, colour, bilevel };
  const measures = measureTickBoxes(ctx);
  const doubt = checkOutlines(reading, measures) || pageDoubt;
  readQuestions(reading, layout, measures, blankLevels(measures), doubt);
  readChecks(reading, ctx, doubt);
}

/** Measures every tick box of the form. */
function measureTickBoxes(ctx: FormContext): Map<string, InkMeasure> {
  const step = Math.max(0.1, Math.min(0.2, 1 / ctx.pxPerMm));
  const measures = new Map<string, InkMeasure>();
  for (const row of ctx.layout.questions) {
    const reach = row.question.type === 'choice' ? TICK_REACH.choice : TICK_REACH.yesNo;
    for (const b of row.boxes)
      measures.set(
        b.id,
        measureTick(ctx.work, ctx.h, b.box, ctx.pxPerMm, {
          inkLevel: ctx.inkLevel,
          step,
          band: TICK_BAND_MM,
          reach,
          search: 0.7,
          minExtent: TICK_MIN_EXTENT_MM,
        }),
      );
  }
  return measures;
}

/**
 * The page's own blank levels: at least half of a form's tick boxes are blank (one answer a
 * question, a scribbled-out one at most), so the lower quartile shows what grain, print
 * bleed, noise and dust alone give on this scan; only ink above it counts.
 */
function blankLevels(measures: Map<string, InkMeasure>): BlankLevels {
  const quartile = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 4)] ?? 0;
  const all = [...measures.values()];
  return {
    ink: quartile(all.map((m) => m.inkMm2)),
    dust: {
      mm2: quartile(all.map((m) => m.dust?.mm2 ?? 0)),
      blots: quartile(all.map((m) => m.dust?.blots ?? 0)),
      chain: 0,
    },
    faintMm2: quartile(all.map((m) => m.faintMm2 ?? 0)),
  };
}

/**
 * The printed box outlines must be where the alignment puts them; if most are not, the
 * alignment is wrong (or the page is not the form its code says) and nothing is decided.
 * Returns whether the page is in doubt.
 */
function checkOutlines(reading: PageReading, measures: Map<string, InkMeasure>): boolean {
  const outlines = [...measures.values()].map((m) => m.outline ?? 0).sort((a, b) => a - b);
  const medianOutline = outlines[Math.floor(outlines.length / 2)] ?? 0;
  if (medianOutline >= THRESHOLDS.outline) return false;
  const reason = `the printed tick boxes are not where the registration marks put them (outline contrast ${medianOutline.toFixed(2)}); the page may be misaligned or not this form`;
  reading.problems.push(reason);
  reading.review.push({ subject: 'page', reason });
  return true;
}

/** Reads every question from its boxes' measures, listing for review what is in doubt. */
function readQuestions(
  reading: PageReading,
  layout: FormLayout,
  measures: Map<string, InkMeasure>,
  blank: BlankLevels,
  doubt: boolean,
): void {
  const questions = layout.questions.map((row) => ({
    row,
    q: readQuestion(row, (box) => measures.get(box)!, blank),
  }));
  // A returned form on which not one question reads as answered is more likely a scan that
  // lost its ticks (faint, blurred, low resolution) than a customer who ticked nothing: a
  // person reads it from the paper rather than the machine recording every answer blank.
  const noneAnswered = !doubt && questions.every(({ q }) => q.status !== 'answered');
  if (noneAnswered) reading.problems.push(NONE_ANSWERED);
  for (const { row, q } of questions) {
    if ((doubt || noneAnswered) && !q.review) q.review = true;
    reading.questions[row.question.id] = q;
    reading.answers[row.question.id] = q.review ? null : q.answer;
    reading.answerScores[row.question.id] = round(q.score, 3);
    if (q.review)
      reading.review.push({
        subject: row.question.id,
        reason:
          noneAnswered && q.status === 'blank'
            ? `question ${row.number}: ${NONE_ANSWERED}`
            : questionDoubt(row, q, doubt),
      });
  }
}

/** Reads the signature and seal boxes and the 备注 remarks box. */
function readChecks(reading: PageReading, ctx: FormContext, doubt: boolean): void {
  const area = (id: MarkArea['id']): MarkArea => ctx.layout.marks.find((m) => m.id === id)!;
  const customer = area('customerSignature');
  const handler = area('handlerSignature');
  const seal = readSeal(reading, ctx, area('seal'), doubt);
  readRemarks(reading, ctx);
  reading.checks = {
    customerSignature: decideInk(reading, customer, measureArea(ctx, customer), doubt),
    handlerSignature: decideInk(reading, handler, measureArea(ctx, handler), doubt),
    seal,
  };
}

/** The ink in a signature or seal box (`cut`: where ink starts, see `MeasureOptions.cut`). */
function measureArea(ctx: FormContext, m: MarkArea, cut = 0.5): InkMeasure {
  return measureInk(ctx.work, ctx.h, m.ink, ctx.pxPerMm, {
    inkLevel: ctx.inkLevel,
    step: Math.max(0.2, Math.min(0.3, 1 / ctx.pxPerMm)),
    margin: 0.8,
    outline: { rect: m.box, search: 1.2 },
    colour: ctx.colour,
    cut,
  });
}

/** Whether a signature or seal box holds ink; doubt goes to review. */
function decideInk(reading: PageReading, m: MarkArea, measure: InkMeasure, doubt: boolean): InkDecision {
  const score = areaScore(measure.inkMm2, THRESHOLDS.inkHalfMm2);
  const present = score >= THRESHOLDS.ink.present ? true : score < THRESHOLDS.ink.absent ? false : null;
  const review = present === null || doubt;
  if (review)
    reading.review.push({
      subject: m.id,
      reason:
        present === null
          ? `unsure whether the ${m.label} box holds ink (score ${score.toFixed(2)})`
          : 'the page aligns poorly',
    });
  return { present: doubt ? null : present, score: round(score, 3), inkMm2: round(measure.inkMm2, 1), review };
}

/** The seal box: ink present, and on a colour scan whether it is red. */
function readSeal(reading: PageReading, ctx: FormContext, sealArea: MarkArea, doubt: boolean): SealDecision {
  const sealMeasure = measureArea(ctx, sealArea, THRESHOLDS.sealCut);
  let seal = decideInk(reading, sealArea, sealMeasure, doubt);
  const lostInBilevel = ctx.bilevel && seal.present === false;
  if (lostInBilevel) {
    // Thresholding to black and white often drops a red seal entirely: a blank-looking seal
    // box on a bilevel scan proves nothing. Like `red` on a grey scan, only the caller knows
    // whether the visit needs a seal, so it decides whether this goes to review.
    seal = { ...seal, present: null };
  }
  let red: boolean | null = null;
  let redScore: number | null = null;
  if (sealMeasure.redMm2 !== null) {
    redScore = round(areaScore(sealMeasure.redMm2, THRESHOLDS.redHalfMm2), 3);
    red = redScore >= THRESHOLDS.red.present ? true : redScore < THRESHOLDS.red.absent ? false : null;
    if (red === null && !doubt)
      reading.review.push({
        subject: 'seal.red',
        reason: `unsure whether the seal is red (score ${redScore.toFixed(2)})`,
      });
    if (doubt) red = null;
  }
  return { ...seal, red, redScore, lostInBilevel, review: seal.review || (redScore !== null && red === null) };
}

/** Writing in the 备注 box is the customer's own words: a person transcribes it. */
function readRemarks(reading: PageReading, ctx: FormContext): void {
  const remarks = measureInk(ctx.work, ctx.h, ctx.layout.remarks.ink, ctx.pxPerMm, {
    inkLevel: ctx.inkLevel,
    step: Math.max(0.2, Math.min(0.3, 1 / ctx.pxPerMm)),
    margin: 0.8,
    colour: ctx.colour,
    cut: 0.5,
  });
  reading.remarksInkMm2 = round(remarks.inkMm2, 1);
  if (areaScore(remarks.inkMm2, THRESHOLDS.remarksHalfMm2) >= 0.5) {
    reading.review.push({
      subject: 'remarks',
      reason: `the 备注 (remarks) box holds writing (${Math.round(remarks.inkMm2)} mm² of ink): transcribe what the customer wrote`,
    });
  }
}

/** The reading of one question from its boxes' ink measures (less the page's blank levels). */
function readQuestion(
  row: QuestionRow,
  measureOf: (boxId: string) => InkMeasure,
  blank: BlankLevels = { ink: 0, dust: { mm2: 0, blots: 0, chain: 0 }, faintMm2: 0 },
): QuestionReading {
  const boxes: Record<string, number> = {};
  let outlineMissing = false;
  const dotted: string[] = [];
  for (const b of row.boxes) {
    const m = measureOf(b.id);
    boxes[b.value] = tickScore(Math.max(0, m.inkMm2 - blank.ink));
    if ((m.outline ?? 1) < THRESHOLDS.outline) outlineMissing = true;
    if (boxes[b.value]! < THRESHOLDS.tick.review[0] && holdsFaintInk(m, blank)) dotted.push(b.value);
  }
  const scores = Object.entries(boxes);
  const [lo, hi] = THRESHOLDS.tick.review;
  const marked = scores.filter(([, s]) => s >= THRESHOLDS.tick.decide);
  const unsure = scores.filter(([, s]) => s >= lo && s <= hi);
  const rounded = Object.fromEntries(scores.map(([v, s]) => [v, round(s, 3)]));
  const uncertain = (answer: Answer, score: number): QuestionReading => ({
    answer,
    score: round(score, 3),
    status: 'uncertain',
    boxes: rounded,
    review: true,
    ...(dotted.length ? { faint: dotted } : {}),
  });
  if (marked.length > 1) {
    const score = round(Math.min(...marked.map(([, s]) => s)), 3);
    return { answer: null, score, status: 'several', boxes: rounded, review: true };
  }
  if (unsure.length > 0)
    return uncertain(marked[0]?.[0] ?? null, 0.5 + Math.min(...unsure.map(([, s]) => Math.abs(s - 0.5))));
  // A box whose printed outline is not found here: the box may be elsewhere (torn, folded).
  // A box read blank with a chain of dots in it: a light pen the scan thinned out.
  if (outlineMissing || dotted.length) return uncertain(marked.length === 1 ? marked[0]![0] : null, 0.5);
  if (marked.length === 1) {
    const [value, s] = marked[0]!;
    const otherMax = Math.max(0, ...scores.filter(([v]) => v !== value).map(([, x]) => x));
    return {
      answer: value,
      score: round(Math.min(s, 1 - otherMax), 3),
      status: 'answered',
      boxes: rounded,
      review: false,
    };
  }
  const score = round(1 - Math.max(...scores.map(([, s]) => s)), 3);
  return { answer: null, score, status: 'blank', boxes: rounded, review: false };
}

/**
 * Whether a box holds more faint ink than the page's blank boxes: dust-sized dots, as a faint
 * stroke broken up by thresholding leaves, or a stroke lighter than the ink cut.
 */
function holdsFaintInk(m: InkMeasure, blank: BlankLevels): boolean {
  const f = THRESHOLDS.faint;
  const dotted =
    m.dust !== undefined &&
    m.dust.blots - blank.dust.blots >= f.blots &&
    m.dust.mm2 - blank.dust.mm2 >= f.mm2 &&
    m.dust.chain >= f.chain;
  return dotted || (m.faintMm2 ?? 0) - blank.faintMm2 >= f.strokeMm2;
}

const NONE_ANSWERED =
  'no question on this form page reads as answered; a faint, blurred or low-resolution scan can hide the ticks — read the answers from the paper';

function questionDoubt(row: QuestionRow, q: QuestionReading, pageDoubt: boolean): string {
  const name = `question ${row.number}`;
  if (q.status === 'several')
    return `${name}: more than one box is marked (${Object.entries(q.boxes)
      .filter(([, s]) => s >= 0.5)
      .map(([v]) => labelOf(row, v))
      .join(', ')})`;
  if (q.faint?.length)
    return `${name}: faint ink in the ${q.faint.map((v) => labelOf(row, v)).join(', ')} box, short of a mark — a light pen the scan thinned out; read it from the paper`;
  if (
    q.status === 'uncertain' &&
    Object.values(q.boxes).every((s) => s < THRESHOLDS.tick.review[0] || s > THRESHOLDS.tick.review[1])
  )
    return `${name}: its printed boxes were not found where expected`;
  if (q.status === 'uncertain')
    return `${name}: unsure whether a box is marked (scores ${Object.entries(q.boxes)
      .map(([v, s]) => `${labelOf(row, v)} ${s.toFixed(2)}`)
      .join(', ')})`;
  return pageDoubt ? `${name}: the page aligns poorly` : `${name}: needs a look`;
}

const labelOf = (row: QuestionRow, value: string): string => row.boxes.find((b) => b.value === value)?.label ?? value;

/** Share of the page (as the alignment places it) that lies inside the image. */
function pageCoverage(a: Alignment, img: GreyImage): number {
  let inside = 0;
  let total = 0;
  for (let y = 2.5; y < A4.height; y += 5) {
    for (let x = 2.5; x < A4.width; x += 5) {
      const p = project(a.transform, { x, y });
      total++;
      if (p.x >= 0 && p.y >= 0 && p.x < img.width && p.y < img.height) inside++;
    }
  }
  return inside / total;
}

/** The ink level of the page: the registration marks' grey (what black looks like on this scan). */
function inkLevelOf(a: Alignment): number {
  const levels = a.marks
    .filter((m) => m !== null)
    .map((m) => m!.inkLevel)
    .sort((x, y) => x - y);
  return levels.length ? levels[Math.floor(levels.length / 2)]! : 40;
}

/** Reads RGB from the full-resolution page at a working-image position (mean of a 2 × 2 patch at the block's centre). */
function colourSampler(page: DecodedPage, factor: number): ColourSampler {
  const { width, height, data } = page;
  return (x, y) => {
    const fx = Math.min(width - 2, Math.max(0, Math.floor(x * factor)));
    const fy = Math.min(height - 2, Math.max(0, Math.floor(y * factor)));
    const i = (fy * width + fx) * 3;
    const j = i + width * 3;
    return [
      (data[i]! + data[i + 3]! + data[j]! + data[j + 3]!) / 4,
      (data[i + 1]! + data[i + 4]! + data[j + 1]! + data[j + 4]!) / 4,
      (data[i + 2]! + data[i + 5]! + data[j + 2]! + data[j + 5]!) / 4,
    ];
  };
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
