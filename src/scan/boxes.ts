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
  /**
   * Tick boxes: ink left out as dust — blots too small to be a stroke (mm², and how many).
   * A light pen's tick thresholded to black and white at 150 dpi breaks into a chain of
   * such dots: more of them than the page's blank boxes hold is ink to look at.
   */
  dust?: { mm2: number; blots: number; chain: number };
  /**
   * Tick boxes: area (mm²) of faint ink — lighter than the ink cut, darker than a third of
   * the way to the ink level — in blots long enough to be strokes. A light pen on a grey or
   * blurred scan leaves its stroke there, short of the ink cut.
   */
  faintMm2?: number;
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
export function outlineShift(
  img: GreyImage,
  h: Homography,
  rect: Rect,
  search: number,
  pxPerMm: number,
): { shift: Point; outlineGrey: number } {
  const step = Math.max(0.08, 0.6 / pxPerMm);
  const along = Math.max(0.15, 1 / pxPerMm);
  // Vertical edges tell the horizontal offset, horizontal edges the vertical one: two 1-D searches.
  const vertical: Point[] = [];
  const horizontal: Point[] = [];
  for (let t = 0.6; t < rect.width - 0.6; t += along)
    horizontal.push(project(h, { x: rect.x + t, y: rect.y }), project(h, { x: rect.x + t, y: rect.y + rect.height }));
  for (let t = 0.6; t < rect.height - 0.6; t += along)
    vertical.push(project(h, { x: rect.x, y: rect.y + t }), project(h, { x: rect.x + rect.width, y: rect.y + t }));
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
  const shift = {
    x: best1d(vertical, { x: ux.x - o.x, y: ux.y - o.y }),
    y: best1d(horizontal, { x: uy.x - o.x, y: uy.y - o.y }),
  };
  return { shift, outlineGrey: outlineSum / Math.max(1, vertical.length + horizontal.length) };
}

/** Measures the ink inside `rect` (layout mm) on an aligned page. */
export function measureInk(
  img: GreyImage,
  h: Homography,
  rect: Rect,
  pxPerMm: number,
  opt: MeasureOptions,
): InkMeasure {
  const found = opt.outline ? outlineShift(img, h, opt.outline.rect, opt.outline.search, pxPerMm) : null;
  const shift = found?.shift ?? { x: 0, y: 0 };
  const x0 = rect.x + opt.margin + shift.x;
  const y0 = rect.y + opt.margin + shift.y;
  const cols = Math.max(1, Math.floor((rect.width - 2 * opt.margin) / opt.step));
  const rows = Math.max(1, Math.floor((rect.height - 2 * opt.margin) / opt.step));
  const grey = new Float32Array(cols * rows);
  const pos = new Float32Array(cols * rows * 2);
  sampleGrid(img, h, x0 + 0.5 * opt.step, y0 + 0.5 * opt.step, opt.step, cols, rows, grey, pos);
  const paper = localPaper(img, h, rect, grey);
  const range = Math.max(40, paper - opt.inkLevel);
  const share = (opt.cut ?? 0.5) * range;
  // The paper under each sample: the lightest grey within a few millimetres, no lighter than
  // the paper around the box. A shadow across the box (a phone photo) darkens paper and ink
  // alike; only what is darker than the paper beside it is ink.
  const under = windowMax(grey, cols, rows, Math.ceil(PAPER_WINDOW_MM / opt.step));
  const ink = new Uint8Array(cols * rows);
  for (let k = 0; k < ink.length; k++) ink[k] = grey[k]! < Math.min(paper, under[k]!) - share ? 1 : 0;
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

/** How far (mm) around a sample of a signature or seal box the paper under it is looked for: wider than a pen's or a seal's stroke. */
const PAPER_WINDOW_MM = 2.5;

/** The largest value within `r` cells (a square window) of each cell of a `cols` × `rows` grid. */
function windowMax(values: Float32Array, cols: number, rows: number, r: number): Float32Array {
  const across = new Float32Array(values.length);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let m = -Infinity;
      for (let i = Math.max(0, x - r); i <= Math.min(cols - 1, x + r); i++) m = Math.max(m, values[y * cols + i]!);
      across[y * cols + x] = m;
    }
  const out = new Float32Array(values.length);
  for (let x = 0; x < cols; x++)
    for (let y = 0; y < rows; y++) {
      let m = -Infinity;
      for (let j = Math.max(0, y - r); j <= Math.min(rows - 1, y + r); j++) m = Math.max(m, across[j * cols + x]!);
      out[y * cols + x] = m;
    }
  return out;
}

