/**
 * `simulateReturns`: turns the PDFs that `huifang letters` / `huifang forms` wrote into
 * what comes back from customers — filled, signed, stamped record forms, scanned or
 * photocopied or photographed, single or in batches with envelopes and postal receipts,
 * plus e-mail replies — each file with its ground truth beside it.
 *
 *     const result = await simulateReturns({ lettersDir: 'out/letters', out: 'out/returns', seed: 7 });
 *     // result.files[0].path → /abs/out/returns/scans/0001-HF-7K3M9-Q2T4X.jpg (+ .truth.json)
 *
 * The same seed and inputs give byte-identical outputs.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import type { Answer } from '../domain/questions.ts';
import { invalidParameter, UsageError, type Message } from '../domain/messages.ts';
import { formLayoutById, type FormLayout } from '../layout/form.ts';
import { encodePagePayload, decodePagePayload } from '../layout/qr-payload.ts';
import { A4, QR_CODES, mmToPx, type Rect } from '../layout/page.ts';
import { ENVELOPE_LAYOUT_ID, ENVELOPE_QR_CODES } from '../layout/envelope.ts';
import { makeTrackingNumber } from '../domain/tracking.ts';
import { rasterizePdf } from '../formats/rasterize.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import type { DocumentKind } from '../domain/visit.ts';
import { damagePage } from './damage.ts';
import { PHONE_RENDER_DPI, planPhoneShot } from './phone.ts';
import {
  degradePage,
  geometryOf,
  planDegradation,
  type Colour,
  type Degradation,
  type RawImage,
  type ScanSettings,
} from './degrade.ts';
import {
  encodeImagePdf,
  encodeJpeg,
  encodeMultiPageTiff,
  encodePng,
  encodeTiff,
  type Compression,
  type EncodedPage,
} from './encode.ts';
import { buildEmail, EMAIL_VARIANTS, type EmailVariant } from './email.ts';
import { drawExtraPages, envelopeOnBed, type ExtraPageRequest, type Sender } from './extras.ts';
import { code128Modules } from './barcode.ts';
import { fillOverlay, planFill, type FormFill } from './fill.ts';
import { Random } from './random.ts';
import { findVisits, type SourceVisit } from './sources.ts';
import {
  TRUTH_VERSION,
  type EmailTruth,
  type FileFormat,
  type FileTruth,
  type PageKind,
  type PageTruth,
  type TruthIndex,
} from './truth.ts';

export interface SimulateOptions {
  /** The folder `huifang letters` or `huifang forms` wrote (per-visit PDFs, files.csv). */
  lettersDir: string;
  /** Where the returned scans, e-mails and truth files go; created if missing. */
  out: string;
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** How many visits' forms come back (default: every visit found once). Above the number of visits, visits come back more than once, each copy filled afresh. */
  count?: number;
  /** Scan resolutions to choose from, 150–600 (default 150, 200, 300, 400, 600). */
  dpi?: number[];
  /** Extra e-mail replies for visits of other channels, for demos (default 0; e-mail visits always reply). */
  emails?: number;
  /** Also write each filled page before degradation as PNG under `clean/` (for checking the truth). */
  clean?: boolean;
  /**
   * Share of the single forms that come back as phone photos, 0–1 (default: about 1 in 16,
   * the first six files of a run excepted; given, it applies to every single file).
   */
  photos?: number;
  /** The sender block (company) for envelopes and receipts; default the sample firm's (`samples/firm.json`). */
  sender?: Sender;
  onProgress?: (done: number, total: number) => void;
}

export interface SimulatedFile {
  /** Absolute path of the scan file. */
  path: string;
  /** Absolute path of its truth file. */
  truth: string;
  format: FileFormat;
  kind: 'single' | 'batch';
  pageCount: number;
  visitIds: string[];
}

export interface SimulatedEmail {
  path: string;
  truth: string;
  visitId: string;
  variant: string;
}

export interface SimulationResult {
  /** Absolute output folder. */
  out: string;
  /** Absolute path of the run's `truth.json` index. */
  truthIndex: string;
  /** Absolute path of `mailing.csv`: each letter's tracking number, as the post office lists them. */
  mailingList: string;
  files: SimulatedFile[];
  emails: SimulatedEmail[];
  pageCount: number;
  /** Visits found in the letters folder. */
  visitsFound: number;
  /** PDFs skipped and why. */
  messages: Message[];
}

export const DEFAULT_DPIS: readonly number[] = [150, 200, 300, 400, 600];
/** Office scanners mostly run at 200–300 dpi; 400 and 600 are rarer. */
const DPI_WEIGHTS: Record<number, number> = { 150: 2, 200: 3, 300: 4, 400: 1, 600: 1 };
const DEFAULT_DATE = '2026-03-02';
const TRUTH_SUFFIX = '.truth.json';
/** The mailing list a run writes beside its scans. */
export const MAILING_LIST = 'mailing.csv';

