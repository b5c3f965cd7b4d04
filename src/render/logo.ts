/**
 * The firm's logo on the letterhead: read once a run from the workspace's `sender.logo`
 * (PNG or JPEG), flattened onto white paper, scaled to the resolution it prints at, and kept
 * as compressed RGB samples that every letter of the run shares (written once a file).
 */
import sharp from 'sharp';
import { InputError } from '../domain/messages.ts';
import { LETTER } from '../layout/letter.ts';
import type { Rect } from '../layout/page.ts';
import { deflate } from './pdf-writer.ts';

/** A logo ready for the PDF: 8-bit RGB samples, deflated; plain data, safe to send to another thread. */
export interface LogoImage {
  /** Pixels across and down. */
  width: number;
  height: number;
  /** The samples, row by row, FlateDecode-compressed. */
  data: Uint8Array;
}

/** Printing resolution of the logo: 300 dpi over the logo box is plenty for a letterhead. */
const DOTS_PER_MM = 300 / 25.4;

/** Reads and prepares the logo at `path` (already checked to be a PNG or JPEG file). @throws InputError */
export async function loadLogo(path: string): Promise<LogoImage> {
  try {
    const { data, info } = await sharp(path, { limitInputPixels: 50_000_000 })
      .flatten({ background: '#ffffff' })
      .resize({
        width: Math.round(LETTER.logo.width * DOTS_PER_MM),
        height: Math.round(LETTER.logo.height * DOTS_PER_MM),
        fit: 'inside',
        withoutEnlargement: true,
      })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: deflate(data) };
  } catch (e) {
    throw new InputError(
      `The logo ${path} (sender.logo in the workspace's huifang.json) cannot be read as an image: ${(e as Error).message}. Give a PNG or JPEG file.`,
    );
  }
}

/** Where the logo prints: as large as fits in the logo box at its own aspect, at the box's left, centred up and down. */
export function logoPlacement(logo: Pick<LogoImage, 'width' | 'height'>, box: Rect = LETTER.logo): Rect {
  const scale = Math.min(box.width / logo.width, box.height / logo.height);
  const width = logo.width * scale;
  const height = logo.height * scale;
  return { x: box.x, y: box.y + (box.height - height) / 2, width, height };
}