/**
 * Samples a grid of layout points (`cols` × `rows`, `step` mm apart from `(x0, y0)`) through
 * the transform: grey levels (bilinear, white outside the image) and image positions. The
 * projection is carried along each row by its increments, with no allocation a sample — the
 * signature and seal boxes are tens of thousands of samples a page.
 */
function sampleGrid(
  img: GreyImage,
  h: Homography,
  x0: number,
  y0: number,
  step: number,
  cols: number,
  rows: number,
  grey: Float32Array,
  pos: Float32Array,
): void {
  const { width: W, height: H, data: d } = img;
  const dx = h[0]! * step;
  const dy = h[3]! * step;
  const dw = h[6]! * step;
  for (let r = 0; r < rows; r++) {
    const y = y0 + r * step;
    let X = h[0]! * x0 + h[1]! * y + h[2]!;
    let Y = h[3]! * x0 + h[4]! * y + h[5]!;
    let Z = h[6]! * x0 + h[7]! * y + h[8]!;
    for (let c = 0, k = r * cols; c < cols; c++, k++, X += dx, Y += dy, Z += dw) {
      const px = X / Z;
      const py = Y / Z;
      pos[2 * k] = px;
      pos[2 * k + 1] = py;
      const ix = Math.floor(px);
      const iy = Math.floor(py);
      if (ix < 0 || iy < 0 || ix + 1 >= W || iy + 1 >= H) {
        grey[k] = 255;
        continue;
      }
      const fx = px - ix;
      const fy = py - iy;
      const i = iy * W + ix;
      const top = d[i]! + (d[i + 1]! - d[i]!) * fx;
      const bottom = d[i + W]! + (d[i + W + 1]! - d[i + W]!) * fx;
      grey[k] = top + (bottom - top) * fy;
    }
  }
}

/** How far (mm) a tick box's reading region reaches past its printed outline, per side. */
export interface TickReach {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface TickMeasureOptions {
  inkLevel: number;
  /** Grid step in mm. */
  step: number;
  /** Half-width (mm) of the band along the printed outline that is left out (the print itself). */
  band: number;
  /** How far past the outline ink is looked for (clear of any neighbouring print). */
  reach: TickReach;
  /** How far to look for the printed outline (mm). */
  search: number;
  /** Ink blots smaller than this (mm, across their longest side) are dust, not marks. */
  minExtent: number;
}

/**
 * Measures the ink of a tick box over the box and a margin around it, less a band along the
 * printed outline, which is first located on the page (so the band follows the real print).
 * A tick that strays past the border still counts; the border itself never does.
 */
export function measureTick(
  img: GreyImage,
  h: Homography,
  box: Rect,
  pxPerMm: number,
  opt: TickMeasureOptions,
): InkMeasure {
  const found = outlineShift(img, h, box, opt.search, pxPerMm);
  const g = tickGrid(box, found.shift, opt);
  const { grey, used, inside, region } = sampleTickRegion(img, h, g, opt);
  const paper = localPaper(img, h, { x: g.bx0, y: g.by0, width: box.width, height: box.height }, inside);
  const range = Math.max(40, paper - opt.inkLevel);
  const cut = paper - 0.5 * range;
  // Ink (2) is darker than halfway to the ink level; faint ink (1), a third of the way,
  // only joins pieces: a light pen's stroke breaks up at the ink cut, and its pieces, joined
  // through their faint ink, are still one stroke and not dust.
  const faintCut = paper - 0.3 * range;
  const ink = new Uint8Array(g.cols * g.rows);
  for (let k = 0; k < ink.length; k++) ink[k] = !used[k] ? 0 : grey[k]! < cut ? 2 : grey[k]! < faintCut ? 1 : 0;
  const strokes = strokeCells(
    ink,
    g.cols,
    g.rows,
    Math.ceil(opt.minExtent / opt.step),
    used,
    Math.ceil((0.55 * opt.minExtent) / opt.step),
    (k) => mirroredCell(g, k),
  );
  const cell = opt.step * opt.step;
  return {
    fraction: region ? strokes.kept / region : 0,
    inkMm2: strokes.kept * cell,
    redMm2: null,
    shift: found.shift,
    paper,
    outline: Math.max(0, Math.min(1, (paper - found.outlineGrey) / range)),
    dust: {
      mm2: strokes.dust * cell,
      blots: strokes.dustBlots,
      chain: longestChain(strokes.dustAt, g.cols, DOT_CHAIN_LINK_MM / opt.step),
    },
    faintMm2: strokes.faint * cell,
  };
}

/** Dots this close (mm) are links of one chain: a faint stroke broken up by thresholding at 150 dpi leaves them 0.3–1 mm apart. */
const DOT_CHAIN_LINK_MM = 1;

/**
 * The most dots (cells `at`, grid `cols` wide) in one chain, each within `link` cells of
 * another: a faint stroke's dots line up, a speckled fax's lie apart.
 */
function longestChain(at: number[], cols: number, link: number): number {
  const group = at.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i]!)));
  for (let i = 0; i < at.length; i++)
    for (let j = i + 1; j < at.length; j++) {
      const dr = Math.floor(at[i]! / cols) - Math.floor(at[j]! / cols);
      const dc = (at[i]! % cols) - (at[j]! % cols);
      if (dr * dr + dc * dc <= link * link) group[root(i)] = root(j);
    }
  const sizes = new Map<number, number>();
  for (let i = 0; i < at.length; i++) sizes.set(root(i), (sizes.get(root(i)) ?? 0) + 1);
  return Math.max(0, ...sizes.values());
}

