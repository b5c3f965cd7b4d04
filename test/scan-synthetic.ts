/**
 * Synthetic scans for the page reader's tests: a record form drawn straight from the layout
 * geometry (marks, QR codes, box outlines, text-like clutter), filled with ticks, signatures
 * and a seal, then degraded the way scanners do (skew, shift, scale, upside down, grey,
 * JPEG). Used until, and beside, the real rendered forms.
 */
import QRCode from 'qrcode';
import sharp, { type Sharp } from 'sharp';
import { formLayout } from '../src/layout/form.ts';
import { QR_CODES, REGISTRATION_MARKS, A4, type Rect } from '../src/layout/page.ts';
import { encodePagePayload, type PagePayload } from '../src/layout/qr-payload.ts';
import type { VisitCategory } from '../src/domain/visit.ts';
import type { VisitId } from '../src/domain/visit-id.ts';

export interface SyntheticFill {
  /** question id → value to tick (`yes`, `no`, an option value); several values tick several boxes. */
  ticks?: Record<string, string | string[]>;
  /** question id → value ticked carelessly: the tick drawn 2.6 mm up and right, mostly over the box's border. */
  strayTicks?: Record<string, string>;
  /** question id → value whose box gets a dust speck (0.45 mm across) just inside its left border. */
  specks?: Record<string, string>;
  customerSignature?: boolean;
  handlerSignature?: boolean;
  /** A red (or, with `sealColour`, other) round seal in the seal box. */
  seal?: boolean;
  sealColour?: string;
}

export interface SyntheticPageOptions {
  category?: VisitCategory;
  visitId?: string;
  kind?: 'form' | 'letter';
  fill?: SyntheticFill;
  /** Leave out one QR code (covered or torn). */
  hideQr?: 'topRight' | 'bottomLeft' | 'both';
}

export const SAMPLE_VISIT_ID = 'HF-5AFMS-Y38DD';

export function samplePayload(
  category: VisitCategory = 'new-account',
  kind: 'form' | 'letter' = 'form',
  visitId = SAMPLE_VISIT_ID,
): PagePayload {
  return kind === 'form'
    ? { visitId: visitId as VisitId, kind: 'form', page: 3, pageCount: 3, layout: `form.${category}.v1` }
    : { visitId: visitId as VisitId, kind: 'letter', page: 1, pageCount: 3, layout: 'letter.v1' };
}

function qrPath(text: string, at: Rect): string {
  const code = QRCode.create(text, { errorCorrectionLevel: 'Q' });
  const n = code.modules.size;
  const m = at.width / n;
  let d = '';
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (code.modules.get(y, x))
        d += `M${(at.x + x * m).toFixed(3)} ${(at.y + y * m).toFixed(3)}h${m.toFixed(3)}v${m.toFixed(3)}h${(-m).toFixed(3)}z`;
    }
  }
  return `<path d="${d}" fill="#000"/>`;
}

const outline = (r: Rect, w = 0.3): string =>
  `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="none" stroke="#000" stroke-width="${w}"/>`;

/** Grey blocks where text would be: enough clutter that the reader cannot rely on a clean page. */
function fakeText(r: Rect, lineHeight = 3.4, glyph = 2.8): string {
  // One pattern-filled rectangle per text area (thousands of small rectangles render slowly).
  const id = `t${lineHeight}-${glyph}`.replace(/\./g, '_');
  patterns.set(
    id,
    `<pattern id="${id}" patternUnits="userSpaceOnUse" width="${glyph + 0.4}" height="${lineHeight}"><rect width="${glyph}" height="${glyph}" fill="#333" opacity="0.55"/></pattern>`,
  );
  const lines = Math.max(0, Math.floor((r.height - 1 - glyph) / lineHeight) + 1);
  const height = lines > 0 ? (lines - 1) * lineHeight + glyph : 0;
  if (!height) return '';
  return `<g transform="translate(${r.x + 1} ${r.y + 1})"><rect width="${Math.max(0, r.width - 2)}" height="${height}" fill="url(#${id})"/></g>`;
}
const patterns = new Map<string, string>();

