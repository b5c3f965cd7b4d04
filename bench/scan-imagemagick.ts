/**
 * Pages degraded by a tool outside the project: the clean filled forms of a `huifang
 * simulate --clean` run, turned into black-and-white scans by ImageMagick the way office
 * scanners, fax machines and photocopiers make them (thresholded or dithered, 150/200 dpi,
 * CCITT G4 TIFF, impulse speckles, a slight rotation, a photocopy's blur and grain), each
 * written with the page's ground truth so that `runScanAccuracy({ returns })` scores them.
 *
 *     node --import tsx bench/scan-imagemagick.ts --clean-from SIMDIR --out DIR [--limit N] [--set bilevel|codeless|photo|all]
 *
 * Needs ImageMagick's `convert` (`imageMagickVersion()` says whether it is there).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FileTruth, PageTruth } from '../src/simulate/truth.ts';

/** One way of making a black-and-white page, as ImageMagick arguments between input and output. */
export interface BilevelRecipe {
  name: string;
  dpi: number;
  args: string[];
  /** Output format (default a TIFF) and colour (default black and white). */
  ext?: 'tif' | 'jpg';
  colour?: 'bw' | 'grey' | 'colour';
}

const resample = (dpi: number): string[] => [
  '-units',
  'PixelsPerInch',
  '-resample',
  String(dpi),
  '-colorspace',
  'Gray',
];
const g4 = ['-compress', 'Group4'];
const turn = (deg: number): string[] => ['-background', 'white', '-rotate', String(deg), '+repage'];
/** Both QR codes torn off or covered (white over each code and its quiet zone; the caption under the top-right one stays). */
const coverCodes = (dpi: number): string[] => {
  const px = (mm: number): number => Math.round((mm * dpi) / 25.4);
  const box = (x: number, y: number, w: number, h: number): string =>
    `rectangle ${px(x)},${px(y)} ${px(x + w)},${px(y + h)}`;
  return ['-fill', 'white', '-draw', box(167, 7, 26, 23.3), '-draw', box(17, 264, 26, 26), '-alpha', 'off'];
};

/** The recipes: what office scanners (G4 at 150 dpi), faxes (200 dpi, speckled) and photocopiers make. */
export const BILEVEL_RECIPES: readonly BilevelRecipe[] = [
  { name: 'g4-150-threshold', dpi: 150, args: [...resample(150), '-threshold', '55%', ...g4] },
  { name: 'g4-150-monochrome', dpi: 150, args: [...resample(150), '-monochrome', ...g4] },
  { name: 'g4-150-rotated', dpi: 150, args: [...turn(1.4), ...resample(150), '-threshold', '50%', ...g4] },
  { name: 'g4-200-threshold', dpi: 200, args: [...resample(200), '-threshold', '50%', ...g4] },
  {
    name: 'fax-200-speckled',
    dpi: 200,
    args: [...resample(200), '-threshold', '50%', '+noise', 'Impulse', '-threshold', '50%', ...g4],
  },
  {
    name: 'fax-200-speckled-rotated',
    dpi: 200,
    args: [...turn(-0.9), ...resample(200), '-monochrome', '+noise', 'Impulse', '-monochrome', ...g4],
  },
  {
    name: 'fax-150-speckled',
    dpi: 150,
    args: [...resample(150), '-threshold', '50%', '-attenuate', '0.6', '+noise', 'Impulse', '-threshold', '50%', ...g4],
  },
  {
    name: 'photocopy-150',
    dpi: 150,
    args: [...resample(150), '-blur', '0x0.7', '-attenuate', '0.5', '+noise', 'Gaussian', '-threshold', '45%', ...g4],
  },
];

/**
 * A phone photograph of the form (12 MP, 3000 × 4000): the page on a dark table, seen in
 * perspective, lit unevenly (darker towards one corner), out of focus, JPEG, 72 dpi in its
 * metadata as phones write it.
 */
