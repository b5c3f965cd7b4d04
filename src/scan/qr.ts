/**
 * Identification: finding a page's QR codes (two, in opposite corners, page.ts
 * `QR_CODES`) with ZXing-C++ (zxing-wasm), reading their payloads, and telling from the
 * codes' own orientation how the page lies (upright, upside down, turned a quarter).
 *
 * The decoder's .wasm is loaded from node_modules: by default zxing-wasm fetches it from
 * a CDN, which fails offline.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { QR_SIZE, type Point } from '../layout/page.ts';
import { decodePagePayload, type PagePayload } from '../layout/qr-payload.ts';
import { cropGrey, greyToRgba, type GreyImage } from './grey.ts';

/** A QR code found on a page; coordinates in the working image's pixels. */
export interface FoundCode {
  text: string;
  payload: PagePayload | null;
  /** Why the text is not a huifang payload, when it is not. */
  parseError?: string;
  /** The symbol's corners in its own frame: top-left, top-right, bottom-right, bottom-left. */
  corners: [Point, Point, Point, Point];
  centre: Point;
  /** Direction of the symbol's top edge, degrees clockwise from the image's x axis (0 upright, ±180 upside down). */
  angle: number;
  /** Mean side length in pixels. */
  side: number;
}

let ready: Promise<unknown> | null = null;

/** Loads the ZXing decoder from node_modules (once). */
export function loadQrDecoder(): Promise<unknown> {
  if (!ready) {
    ready = (async () => {
      const require = createRequire(import.meta.url);
      const path = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
      const bytes = await readFile(path);
      const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
    })();
    ready.catch(() => {
      ready = null;
    });
  }
  return ready;
}

const OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: true,
  maxNumberOfSymbols: 4,
};

async function decodeRegion(
  img: GreyImage,
  x: number,
  y: number,
  w: number,
  h: number,
  filter?: (crop: GreyImage) => GreyImage,
  options: ReaderOptions = OPTIONS,
): Promise<FoundCode[]> {
  const crop = cropGrey(img, x, y, w, h);
  if (filter) crop.image = filter(crop.image);
  if (crop.image.width < 21 || crop.image.height < 21) return [];
  const results = await readBarcodes(
    { data: greyToRgba(crop.image), width: crop.image.width, height: crop.image.height } as ImageData,
    options,
  );
  const found: FoundCode[] = [];
  for (const r of results) {
    if (!r.isValid) continue;
    const p = r.position;
    const corners = [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft].map((q) => ({
      x: q.x + crop.x,
      y: q.y + crop.y,
    })) as FoundCode['corners'];
    const centre = { x: corners.reduce((s, q) => s + q.x, 0) / 4, y: corners.reduce((s, q) => s + q.y, 0) / 4 };
    const top = { x: corners[1].x - corners[0].x, y: corners[1].y - corners[0].y };
    const left = { x: corners[3].x - corners[0].x, y: corners[3].y - corners[0].y };
    const side = (Math.hypot(top.x, top.y) + Math.hypot(left.x, left.y)) / 2;
    const parse = decodePagePayload(r.text);
    found.push({
      text: r.text,
      payload: parse.ok ? parse.payload : null,
      ...(parse.ok ? {} : { parseError: parse.reason }),
      corners,
      centre,
      angle: (Math.atan2(top.y, top.x) * 180) / Math.PI,
      side,
    });
  }
  return found;
}

/**
 * Finds the page's QR codes in a grey working image whose resolution is `dpi`: first in
 * the four corner regions (where the codes sit, whichever way up the page lies), then, if
 * none is found there, in the whole image (unless `wholePage` is false). `filter` is applied
 * to each region before it is decoded (a median against specks).
 */
export async function findPageCodes(
  img: GreyImage,
  dpi: number,
  opts: { filter?: (crop: GreyImage) => GreyImage; wholePage?: boolean } = {},
): Promise<FoundCode[]> {
  await loadQrDecoder();
  const px = (mm: number): number => (mm * dpi) / 25.4;
  // A code's far edge is 40 mm from its corner of the page; allow for shift and ±5° skew.
  const rw = Math.min(img.width, px(72));
  const rh = Math.min(img.height, px(68));
  const corners = {
    topRight: [img.width - rw, 0],
    bottomLeft: [0, img.height - rh],
    topLeft: [0, 0],
    bottomRight: [img.width - rw, img.height - rh],
  } as const;
  const found: FoundCode[] = [];
  const add = (codes: FoundCode[]): void => {
    for (const c of codes)
      if (!found.some((f) => Math.hypot(f.centre.x - c.centre.x, f.centre.y - c.centre.y) < px(QR_SIZE / 2)))
        found.push(c);
  };
  // Upright pages: top-right and bottom-left. Upside down: the other two.
  for (const key of ['topRight', 'bottomLeft'] as const)
    add(await decodeRegion(img, corners[key][0], corners[key][1], rw, rh, opts.filter));
  if (found.length < 2) {
    for (const key of ['topLeft', 'bottomRight'] as const)
      add(await decodeRegion(img, corners[key][0], corners[key][1], rw, rh, opts.filter));
  }
  if (found.length === 0 && opts.wholePage !== false)
    add(await decodeRegion(img, 0, 0, img.width, img.height, opts.filter));
  return found;
}

export interface Identification {
  payload: PagePayload | null;
  /** Codes read, whether or not they hold a huifang payload. */
  codes: FoundCode[];
  /** Page rotation in quarter turns clockwise (0 upright, 2 upside down), from the codes' orientation. */
  quarterTurns: number | null;
  /** Problems a reviewer must look at (codes that disagree, foreign codes). */
  problems: string[];
}

/** What the codes say together: either code suffices; two that disagree go to review. */
export function identify(codes: FoundCode[]): Identification {
  const problems: string[] = [];
  const ours = codes.filter((c) => c.payload);
  for (const c of codes)
    if (!c.payload) problems.push(`a QR code that is not a huifang page code was found: ${c.parseError}`);
  if (ours.length === 0) return { payload: null, codes, quarterTurns: null, problems };
  const texts = new Set(
    ours.map(
      (c) =>
        c.payload!.visitId +
        '|' +
        c.payload!.kind +
        '|' +
        c.payload!.page +
        '/' +
        c.payload!.pageCount +
        '|' +
        c.payload!.layout,
    ),
  );
  if (texts.size > 1) {
    problems.push(
      `the page's two QR codes disagree (${[...texts].join(' vs ')}); a reviewer must say which visit it belongs to`,
    );
    return { payload: null, codes, quarterTurns: quarterOf(ours[0]!.angle), problems };
  }
  return { payload: ours[0]!.payload, codes, quarterTurns: quarterOf(meanAngle(ours.map((c) => c.angle))), problems };
}

function quarterOf(angle: number): number {
  return (((Math.round(angle / 90) % 4) + 4) % 4) as number;
}

function meanAngle(angles: number[]): number {
  const s = angles.reduce((a, d) => a + Math.sin((d * Math.PI) / 180), 0);
  const c = angles.reduce((a, d) => a + Math.cos((d * Math.PI) / 180), 0);
  return (Math.atan2(s, c) * 180) / Math.PI;
}
