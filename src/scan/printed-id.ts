/**
 * A page whose QR codes cannot be read (torn off, covered, speckled beyond repair) still
 * carries its visit id in print: the caption under the top-right code (`HF-XXXXX-XXXXX  n/m`)
 * and, on a record form, the 回访编号 cell. This reads them by OCR and accepts an id only
 * when its check character holds (a misread character fails it); the registration marks
 * place the page, and the printed tick boxes tell which form it is.
 */
import { formLayout, type FormLayout } from '../layout/form.ts';
import { LETTER_LAYOUT_ID } from '../layout/letter.ts';
import { A4, QR_CAPTION, REGISTRATION_MARKS, centre, type Point, type Rect } from '../layout/page.ts';
import type { PagePayload } from '../layout/qr-payload.ts';
import { VISIT_CATEGORIES } from '../domain/visit.ts';
import { findVisitIds } from '../domain/visit-id.ts';
import { fitTransform, project, scaleAt, type Alignment, type Homography } from './align.ts';
import { outlineShift } from './boxes.ts';
import { sampleGrey, type GreyImage } from './grey.ts';
import { findMark, type FoundMark } from './marks.ts';
import { recognizeLines } from './ocr.ts';

/** Resolutions the printed lines are resampled to for OCR, tried in turn (pixels a millimetre; about 400, then 250 dpi). */
const OCR_PX_PER_MM = [16, 10];

export interface PrintedIdentity {
  payload: PagePayload;
  alignment: Alignment;
  /** The page lies upside down in the image. */
  upsideDown: boolean;
  /** The page n/m was read with the id; when not, the payload's page is 1 of 1 and means nothing. */
  pageNumberRead: boolean;
  notes: string[];
}

/** An upright page resampled from the image through a transform (layout mm → image px). */
export function warpRegion(img: GreyImage, h: Homography, r: Rect, pxPerMm: number): GreyImage {
  const width = Math.max(1, Math.round(r.width * pxPerMm));
  const height = Math.max(1, Math.round(r.height * pxPerMm));
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = project(h, { x: r.x + (x + 0.5) / pxPerMm, y: r.y + (y + 0.5) / pxPerMm });
      data[y * width + x] = Math.round(sampleGrey(img, p.x, p.y));
    }
  }
  return { width, height, data };
}

/** The page turned half a turn: layout point → the same transform applied to the opposite point. */
function halfTurn(h: Homography): Homography {
  // (x, y) → (A4.width − x, A4.height − y), then h.
  const r = [-1, 0, A4.width, 0, -1, A4.height, 0, 0, 1];
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j]! += h[i * 3 + k]! * r[k * 3 + j]!;
  return out;
}

/**
 * Aligns a page with no QR code on its registration marks, looked for where a page filling
 * the image would have them. Null with fewer than three marks (the marks are symmetric: the
 * result may be upside down, which the OCR of the visit id tells).
 */
export function alignOnMarks(img: GreyImage): Alignment | null {
  const sx = img.width / A4.width;
  const sy = img.height / A4.height;
  const guess: Homography = [sx, 0, 0, 0, sy, 0, 0, 0, 1];
  const pxPerMm = Math.sqrt(sx * sy);
  const marks: (FoundMark | null)[] = REGISTRATION_MARKS.map(
    (m) => findMark(img, project(guess, centre(m)), pxPerMm).mark,
  );
  const layout: Point[] = [];
  const image: Point[] = [];
  marks.forEach((m, i) => {
    if (m) {
      layout.push(centre(REGISTRATION_MARKS[i]!));
      image.push(m.centre);
    }
  });
  if (layout.length < 3) return null;
  const transform = fitTransform(layout, image, layout.length === 4 ? 'projective' : 'affine');
  if (!transform) return null;
  const scale = scaleAt(transform, { x: A4.width / 2, y: A4.height / 2 });
  return {
    transform,
    model: layout.length === 4 ? 'projective' : 'affine',
    marks,
    pointsUsed: layout.length,
    residualMm: 0,
    dpi: scale * 25.4,
    problems: [],
  };
}

/** The visit id and page n/m printed in a region, when the id's check character holds. */
async function readLine(
  img: GreyImage,
  h: Homography,
  r: Rect,
): Promise<{ visitId: string; page: number | null; pageCount: number | null } | null> {
  for (const scale of OCR_PX_PER_MM) {
    const line = parseLine(await recognizeLines(warpRegion(img, h, r, scale), scale * 25.4));
    if (line) return line;
  }
  return null;
}

