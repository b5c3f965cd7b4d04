/**
 * The pages without QR codes that come back with a mailed form: the return envelope
 * (信封) with the customer as sender, a stamp and a postmark, and the post office's receipt
 * slip (邮局回执) with a registered-mail number. Drawn as PDF pages in Noto Sans SC, then
 * rasterised like the forms, so they carry real Chinese text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PDFDocument, rgb, degrees, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import * as fontkit from 'fontkit';
import { A4, MM_TO_PT } from '../layout/page.ts';
import sharp from 'sharp';
import type { RawImage } from './degrade.ts';
import type { Random } from './random.ts';

export interface Sender {
  companyName: string;
  department: string;
  address: string;
  postcode: string;
}

export interface ExtraPageRequest {
  kind: 'envelope' | 'postal-receipt';
  /** The customer's address block as printed on the letter: postcode, address lines, name. */
  customerLines: string[];
  customerName: string;
  /** `YYYY-MM-DD` the customer mailed it. */
  date: string;
  /** For a receipt: the letter's tracking number (S10), printed and as Code 128 bars (`code128Modules`). */
  tracking?: { number: string; modules: boolean[] };
}

const pt = (mm: number): number => mm * MM_TO_PT;

let fontBytes: Uint8Array | undefined;
function notoSans(): Uint8Array {
  fontBytes ??= new Uint8Array(
    readFileSync(
      createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
    ),
  );
  return fontBytes;
}

/** One PDF with one A4 page per request, in order. */
export async function drawExtraPages(
  requests: readonly ExtraPageRequest[],
  sender: Sender,
  rng: Random,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit as never);
  const font = await doc.embedFont(notoSans(), { subset: true });
  for (const r of requests) {
    const page = doc.addPage([pt(A4.width), pt(A4.height)]);
    if (r.kind === 'envelope') drawEnvelope(page, font, r, sender, rng);
    else drawReceipt(page, font, r, sender, rng);
  }
  return doc.save({ useObjectStreams: false });
}

const charsets = new WeakMap<PDFFont, Set<number>>();

/** Draws text with its top-left at (x, y) mm from the page's top-left corner. */
function text(
  page: PDFPage,
  font: PDFFont,
  s: string,
  x: number,
  y: number,
  sizePt: number,
  colour = rgb(0.1, 0.1, 0.12),
  rotate = 0,
): void {
  let drawable = charsets.get(font);
  if (!drawable) charsets.set(font, (drawable = new Set(font.getCharacterSet())));
  const known = drawable;
  const clean = [...s].filter((ch) => known.has(ch.codePointAt(0)!)).join('');
  if (!clean) return;
  page.drawText(clean, {
    x: pt(x),
    y: page.getHeight() - pt(y) - sizePt * 0.88,
    size: sizePt,
    font,
    color: colour,
    rotate: degrees(rotate),
  });
}

function box(
  page: PDFPage,
  x: number,
  y: number,
  w: number,
  h: number,
  colour = rgb(0.2, 0.2, 0.2),
  width = 0.8,
): void {
  page.drawRectangle({
    x: pt(x),
    y: page.getHeight() - pt(y + h),
    width: pt(w),
    height: pt(h),
    borderColor: colour,
    borderWidth: width,
  });
}

function postmark(
  page: PDFPage,
  font: PDFFont,
  cx: number,
  cy: number,
  date: string,
  place: string,
  rng: Random,
): void {
  const ink = rng.chance(0.7) ? rgb(0.15, 0.15, 0.2) : rgb(0.7, 0.15, 0.15);
  const opacity = rng.range(0.45, 0.8);
  page.drawCircle({
    x: pt(cx),
    y: page.getHeight() - pt(cy),
    size: pt(12),
    borderColor: ink,
    borderWidth: 1.2,
    borderOpacity: opacity,
  });
  page.drawCircle({
    x: pt(cx),
    y: page.getHeight() - pt(cy),
    size: pt(8),
    borderColor: ink,
    borderWidth: 0.6,
    borderOpacity: opacity,
  });
  page.drawText(date.replace(/-/g, '.'), {
    x: pt(cx - 7),
    y: page.getHeight() - pt(cy + 1),
    size: 6.5,
    font,
    color: ink,
    opacity,
  });
  text(page, font, place, cx - 5, cy - 7, 6, ink);
}

