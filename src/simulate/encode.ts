/**
 * Writes degraded page images as scanners do: JPEG, PNG, TIFF (JPEG, LZW or CCITT G4
 * compressed; multi-page for batches) and image-only PDFs with one image a page at the
 * page size its resolution gives. Encoder options are fixed, so equal pixels give equal bytes.
 */
import {
  PDFDocument,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
} from '@cantoo/pdf-lib';
import { deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import type { RawImage } from './degrade.ts';
import { joinTiffPages } from './tiff.ts';

/** How a page image is compressed inside its file. */
export type Compression = 'jpeg' | 'png' | 'lzw' | 'ccitt-g4' | 'flate';

export interface EncodedPage {
  image: RawImage;
  dpi: number;
  compression: Compression;
  /** JPEG quality, for `jpeg` compression. */
  quality: number | null;
}

/** Throws when a page's pixel buffer is not exactly width × height × channels bytes (what the encoders would silently mislabel). */
function checkImage(img: RawImage): void {
  const want = img.width * img.height * img.channels;
  if (img.data.length !== want) {
    throw new Error(
      `page image of ${img.width}×${img.height} pixels, ${img.channels} channel(s) holds ${img.data.length} bytes instead of ${want}: the simulator produced a malformed page`,
    );
  }
}

function input(img: RawImage): Sharp {
  checkImage(img);
  const s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  return img.channels === 1 ? s.toColourspace('b-w') : s;
}

export async function encodeJpeg(img: RawImage, dpi: number, quality: number): Promise<Uint8Array> {
  return input(img)
    .withDensity(dpi)
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false, optimiseCoding: true })
    .toBuffer();
}

export async function encodePng(img: RawImage, dpi: number): Promise<Uint8Array> {
  return input(img).withDensity(dpi).png({ compressionLevel: 6, adaptiveFiltering: false, palette: false }).toBuffer();
}

/** A single-page TIFF; black-and-white pages use CCITT G4, others JPEG or LZW. */
export async function encodeTiff(page: EncodedPage): Promise<Uint8Array> {
  const res = { xres: page.dpi / 25.4, yres: page.dpi / 25.4, resolutionUnit: 'inch' as const };
  const s = input(page.image);
  switch (page.compression) {
    case 'ccitt-g4':
      return s.tiff({ compression: 'ccittfax4', bitdepth: 1, predictor: 'none', ...res }).toBuffer();
    case 'jpeg':
      return s.tiff({ compression: 'jpeg', quality: page.quality ?? 80, ...res }).toBuffer();
    default:
      return s.tiff({ compression: 'lzw', predictor: 'horizontal', ...res }).toBuffer();
  }
}

export async function encodeMultiPageTiff(pages: readonly EncodedPage[]): Promise<Uint8Array> {
  const singles: Uint8Array[] = [];
  for (const p of pages) singles.push(await encodeTiff(p));
  return joinTiffPages(singles);
}

/**
 * An image-only PDF, as a scanner writes one: each page exactly the size of its image at
 * its resolution; colour and grey pages as JPEG (DCTDecode), black-and-white pages as
 * 1-bit Flate images.
 */
export async function encodeImagePdf(pages: readonly EncodedPage[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setProducer('huifang simulate (scanner)');
  for (const p of pages) {
    checkImage(p.image);
    const w = (p.image.width * 72) / p.dpi;
    const h = (p.image.height * 72) / p.dpi;
    const page = doc.addPage([w, h]);
    if (p.compression === 'jpeg') {
      const jpg = await doc.embedJpg(await encodeJpeg(p.image, p.dpi, p.quality ?? 80));
      page.drawImage(jpg, { x: 0, y: 0, width: w, height: h });
    } else {
      const bw = isBlackAndWhite(p.image);
      const bytes = bw ? pack1Bit(p.image) : p.image.data;
      // Node's zlib (native) rather than pdf-lib's JavaScript deflate: same bytes every run, far faster.
      const stream = doc.context.stream(deflateSync(bytes, { level: 6 }), {
        Filter: 'FlateDecode',
        Type: 'XObject',
        Subtype: 'Image',
        Width: p.image.width,
        Height: p.image.height,
        // The colour space follows the bytes written: 1-bit and grey data are DeviceGray, 3-channel data DeviceRGB.
        ColorSpace: p.image.channels === 1 ? 'DeviceGray' : 'DeviceRGB',
        BitsPerComponent: bw ? 1 : 8,
      });
      const ref = doc.context.register(stream);
      const name = page.node.newXObject('Scan', ref);
      page.pushOperators(
        pushGraphicsState(),
        concatTransformationMatrix(w, 0, 0, h, 0, 0),
        drawObject(name),
        popGraphicsState(),
      );
    }
  }
  return doc.save({ useObjectStreams: false });
}

function isBlackAndWhite(img: RawImage): boolean {
  if (img.channels !== 1) return false;
  const d = img.data;
  for (let i = 0; i < d.length; i += 97) if (d[i] !== 0 && d[i] !== 255) return false;
  return true;
}

/** Packs a 0/255 grey image into 1 bit a pixel, rows padded to bytes (1 = white). */
function pack1Bit(img: RawImage): Uint8Array {
  const rowBytes = (img.width + 7) >> 3;
  const out = new Uint8Array(rowBytes * img.height);
  for (let y = 0; y < img.height; y++) {
    const src = y * img.width;
    const dst = y * rowBytes;
    for (let x = 0; x < img.width; x++) if (img.data[src + x]! >= 128) out[dst + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  return out;
}