/** Generates returned scans and e-mails with ground truth. See docs/simulate.md. */
export async function simulateReturns(options: SimulateOptions): Promise<SimulationResult> {
  const { seed, dpis } = checkOptions(options);
  const lettersDir = resolve(options.lettersDir);
  const out = resolve(options.out);
  if (out === lettersDir || out.startsWith(lettersDir + sep)) {
    throw new UsageError(
      `The output folder ${out} is inside the letters folder ${lettersDir}; choose an --out folder outside it, so that scans are never read back as letters.`,
    );
  }
  const found = await findVisits(lettersDir);
  const plan = planReturns(found.visits, seed, options.count, options.emails ?? 0);
  const previous = readPreviousIndex(out);
  const ctx: RunContext = {
    seed,
    dpis,
    out,
    lettersDir,
    sender: options.sender ?? defaultSender(),
    clean: options.clean ?? false,
    photos: options.photos ?? null,
    rasters: new RasterCache(),
    payloads: new Map(),
  };
  const total = plan.files.length + plan.emails.length;
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);
  const truths: FileTruth[] = [];
  for (const [i, spec] of plan.files.entries()) {
    truths.push(await simulateFile(ctx, spec, i));
    progress();
  }
  const emailTruths: EmailTruth[] = [];
  for (const [i, visit] of plan.emails.entries()) {
    emailTruths.push(await simulateEmail(ctx, visit, i));
    progress();
  }
  const index = buildIndex(seed, options.lettersDir, truths, emailTruths);
  removeStaleOutputs(out, previous, index);
  const truthIndex = join(out, 'truth.json');
  await writeFileAtomic(truthIndex, JSON.stringify(index, null, 2) + '\n');
  const mailingList = await writeMailingList(out, seed, found.visits);
  return {
    out,
    truthIndex,
    mailingList,
    files: truths.map((t) => simulatedFile(out, t)),
    emails: emailTruths.map((t) => ({
      path: join(out, t.file),
      truth: join(out, t.file + TRUTH_SUFFIX),
      visitId: t.visitId,
      variant: t.variant,
    })),
    pageCount: index.pageCount,
    visitsFound: found.visits.length,
    messages: found.messages,
  };
}

/** Checks the options a user gives (in their words: `--seed`, `--dpi` …); returns the seed and resolutions. */
function checkOptions(options: SimulateOptions): { seed: number; dpis: number[] } {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw invalidParameter('--seed', 'an integer from 0 to 4294967295', options.seed);
  const dpis = options.dpi ?? [...DEFAULT_DPIS];
  if (dpis.length === 0 || dpis.some((d) => !Number.isInteger(d) || d < 150 || d > 600))
    throw invalidParameter('--dpi', 'resolutions from 150 to 600 dpi, e.g. 200,300', options.dpi);
  if (options.count !== undefined && (!Number.isInteger(options.count) || options.count < 0))
    throw invalidParameter('--count', 'a whole number of visits', options.count);
  if (options.emails !== undefined && (!Number.isInteger(options.emails) || options.emails < 0))
    throw invalidParameter('--emails', 'a whole number of e-mails', options.emails);
  if (options.photos !== undefined && !(options.photos >= 0 && options.photos <= 1))
    throw invalidParameter('--photos', 'a share from 0 to 1, e.g. 0.25', options.photos);
  return { seed, dpis };
}

function simulatedFile(out: string, truth: FileTruth): SimulatedFile {
  return {
    path: join(out, truth.file),
    truth: join(out, truth.file + TRUTH_SUFFIX),
    format: truth.format,
    kind: truth.kind,
    pageCount: truth.pageCount,
    visitIds: truth.visitIds,
  };
}

/** The post office's bulk-mailing list of the letters (for `huifang mailing import`); returns its path. */
async function writeMailingList(out: string, seed: number, visits: SourceVisit[]): Promise<string> {
  const mailingList = join(out, MAILING_LIST);
  const mailed = visits
    .filter((v) => v.channel === 'letter')
    .map((v) => `${v.visitId},${trackingNumberOf(seed, v.visitId)}`);
  await writeFileAtomic(mailingList, ['回访编号,邮件号码', ...mailed].join('\n') + '\n');
  return mailingList;
}

// ---------------------------------------------------------------------------------------
// Planning: which visits come back, how, and in which files

interface PageSpec {
  kind: PageKind;
  visit: SourceVisit;
}

interface FileSpec {
  kind: 'single' | 'batch';
  pages: PageSpec[];
}

