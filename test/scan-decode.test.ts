/**
 * Decoding scans: every input format reads to pages that the reader identifies, and
 * damaged or hostile files give clear failures naming the page, without stopping the rest.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { PDFDocument } from '@cantoo/pdf-lib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodePages,
  isPageFailure,
  type DecodedPage,
  type DecodeOptions,
  type PageFailure,
} from '../src/scan/decode.ts';
import { loadQrDecoder } from '../src/scan/qr.ts';
import { readPage } from '../src/scan/read-page.ts';
import { syntheticScan } from './scan-synthetic.ts';
import { lacks } from './tools.ts';

async function all(
  bytes: Uint8Array,
  name = 'scan',
  options: DecodeOptions = {},
): Promise<(DecodedPage | PageFailure)[]> {
  const out: (DecodedPage | PageFailure)[] = [];
  for await (const p of decodePages(bytes, name, options)) out.push(p);
  return out;
}

let png: Buffer; // 150 dpi colour page, ticked and signed
let jpeg: Buffer;
const dir = mkdtempSync(join(tmpdir(), 'huifang-scan-decode-'));
const FILL = { fill: { ticks: { 'na.opened-in-person': 'yes', satisfaction: 'neutral' }, customerSignature: true } };

beforeAll(async () => {
  await loadQrDecoder();
  png = await syntheticScan(FILL, { dpi: 150, skew: 1 });
  jpeg = await sharp(png).jpeg({ quality: 80 }).withMetadata({ density: 150 }).toBuffer();
});

async function expectReadable(p: DecodedPage | PageFailure | undefined): Promise<void> {
  if (!p || isPageFailure(p)) throw new Error(`expected a page, got ${JSON.stringify(p)}`);
  const r = await readPage(p);
  expect(r.identified).toBe(true);
  expect(r.answers['na.opened-in-person']).toBe('yes');
  expect(r.answers.satisfaction).toBe('neutral');
  expect(r.checks?.customerSignature.present).toBe(true);
}

describe('formats', () => {
  it('reads PNG and JPEG with their resolution', async () => {
    for (const bytes of [png, jpeg]) {
      const [p] = await all(bytes);
      expect(p).toMatchObject({ page: 1, dpi: 150, dpiSource: 'metadata', channels: 3, grey: false });
      await expectReadable(p);
    }
  });

  it('estimates the resolution from the page size when the metadata has none', async () => {
    // 72 dpi: what many tools write when they know nothing (it would make the page 437 mm wide).
    const bare = await sharp(png).withMetadata({ density: 72 }).png().toBuffer();
    const [p] = await all(bare);
    expect(p).toMatchObject({ dpiSource: 'page-size' });
    expect(Math.abs((p as DecodedPage).dpi - 150)).toBeLessThan(2);
  });

  it('shrinks a 600 dpi page while decoding when asked, and still reads it', async () => {
    const big = await syntheticScan(FILL, { dpi: 600, grey: true, jpeg: 80 });
    const [p] = await all(big, 'big.jpg', { targetDpi: 150 });
    expect(p).toMatchObject({ scanDpi: 600, shrink: 4, dpi: 150, grey: true });
    await expectReadable(p);
    expect((await readPage(p as DecodedPage)).dpi).toBeGreaterThan(590);
  });

  it('reads a CCITT G4 bilevel TIFF as office scanners write it', async () => {
    const g4 = await sharp(png)
      .greyscale()
      .threshold(160)
      .toColourspace('b-w')
      .tiff({ compression: 'ccittfax4', bitdepth: 1, xres: 150 / 25.4, yres: 150 / 25.4 })
      .toBuffer();
    const [p] = await all(g4, 'g4.tif');
    expect(p).toMatchObject({ channels: 1, grey: true, bilevel: true, source: 'tiff' });
    await expectReadable(p);
  });

  it.skipIf(lacks('convert'))('reads every page of a multi-page G4 TIFF (imagemagick)', async () => {
    const a = join(dir, 'a.png');
    const b = join(dir, 'b.png');
    writeFileSync(a, png);
    writeFileSync(b, await syntheticScan({ ...FILL, visitId: 'HF-FN8T5-RFGHC' }, { dpi: 150, upsideDown: true }));
    const out = join(dir, 'multi.tif');
    execFileSync('convert', [
      '-units',
      'PixelsPerInch',
      '-density',
      '150',
      a,
      b,
      '-monochrome',
      '-compress',
      'Group4',
      out,
    ]);
    const pages = await all(readFileSync(out), 'multi.tif');
    expect(pages.map((p) => p.page)).toEqual([1, 2]);
    for (const p of pages) await expectReadable(p);
    const second = await readPage(pages[1] as DecodedPage);
    expect(second.payload?.visitId).toBe('HF-FN8T5-RFGHC');
    expect(second.rotated180).toBe(true);
  });

  it('takes the page image out of a scanned PDF, and rasterizes a page that is not one image', async () => {
    const doc = await PDFDocument.create();
    const img = await doc.embedJpg(jpeg);
    const whole = doc.addPage([595.28, 841.89]);
    whole.drawImage(img, { x: 0, y: 0, width: 595.28, height: 841.89 });
    // Page 2: the same scan as two half images (a PDF written by some other tool).
    const top = await doc.embedPng(
      await sharp(png).extract({ left: 0, top: 0, width: 1240, height: 877 }).png().toBuffer(),
    );
    const bottom = await doc.embedPng(
      await sharp(png).extract({ left: 0, top: 877, width: 1240, height: 877 }).png().toBuffer(),
    );
    const split = doc.addPage([595.28, 841.89]);
    split.drawImage(top, { x: 0, y: 841.89 / 2, width: 595.28, height: 841.89 / 2 });
    split.drawImage(bottom, { x: 0, y: 0, width: 595.28, height: 841.89 / 2 });
    const pages = await all(await doc.save(), 'scan.pdf');
    expect(pages[0]).toMatchObject({ page: 1, source: 'pdf image (jpeg)', dpi: 150 });
    expect(pages[1]).toMatchObject({ page: 2, source: 'pdf rasterized' });
    for (const p of pages) await expectReadable(p);
  });

  it('takes a 1-bit Flate page image out of a scanned PDF as a bilevel page, shrunk when asked', async () => {
    // A black-and-white page at 300 dpi, as scanners and `huifang simulate` write it: 1 bit a pixel, 1 = white.
    const big = await sharp(await syntheticScan(FILL, { dpi: 300, grey: true }))
      .greyscale()
      .threshold(160)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width: w, height: h } = big.info;
    const rowBytes = (w + 7) >> 3;
    const packed = new Uint8Array(rowBytes * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if (big.data[y * w + x]! >= 128) packed[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    const doc = await PDFDocument.create();
    const stream = doc.context.stream(deflateSync(packed), {
      Type: 'XObject',
      Subtype: 'Image',
      Filter: 'FlateDecode',
      Width: w,
      Height: h,
      ColorSpace: 'DeviceGray',
      BitsPerComponent: 1,
    });
    const ref = doc.context.register(stream);
    const page = doc.addPage([(w * 72) / 300, (h * 72) / 300]);
    const name = page.node.newXObject('Scan', ref);
    const { pushGraphicsState, concatTransformationMatrix, drawObject, popGraphicsState } =
      await import('@cantoo/pdf-lib');
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(page.getWidth(), 0, 0, page.getHeight(), 0, 0),
      drawObject(name),
      popGraphicsState(),
    );
    const bytes = await doc.save();
    const [full] = await all(bytes, 'bw.pdf');
    expect(full).toMatchObject({
      source: 'pdf image (flate, 1-bit)',
      channels: 1,
      bilevel: true,
      grey: true,
      dpi: 300,
      width: w,
      height: h,
    });
    const [small] = await all(bytes, 'bw.pdf', { targetDpi: 150 });
    expect(small).toMatchObject({
      source: 'pdf image (flate, 1-bit)',
      bilevel: true,
      dpi: 150,
      scanDpi: 300,
      shrink: 2,
      width: Math.floor(w / 2),
    });
    await expectReadable(small);
  });
});

describe('damaged and hostile files', () => {
  it('names an empty file', async () => {
    expect(await all(new Uint8Array(0), 'empty.jpg')).toEqual([
      { page: null, reason: 'empty.jpg is empty (0 bytes); scan it again or check the copy' },
    ]);
  });

  it('names a file of an unknown format', async () => {
    const [f] = await all(new TextEncoder().encode('hello, this is text'), 'notes.txt');
    expect(f).toEqual({
      page: null,
      reason:
        'notes.txt is not a JPEG, PNG, TIFF or PDF file (its first bytes are 68 65 6c 6c 6f 2c 20 74); scan to one of those formats',
    });
  });

  it('says a truncated JPEG is truncated', async () => {
    const [f] = await all(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'cut.jpg');
    expect(isPageFailure(f!)).toBe(true);
    expect((f as PageFailure).reason).toMatch(
      /^cut\.jpg(, page 1)?: the JPEG file is truncated \(it ends before the image does\); copy or scan it again$/,
    );
  });

  it('refuses a decompression bomb without decoding it', async () => {
    const bomb = pngWithSize(100_000, 100_000);
    const [f] = await all(bomb, 'bomb.png');
    expect(f).toEqual({
      page: null,
      reason:
        'bomb.png: the PNG image is larger than the pixel limit (a decompression bomb or an absurd resolution); it was not decoded. Rescan at 600 dpi or less',
    });
  });

  it('reports a bad page of a PDF and still reads the others', async () => {
    const doc = await PDFDocument.create();
    const good = await doc.embedJpg(jpeg);
    // A JPEG whose header is whole but whose data stops short.
    const broken = await doc.embedJpg(jpeg.subarray(0, 2000));
    for (const img of [good, broken, good])
      doc.addPage([595.28, 841.89]).drawImage(img, { x: 0, y: 0, width: 595.28, height: 841.89 });
    const pages = await all(await doc.save(), 'batch.pdf');
    expect(pages.map((p) => (isPageFailure(p) ? `failed ${p.page}` : `page ${p.page}`))).toEqual([
      'page 1',
      'failed 2',
      'page 3',
    ]);
    expect((pages[1] as PageFailure).reason).toBe(
      'batch.pdf, page 2: its page image: the image is truncated (it ends before the image does); copy or scan it again',
    );
  });

  it('says a truncated PDF is damaged', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([595.28, 841.89]).drawImage(await doc.embedJpg(jpeg), { x: 0, y: 0, width: 595.28, height: 841.89 });
    const bytes = await doc.save();
    const pages = await all(bytes.subarray(0, 300), 'cut.pdf');
    expect(pages).toEqual([
      { page: null, reason: 'cut.pdf: the PDF has no readable pages (damaged or truncated); export or scan it again' },
    ]);
  });

  it.skipIf(lacks('qpdf'))('says a password-protected PDF needs its password (qpdf)', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([595.28, 841.89]).drawImage(await doc.embedJpg(jpeg), { x: 0, y: 0, width: 595.28, height: 841.89 });
    const plain = join(dir, 'plain.pdf');
    const locked = join(dir, 'locked.pdf');
    writeFileSync(plain, await doc.save());
    execFileSync('qpdf', ['--encrypt', 'secret', 'owner', '256', '--', plain, locked]);
    const pages = await all(readFileSync(locked), 'locked.pdf');
    expect(pages).toEqual([
      {
        page: null,
        reason: 'locked.pdf: the PDF is encrypted with a password; save an unprotected copy and ingest that',
      },
    ]);
  });
});

/** A PNG whose header claims `w` × `h` pixels, with a little image data: a bomb's shape. */
function pngWithSize(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + w / 8))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
