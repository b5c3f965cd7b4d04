/**
 * Postal receipts (挂号信/EMS 收据) carry their tracking number as a Code 128 barcode. This
 * finds Code 128 symbols on a page that carries no huifang QR code, with ZXing-C++ (the same
 * decoder as the QR codes), and keeps those whose text is a valid UPU S10 number.
 */
import { readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import { parseTrackingNumber } from '../domain/tracking.ts';
import { greyToRgba, type GreyImage } from './grey.ts';
import { loadQrDecoder } from './qr.ts';

const OPTIONS: ReaderOptions = {
  formats: ['Code128'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: false,
  tryDownscale: false,
  maxNumberOfSymbols: 4,
};

/** A barcode's text, and whether it is a tracking number (S10, check digit holding). */
export interface FoundBarcode {
  text: string;
  trackingNumber: string | null;
  /** Why it is not a tracking number, when it is not. */
  problem?: string;
}

/** The page's Code 128 barcodes (a receipt usually has one). Never throws for a bad page. */
export async function findBarcodes(img: GreyImage): Promise<FoundBarcode[]> {
  await loadQrDecoder();
  let results;
  try {
    results = await readBarcodes({ data: greyToRgba(img), width: img.width, height: img.height } as ImageData, OPTIONS);
  } catch {
    return [];
  }
  const found: FoundBarcode[] = [];
  for (const r of results) {
    if (!r.isValid || found.some((f) => f.text === r.text)) continue;
    const t = parseTrackingNumber(r.text);
    found.push(
      t.ok
        ? { text: r.text, trackingNumber: t.trackingNumber }
        : { text: r.text, trackingNumber: null, problem: t.reason },
    );
  }
  return found;
}