function drawEnvelope(page: PDFPage, font: PDFFont, r: ExtraPageRequest, sender: Sender, rng: Random): void {
  // A DL envelope (220 × 110 mm) laid on the scanner's glass; its right end runs off the A4 bed.
  const ex = rng.range(2, 8);
  const ey = rng.range(5, 40);
  const paper = rgb(0.97, 0.95, 0.9);
  page.drawRectangle({
    x: pt(ex),
    y: page.getHeight() - pt(ey + 110),
    width: pt(220),
    height: pt(110),
    color: paper,
    borderColor: rgb(0.6, 0.58, 0.55),
    borderWidth: 0.8,
  });
  // Recipient postcode boxes (the company), top left.
  const red = rgb(0.8, 0.2, 0.2);
  [...sender.postcode].forEach((d, i) => {
    box(page, ex + 10 + i * 9, ey + 8, 7.5, 9, red, 0.9);
    text(page, font, d, ex + 12 + i * 9, ey + 9.5, 13);
  });
  // Stamp and postmark, top right (inside the bed).
  const sx = Math.min(ex + 160, 185);
  page.drawRectangle({
    x: pt(sx),
    y: page.getHeight() - pt(ey + 30),
    width: pt(20),
    height: pt(24),
    color: rgb(0.55 + rng.next() * 0.3, 0.35, 0.3 + rng.next() * 0.3),
    borderColor: rgb(1, 1, 1),
    borderWidth: 2,
    borderDashArray: [2, 1.2],
  });
  text(page, font, '中国邮政', sx + 3, ey + 24, 6.5, rgb(1, 1, 1));
  text(page, font, '1.20元', sx + 5, ey + 10, 7, rgb(1, 1, 1));
  postmark(page, font, sx - 6, ey + 26, r.date, r.customerLines[0]?.slice(0, 6) ?? '', rng);
  // Recipient (printed: a business reply envelope).
  text(page, font, sender.address, ex + 30, ey + 40, 12);
  text(page, font, `${sender.companyName}  ${sender.department}  收`, ex + 30, ey + 52, 12);
  // Sender: the customer.
  const lines = r.customerLines.length ? r.customerLines : [r.customerName];
  text(page, font, '寄件人：', ex + 95, ey + 76, 9, rgb(0.25, 0.25, 0.25));
  lines.slice(0, 3).forEach((l, i) => text(page, font, l, ex + 95, ey + 82 + i * 6, 9.5, rgb(0.1, 0.12, 0.35)));
  text(page, font, '邮政编码', ex + 150, ey + 102, 7, red);
}

/** Width of one Code 128 module on a receipt (mm): a 13-character number is about 60 mm long. */
const BAR_MODULE_MM = 0.38;

/** The tracking number's barcode, 12 mm tall with the number under it, its top-left at (x, y) mm. */
function drawBars(
  page: PDFPage,
  font: PDFFont,
  tracking: { number: string; modules: boolean[] },
  x: number,
  y: number,
): void {
  const m = tracking.modules;
  for (let i = 0; i < m.length;) {
    if (!m[i]) {
      i++;
      continue;
    }
    const start = i;
    while (i < m.length && m[i]) i++;
    page.drawRectangle({
      x: pt(x + start * BAR_MODULE_MM),
      y: page.getHeight() - pt(y + 12),
      width: pt((i - start) * BAR_MODULE_MM),
      height: pt(12),
      color: rgb(0, 0, 0),
    });
  }
  text(page, font, tracking.number.split('').join(' '), x + 4, y + 13, 9);
}