interface ReturnPlan {
  files: FileSpec[];
  emails: SourceVisit[];
}

const PAPER_CHANNELS = new Set(['letter', 'face-to-face']);

function planReturns(visits: SourceVisit[], seed: number, count: number | undefined, extraEmails: number): ReturnPlan {
  const rng = Random.derive(seed, 'plan');
  const paper = visits.filter((v) => PAPER_CHANNELS.has(v.channel));
  const emailVisits = visits.filter((v) => v.channel === 'email');
  const wanted = count ?? paper.length;
  const returned: SourceVisit[] = [];
  while (returned.length < wanted && paper.length > 0) {
    const round = shuffle(paper, rng);
    returned.push(...round.slice(0, wanted - returned.length));
  }
  const files: FileSpec[] = [];
  let i = 0;
  while (i < returned.length) {
    const remaining = returned.length - i;
    // The first four files are singles and the next two batches, so that even a small run
    // holds every format (see chooseSettings); after that, chance decides.
    const singlesFirst = files.length < 4 && remaining > 3;
    const batchNext = files.length >= 4 && files.length < 6;
    if (!singlesFirst && remaining >= 3 && (batchNext || rng.chance(0.45))) {
      const size = Math.min(remaining, batchNext ? 3 : rng.int(3, 6));
      const pages: PageSpec[] = [];
      for (const visit of returned.slice(i, i + size)) {
        const letter = visit.channel === 'letter';
        if (letter && visit.letterPages.length && rng.chance(0.15)) pages.push({ kind: 'letter', visit });
        pages.push({ kind: 'form', visit });
        if (letter && rng.chance(0.7)) pages.push({ kind: 'envelope', visit });
        if (letter && rng.chance(0.4)) pages.push({ kind: 'postal-receipt', visit });
      }
      files.push({ kind: 'batch', pages });
      i += size;
    } else {
      files.push({ kind: 'single', pages: [{ kind: 'form', visit: returned[i]! }] });
      i += 1;
    }
  }
  const others = shuffle(
    visits.filter((v) => v.channel !== 'email'),
    rng,
  ).slice(0, extraEmails);
  return { files, emails: [...emailVisits, ...others] };
}

