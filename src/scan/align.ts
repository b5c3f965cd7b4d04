/**
 * Alignment: the projective transform (homography) from layout millimetres to image
 * pixels, fitted to the registration marks (and the QR codes' centres when marks are
 * missing), so that every box of the layout can be found on a skewed, shifted, scaled or
 * upside-down scan.
 */
import { A4, QR_CODES, REGISTRATION_MARKS, centre, type Point, type Rect } from '../layout/page.ts';
import type { GreyImage } from './grey.ts';
import { findMark, type FoundMark } from './marks.ts';
import type { FoundCode } from './qr.ts';

/** Row-major 3 × 3 matrix, h[8] = 1: layout mm → image px. */
export type Homography = readonly number[];

/** Maps a layout point (mm) to image pixels. */
export function project(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

interface Norm {
  t: number[];
  inv: number[];
}

/** Hartley normalisation: centroid to the origin, mean distance √2. */
function normaliser(pts: readonly Point[]): Norm {
  const cx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const cy = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const d = pts.reduce((s, p) => s + Math.hypot(p.x - cx, p.y - cy), 0) / pts.length || 1;
  const k = Math.SQRT2 / d;
  return { t: [k, 0, -k * cx, 0, k, -k * cy, 0, 0, 1], inv: [1 / k, 0, cx, 0, 1 / k, cy, 0, 0, 1] };
}

function mul(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out;
}

/** Solves A x = b (n × n, row-major) by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  for (let i = 0; i < n; i++) {
    let p = i;
    for (let r = i + 1; r < n; r++) if (Math.abs(a[r]![i]!) > Math.abs(a[p]![i]!)) p = r;
    if (Math.abs(a[p]![i]!) < 1e-12) return null;
    [a[i], a[p]] = [a[p]!, a[i]!];
    [b[i], b[p]] = [b[p]!, b[i]!];
    for (let r = i + 1; r < n; r++) {
      const f = a[r]![i]! / a[i]![i]!;
      for (let c = i; c < n; c++) a[r]![c]! -= f * a[i]![c]!;
      b[r]! -= f * b[i]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let c = i + 1; c < n; c++) s -= a[i]![c]! * x[c]!;
    x[i] = s / a[i]![i]!;
  }
  return x;
}

export type TransformModel = 'projective' | 'affine' | 'similarity';

/**
 * Least-squares fit of layout points to image points: projective (≥ 4 points), affine
 * (≥ 3) or similarity (rotation, one scale, shift; ≥ 2). Null when the points are degenerate.
 */
export function fitTransform(
  layout: readonly Point[],
  image: readonly Point[],
  kind: TransformModel = layout.length < 4 ? 'affine' : 'projective',
): Homography | null {
  const need = kind === 'projective' ? 4 : kind === 'affine' ? 3 : 2;
  if (layout.length !== image.length || layout.length < need) return null;
  const ns = normaliser(layout);
  const nd = normaliser(image);
  const n = kind === 'projective' ? 8 : kind === 'affine' ? 6 : 4;
  const ata = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const atb = new Array<number>(n).fill(0);
  const addRow = (row: number[], rhs: number): void => {
    for (let i = 0; i < n; i++) {
      atb[i]! += row[i]! * rhs;
      for (let j = 0; j < n; j++) ata[i]![j]! += row[i]! * row[j]!;
    }
  };
  for (let i = 0; i < layout.length; i++) {
    const s = layout[i]!;
    const d = image[i]!;
    const X = ns.t[0]! * s.x + ns.t[2]!;
    const Y = ns.t[4]! * s.y + ns.t[5]!;
    const x = nd.t[0]! * d.x + nd.t[2]!;
    const y = nd.t[4]! * d.y + nd.t[5]!;
    if (kind === 'similarity') {
      // x = a X − b Y + tx, y = b X + a Y + ty
      addRow([X, -Y, 1, 0], x);
      addRow([Y, X, 0, 1], y);
    } else if (kind === 'affine') {
      addRow([X, Y, 1, 0, 0, 0], x);
      addRow([0, 0, 0, X, Y, 1], y);
    } else {
      addRow([X, Y, 1, 0, 0, 0, -X * x, -Y * x], x);
      addRow([0, 0, 0, X, Y, 1, -X * y, -Y * y], y);
    }
  }
  const h = solve(ata, atb);
  if (!h) return null;
  const hn =
    kind === 'similarity'
      ? [h[0]!, -h[1]!, h[2]!, h[1]!, h[0]!, h[3]!, 0, 0, 1]
      : kind === 'affine'
        ? [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, 0, 0, 1]
        : [...h, 1];
  const full = mul(nd.inv, mul(hn, ns.t));
  const k = full[8]!;
  if (!Number.isFinite(k) || Math.abs(k) < 1e-12) return null;
  return full.map((v) => v / k);
}

/** Pixels per millimetre of a transform around a layout point (geometric mean of both axes). */
export function scaleAt(h: Homography, p: Point): number {
  const a = project(h, p);
  const bx = project(h, { x: p.x + 1, y: p.y });
  const by = project(h, { x: p.x, y: p.y + 1 });
  return Math.sqrt(Math.hypot(bx.x - a.x, bx.y - a.y) * Math.hypot(by.x - a.x, by.y - a.y));
}

/** The layout rectangle of a QR code found in the image, by which corner of the page it lies in. */
export type CodeSlot = keyof typeof QR_CODES;

function qrCorners(r: Rect): Point[] {
  return [
    { x: r.x, y: r.y },
    { x: r.x + r.width, y: r.y },
    { x: r.x + r.width, y: r.y + r.height },
    { x: r.x, y: r.y + r.height },
  ];
}

/**
 * Which printed code each found code is (top-right or bottom-left of the layout), and a
 * first affine estimate of the page from their corners: the hypothesis that puts the
 * page's centre nearest the image's centre wins.
 */
function placeCodes(
  codes: readonly FoundCode[],
  img: { width: number; height: number },
): { slots: CodeSlot[]; estimate: Homography } | null {
  const ours = codes.filter((c) => c.payload);
  if (ours.length === 0) return null;
  const slotsList: CodeSlot[][] =
    ours.length === 1
      ? [['topRight'], ['bottomLeft']]
      : [
          ['topRight', 'bottomLeft'],
          ['bottomLeft', 'topRight'],
        ];
  let best: { slots: CodeSlot[]; estimate: Homography; cost: number } | null = null;
  for (const slots of slotsList) {
    const layout: Point[] = [];
    const image: Point[] = [];
    ours.slice(0, 2).forEach((c, i) => {
      layout.push(...qrCorners(QR_CODES[slots[i]!]));
      image.push(...c.corners);
    });
    const h = fitTransform(layout, image, 'affine');
    if (!h) continue;
    const mid = project(h, { x: A4.width / 2, y: A4.height / 2 });
    let cost = Math.hypot(mid.x - img.width / 2, mid.y - img.height / 2);
    if (ours.length === 2) {
      // Fit error of the corners: a wrong pairing cannot fit both codes at once.
      cost += layout.reduce(
        (s, p, i) => s + Math.hypot(project(h, p).x - image[i]!.x, project(h, p).y - image[i]!.y),
        0,
      );
    }
    if (!best || cost < best.cost) best = { slots, estimate: h, cost };
  }
  return best ? { slots: best.slots, estimate: best.estimate } : null;
}

export interface Alignment {
  /** Layout mm → working-image pixels. */
  transform: Homography;
  /**
   * 'projective' from four marks, or from three and the QR codes' corners; 'affine' from
   * fewer marks and the codes' corners spread over the page; 'similarity' when the points
   * found lie along one side; 'codes' from the codes' corners alone.
   */
  model: TransformModel | 'codes';
  /** Registration marks found, in layout order (top-left, top-right, bottom-right, bottom-left); null where missing. */
  marks: (FoundMark | null)[];
  pointsUsed: number;
  /**
   * Largest distance, in mm, between where the fit puts a point and where it was found:
   * the QR codes' corners when four marks fixed the fit, else every point of the fit.
   */
  residualMm: number;
  /** Resolution measured from the marks (working image), dots per inch. */
  dpi: number;
  problems: string[];
}

/**
 * Aligns a page: predicts each registration mark from the QR codes, finds it nearby, and
 * fits the transform to the marks found (with the QR codes' corners as extra points when
 * fewer than four marks were found, and as check points otherwise).
 */
export function alignPage(img: GreyImage, codes: readonly FoundCode[]): Alignment | null {
  const placed = placeCodes(codes, img);
  if (!placed) return null;
  const ours = codes.filter((c) => c.payload).slice(0, 2);
  const pxPerMm = scaleAt(placed.estimate, { x: A4.width / 2, y: A4.height / 2 });
  const problems: string[] = [];
  const marks = findMarks(img, placed.estimate, pxPerMm, ours, placed.slots, problems);
  const layout: Point[] = [];
  const image: Point[] = [];
  marks.forEach((m, i) => {
    if (m) {
      layout.push(centre(REGISTRATION_MARKS[i]!));
      image.push(m.centre);
    }
  });
  const qrLayout = ours.flatMap((_, i) => qrCorners(QR_CODES[placed.slots[i]!]));
  const qrImage = ours.flatMap((c) => c.corners);
  let model: Alignment['model'];
  let transform: Homography | null = null;
  let checks: { layout: Point[]; image: Point[] };
  if (layout.length === 4) {
    // The marks alone fix the transform; the QR codes' corners check it.
    transform = fitTransform(layout, image);
    model = 'projective';
    checks = { layout: qrLayout, image: qrImage };
  } else {
    // Marks missing (cut, torn): the codes' corners stand in for them. A projective or affine
    // fit needs points spread over the page both ways; points along one edge only fix a
    // similarity (scanners scale both axes alike), which extrapolates far better.
    const all = { layout: [...layout, ...qrLayout], image: [...image, ...qrImage] };
    const spread = (f: (p: Point) => number): number => Math.max(...all.layout.map(f)) - Math.min(...all.layout.map(f));
    const wide = spread((p) => p.x) >= 120 && spread((p) => p.y) >= 200;
    const kind: TransformModel = !wide ? 'similarity' : layout.length >= 3 ? 'projective' : 'affine';
    model = layout.length === 0 ? 'codes' : kind;
    transform = fitTransform(all.layout, all.image, kind);
    checks = all;
  }
  if (!transform) {
    transform = placed.estimate;
    model = 'codes';
    checks = { layout: qrLayout, image: qrImage };
  }
  const scale = scaleAt(transform, { x: A4.width / 2, y: A4.height / 2 });
  let residualPx = 0;
  checks.layout.forEach((p, i) => {
    const q = project(transform!, p);
    residualPx = Math.max(residualPx, Math.hypot(q.x - checks.image[i]!.x, q.y - checks.image[i]!.y));
  });
  const pointsUsed = layout.length === 4 ? 4 : checks.layout.length;
  return {
    transform,
    model,
    marks,
    pointsUsed,
    residualMm: residualPx / scale,
    dpi: scale * 25.4,
    problems,
  };
}

const MARK_NAMES = ['top-left', 'top-right', 'bottom-right', 'bottom-left'];

/** Largest distance (mm) from where a fit puts the QR codes' corners to where they were found, for marks found far off to be kept. */
const WIDE_MARK_RESIDUAL_MM = 0.8;

/** Whether the marks with the QR codes' corners fit one transform within `WIDE_MARK_RESIDUAL_MM`. */
function consistent(marks: (FoundMark | null)[], qrLayout: Point[], qrImage: Point[], pxPerMm: number): boolean {
  const layout = [...REGISTRATION_MARKS.flatMap((m, i) => (marks[i] ? [centre(m)] : [])), ...qrLayout];
  const image = [...marks.flatMap((m) => (m ? [m.centre] : [])), ...qrImage];
  const h = fitTransform(layout, image, layout.length - qrLayout.length >= 3 ? 'projective' : 'affine');
  if (!h) return false;
  return layout.every((p, i) => {
    const q = project(h, p);
    return Math.hypot(q.x - image[i]!.x, q.y - image[i]!.y) / pxPerMm <= WIDE_MARK_RESIDUAL_MM;
  });
}

/** How far (mm) a mark the first search missed is looked for around where the marks found so far put it. */
const WIDE_MARK_SEARCH_MM = 22;

/**
 * The registration marks near where the QR codes put them. A page seen at an angle (a phone
 * photo) bends away from the codes' affine estimate towards the corners without codes: the
 * marks missed there are looked for again, farther, around where the marks found and the
 * codes' corners put them.
 */
function findMarks(
  img: GreyImage,
  estimate: Homography,
  pxPerMm: number,
  codes: readonly FoundCode[],
  slots: readonly CodeSlot[],
  problems: string[],
): (FoundMark | null)[] {
  const first = REGISTRATION_MARKS.map((m) => findMark(img, project(estimate, centre(m)), pxPerMm));
  const marks = first.map((f) => f.mark);
  const found = marks.flatMap((m, i) => (m ? [i] : []));
  if (found.length > 0 && found.length < 4) {
    const qrLayout = codes.flatMap((_, i) => qrCorners(QR_CODES[slots[i]!]));
    const qrImage = codes.flatMap((c) => c.corners);
    const layout = [...found.map((i) => centre(REGISTRATION_MARKS[i]!)), ...qrLayout];
    const image = [...found.map((i) => marks[i]!.centre), ...qrImage];
    const refined = fitTransform(layout, image, 'affine') ?? estimate;
    const wide = REGISTRATION_MARKS.map((m, i) =>
      marks[i] ? null : findMark(img, project(refined, centre(m)), pxPerMm, WIDE_MARK_SEARCH_MM).mark,
    );
    // A blob found that far off may be something else: kept only when the fit with it still
    // puts the QR codes' corners where they were found.
    const fits = (extra: (FoundMark | null)[]): boolean =>
      consistent(
        marks.map((m, i) => m ?? extra[i] ?? null),
        qrLayout,
        qrImage,
        pxPerMm,
      );
    if (fits(wide)) wide.forEach((m, i) => (marks[i] ??= m));
    else
      wide.forEach((m, i) => {
        const one = wide.map((x, j) => (j === i ? x : null));
        if (m && fits(one)) marks[i] = m;
      });
  }
  marks.forEach((m, i) => {
    if (!m) problems.push(`registration mark ${MARK_NAMES[i]} not found (${first[i]!.reason})`);
  });
  return marks;
}