function drawReceipt(page: PDFPage, font: PDFFont, r: ExtraPageRequest, sender: Sender, rng: Random): void {
  const x = rng.range(5, 40);
  const y = rng.range(10, 60);
  const w = 150;
  const h = r.tracking ? 115 : 95;
  page.drawRectangle({
    x: pt(x),
    y: page.getHeight() - pt(y + h),
    width: pt(w),
    height: pt(h),
    color: rgb(0.96, 0.98, 0.95),
    borderColor: rgb(0.2, 0.45, 0.25),
    borderWidth: 1,
  });
  const green = rgb(0.15, 0.4, 0.2);
  text(page, font, '中国邮政  国内挂号信函收据', x + 28, y + 5, 13, green);
  const number = r.tracking?.number ?? `XA${String(rng.int(100000000, 999999999))}CN`;
  const rows: [string, string][] = [
    ['挂号号码', number],
    ['收件人', `${sender.companyName} ${sender.department}`],
    ['寄达地', sender.address.slice(0, 12)],
    ['寄件人', r.customerName],
    ['资费', `${rng.pick(['5.20', '6.00', '8.00'])} 元`],
    ['收寄日期', r.date],
  ];
  rows.forEach(([label, value], i) => {
    const ry = y + 16 + i * 11;
    box(page, x + 5, ry, 30, 10, green, 0.6);
    box(page, x + 35, ry, 80, 10, green, 0.6);
    text(page, font, label, x + 7, ry + 2.5, 9, green);
    text(page, font, value, x + 37, ry + 2.5, 9.5);
  });
  postmark(page, font, x + 133, y + 60, r.date, '邮政营业厅', rng);
  if (r.tracking) drawBars(page, font, r.tracking, x + 8, y + 84);
  text(page, font, '此据请妥为保存，查询期限一年', x + 5, y + h - 6, 7.5, green);
}

/**
 * The prepaid return envelope printed with the letter (`face`: its page rasterised at
 * `dpi`), come back through the post: buff envelope paper, a postmark over the indicium,
 * laid near the top of an A4 scanner bed, its right end running off the glass.
 */
export async function envelopeOnBed(face: RawImage, dpi: number, date: string, rng: Random): Promise<RawImage> {
  const px = (mm: number): number => Math.round((mm * dpi) / 25.4);
  const W = px(A4.width);
  const H = px(A4.height);
  const left = px(rng.range(1, 6));
  const top = px(rng.range(5, 40));
  const width = Math.min(face.width, W - left);
  const height = Math.min(face.height, H - top);
  const visible = await sharp(face.data, { raw: { width: face.width, height: face.height, channels: face.channels } })
    .extract({ left: 0, top: 0, width, height })
    .raw()
    .toBuffer();
  const ink = rng.chance(0.7) ? '#262633' : '#b22626';
  const cx = left + px(176 + rng.range(-6, 6));
  const cy = top + px(30 + rng.range(-4, 6));
  const overlay = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <rect x="${left}" y="${top}" width="${width}" height="${height}" fill="rgb(247,242,230)"/>
    <g fill="none" stroke="${ink}" opacity="${rng.range(0.45, 0.8).toFixed(2)}">
      <circle cx="${cx}" cy="${cy}" r="${px(12)}" stroke-width="${px(0.45)}"/>
      <circle cx="${cx}" cy="${cy}" r="${px(8)}" stroke-width="${px(0.25)}"/>
      <text x="${cx - px(7)}" y="${cy + px(1)}" font-size="${px(2.6)}" fill="${ink}" stroke="none">${date.replace(/-/g, '.')}</text>
    </g>
  </svg>`;
  const data = await sharp({ create: { width: W, height: H, channels: 3, background: '#ffffff' } })
    .composite([
      { input: visible, raw: { width, height, channels: face.channels }, left, top },
      { input: Buffer.from(overlay), blend: 'multiply' },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { width: W, height: H, channels: 3, data };
}