function shuffle<T>(items: readonly T[], rng: Random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

// ---------------------------------------------------------------------------------------
// One file

interface RunContext {
  seed: number;
  dpis: number[];
  out: string;
  lettersDir: string;
  sender: Sender;
  clean: boolean;
  /** Share of single forms photographed with a phone, or null for the default mix. */
  photos: number | null;
  rasters: RasterCache;
  /** QR payloads read from the rendered pages, by `pdf#page`. */
  payloads: Map<string, string | null>;
}

interface FileSettings extends ScanSettings {
  format: FileFormat;
  jpegQuality: number | null;
  /** TIFF compression of colour and grey pages. */
  tiffCompression: 'jpeg' | 'lzw';
}

/** Formats of the first files of a run, so that a small run covers them all: singles, then batches. */
const FIRST_SINGLES: readonly [FileFormat, Colour][] = [
  ['jpeg', 'colour'],
  ['png', 'grey'],
  ['tiff', 'bw'],
  ['pdf', 'colour'],
];
const FIRST_BATCHES: readonly [FileFormat, Colour][] = [
  ['tiff', 'bw'],
  ['pdf', 'grey'],
];

function chooseSettings(
  spec: FileSpec,
  dpis: number[],
  rng: Random,
  index: number,
  photos: number | null,
): FileSettings {
  const single = spec.kind === 'single';
  const photographed = photos !== null ? single && rng.chance(photos) : isDefaultPhoto(spec, index, rng);
  const first = photographed ? undefined : single ? FIRST_SINGLES[index] : FIRST_BATCHES[index - FIRST_SINGLES.length];
  const format: FileFormat = first
    ? first[0]
    : photographed
      ? 'jpeg'
      : spec.kind === 'batch'
        ? rng.pick(['tiff', 'pdf'] as const)
        : rng.weighted<FileFormat>([
            ['jpeg', 30],
            ['png', 15],
            ['tiff', 25],
            ['pdf', 30],
          ]);
  const colour: Colour = first
    ? first[1]
    : photographed
      ? 'colour'
      : format === 'jpeg'
        ? rng.weighted<Colour>([
            ['colour', 6],
            ['grey', 4],
          ])
        : format === 'tiff'
          ? rng.weighted<Colour>([
              ['colour', 3],
              ['grey', 3],
              ['bw', 5],
            ])
          : rng.weighted<Colour>([
              ['colour', 4],
              ['grey', 3],
              ['bw', 3],
            ]);
  // A phone photo is a 12 MP frame whatever the scanners' resolutions (see phone.ts).
  const dpi = photographed ? PHONE_RENDER_DPI : rng.weighted(dpis.map((d) => [d, DPI_WEIGHTS[d] ?? 2] as const));
  return {
    dpi,
    colour,
    photographed,
    format,
    jpegQuality: photographed ? rng.int(80, 93) : rng.chance(0.25) ? rng.int(30, 55) : rng.int(60, 95),
    tiffCompression: rng.chance(0.5) ? 'jpeg' : 'lzw',
  };
}

/** The default mix: about one single file in 16 after the first six is a phone photo. */
function isDefaultPhoto(spec: FileSpec, index: number, rng: Random): boolean {
  const first = spec.kind === 'single' ? FIRST_SINGLES[index] : FIRST_BATCHES[index - FIRST_SINGLES.length];
  return !first && spec.kind === 'single' && rng.chance(0.06);
}

function compressionOf(s: FileSettings): Compression {
  switch (s.format) {
    case 'jpeg':
      return 'jpeg';
    case 'png':
      return 'png';
    case 'tiff':
      return s.colour === 'bw' ? 'ccitt-g4' : s.tiffCompression;
    case 'pdf':
      return s.colour === 'bw' ? 'flate' : 'jpeg';
  }
}

const EXTENSIONS: Record<FileFormat, string> = { jpeg: 'jpg', png: 'png', tiff: 'tif', pdf: 'pdf' };

async function simulateFile(ctx: RunContext, spec: FileSpec, index: number): Promise<FileTruth> {
  const rng = Random.derive(ctx.seed, `file/${index}`);
  const settings = chooseSettings(spec, ctx.dpis, rng, index, ctx.photos);
  const compression = compressionOf(settings);
  const number = String(index + 1).padStart(4, '0');
  const name =
    spec.kind === 'single'
      ? `scans/${number}-${spec.pages[0]!.visit.visitId}.${EXTENSIONS[settings.format]}`
      : `batches/batch-${number}.${EXTENSIONS[settings.format]}`;
  const extras = await extraRasters(ctx, spec, settings.dpi, rng.fork('extras'));
  const encoded: EncodedPage[] = [];
  const pages: PageTruth[] = [];
  for (const [p, page] of spec.pages.entries()) {
    const prng = rng.fork(`page/${p}`);
    const made = await makePage(ctx, page, settings.dpi, extras.get(p), prng);
    const hard = page.kind === 'form' && prng.chance(0.03);
    const scanned = await degrade(made.image, settings, hard, prng);
    const { degradation, image, geometry } = scanned;
    const damage = damagePage(
      image,
      degradation,
      geometry.pageToImage,
      page.kind,
      hard,
      Random.derive(ctx.seed, `${name}/page/${p}/damage`),
    );
    const quality = compression === 'jpeg' ? settings.jpegQuality : null;
    // A phone writes 72 dpi into its JPEGs, whatever the page's resolution in the frame.
    encoded.push({ image, dpi: degradation.phone?.fileDpi ?? settings.dpi, compression, quality });
    const clean = await writeClean(ctx, name, p, made.image, settings.dpi);
    const scan: ScanTruth = { ...scanned, damage, settings, compression, quality };
    pages.push(pageTruthOf(ctx, page, p, made, scan, clean));
  }
  const bytes = await encodeFile(settings.format, encoded);
  await writeFileAtomic(join(ctx.out, name), bytes);
  const truth: FileTruth = {
    truthVersion: TRUTH_VERSION,
    file: name,
    format: settings.format,
    kind: spec.kind,
    pageCount: pages.length,
    visitIds: [...new Set(spec.pages.map((p) => p.visit.visitId))],
    pages,
  };
  await writeFileAtomic(join(ctx.out, name + TRUTH_SUFFIX), JSON.stringify(truth, null, 2) + '\n');
  return truth;
}

/** With `--clean`, writes page `p` of a file as filled, before degradation; returns its path in the truth. */
async function writeClean(ctx: RunContext, name: string, p: number, image: RawImage, dpi: number) {
  if (!ctx.clean) return null;
  const clean = `clean/${basename(name).replace(/\.[a-z]+$/, '')}-p${p + 1}.png`;
  await writeFileAtomic(join(ctx.out, clean), await encodePng(image, dpi));
  return clean;
}

/** How one page was scanned or photographed and damaged, for its truth. */
interface ScanTruth {
  degradation: Degradation;
  image: RawImage;
  geometry: ReturnType<typeof geometryOf>;
  damage: ReturnType<typeof damagePage>;
  settings: FileSettings;
  compression: Compression;
  quality: number | null;
}

/** The truth of one page: what it is, what is written on it, how it was degraded. */
function pageTruthOf(
  ctx: RunContext,
  page: PageSpec,
  p: number,
  made: MadePage,
  scan: ScanTruth,
  clean: string | null,
): PageTruth {
  const marksInside = scan.geometry.marksInside.every(Boolean);
  return {
    page: p + 1,
    visitId: page.visit.visitId,
    kind: page.kind,
    hasQr:
      page.kind === 'form' || page.kind === 'letter' || (page.kind === 'envelope' && page.visit.envelopePage !== null),
    layout: layoutOf(page),
    ...(page.kind === 'postal-receipt' ? { trackingNumber: trackingNumberOf(ctx.seed, page.visit.visitId) } : {}),
    qrPayload: made.payload,
    source: made.sourcePage
      ? { pdf: relative(ctx.lettersDir, page.visit.pdf).split(sep).join('/'), page: made.sourcePage }
      : null,
    ...fillTruthOf(page, made.fill, scan.degradation.colour === 'colour'),
    hard: !marksInside,
    hardReasons: marksInside ? [] : ['registration-mark-cut'],
    clean,
    degradation: degradationTruthOf(scan),
  };
}

function layoutOf(page: PageSpec): string | null {
  if (page.kind === 'form') return page.visit.formLayout;
  if (page.kind === 'letter') return page.visit.letterLayout;
  return page.kind === 'envelope' && page.visit.envelopePage !== null ? ENVELOPE_LAYOUT_ID : null;
}

/** What the customer put on a form (answers, marks, signatures, seal, dates, remarks); empty for other pages. */
function fillTruthOf(page: PageSpec, fill: FormFill | null, colourKept: boolean) {
  const review = new Set(fill?.expectReview ?? []);
  if (page.kind === 'form' && page.visit.customerKind === 'institution' && fill?.seal && !colourKept)
    review.add('grey-seal-required');
  return {
    answers: fill ? Object.fromEntries(fill.questions.map((q) => [q.questionId, q.answer])) : {},
    marks: fill
      ? Object.fromEntries(
          fill.questions.map((q) => [
            q.questionId,
            { marked: q.marked, crossedOut: q.crossedOut, style: q.style, outside: q.outside },
          ]),
        )
      : {},
    expectReview: [...review].sort() as PageTruth['expectReview'],
    customerSignature: fill?.customerSignature ?? false,
    handlerSignature: fill?.handlerSignature ?? false,
    seal: Boolean(fill?.seal),
    sealRed: fill?.seal && colourKept ? fill.seal.ink === 'red' : null,
    sealInk: fill?.seal?.ink ?? null,
    sealOverBorder: fill?.seal?.overBorder ?? false,
    customerDate: fill?.customerDate ?? null,
    handlerDate: fill?.handlerDate ?? null,
    remarks: fill?.remarks ?? false,
  };
}

function degradationTruthOf(scan: ScanTruth): PageTruth['degradation'] {
  const { degradation: d, settings, geometry, damage, image } = scan;
  return {
    dpi: d.dpi,
    skewDeg: d.skewDeg,
    rotated180: d.rotated180,
    format: settings.format,
    compression: scan.compression,
    colour: d.colour,
    jpegQuality: scan.quality,
    cut: d.cut,
    noise: d.noise,
    shadow: d.shadow,
    blur: d.blur,
    scale: d.scale,
    shiftMm: d.shiftMm,
    photographed: d.photographed,
    perspective: d.perspective,
    ...(d.phone ? { phone: d.phone } : {}),
    width: image.width,
    height: image.height,
    pageToImage: geometry.pageToImage.map((v) => Math.round(v * 1e6) / 1e6) as typeof geometry.pageToImage,
    marksInside: geometry.marksInside,
    qrInside: damage.codesTorn ? geometry.qrInside.map(() => false) : geometry.qrInside,
    ...(damage.impulse !== null ? { impulse: damage.impulse } : {}),
    ...(damage.codesTorn ? { codesTorn: true } : {}),
  };
}

async function encodeFile(format: FileFormat, pages: EncodedPage[]): Promise<Uint8Array> {
  switch (format) {
    case 'jpeg':
      return encodeJpeg(pages[0]!.image, pages[0]!.dpi, pages[0]!.quality ?? 80);
    case 'png':
      return encodePng(pages[0]!.image, pages[0]!.dpi);
    case 'tiff':
      return pages.length === 1 ? encodeTiff(pages[0]!) : encodeMultiPageTiff(pages);
    case 'pdf':
      return encodeImagePdf(pages);
  }
}

/** Degrades a page; normal pages keep every registration mark and both QR codes in the image, hard ones lose part of a mark. */
async function degrade(
  page: RawImage,
  settings: FileSettings,
  hard: boolean,
  rng: Random,
): Promise<{ degradation: Degradation; image: RawImage; geometry: ReturnType<typeof geometryOf> }> {
  // A phone photo never cuts a mark off: the sheet lies whole in the frame.
  if (settings.photographed) hard = false;
  const plan = (): Degradation => (settings.photographed ? planPhoneShot(rng) : planDegradation(settings, rng, hard));
  let d = plan();
  for (let attempt = 0; attempt < 30; attempt++) {
    const g = geometryOf(d);
    const marksOk = g.marksInside.every(Boolean);
    const qrOk = g.qrInside.some(Boolean) && (hard || g.qrInside.every(Boolean));
    if ((hard ? !marksOk : marksOk) && qrOk) break;
    d =
      attempt < 25
        ? plan()
        : {
            ...d,
            skewDeg: 0,
            scale: 1,
            shiftMm: { x: 0, y: 0 },
            perspective: null,
            cut: hard ? d.cut : { top: 0, right: 0, bottom: 0, left: 0 },
          };
  }
  const { image, geometry } = await degradePage(page, d, rng);
  return { degradation: d, image, geometry };
}

// ---------------------------------------------------------------------------------------
// Pages before degradation

interface MadePage {
  /** RGB at the scan's dpi, the whole A4 page. */
  image: RawImage;
  fill: FormFill | null;
  payload: string | null;
  sourcePage: number | null;
}

async function makePage(
  ctx: RunContext,
  spec: PageSpec,
  dpi: number,
  extra: RawImage | undefined,
  rng: Random,
): Promise<MadePage> {
  const visit = spec.visit;
  if (spec.kind === 'envelope' && visit.envelopePage !== null) {
    // The prepaid return envelope printed with the letter, posted back and laid on the scanner's glass.
    const face = await ctx.rasters.get(visit.pdf, visit.envelopePage, dpi);
    const payload = await readQr(face, ENVELOPE_QR_CODES.top, dpi);
    const image = await envelopeOnBed(rgbOf(face), dpi, addDays(visit.visitDate ?? DEFAULT_DATE, rng.int(2, 10)), rng);
    return { image, fill: null, payload, sourcePage: visit.envelopePage };
  }
  if (spec.kind === 'envelope' || spec.kind === 'postal-receipt') {
    return { image: extra!, fill: null, payload: null, sourcePage: null };
  }
  const sourcePage = spec.kind === 'form' ? visit.formPage : visit.letterPages[0]!;
  const raster = await ctx.rasters.get(visit.pdf, sourcePage, dpi);
  const payload = await qrPayloadOf(ctx, visit, spec.kind, sourcePage, raster);
  if (spec.kind === 'letter') return { image: rgbOf(raster), fill: null, payload, sourcePage };
  const layout = formLayoutById(visit.formLayout)!;
  const fill = planFill(
    layout,
    { customerKind: visit.customerKind, channel: visit.channel, date: visit.visitDate ?? DEFAULT_DATE },
    rng,
  );
  const svg = fillOverlay(layout, fill, raster.width, raster.height, dpi, rng);
  const data = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 4 } })
    .composite([{ input: Buffer.from(svg), blend: 'multiply' }])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { image: { width: raster.width, height: raster.height, channels: 3, data }, fill, payload, sourcePage };
}

