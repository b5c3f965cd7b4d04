/**
 * The firm's logo (`sender.logo` in the workspace's huifang.json) prints at the top left of
 * every letter's first page, from the one place the letter's geometry lives (LETTER.logo),
 * and nowhere on the record form; a logo that is not an image is refused, the key named.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { LETTER } from '../src/layout/letter.ts';
import { needTools } from './tools.ts';
import { SAMPLE_FIRM, SAMPLE_STAFF } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const DPI = 100;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  return { code: await main(argv, io), out, err };
}

/** A workspace of the sample firm whose settings name `logo` (a file written beside them). */
async function firmWithLogo(logo: Buffer, name = 'logo.png'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'huifang-logo-'));
  const ws = join(dir, 'ws');
  expect((await run(['init', ws, '--config', SAMPLE_FIRM])).code).toBe(0);
  writeFileSync(join(ws, name), logo);
  const config = JSON.parse(readFileSync(join(ws, 'huifang.json'), 'utf8'));
  config.sender.logo = name;
  writeFileSync(join(ws, 'huifang.json'), JSON.stringify(config, null, 2));
  return ws;
}

/** The RGB colour of page `page` of `pdf` at (x, y) mm, rasterised by pdftoppm. */
async function colourAt(pdf: string, page: number, x: number, y: number): Promise<[number, number, number]> {
  const png = execFileSync('pdftoppm', ['-r', String(DPI), '-f', String(page), '-l', String(page), '-png', pdf]);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (Math.round((y / 25.4) * DPI) * info.width + Math.round((x / 25.4) * DPI)) * 3;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}

describe("the firm's logo on the letterhead", () => {
  it("prints in the logo box of a letter's first page, and not on the record form", async (ctx) => {
    needTools(ctx, 'pdftoppm');
    // A red logo four times as wide as high: it fills the box's height and starts at its left.
    const logo = await sharp({ create: { width: 800, height: 200, channels: 3, background: '#d01010' } })
      .png()
      .toBuffer();
    const ws = await firmWithLogo(logo);
    expect((await run(['staff', 'import', SAMPLE_STAFF, '--workspace', ws])).code).toBe(0);
    const out = join(ws, '..', 'out');
    const letters = await run([
      'letters',
      join(SAMPLES, 'customers.csv'),
      '--workspace',
      ws,
      '--out',
      out,
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--json',
    ]);
    expect(letters.code, letters.err).toBe(0);
    const pdf: string = JSON.parse(letters.out).visits[0].pdf;
    const inside = await colourAt(pdf, 1, LETTER.logo.x + 30, LETTER.logo.y + 8);
    expect(inside[0]).toBeGreaterThan(150);
    expect(inside[1]).toBeLessThan(80);
    // Past the box's right edge, nothing: the logo was scaled to fit (60 × 15 mm at 4:1).
    expect(await colourAt(pdf, 1, LETTER.logo.x + LETTER.logo.width + 2, LETTER.logo.y + 8)).toEqual([255, 255, 255]);
    // The record form (the letter's last A4 page) carries no logo.
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    expect(await colourAt(pdf, pages - 1, LETTER.logo.x + 30, LETTER.logo.y + 8)).toEqual([255, 255, 255]);
  }, 120_000);

  it('refuses a logo that is not an image, naming sender.logo, before anything is printed', async () => {
    const ws = await firmWithLogo(Buffer.from('not a picture'), 'logo.png');
    const r = await run(['validate', '--workspace', ws]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('sender.logo');
    expect(r.err).toContain('neither a PNG nor a JPEG');
  });
});