/** A tick box's reading grid: the box as found (mm), and the grid over it and its reach. */
interface TickGrid {
  bx0: number;
  by0: number;
  bx1: number;
  by1: number;
  x0: number;
  y0: number;
  cols: number;
  rows: number;
  step: number;
}

function tickGrid(box: Rect, shift: Point, opt: TickMeasureOptions): TickGrid {
  const bx0 = box.x + shift.x;
  const by0 = box.y + shift.y;
  return {
    bx0,
    by0,
    bx1: bx0 + box.width,
    by1: by0 + box.height,
    x0: bx0 - opt.reach.left,
    y0: by0 - opt.reach.top,
    cols: Math.max(1, Math.floor((box.width + opt.reach.left + opt.reach.right) / opt.step)),
    rows: Math.max(1, Math.floor((box.height + opt.reach.top + opt.reach.bottom) / opt.step)),
    step: opt.step,
  };
}

/** Samples the grid, less the band along the outline (`used` 0 there); `inside`: the samples inside the box. */
function sampleTickRegion(img: GreyImage, h: Homography, g: TickGrid, opt: TickMeasureOptions) {
  const grey = new Float32Array(g.cols * g.rows);
  const used = new Uint8Array(g.cols * g.rows);
  const inside: number[] = [];
  let region = 0;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const x = g.x0 + (c + 0.5) * g.step;
      const y = g.y0 + (r + 0.5) * g.step;
      // Distance to the outline: inside the box, to its nearest edge; outside, to the box.
      const inBox = x >= g.bx0 && x <= g.bx1 && y >= g.by0 && y <= g.by1;
      const d = inBox
        ? Math.min(x - g.bx0, g.bx1 - x, y - g.by0, g.by1 - y)
        : Math.hypot(Math.max(g.bx0 - x, 0, x - g.bx1), Math.max(g.by0 - y, 0, y - g.by1));
      if (d < opt.band) continue;
      const k = r * g.cols + c;
      const p = project(h, { x, y });
      grey[k] = sampleGrey(img, p.x, p.y);
      used[k] = 1;
      region++;
      if (inBox) inside.push(grey[k]!);
    }
  }
  return { grey, used, inside: Float32Array.from(inside), region };
}

/**
 * The cell where cell `k`, mirrored across the nearest edge of the box, falls (-1 outside the
 * grid). A stroke crossing the border is cut by the band: its pieces beside the band are kept
 * from a shorter length than free-standing blots — when the stroke goes on across the band
 * (ink lies there), or when there are several such pieces (a stroke drawn along the border).
 * One short piece that goes on nowhere is a speck of dust.
 */
function mirroredCell(g: TickGrid, k: number): number {
  const x = g.x0 + ((k % g.cols) + 0.5) * g.step;
  const y = g.y0 + (Math.floor(k / g.cols) + 0.5) * g.step;
  let mx: number;
  let my: number;
  if (x >= g.bx0 && x <= g.bx1 && y >= g.by0 && y <= g.by1) {
    const d = Math.min(x - g.bx0, g.bx1 - x, y - g.by0, g.by1 - y);
    mx = d === x - g.bx0 ? 2 * g.bx0 - x : d === g.bx1 - x ? 2 * g.bx1 - x : x;
    my = mx !== x ? y : d === y - g.by0 ? 2 * g.by0 - y : 2 * g.by1 - y;
  } else {
    mx = 2 * Math.min(Math.max(x, g.bx0), g.bx1) - x;
    my = 2 * Math.min(Math.max(y, g.by0), g.by1) - y;
  }
  const r = Math.floor((my - g.y0) / g.step);
  const c = Math.floor((mx - g.x0) / g.step);
  return r >= 0 && r < g.rows && c >= 0 && c < g.cols ? r * g.cols + c : -1;
}