function tick(r: Rect): string {
  const { x, y, width: w, height: h } = r;
  return `<path d="M${x + 0.1 * w} ${y + 0.55 * h} L${x + 0.42 * w} ${y + 0.9 * h} L${x + 1.05 * w} ${y - 0.1 * h}" fill="none" stroke="#1a237e" stroke-width="0.45" stroke-linecap="round"/>`;
}

function signature(r: Rect): string {
  const x = r.x + 6;
  const y = r.y + r.height / 2;
  return `<path d="M${x} ${y} c4 -8 8 8 12 0 s6 -9 9 2 s5 6 8 -4 m-22 8 c6 -3 14 -2 22 1" fill="none" stroke="#111" stroke-width="0.5" stroke-linecap="round"/>`;
}

function seal(r: Rect, colour: string): string {
  const cx = r.x + r.width / 2;
  const cy = r.y + r.height / 2;
  const rad = Math.min(r.width, r.height) / 2 - 1.5;
  return (
    `<g fill="none" stroke="${colour}" opacity="0.85"><circle cx="${cx}" cy="${cy}" r="${rad}" stroke-width="1.1"/>` +
    `<path d="M${cx} ${cy - 4} l1.2 3.6 h3.8 l-3 2.3 l1.2 3.6 l-3.2 -2.2 l-3.2 2.2 l1.2 -3.6 l-3 -2.3 h3.8z" fill="${colour}" stroke="none"/>` +
    `<path d="M${cx - rad + 3} ${cy} a${rad - 3} ${rad - 3} 0 0 1 ${2 * (rad - 3)} 0" stroke-width="2.2" stroke-dasharray="1.6 0.8"/></g>`
  );
}

/** The page as SVG in millimetres. */
export function syntheticFormSvg(options: SyntheticPageOptions = {}, dpi = 200): string {
  const category = options.category ?? 'new-account';
  const kind = options.kind ?? 'form';
  const payload = encodePagePayload(samplePayload(category, kind, options.visitId ?? SAMPLE_VISIT_ID));
  const layout = formLayout(category);
  const fill = options.fill ?? {};
  const px = (mm: number): number => Math.round((mm * dpi) / 25.4);
  let body = '';
  for (const m of REGISTRATION_MARKS)
    body += `<rect x="${m.x}" y="${m.y}" width="${m.width}" height="${m.height}" fill="#000"/>`;
  if (options.hideQr !== 'topRight' && options.hideQr !== 'both') body += qrPath(payload, QR_CODES.topRight);
  if (options.hideQr !== 'bottomLeft' && options.hideQr !== 'both') body += qrPath(payload, QR_CODES.bottomLeft);
  if (kind === 'letter') {
    body += fakeText({ x: 20, y: 40, width: 170, height: 200 }, 6, 3.5);
  } else {
    body += fakeText(layout.title, 9, 6);
    for (const f of layout.fields) body += outline(f.labelCell) + outline(f.valueCell) + fakeText(f.labelCell, 7, 3);
    body += outline(layout.questionHeader.row);
    for (const q of layout.questions) {
      body += outline(q.row, 0.2) + fakeText(q.text, 4.2, 2.8);
      for (const b of q.boxes) body += outline(b.box, 0.35);
    }
    body += outline(layout.remarks.box);
    for (const m of layout.marks) {
      body += outline(m.box) + fakeText({ x: m.box.x, y: m.box.y, width: m.box.width, height: 6 }, 6, 3.2);
      if (m.date)
        body += `<line x1="${m.date.x + 10}" y1="${m.date.y + 5}" x2="${m.date.x + m.date.width - 2}" y2="${m.date.y + 5}" stroke="#000" stroke-width="0.2"/>`;
    }
    for (const [qid, values] of Object.entries(fill.ticks ?? {})) {
      for (const v of Array.isArray(values) ? values : [values]) {
        const b = layout.tickBoxes.find((t) => t.id === `${qid}:${v}`);
        if (!b) throw new Error(`no tick box ${qid}:${v}`);
        body += tick(b.ink);
      }
    }
    for (const [qid, v] of Object.entries(fill.strayTicks ?? {})) {
      const b = layout.tickBoxes.find((t) => t.id === `${qid}:${v}`);
      if (!b) throw new Error(`no tick box ${qid}:${v}`);
      body += tick({ ...b.ink, x: b.ink.x + 2.6, y: b.ink.y - 2.6 });
    }
    for (const [qid, v] of Object.entries(fill.specks ?? {})) {
      const b = layout.tickBoxes.find((t) => t.id === `${qid}:${v}`);
      if (!b) throw new Error(`no tick box ${qid}:${v}`);
      body += `<circle cx="${b.box.x + 0.8}" cy="${b.box.y + b.box.height / 2}" r="0.225" fill="#222"/>`;
    }
    const area = (id: string): Rect => layout.marks.find((m) => m.id === id)!.ink;
    if (fill.customerSignature) body += signature(area('customerSignature'));
    if (fill.handlerSignature) body += signature(area('handlerSignature'));
    if (fill.seal) body += seal(area('seal'), fill.sealColour ?? '#d81e1e');
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(A4.width)}" height="${px(A4.height)}" viewBox="0 0 ${A4.width} ${A4.height}">` +
    `<defs>${[...patterns.values()].join('')}</defs><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`
  );
}

