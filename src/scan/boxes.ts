/**
 * Reading boxes: how much ink (and how much red ink) lies inside a layout rectangle of an
 * aligned page. Samples are taken on a millimetre grid mapped through the page's
 * transform, judged against the paper and ink levels around them (so grey photocopies,
 * shadows and faint scans are read like clean ones), and isolated specks are ignored.
 * Each box is first re-centred on its own printed outline, which absorbs small local
 * misalignment (paper stretch, lens distortion).
 */
import type { Point, Rect } from '../layout/page.ts';
import { project, type Homography } from './align.ts';
import { sampleGrey, type GreyImage } from './grey.ts';

/** Red, green, blue of the original scan at a working-image position, or null on a grey scan. */
export type ColourSampler = (x: number, y: number) => [number, number, number];

export interface InkMeasure {
  /** Share of the sampled area that is ink, 0 … 1. */
  fraction: number;
  /** Inked area in square millimetres. */
  inkMm2: number;
  /** Red inked area in square millimetres; null when the scan has no colour. */
  redMm2: number | null;
  /** Offset (mm) the box was moved by to sit on its printed outline. */
  shift: Point;
  paper: number;
  /**
   * How dark the printed outline is where it was found, 0 (paper: no outline there, the
   * page is misaligned) … 1 (as dark as the registration marks); null without an outline.
   */
  outline: number | null;
}

export interface MeasureOptions {
  /** The page's ink level (grey of the registration marks). */
  inkLevel: number;
  /** Grid step in mm. */
  step: number;
  /** Extra margin left out inside the rectangle, mm. */
  margin: number;
  /** The printed outline to re-centre on, and how far to look (mm). */
  outline?: { rect: Rect; search: number };
  colour?: ColourSampler | null;
  /**
   * Where ink starts, as a share of the way from paper to the page's ink level (default
   * 0.5). Seals ask for less: a red seal turns light grey on a grey scan.
   */
  cut?: number;
}

/**
 * How far the printed outline `rect` actually sits from where the transform puts it:
 * the offset (mm) within ±`search` whose outline samples are darkest.
 */
export function outlineShift(img: GreyImage, h: Homography, rect: Rect, search: number, pxPerMm: number): { shift: Point; outlineGrey: number } {
  const step = Math.max(0.08, 0.6 / pxPerMm);
  const along = Math.max(0.15, 1 / pxPerMm);
  // Vertical edges tell the horizontal offset, horizontal edges the vertical one: two 1-D searches.
  const vertical: Point[] = [];
  const horizontal: Point[] = [];
  for (let t = 0.6; t < rect.width - 0.6; t += along) horizontal.push(project(h, { x: rect.x + t, y: rect.y }), project(h, { x: rect.x + t, y: rect.y + rect.height }));
  for (let t = 0.6; t < rect.height - 0.6; t += along) vertical.push(project(h, { x: rect.x, y: rect.y + t }), project(h, { x: rect.x + rect.width, y: rect.y + t }));
  // Offsets are tiny: shift in pixel space by the local derivative of the transform.
  const o = project(h, { x: rect.x, y: rect.y });
  const ux = project(h, { x: rect.x + 1, y: rect.y });
  const uy = project(h, { x: rect.x, y: rect.y + 1 });
  let outlineSum = 0;
  const best1d = (pts: Point[], d: Point): number => {
    const n = Math.round(search / step);
    let best = 0;
    let bestSum = Infinity;
    let bestRaw = 0;
    for (let i = -n; i <= n; i++) {
      const ox = i * step * d.x;
      const oy = i * step * d.y;
      let sum = 0;
      for (const p of pts) sum += sampleGrey(img, p.x + ox, p.y + oy);
      const raw = sum;
      // Prefer the smaller shift on ties (blank paper around an undrawn box).
      sum += Math.abs(i) * 0.05 * pts.length;
      if (sum < bestSum) {
        bestSum = sum;
        bestRaw = raw;
        best = i * step;
      }
    }
    outlineSum += bestRaw;
    return best;
  };
  const shift = { x: best1d(vertical, { x: ux.x - o.x, y: ux.y - o.y }), y: best1d(horizontal, { x: uy.x - o.x, y: uy.y - o.y }) };
  return { shift, outlineGrey: outlineSum / Math.max(1, vertical.length + horizontal.length) };
}