/**
 * Counts the ink cells (value 2) of connected blots (8-neighbours, through ink or faint ink)
 * that reach at least `minCells` cells across in some direction: pen strokes and dots stay,
 * dust specks and toner grains drop out, whatever their darkness.
 */
function strokeCells(
  cells: Uint8Array,
  cols: number,
  rows: number,
  minCells: number,
  used?: Uint8Array,
  minCellsAtBand = minCells,
  across?: (cell: number) => number,
): { kept: number; dust: number; dustBlots: number; faint: number; dustAt: number[] } {
  const seen = new Uint8Array(cells.length);
  const dustAt: number[] = [];
  let faint = 0;
  let dust = 0;
  let dustBlots = 0;
  let total = 0;
  const alone: number[] = [];
  for (let start = 0; start < cells.length; start++) {
    if (!cells[start] || seen[start]) continue;
    const { members, n, extent, atBand } = floodBlot(cells, cols, rows, start, seen, used);
    if (extent >= minCells) faint += members.length - n;
    if (extent >= minCells) total += n;
    else if (atBand && extent >= minCellsAtBand) {
      if (!across || continuesAcross(members, cells, cols, rows, across)) total += n;
      else alone.push(n);
    } else if (n > 0) {
      dust += n;
      dustBlots++;
      dustAt.push(members[0]!);
    }
  }
  // Short pieces beside the band that go on nowhere: one is a speck of dust; several are a
  // stroke the band broke up (drawn along the border), and count.
  if (alone.length > 1) for (const n of alone) total += n;
  else if (alone.length === 1) {
    dust += alone[0]!;
    dustBlots++;
  }
  return { kept: total, dust, dustBlots, faint, dustAt };
}

/**
 * The blot (8-neighbours, through ink or faint ink) holding cell `start`, marked in `seen`:
 * its cells, how many are ink, how many cells it reaches across, whether it touches the band.
 */
function floodBlot(
  cells: Uint8Array,
  cols: number,
  rows: number,
  start: number,
  seen: Uint8Array,
  used?: Uint8Array,
): { members: number[]; n: number; extent: number; atBand: boolean } {
  let n = 0;
  let c0 = cols;
  let c1 = -1;
  let r0 = rows;
  let r1 = -1;
  let atBand = false;
  const members: number[] = [];
  const stack = [start];
  seen[start] = 1;
  while (stack.length) {
    const k = stack.pop()!;
    members.push(k);
    if (cells[k] === 2) n++;
    const r = Math.floor(k / cols);
    const c = k - r * cols;
    if (c < c0) c0 = c;
    if (c > c1) c1 = c;
    if (r < r0) r0 = r;
    if (r > r1) r1 = r;
    for (let rr = Math.max(0, r - 1); rr <= Math.min(rows - 1, r + 1); rr++) {
      for (let cc = Math.max(0, c - 1); cc <= Math.min(cols - 1, c + 1); cc++) {
        const j = rr * cols + cc;
        if (used && !used[j]) atBand = true;
        if (cells[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
  }
  return { members, n, extent: Math.max(c1 - c0 + 1, r1 - r0 + 1), atBand };
}

/** Whether ink (or faint ink) lies at or next to where some cell of a blot, mirrored across the box's edge, falls. */
function continuesAcross(
  members: number[],
  cells: Uint8Array,
  cols: number,
  rows: number,
  across: (cell: number) => number,
): boolean {
  for (const k of members) {
    const m = across(k);
    if (m < 0) continue;
    const r = Math.floor(m / cols);
    const c = m - r * cols;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols && cells[rr * cols + cc]) return true;
      }
    }
  }
  return false;
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

/** Inked area (mm²) at which a tick box's score is 0.5. */
const TICK_HALF_MM2 = 0.22;

/**
 * Score of a tick box from the ink above the page's blank level in its reading region
 * (`measureTick`), 0 (blank) … 1 (clearly marked), 0.5 at `TICK_HALF_MM2` (a blank box
 * reads 0 once specks are dropped; a tick's stroke covers several mm²).
 */
export function tickScore(mm2: number): number {
  return mm2 / (mm2 + TICK_HALF_MM2);
}

/** Score of a signature or seal area from its inked area: 0.5 at `half` mm². */
export function areaScore(mm2: number, half: number): number {
  return mm2 / (mm2 + half);
}