const phone = (corners: string, quality: number): string[] => [
  '-resize',
  '2481x3508!',
  '-bordercolor',
  '#5a5046',
  '-border',
  '400x300',
  '-virtual-pixel',
  'background',
  '-background',
  '#5a5046',
  '-distort',
  'Perspective',
  corners,
  '(',
  '+clone',
  '-sparse-color',
  'Barycentric',
  '0,0 gray(100%) %[w],%[h] gray(62%)',
  ')',
  '-compose',
  'Multiply',
  '-composite',
  '-blur',
  '0x1.3',
  '-resize',
  '3000x4000!',
  '-quality',
  String(quality),
  '-units',
  'PixelsPerInch',
  '-density',
  '72',
];

/** Phone photographs of the form. */
export const PHOTO_RECIPES: readonly BilevelRecipe[] = [
  {
    name: 'phone-12mp',
    dpi: 272,
    ext: 'jpg',
    colour: 'colour',
    args: phone('0,0 120,60  3281,0 3150,180  3281,4108 3220,3990  0,4108 40,4060', 85),
  },
  {
    name: 'phone-12mp-tilted',
    dpi: 272,
    ext: 'jpg',
    colour: 'colour',
    args: phone('0,0 260,20  3281,0 3060,260  3281,4108 3281,3900  0,4108 0,4108', 78),
  },
];

/** Pages whose QR codes are gone: only the printed visit id can identify them. */
export const CODELESS_RECIPES: readonly BilevelRecipe[] = [
  {
    name: 'codes-covered-200-grey',
    dpi: 200,
    ext: 'jpg',
    colour: 'grey',
    args: [...resample(200), ...coverCodes(200), '-quality', '75'],
  },
  {
    name: 'codes-covered-300-upside-down',
    dpi: 300,
    ext: 'jpg',
    colour: 'grey',
    args: [...resample(300), ...coverCodes(300), '-rotate', '180', '-quality', '80'],
  },
  {
    name: 'codes-covered-fax-200',
    dpi: 200,
    args: [
      ...resample(200),
      ...coverCodes(200),
      '-threshold',
      '50%',
      '-attenuate',
      '0.5',
      '+noise',
      'Impulse',
      '-threshold',
      '50%',
      ...g4,
    ],
  },
];