/** Measures the ink inside `rect` (layout mm) on an aligned page. */
export function measureInk(img: GreyImage, h: Homography, rect: Rect, pxPerMm: number, opt: MeasureOptions): InkMeasure {
  const found = opt.outline ? outlineShift(img, h, opt.outline.rect, opt.outline.search, pxPerMm) : null;
  const shift = found?.shift ?? { x: 0, y: 0 };
  const x0 = rect.x + opt.margin + shift.x;
  const y0 = rect.y + opt.margin + shift.y;
  const cols = Math.max(1, Math.floor((rect.width - 2 * opt.margin) / opt.step));
  const rows = Math.max(1, Math.floor((rect.height - 2 * opt.margin) / opt.step));
  const grey = new Float32Array(cols * rows);
  const pos = new Float32Array(cols * rows * 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = project(h, { x: x0 + (c + 0.5) * opt.step, y: y0 + (r + 0.5) * opt.step });
      const k = r * cols + c;
      grey[k] = sampleGrey(img, p.x, p.y);
      pos[2 * k] = p.x;
      pos[2 * k + 1] = p.y;
    }
  }
  const paper = localPaper(img, h, rect, grey);
  const range = Math.max(40, paper - opt.inkLevel);
  const cut = paper - (opt.cut ?? 0.5) * range;
  const ink = new Uint8Array(cols * rows);
  for (let k = 0; k < ink.length; k++) ink[k] = grey[k]! < cut ? 1 : 0;
  const red = opt.colour ? new Uint8Array(cols * rows) : null;
  if (red && opt.colour) {
    for (let k = 0; k < red.length; k++) {
      const [R, G, B] = opt.colour(pos[2 * k]!, pos[2 * k + 1]!);
      const m = Math.max(G, B);
      red[k] = R >= 90 && R - m >= 45 && R - m >= 0.3 * R ? 1 : 0;
      // A faint red seal is ink even where its grey is light.
      if (red[k]) ink[k] = 1;
    }
  }
  const kept = despeckle(ink, cols, rows);
  const cell = opt.step * opt.step;
  return {
    fraction: kept / (cols * rows),
    inkMm2: kept * cell,
    redMm2: red ? despeckle(red, cols, rows) * cell : null,
    shift,
    paper,
    outline: found ? Math.max(0, Math.min(1, (paper - found.outlineGrey) / range)) : null,
  };
}

/**
 * Counts set cells with at least two set neighbours (of eight): lone specks and pairs drop
 * out, while a one-cell-wide stroke in any direction stays.
 */
function despeckle(cells: Uint8Array, cols: number, rows: number): number {
  let n = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      if (!cells[k]) continue;
      let nb = 0;
      for (let dr = -1; dr <= 1 && nb < 2; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= rows) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if ((dr === 0 && dc === 0) || cc < 0 || cc >= cols) continue;
          nb += cells[rr * cols + cc]!;
        }
      }
      if (nb >= 2) n++;
    }
  }
  return n;
}

/**
 * The paper's grey level around a box: a high percentile of samples on a ring 1–2.5 mm
 * outside it and of the box's own samples (a box full of ink still has paper around it).
 */
function localPaper(img: GreyImage, h: Homography, rect: Rect, inside: Float32Array): number {
  const values: number[] = [];
  const ring = (d: number): void => {
    const x0 = rect.x - d;
    const y0 = rect.y - d;
    const w = rect.width + 2 * d;
    const hh = rect.height + 2 * d;
    const n = Math.max(8, Math.round((w + hh) / 0.5));
    for (let i = 0; i <= n; i++) {
      const t = i / n;
      for (const p of [
        { x: x0 + t * w, y: y0 },
        { x: x0 + t * w, y: y0 + hh },
        { x: x0, y: y0 + t * hh },
        { x: x0 + w, y: y0 + t * hh },
      ]) {
        const q = project(h, p);
        values.push(sampleGrey(img, q.x, q.y));
      }
    }
  };
  ring(1.2);
  ring(2.2);
  const stride = Math.max(1, Math.floor(inside.length / 400));
  for (let k = 0; k < inside.length; k += stride) values.push(inside[k]!);
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length * 0.85)]!;
}

/**
 * Score of a tick box, 0 (blank) … 1 (clearly marked), 0.5 at the decision line: an ink
 * fraction of 1.5 % of the inner area (a blank box reads 0 once specks are dropped; the
 * lightest ticks seen cover about 1 %).
 */
export function tickScore(fraction: number): number {
  return fraction / (fraction + 0.015);
}

/** Score of a signature or seal area from its inked area: 0.5 at `half` mm². */
export function areaScore(mm2: number, half: number): number {
  return mm2 / (mm2 + half);
}