export interface Degradation {
  dpi?: number;
  /** Degrees, clockwise. */
  skew?: number;
  upsideDown?: boolean;
  /** Shift of the page on the scanner glass, millimetres (positive: right, down). */
  shift?: { x: number; y: number };
  grey?: boolean;
  /** JPEG quality; PNG when absent. */
  jpeg?: number;
  /** Paper tone and ink lightness of a photocopy (0 none … 1 strong). */
  photocopy?: number;
}

/**
 * A synthetic scan as encoded image bytes, the same size as an A4 page at `dpi` (the
 * scanner's glass), with the page rotated and shifted on it.
 */
export async function syntheticScan(options: SyntheticPageOptions = {}, d: Degradation = {}): Promise<Buffer> {
  const dpi = d.dpi ?? 200;
  const svg = syntheticFormSvg(options, dpi);
  const W = Math.round((A4.width * dpi) / 25.4);
  const H = Math.round((A4.height * dpi) / 25.4);
  const raw = async (s: Sharp): Promise<{ data: Buffer; w: number; h: number }> => {
    const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, w: info.width, h: info.height };
  };
  const from = (r: { data: Buffer; w: number; h: number }): Sharp =>
    sharp(r.data, { raw: { width: r.w, height: r.h, channels: 3 }, limitInputPixels: false });
  let page = await raw(
    sharp(Buffer.from(svg), { density: 72, limitInputPixels: false }).flatten({ background: '#fff' }),
  );
  if (d.upsideDown) page = await raw(from(page).rotate(180));
  if (d.skew) page = await raw(from(page).rotate(d.skew, { background: '#fff' }));
  // Place on the glass: centre, then shift, then crop to the glass size.
  const sx = Math.round(((d.shift?.x ?? 0) * dpi) / 25.4);
  const sy = Math.round(((d.shift?.y ?? 0) * dpi) / 25.4);
  const left = Math.round((W - page.w) / 2) + sx;
  const top = Math.round((H - page.h) / 2) + sy;
  // Pad the rotated page so that the glass-sized window lies inside it, then cut the window.
  const padL = Math.max(0, left);
  const padT = Math.max(0, top);
  const padR = Math.max(0, W - left - page.w);
  const padB = Math.max(0, H - top - page.h);
  page = await raw(from(page).extend({ top: padT, bottom: padB, left: padL, right: padR, background: '#fff' }));
  page = await raw(from(page).extract({ left: padL - left, top: padT - top, width: W, height: H }));
  let img = from(page);
  if (d.photocopy) {
    const p = d.photocopy;
    // Ink lighter, paper darker: output = a * input + b maps 0 → 60p, 255 → 255 - 40p.
    const lo = 60 * p;
    const hi = 255 - 40 * p;
    img = from(await raw(img.linear((hi - lo) / 255, lo)));
  }
  img = img.withMetadata({ density: dpi });
  if (d.grey) img = img.greyscale();
  return d.jpeg ? img.jpeg({ quality: d.jpeg }).toBuffer() : img.png().toBuffer();
}