/** ImageMagick's version line, or null when `convert` is missing or is not ImageMagick. */
export function imageMagickVersion(): string | null {
  try {
    const out = execFileSync('convert', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /ImageMagick/.test(out) ? out.split('\n')[0]!.trim() : null;
  } catch {
    return null;
  }
}

/** Writes one page through a recipe (input any image ImageMagick reads, output a TIFF). */
export function degradeWithImageMagick(input: string, output: string, recipe: BilevelRecipe): void {
  execFileSync('convert', [input, ...recipe.args, output], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Makes DIR/scans/<page>.<recipe>.tif with its truth for every form page of a simulate run
 * that kept its clean pages, through every recipe (or the first `limit` pages). Returns the
 * number of files written.
 */
export function makeImageMagickReturns(
  simDir: string,
  out: string,
  opts: { limit?: number; recipes?: readonly BilevelRecipe[] } = {},
): number {
  const scans = join(out, 'scans');
  mkdirSync(scans, { recursive: true });
  const pages: PageTruth[] = [];
  for (const sub of ['scans', 'batches']) {
    if (!existsSync(join(simDir, sub))) continue;
    for (const name of readdirSync(join(simDir, sub)).sort()) {
      if (!name.endsWith('.truth.json')) continue;
      const t = JSON.parse(readFileSync(join(simDir, sub, name), 'utf8')) as FileTruth;
      for (const p of t.pages) if (p.kind === 'form' && p.hasQr && p.clean && !p.hard) pages.push(p);
    }
  }
  let written = 0;
  for (const p of pages.slice(0, opts.limit ?? pages.length)) {
    for (const recipe of opts.recipes ?? BILEVEL_RECIPES) {
      const ext = recipe.ext ?? 'tif';
      const file = `scans/${basename(p.clean!, '.png')}.${recipe.name}.${ext}`;
      degradeWithImageMagick(join(simDir, p.clean!), join(out, file), recipe);
      const page: PageTruth = {
        ...p,
        page: 1,
        sealRed: recipe.colour === 'colour' && p.seal ? p.sealInk === 'red' : null,
        expectReview: [
          ...new Set([
            ...p.expectReview.filter((r) => r !== 'grey-seal-required'),
            ...(p.seal && recipe.colour !== 'colour' ? (['grey-seal-required'] as const) : []),
          ]),
        ],
        degradation: {
          ...p.degradation,
          dpi: recipe.dpi,
          colour: recipe.colour ?? 'bw',
          format: ext === 'jpg' ? 'jpeg' : 'tiff',
          compression: ext === 'jpg' ? 'jpeg' : 'ccitt-g4',
          skewDeg: 0,
          rotated180: recipe.name.includes('upside-down'),
          photographed: recipe.name.startsWith('phone'),
        },
      };
      const truth: FileTruth = {
        truthVersion: 1,
        file,
        format: ext === 'jpg' ? 'jpeg' : 'tiff',
        kind: 'single',
        pageCount: 1,
        visitIds: [p.visitId!],
        pages: [page],
      } as FileTruth;
      writeFileSync(join(out, `${file}.truth.json`), JSON.stringify(truth, null, 2));
      written++;
    }
  }
  return written;
}

/**
 * The `scan` bench's ImageMagick part: every recipe applied to the first `limit` clean form
 * pages of each simulate run under `work` (`returns-*`), read back and scored by recipe. One
 * line saying so when ImageMagick is missing.
 */
export async function imageMagickBench(work: string, limit: number, log: (l: string) => void): Promise<string[]> {
  const version = imageMagickVersion();
  if (!version)
    return ['scan, ImageMagick sets: skipped — ImageMagick `convert` is not installed (apt-get install imagemagick)'];
  const out = join(work, 'imagemagick');
  const recipes = [...BILEVEL_RECIPES, ...CODELESS_RECIPES, ...PHOTO_RECIPES];
  let files = 0;
  for (const run of readdirSync(work)
    .filter((n) => n.startsWith('returns-') && !n.endsWith('phone'))
    .sort())
    files += makeImageMagickReturns(join(work, run), join(out, run), { limit, recipes });
  log(`${files} pages made by ${version} from ${limit} clean forms a run …`);
  const { runScanAccuracy, caseTable, recipeOf } = await import('./scan-accuracy.ts');
  const folders = readdirSync(out).map((n) => join(out, n));
  const r = await runScanAccuracy({ returns: folders, noThroughput: true, caseOf: (file) => recipeOf(file) });
  const wrongTicks = Object.values(r.byCase).reduce((s, c) => s + c.ticks.wrong, 0);
  return [
    `scan, ImageMagick sets (${version}): ${r.pages} pages, ${r.misidentified} identified wrong, ${wrongTicks} ticks decided wrong, ${(100 * r.reviewShare).toFixed(1)} % of form pages sent to review`,
    ...caseTable(r.byCase).map((l) => `  ${l}`),
    ...r.mistakes.slice(0, 20).map((m) => `  ${m}`),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  if (!imageMagickVersion()) throw new Error('ImageMagick convert is not installed (apt-get install imagemagick)');
  const set = arg('--set') ?? 'bilevel';
  const recipes =
    set === 'codeless'
      ? CODELESS_RECIPES
      : set === 'photo'
        ? PHOTO_RECIPES
        : set === 'all'
          ? [...BILEVEL_RECIPES, ...CODELESS_RECIPES, ...PHOTO_RECIPES]
          : BILEVEL_RECIPES;
  const n = makeImageMagickReturns(arg('--clean-from')!, arg('--out')!, {
    limit: arg('--limit') ? Number(arg('--limit')) : undefined,
    recipes,
  });
  console.log(`${n} pages written to ${arg('--out')}`);
}