function rgbOf(r: RasterRgba): RawImage {
  const n = r.width * r.height;
  const out = Buffer.allocUnsafe(n * 3);
  for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
    out[j] = r.data[i]!;
    out[j + 1] = r.data[i + 1]!;
    out[j + 2] = r.data[i + 2]!;
  }
  return { width: r.width, height: r.height, channels: 3, data: out };
}

/** Envelopes and receipts of a file, drawn in one PDF and rasterised at the scan's dpi, by page index. */
async function extraRasters(ctx: RunContext, spec: FileSpec, dpi: number, rng: Random): Promise<Map<number, RawImage>> {
  const wanted = spec.pages
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => (p.kind === 'envelope' && p.visit.envelopePage === null) || p.kind === 'postal-receipt');
  const out = new Map<number, RawImage>();
  if (wanted.length === 0) return out;
  const requests: ExtraPageRequest[] = [];
  for (const { p } of wanted) {
    const number = p.kind === 'postal-receipt' ? trackingNumberOf(ctx.seed, p.visit.visitId) : undefined;
    requests.push({
      kind: p.kind as ExtraPageRequest['kind'],
      customerLines: p.visit.addressLines,
      customerName: p.visit.customerName ?? p.visit.addressLines[p.visit.addressLines.length - 1] ?? '客户',
      date: addDays(p.visit.visitDate ?? DEFAULT_DATE, rng.int(2, 10)),
      ...(number ? { tracking: { number, modules: await code128Modules(number) } } : {}),
    });
  }
  const pdf = await drawExtraPages(requests, ctx.sender, rng);
  const rasters = await rasterizePdf(pdf, { dpi });
  rasters.forEach((r, k) => out.set(wanted[k]!.i, rgbOf({ width: r.width, height: r.height, data: r.data })));
  return out;
}