/** The one visit id (check character valid) in an OCR'd line, and the page n/m after it; null when none or several. */
export function parseLine(text: string): { visitId: string; page: number | null; pageCount: number | null } | null {
  const ids = findVisitIds(text.toUpperCase());
  if (ids.length !== 1) return null;
  const m = /(\d{1,2})\s*\/\s*(\d{1,2})/.exec(text.slice(text.toUpperCase().indexOf(ids[0]!.slice(-5)) + 5));
  const page = m ? Number(m[1]) : null;
  const pageCount = m ? Number(m[2]) : null;
  const plausible = page !== null && pageCount !== null && page >= 1 && page <= pageCount;
  return { visitId: ids[0]!, page: plausible ? page : null, pageCount: plausible ? pageCount : null };
}

const grow = (r: Rect, by: number): Rect => ({
  x: r.x - by,
  y: r.y - by,
  width: r.width + 2 * by,
  height: r.height + 2 * by,
});

/**
 * Reads the printed visit id of a page without readable QR codes: the caption under the
 * top-right code, then the 回访编号 cell, each way up. Null (with why in `notes`) when no
 * id with a valid check character is found, or the page is not one huifang can place.
 */
export async function readPrintedId(img: GreyImage, notes: string[]): Promise<PrintedIdentity | null> {
  const aligned = alignOnMarks(img);
  if (!aligned) {
    notes.push('no QR code and fewer than three registration marks: the printed visit id was not looked for');
    return null;
  }
  const idCell = formLayout('new-account').fields.find((f) => f.key === 'visitId')!.valueCell;
  for (const upsideDown of [false, true]) {
    const h = upsideDown ? halfTurn(aligned.transform) : aligned.transform;
    const caption = await readLine(img, h, grow(QR_CAPTION, 1.5));
    const cell = caption ? null : await readLine(img, h, grow(idCell, -0.6));
    const line = caption ?? cell;
    if (!line) continue;
    const alignment: Alignment = {
      ...aligned,
      transform: h,
      marks: upsideDown ? [2, 3, 0, 1].map((i) => aligned.marks[i]!) : aligned.marks,
    };
    const form = formOf(img, h, aligned);
    const where = caption ? 'the line under the QR code' : 'the 回访编号 cell';
    if (form === 'several') {
      notes.push(
        `the printed visit id ${line.visitId} was read (${where}), but which record form the page is cannot be told from its boxes; identify it by hand`,
      );
      return null;
    }
    if (!form && (line.page === null || line.page === line.pageCount)) {
      notes.push(
        `the printed visit id ${line.visitId} was read (${where}), but the page is neither a record form huifang knows nor a letter page; identify it by hand`,
      );
      return null;
    }
    const page = line.page ?? 1;
    const pageCount = line.pageCount ?? 1;
    const payload = {
      visitId: line.visitId,
      kind: form ? 'form' : 'letter',
      page,
      pageCount,
      layout: form ? form.id : LETTER_LAYOUT_ID,
    } as PagePayload;
    notes.push(
      `no QR code could be read; the page was identified by its printed visit id (${where}, check character valid)${line.page === null ? ', its page number was not read' : ''}`,
    );
    return { payload, alignment, upsideDown, pageNumberRead: line.page !== null, notes };
  }
  notes.push('no QR code could be read and no printed visit id with a valid check character was found');
  return null;
}

/**
 * Which record form the page is, by its printed tick boxes: the one layout whose boxes are
 * all (but one) found where the alignment puts them. `several` when forms that differ only
 * in their questions' wording fit alike; null when none fits.
 */
function formOf(img: GreyImage, h: Homography, a: Alignment): FormLayout | 'several' | null {
  const found = a.marks.filter((m): m is FoundMark => m !== null);
  const paper = found.reduce((s, m) => s + m.paperLevel, 0) / found.length;
  const ink = found.reduce((s, m) => s + m.inkLevel, 0) / found.length;
  const pxPerMm = scaleAt(h, { x: A4.width / 2, y: A4.height / 2 });
  const fits: FormLayout[] = [];
  for (const category of VISIT_CATEGORIES) {
    const layout = formLayout(category);
    const dark = layout.tickBoxes.filter(
      (b) => (paper - outlineShift(img, h, b.box, 0.7, pxPerMm).outlineGrey) / Math.max(1, paper - ink) >= 0.3,
    ).length;
    if (dark >= layout.tickBoxes.length - 1) fits.push(layout);
  }
  // A layout whose boxes are a subset of another's fits both: keep the ones with most boxes.
  const most = Math.max(0, ...fits.map((l) => l.tickBoxes.length));
  const best = fits.filter((l) => l.tickBoxes.length === most);
  return best.length === 0 ? null : best.length === 1 ? best[0]! : 'several';
}