/**
 * The tracking number (UPU S10, China Post registered letter `XA…CN`) a visit's letter went
 * under in this run: fixed by the seed and the visit, listed in `mailing.csv`.
 */
export function trackingNumberOf(seed: number, visitId: string): string {
  return makeTrackingNumber('XA', Random.derive(seed, `mail/${visitId}`).int(0, 99_999_999));
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface RasterRgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Rendered pages by (PDF, page, dpi), the most recent few kept: a page is rendered once per dpi and reused. */
class RasterCache {
  private readonly entries = new Map<string, RasterRgba>();
  private bytes = 0;
  constructor(private readonly budget = 256 * 1024 * 1024) {}

  async get(pdf: string, page: number, dpi: number): Promise<RasterRgba> {
    const key = `${pdf}#${page}@${dpi}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const [r] = await rasterizePdf(new Uint8Array(readFileSync(pdf)), { dpi, pages: [page] });
    const raster = { width: r!.width, height: r!.height, data: r!.data };
    this.entries.set(key, raster);
    this.bytes += raster.data.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.budget || this.entries.size <= 1) break;
      this.entries.delete(k);
      this.bytes -= v.data.length;
    }
    return raster;
  }
}

/**
 * The QR payload printed on a rendered page, read from its top-right code (so the truth
 * says what the page really carries); when it cannot be read, the payload the layout
 * prescribes for the page.
 */
async function qrPayloadOf(
  ctx: RunContext,
  visit: SourceVisit,
  kind: DocumentKind,
  page: number,
  raster: RasterRgba,
): Promise<string> {
  const key = `${visit.pdf}#${page}`;
  let payload = ctx.payloads.get(key);
  if (payload === undefined) {
    payload = await readQr(raster, QR_CODES.topRight, Math.round((raster.width * 25.4) / A4.width));
    ctx.payloads.set(key, payload);
  }
  return (
    payload ??
    encodePagePayload({
      visitId: visit.visitId as never,
      kind,
      page,
      pageCount: visit.pageCount,
      layout: kind === 'form' ? visit.formLayout : visit.letterLayout,
    })
  );
}

async function readQr(raster: RasterRgba, where: Rect, dpi: number): Promise<string | null> {
  try {
    const pad = 5;
    const left = Math.max(0, Math.floor(mmToPx(where.x - pad, dpi)));
    const top = Math.max(0, Math.floor(mmToPx(where.y - pad, dpi)));
    const width = Math.min(raster.width - left, Math.ceil(mmToPx(where.width + 2 * pad, dpi)));
    const height = Math.min(raster.height - top, Math.ceil(mmToPx(where.height + 2 * pad, dpi)));
    const crop = new Uint8ClampedArray(width * height * 4);
    for (let y = 0; y < height; y++)
      crop.set(
        raster.data.subarray(((top + y) * raster.width + left) * 4, ((top + y) * raster.width + left + width) * 4),
        y * width * 4,
      );
    await loadQrDecoder();
    const results = await readBarcodes({ data: crop, width, height, colorSpace: 'srgb' } as ImageData, {
      formats: ['QRCode'],
      tryHarder: true,
    });
    for (const r of results) if (r.isValid && decodePagePayload(r.text).ok) return r.text;
    return null;
  } catch {
    return null;
  }
}

let decoder: Promise<unknown> | null = null;

/** Loads ZXing's .wasm from node_modules (zxing-wasm would fetch it from a CDN, which fails offline). */
function loadQrDecoder(): Promise<unknown> {
  decoder ??= (async () => {
    const bytes = await readFile(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return decoder;
}

// ---------------------------------------------------------------------------------------
// E-mails

async function simulateEmail(ctx: RunContext, visit: SourceVisit, index: number): Promise<EmailTruth> {
  const rng = Random.derive(ctx.seed, `email/${index}`);
  const variant: EmailVariant = EMAIL_VARIANTS[index % EMAIL_VARIANTS.length]!;
  const layout: FormLayout = formLayoutById(visit.formLayout)!;
  const fill = planFill(
    layout,
    { customerKind: visit.customerKind, channel: 'email', date: visit.visitDate ?? DEFAULT_DATE },
    rng,
  );
  // An e-mail states one answer per question; a form's "two marks" has no e-mail equivalent.
  const answers: Record<string, Answer> = Object.fromEntries(
    fill.questions.map((q) => [q.questionId, q.crossedOut.length || q.marked.length < 2 ? q.answer : q.marked[0]!]),
  );
  let attachment: { name: string; bytes: Uint8Array } | undefined;
  if (variant === 'attachment') {
    const raster = await ctx.rasters.get(visit.pdf, visit.formPage, 100);
    const svg = fillOverlay(layout, fill, raster.width, raster.height, 100, rng);
    const jpeg = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 4 } })
      .composite([{ input: Buffer.from(svg), blend: 'multiply' }])
      .removeAlpha()
      .jpeg({ quality: 70, mozjpeg: false })
      .toBuffer();
    attachment = { name: '回访记录表.jpg', bytes: jpeg };
  }
  const email = buildEmail({
    variant,
    visitId: visit.visitId,
    customerName: visit.customerName ?? '客户',
    layout,
    answers,
    date: addDays(visit.visitDate ?? DEFAULT_DATE, rng.int(1, 6)),
    serial: index + 1,
    seed: ctx.seed,
    ...(attachment ? { attachment } : {}),
    companyName: ctx.sender.companyName,
  });
  const file = `emails/${String(index + 1).padStart(4, '0')}-${visit.visitId}.eml`;
  await writeFileAtomic(join(ctx.out, file), email.bytes);
  const truth: EmailTruth = {
    truthVersion: TRUTH_VERSION,
    file,
    visitId: visit.visitId,
    variant,
    idInSubject: email.idInSubject,
    charset: email.charset,
    attachments: email.attachments,
    answers,
    expectReview: [],
  };
  await writeFileAtomic(join(ctx.out, file + TRUTH_SUFFIX), JSON.stringify(truth, null, 2) + '\n');
  return truth;
}

// ---------------------------------------------------------------------------------------
// The index

function buildIndex(seed: number, source: string, files: FileTruth[], emails: EmailTruth[]): TruthIndex {
  const byVisit = new Map<string, string[]>();
  const note = (visitId: string, file: string): void => {
    const list = byVisit.get(visitId) ?? [];
    if (!list.includes(file)) list.push(file);
    byVisit.set(visitId, list);
  };
  for (const f of files) for (const v of f.visitIds) note(v, f.file);
  for (const e of emails) note(e.visitId, e.file);
  return {
    truthVersion: TRUTH_VERSION,
    generator: 'huifang simulate',
    seed,
    source,
    files: files.map((f) => ({
      file: f.file,
      truth: f.file + TRUTH_SUFFIX,
      format: f.format,
      kind: f.kind,
      pageCount: f.pageCount,
      visitIds: f.visitIds,
    })),
    emails: emails.map((e) => ({ file: e.file, truth: e.file + TRUTH_SUFFIX, visitId: e.visitId, variant: e.variant })),
    visits: [...byVisit.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([visitId, list]) => ({ visitId, files: list })),
    pageCount: files.reduce((s, f) => s + f.pageCount, 0),
  };
}

function readPreviousIndex(out: string): TruthIndex | undefined {
  const p = join(out, 'truth.json');
  if (!existsSync(p)) return undefined;
  try {
    const index = JSON.parse(readFileSync(p, 'utf8')) as TruthIndex;
    return index.generator === 'huifang simulate' ? index : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the files a previous run in this folder wrote that this run did not write again (only those its index lists). */
function removeStaleOutputs(out: string, previous: TruthIndex | undefined, current: TruthIndex): void {
  if (!previous) return;
  const keep = new Set<string>();
  for (const f of [...current.files, ...current.emails]) {
    keep.add(f.file);
    keep.add(f.truth);
  }
  for (const f of [...(previous.files ?? []), ...(previous.emails ?? [])]) {
    for (const rel of [f.file, f.truth]) {
      if (typeof rel !== 'string' || keep.has(rel) || rel.includes('..') || rel.startsWith('/')) continue;
      rmSync(join(out, rel), { force: true });
    }
  }
}

function defaultSender(): Sender {
  try {
    const path = new URL('../../samples/firm.json', import.meta.url);
    const s = (JSON.parse(readFileSync(path, 'utf8')) as { sender?: Partial<Sender> }).sender ?? {};
    if (s.companyName && s.address && s.postcode)
      return { companyName: s.companyName, department: s.department ?? '', address: s.address, postcode: s.postcode };
  } catch {
    // fall through to the built-in sender
  }
  return {
    companyName: '证券股份有限公司',
    department: '客户服务中心',
    address: '上海市浦东新区世纪大道1000号',
    postcode: '200120',
  };
}
