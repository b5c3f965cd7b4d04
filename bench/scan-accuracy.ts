/**
 * Scan accuracy benchmark: renders record forms, has `simulate` return them filled and
 * degraded (every degradation it knows) with ground truth, and reads every page back
 * with the page reader. Reports identification rate, tick accuracy, signature and seal
 * accuracy among decided boxes, the share sent to review, blank boxes decided "signed"
 * (must be 0) and pages per second at 300 dpi (ingest as a whole, on its reader threads).
 *
 *     node --import tsx bench/scan-accuracy.ts [--pages 1000] [--seed 1]
 *     node --import tsx bench/scan-accuracy.ts --returns DIR [--returns DIR2 …] [--workspace WS] [--threads N]
 *                                            [--no-throughput] [--by-recipe]
 *
 * `--returns DIR` reads existing `huifang simulate` outputs instead of generating one (a run
 * still going is read as far as its truth files go); `--workspace` is the workspace whose
 * register holds their visits, so that ingest is timed too; `--by-recipe` counts the pages of
 * an ImageMagick set (`scan-imagemagick.ts`) by the recipe that made them. See docs/scanning.md.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { decodePages, isPageFailure } from '../src/scan/decode.ts';
import { loadQrDecoder } from '../src/scan/qr.ts';
import { readPage, WORKING_DPI, type PageReading } from '../src/scan/read-page.ts';
import { defaultReadThreads, openScanReader } from '../src/scan/read-pool.ts';
import { ingest } from '../src/ingest/ingest.ts';
import { INGEST_HANDLERS } from '../src/cli/ingest-handlers.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import type { FileTruth, PageTruth, TruthIndex } from '../src/simulate/truth.ts';

export interface ScanAccuracyOptions {
  /** Pages to generate (default 1000); ignored with `returns`. */
  pages?: number;
  /**
   * Existing `huifang simulate` output folders to read instead of generating one (their
   * `truth.json`, or, for a run still going, the `*.truth.json` files written so far).
   */
  returns?: string | string[];
  /** Working folder for generated forms and returns (default a fresh folder under /tmp). */
  workDir?: string;
  seed?: number;
  /**
   * A workspace whose register holds the simulated visits (the `--workspace` of the letters
   * or forms run): the 300 dpi files are then also ingested, in a copy of it, to time ingest
   * as a whole. Without it only decoding and reading are timed.
   */
  workspace?: string;
  /** Reading threads for the throughput runs (default: as ingest chooses). */
  threads?: number;
  /** Skips the timed throughput runs (accuracy only, e.g. on the ImageMagick sets). */
  noThroughput?: boolean;
  /** The case a page counts under in `byCase` (default: what the simulator's truth says it is, see `caseOf`). */
  caseOf?: (file: string, page: PageTruth) => string;
  onProgress?: (line: string) => void;
}

export interface ScanAccuracy {
  pages: number;
  qrPages: number;
  identified: number;
  identificationRate: number;
  /** Identified pages whose visit or page number is wrong (must be 0). */
  misidentified: number;
  ticks: { decided: number; correct: number; accuracy: number; undecided: number };
  signatures: { boxes: number; decided: number; correct: number; accuracy: number; blankDecidedSigned: number };
  seals: { boxes: number; decided: number; correct: number; accuracy: number; blankDecidedSealed: number };
  redSeals: { colourPages: number; decided: number; correct: number; accuracy: number };
  /** Form pages with at least one review item that the truth did not expect. */
  formPages: number;
  reviewShare: number;
  /** Review items that the truth expected (two marks, grey scan where red matters, writing in 备注) are not counted. */
  reviewReasons: Record<string, number>;
  /**
   * What comes back with a letter: printed return envelopes identified by their own codes,
   * postal receipts whose barcode gave the right tracking number, and 备注 boxes sent to
   * review for transcription (written in, and blank ones flagged by mistake).
   */
  returns: ReturnsAccuracy;
  /** Reading time (readPage) per page, and decoding time (decodePages, shrinking to 150 dpi) per 300 dpi page. */
  msPerPage: { read: number; read300: number | null; decode300: number | null };
  /**
   * Pages a second at 300 dpi: ingest as a whole when a workspace was given (or generated),
   * else decoding + reading on the reader threads, else one thread's per-page times.
   */
  pagesPerSecondAt300: number | null;
  /**
   * Wall-clock throughput on the 300 dpi files: decoding and reading on ingest's reader
   * threads (`read`), and `huifang ingest` as a whole (`ingest`, when a workspace was given).
   */
  throughput300: {
    files: number;
    pages: number;
    threads: number;
    readPagesPerSecond: number;
    ingestPagesPerSecond: number | null;
  } | null;
  /** Load average of the machine (1 minute) before and after the timed runs: other work skews the times. */
  loadAverage: number[];
  decodeFailures: string[];
  mistakes: string[];
  /** Identification and ticks by kind of page: colour, grey, black and white, photographed, speckled fax, QR codes torn off. */
  byCase: Record<string, CaseFigures>;
}

/** Runs the benchmark and returns its figures (see the file comment). */
export async function runScanAccuracy(opts: ScanAccuracyOptions = {}): Promise<ScanAccuracy> {
  const log = opts.onProgress ?? (() => {});
  const generated = opts.returns ? null : await generate(opts, log);
  const folders = generated
    ? generated.returns
    : (Array.isArray(opts.returns) ? opts.returns : [opts.returns!]).map((r) => resolve(r));
  if (generated && !opts.workspace) opts = { ...opts, workspace: generated.workspace };
  await loadQrDecoder();
  const acc = newAccumulator();
  for (const returns of folders)
    for (const f of filesOf(returns)) {
      const truth = JSON.parse(readFileSync(join(returns, f.truth), 'utf8')) as FileTruth;
      const bytes = readFileSync(join(returns, f.file));
      let t0 = performance.now();
      for await (const p of decodePages(bytes, f.file, { targetDpi: 150 })) {
        const decodeMs = performance.now() - t0;
        if (isPageFailure(p)) {
          acc.decodeFailures.push(`${f.file} page ${p.page}: ${p.reason}`);
          t0 = performance.now();
          continue;
        }
        const t1 = performance.now();
        const reading = await readPage(p);
        const ms = performance.now() - t1;
        if (p.scanDpi === 300) acc.decode300.push(decodeMs);
        const pt = truth.pages.find((x) => x.page === p.page);
        if (!pt) continue;
        // A black-and-white page must be known as such (its red seal may have dropped out), and only those.
        if (p.bilevel !== (pt.degradation.colour === 'bw'))
          acc.mistakes.push(
            `${f.file}#${p.page}: decoded as ${p.bilevel ? '' : 'not '}black-and-white but is ${pt.degradation.colour} (${p.source})`,
          );
        // A colour scan with no colour on it (no red seal, neutral paper) may fairly read as grey.
        if (p.grey !== (pt.degradation.colour !== 'colour') && !(p.grey && pt.sealRed !== true))
          acc.mistakes.push(
            `${f.file}#${p.page}: decoded as ${p.grey ? 'grey' : 'colour'} but is ${pt.degradation.colour} (${p.source})`,
          );
        score(acc, `${f.file}#${p.page}`, pt, reading, ms, (opts.caseOf ?? caseOf)(f.file, pt));
        t0 = performance.now();
      }
      log(`${f.file}: ${acc.pages} pages read`);
    }
  const loadBefore = loadavg()[0]!;
  const throughput300 = opts.noThroughput ? null : await timeThroughput(folders, opts, log);
  const figures = summarise(acc);
  const pagesPerSecondAt300 =
    throughput300?.ingestPagesPerSecond ?? throughput300?.readPagesPerSecond ?? figures.pagesPerSecondAt300;
  return { ...figures, pagesPerSecondAt300, throughput300, loadAverage: [round2(loadBefore), round2(loadavg()[0]!)] };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Times decoding + reading (reader threads) and, given a workspace, ingest over every file scanned at 300 dpi. */
async function timeThroughput(
  folders: string[],
  opts: ScanAccuracyOptions,
  log: (l: string) => void,
): Promise<ScanAccuracy['throughput300']> {
  const files: string[] = [];
  let pages = 0;
  for (const returns of folders) {
    for (const f of filesOf(returns)) {
      const truth = JSON.parse(readFileSync(join(returns, f.truth), 'utf8')) as FileTruth;
      if (truth.pages.every((p) => p.degradation.dpi === 300)) {
        files.push(join(returns, f.file));
        pages += truth.pageCount;
      }
    }
  }
  if (files.length === 0) return null;
  const threads = opts.threads ?? defaultReadThreads();
  log(`timing ${pages} pages at 300 dpi on ${threads} reading thread(s) …`);
  const reader = openScanReader(threads);
  let t0 = performance.now();
  try {
    await Promise.all(files.map((f) => reader.read(readFileSync(f), f, { targetDpi: WORKING_DPI })));
  } finally {
    await reader.close();
  }
  const readPagesPerSecond = (pages * 1000) / (performance.now() - t0);
  let ingestPagesPerSecond: number | null = null;
  if (opts.workspace) {
    const copy = mkdtempSync(join(tmpdir(), 'huifang-scan-bench-ws-'));
    cpSync(resolve(opts.workspace), copy, { recursive: true });
    const ws = openWorkspace(copy);
    const previous = process.env.HUIFANG_READ_THREADS;
    process.env.HUIFANG_READ_THREADS = String(threads);
    try {
      log(`ingesting them into a copy of ${opts.workspace} …`);
      t0 = performance.now();
      await ingest(ws, files, { actor: 'bench', handlers: INGEST_HANDLERS });
      ingestPagesPerSecond = (pages * 1000) / (performance.now() - t0);
    } finally {
      if (previous === undefined) delete process.env.HUIFANG_READ_THREADS;
      else process.env.HUIFANG_READ_THREADS = previous;
      ws.close();
      rmSync(copy, { recursive: true, force: true });
    }
  }
  return {
    files: files.length,
    pages,
    threads,
    readPagesPerSecond: round2(readPagesPerSecond),
    ingestPagesPerSecond: ingestPagesPerSecond === null ? null : round2(ingestPagesPerSecond),
  };
}

/** The scan files of a simulate output folder: from its index, or from the truth files beside the scans. */
function filesOf(returns: string): { file: string; truth: string }[] {
  const index = join(returns, 'truth.json');
  if (existsSync(index)) return (JSON.parse(readFileSync(index, 'utf8')) as TruthIndex).files;
  const out: { file: string; truth: string }[] = [];
  for (const sub of ['scans', 'batches']) {
    if (!existsSync(join(returns, sub))) continue;
    for (const name of readdirSync(join(returns, sub)).sort()) {
      if (name.endsWith('.truth.json') && existsSync(join(returns, sub, name.slice(0, -'.truth.json'.length))))
        out.push({ file: `${sub}/${name.slice(0, -'.truth.json'.length)}`, truth: `${sub}/${name}` });
    }
  }
  return out;
}

/**
 * Renders letters (with their return envelopes) and face-to-face record forms in one
 * workspace, as a firm does (settings, roster, visitor and reviewer named), and has
 * `simulate` return them: half the pages from the letters (forms, letter pages, envelopes,
 * postal receipts), half from the face-to-face forms, and a set of phone photos of forms.
 * Clean pages are kept, for the ImageMagick sets (`scan-imagemagick.ts`).
 */
async function generate(
  opts: ScanAccuracyOptions,
  log: (l: string) => void,
): Promise<{ returns: string[]; workspace: string }> {
  const pages = opts.pages ?? 1000;
  const work = resolve(opts.workDir ?? `/tmp/huifang-scan-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const ws = join(work, 'ws');
  const bin = (args: string[]) => execFileSync(resolve('bin/huifang'), args, { stdio: 'ignore' });
  const people = ['--visitor', '周敏', '--reviewer', '沈佳怡', '--user', '周敏'];
  if (!existsSync(join(work, 'forms', 'files.csv'))) {
    log('rendering letters and record forms …');
    rmSync(ws, { recursive: true, force: true });
    bin(['init', ws, '--config', resolve('samples/firm.json')]);
    bin(['staff', 'import', resolve('samples/staff.csv'), '--workspace', ws]);
    const list = resolve('samples/customers.csv');
    bin(['letters', list, '--out', join(work, 'letters'), '--workspace', ws, ...people, '--json']);
    bin([
      'forms',
      list,
      '--out',
      join(work, 'forms'),
      '--workspace',
      ws,
      '--category',
      'existing',
      ...people,
      '--json',
    ]);
  }
  const { simulateReturns } = await import('../src/simulate/simulate.ts');
  const seed = opts.seed ?? 1;
  const photos = Math.max(8, Math.round(pages / 25));
  const runs = [
    { from: 'letters', out: 'returns-letters', count: Math.ceil(pages / 2), photos: undefined },
    { from: 'forms', out: 'returns-forms', count: Math.floor(pages / 2), photos: undefined },
    { from: 'letters', out: 'returns-phone', count: photos, photos: 1 },
  ];
  for (const run of runs) {
    log(`simulating ${run.count} returned ${run.from}${run.photos ? ' as phone photos' : ''} (seed ${seed}) …`);
    await simulateReturns({
      lettersDir: join(work, run.from),
      out: join(work, run.out),
      seed,
      count: run.count,
      clean: true,
      ...(run.photos ? { photos: run.photos } : {}),
      onProgress: (d, t) => (d % 50 === 0 ? log(`  ${d}/${t}`) : undefined),
    });
  }
  return { returns: runs.map((r) => join(work, r.out)), workspace: ws };
}

export interface ReturnsAccuracy {
  envelopes: { pages: number; identified: number };
  receipts: { pages: number; read: number; wrong: number };
  remarks: { written: number; flagged: number; blankFlagged: number };
}

interface Accumulator {
  returns: ReturnsAccuracy;
  pages: number;
  qrPages: number;
  identified: number;
  misidentified: number;
  tickDecided: number;
  tickCorrect: number;
  tickUndecided: number;
  sig: { boxes: number; decided: number; correct: number; blankSigned: number };
  seal: { boxes: number; decided: number; correct: number; blankSealed: number };
  red: { pages: number; decided: number; correct: number };
  formPages: number;
  formPagesReviewed: number;
  reviewReasons: Record<string, number>;
  ms: number[];
  ms300: number[];
  decode300: number[];
  decodeFailures: string[];
  mistakes: string[];
  byCase: Record<string, CaseFigures>;
}

/**
 * Identification and ticks on one kind of page (the newer hard cases beside the older ones):
 * pages identified as their own visit (postal receipts: their tracking number read), wrong
 * (another visit, page or number: must be 0), sent to review (not identified: quarantined,
 * or a person asked); ticks decided right, decided wrong (must be 0), left for review.
 */
export interface CaseFigures {
  pages: number;
  identified: number;
  wrong: number;
  review: number;
  ticks: { right: number; wrong: number; review: number };
  /** Reading time (readPage), milliseconds, summed over the case's pages. */
  ms: number;
}

/** The kind of page a truth describes, for the per-case figures. */
export function caseOf(_file: string, t: PageTruth): string {
  const d = t.degradation;
  if (t.kind === 'envelope') return t.hasQr ? 'return envelope' : 'plain envelope';
  if (t.kind === 'postal-receipt') return 'postal receipt (S10)';
  const what = t.kind === 'form' ? 'form' : 'letter page';
  if (d.codesTorn) return `${what}, QR codes torn off`;
  if (d.impulse) return `${what}, speckled fax ${d.dpi} dpi`;
  if (d.phone) return `${what}, phone photo 12 MP`;
  if (d.photographed) return `${what}, photographed`;
  return `${what}, ${d.colour === 'bw' ? 'black and white' : d.colour}`;
}

const newCase = (): CaseFigures => ({
  pages: 0,
  identified: 0,
  wrong: 0,
  review: 0,
  ticks: { right: 0, wrong: 0, review: 0 },
  ms: 0,
});

/** Counts a page in its case: identified right, wrong, or left to a person. */
function scoreCase(c: CaseFigures, t: PageTruth, r: PageReading, ms: number): void {
  c.pages++;
  c.ms += ms;
  if (t.kind === 'postal-receipt') {
    if (r.trackingNumbers?.some((n) => n !== t.trackingNumber) || r.identified) c.wrong++;
    else if (t.trackingNumber && r.trackingNumbers?.includes(t.trackingNumber)) c.identified++;
    else c.review++;
    return;
  }
  if (!t.hasQr) {
    if (r.identified) c.wrong++;
    else c.review++;
    return;
  }
  if (!r.identified) c.review++;
  else if (
    r.payload?.visitId !== t.visitId ||
    (r.pageNumberRead && t.qrPayload && !t.qrPayload.includes(`|${r.payload.page}/${r.payload.pageCount}|`))
  )
    c.wrong++;
  else c.identified++;
}

function newAccumulator(): Accumulator {
  return {
    returns: {
      envelopes: { pages: 0, identified: 0 },
      receipts: { pages: 0, read: 0, wrong: 0 },
      remarks: { written: 0, flagged: 0, blankFlagged: 0 },
    },
    pages: 0,
    qrPages: 0,
    identified: 0,
    misidentified: 0,
    tickDecided: 0,
    tickCorrect: 0,
    tickUndecided: 0,
    sig: { boxes: 0, decided: 0, correct: 0, blankSigned: 0 },
    seal: { boxes: 0, decided: 0, correct: 0, blankSealed: 0 },
    red: { pages: 0, decided: 0, correct: 0 },
    formPages: 0,
    formPagesReviewed: 0,
    reviewReasons: {},
    ms: [],
    ms300: [],
    decode300: [],
    decodeFailures: [],
    mistakes: [],
    byCase: {},
  };
}

function score(acc: Accumulator, where: string, t: PageTruth, r: PageReading, ms: number, name: string): void {
  acc.pages++;
  acc.ms.push(ms);
  if (t.degradation.dpi === 300) acc.ms300.push(ms);
  scoreReturns(acc.returns, t, r);
  const kind = (acc.byCase[name] ??= newCase());
  scoreCase(kind, t, r, ms);
  if (!t.hasQr) {
    if (r.identified) acc.mistakes.push(`${where}: a page without a QR code was identified as ${r.payload?.visitId}`);
    return;
  }
  acc.qrPages++;
  if (!r.identified) {
    acc.mistakes.push(
      `${where}: not identified (${t.kind}, ${t.degradation.dpi} dpi, ${t.degradation.colour}, hard: ${t.hardReasons.join(',')}) ${r.problems.join('; ')}`,
    );
    return;
  }
  acc.identified++;
  // A page identified by its printed visit id alone may not have its page number read (the reading says so).
  if (
    r.payload?.visitId !== t.visitId ||
    (r.pageNumberRead && t.qrPayload && !t.qrPayload.includes(`|${r.payload.page}/${r.payload.pageCount}|`))
  ) {
    acc.misidentified++;
    acc.mistakes.push(`${where}: identified as ${r.payload?.visitId} but is ${t.visitId}`);
  }
  if (t.kind !== 'form') return;
  acc.formPages++;
  const expected = new Set(t.expectReview);
  const unexpected = r.review.filter(
    (x) =>
      !(t.remarks && x.subject === 'remarks') &&
      !(expected.has('two-marks') && /more than one box/.test(x.reason)) &&
      !(
        expected.has('grey-seal-required') &&
        (x.subject === 'seal.red' || (x.subject === 'seal' && t.degradation.colour === 'bw'))
      ),
  );
  if (unexpected.length) acc.formPagesReviewed++;
  for (const x of unexpected) {
    const key =
      x.subject === 'page' || x.subject === 'qr'
        ? `${x.subject}: ${x.reason.replace(/[\d.]+ mm/, 'n mm')}`
        : x.subject.includes('.') || x.subject === 'satisfaction'
          ? `question: ${x.reason.replace(/^question \d+: /, '').replace(/\(.*\)/, '')}`
          : `${x.subject}: ${x.reason.replace(/\(.*\)/, '')}`;
    acc.reviewReasons[key] = (acc.reviewReasons[key] ?? 0) + 1;
  }
  for (const [qid, answer] of Object.entries(t.answers)) {
    const q = r.questions[qid];
    if (!q) continue;
    const marks = t.marks[qid];
    if (marks && marks.marked.length > 1) continue; // two standing marks: review is the right outcome
    if (q.review) {
      acc.tickUndecided++;
      kind.ticks.review++;
      continue;
    }
    acc.tickDecided++;
    if (q.answer === answer) {
      acc.tickCorrect++;
      kind.ticks.right++;
    } else {
      kind.ticks.wrong++;
      acc.mistakes.push(
        `${where}: ${qid} read ${q.answer} but is ${answer} (boxes ${JSON.stringify(q.boxes)}, style ${marks?.style}${marks?.outside ? ' outside the box' : ''}, crossed ${marks?.crossedOut.join(',')}, ${t.degradation.dpi} dpi ${t.degradation.colour})`,
      );
    }
  }
  if (!r.checks) return;
  for (const [id, truth] of [
    ['customerSignature', t.customerSignature],
    ['handlerSignature', t.handlerSignature],
  ] as const) {
    const c = r.checks[id];
    acc.sig.boxes++;
    if (c.present === null) continue;
    acc.sig.decided++;
    if (c.present === truth) acc.sig.correct++;
    else
      acc.mistakes.push(
        `${where}: ${id} read ${c.present} (score ${c.score}, ${c.inkMm2} mm²) but is ${truth} (${t.degradation.dpi} dpi ${t.degradation.colour})`,
      );
    if (c.present && !truth) acc.sig.blankSigned++;
  }
  const s = r.checks.seal;
  acc.seal.boxes++;
  if (s.present !== null) {
    acc.seal.decided++;
    if (s.present === t.seal) acc.seal.correct++;
    else
      acc.mistakes.push(
        `${where}: seal read ${s.present} (score ${s.score}, ${s.inkMm2} mm²) but is ${t.seal} (${t.degradation.dpi} dpi ${t.degradation.colour})`,
      );
    if (s.present && !t.seal) acc.seal.blankSealed++;
  }
  if (t.degradation.colour === 'colour') {
    acc.red.pages++;
    const truthRed = t.seal && t.sealInk === 'red' ? (t.sealRed ?? true) : false;
    if (s.red !== null) {
      acc.red.decided++;
      if (s.red === truthRed) acc.red.correct++;
      else
        acc.mistakes.push(
          `${where}: seal red read ${s.red} (score ${s.redScore}) but is ${truthRed} (ink ${t.sealInk})`,
        );
    }
  } else if (s.red !== null) {
    acc.mistakes.push(`${where}: red decided ${s.red} on a ${t.degradation.colour} scan`);
  }
}

/** Envelopes, receipts and remarks (see `ReturnsAccuracy`). */
function scoreReturns(acc: ReturnsAccuracy, t: PageTruth, r: PageReading): void {
  if (t.kind === 'envelope' && t.hasQr) {
    acc.envelopes.pages++;
    if (r.identified && r.payload?.kind === 'envelope' && r.payload.visitId === t.visitId) acc.envelopes.identified++;
  }
  if (t.kind === 'postal-receipt' && t.trackingNumber) {
    acc.receipts.pages++;
    if (r.trackingNumbers?.includes(t.trackingNumber)) acc.receipts.read++;
    if (r.trackingNumbers?.some((n) => n !== t.trackingNumber)) acc.receipts.wrong++;
  }
  if (t.kind === 'form' && r.identified) {
    const flagged = r.review.some((x) => x.subject === 'remarks');
    if (t.remarks) {
      acc.remarks.written++;
      if (flagged) acc.remarks.flagged++;
    } else if (flagged) acc.remarks.blankFlagged++;
  }
}

function summarise(a: Accumulator): Omit<ScanAccuracy, 'throughput300' | 'loadAverage'> {
  const ratio = (x: number, y: number): number => (y ? x / y : 1);
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const ms300 = a.ms300.length ? mean(a.ms300) : null;
  const dec300 = a.decode300.length ? mean(a.decode300) : null;
  return {
    pages: a.pages,
    qrPages: a.qrPages,
    identified: a.identified,
    identificationRate: ratio(a.identified, a.qrPages),
    misidentified: a.misidentified,
    ticks: {
      decided: a.tickDecided,
      correct: a.tickCorrect,
      accuracy: ratio(a.tickCorrect, a.tickDecided),
      undecided: a.tickUndecided,
    },
    signatures: {
      boxes: a.sig.boxes,
      decided: a.sig.decided,
      correct: a.sig.correct,
      accuracy: ratio(a.sig.correct, a.sig.decided),
      blankDecidedSigned: a.sig.blankSigned,
    },
    seals: {
      boxes: a.seal.boxes,
      decided: a.seal.decided,
      correct: a.seal.correct,
      accuracy: ratio(a.seal.correct, a.seal.decided),
      blankDecidedSealed: a.seal.blankSealed,
    },
    redSeals: {
      colourPages: a.red.pages,
      decided: a.red.decided,
      correct: a.red.correct,
      accuracy: ratio(a.red.correct, a.red.decided),
    },
    formPages: a.formPages,
    reviewShare: ratio(a.formPagesReviewed, a.formPages),
    reviewReasons: a.reviewReasons,
    returns: a.returns,
    msPerPage: { read: mean(a.ms), read300: ms300, decode300: dec300 },
    pagesPerSecondAt300: ms300 !== null && dec300 !== null ? 1000 / (ms300 + dec300) : null,
    decodeFailures: a.decodeFailures,
    mistakes: a.mistakes,
    byCase: a.byCase,
  };
}

/** The goals, each with its measured figure and whether it is met. */
export function goalLines(r: ScanAccuracy): string[] {
  const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
  const line = (name: string, figure: string, goal: string, met: boolean): string =>
    `${met ? 'met   ' : 'SHORT '} ${name.padEnd(34)} ${figure.padEnd(28)} goal ${goal}`;
  const speed = r.throughput300?.ingestPagesPerSecond ?? r.throughput300?.readPagesPerSecond ?? null;
  return [
    `${r.pages} pages (${r.qrPages} with QR codes, ${r.formPages} record forms); load average ${r.loadAverage.join(' → ')}`,
    line(
      'identification',
      `${pct(r.identificationRate)} (${r.misidentified} wrong)`,
      '≥ 99.9 %, none wrong',
      r.identificationRate >= 0.999 && r.misidentified === 0,
    ),
    line(
      'ticks (decided answers correct)',
      `${pct(r.ticks.accuracy)} of ${r.ticks.decided}`,
      '≥ 99.5 %',
      r.ticks.accuracy >= 0.995,
    ),
    line(
      'signatures (decided correct)',
      `${pct(r.signatures.accuracy)} of ${r.signatures.decided}`,
      '≥ 99 %',
      r.signatures.accuracy >= 0.99,
    ),
    line(
      'red seal on colour scans',
      `${pct(r.redSeals.accuracy)} of ${r.redSeals.decided}`,
      '≥ 99 %',
      r.redSeals.accuracy >= 0.99,
    ),
    line(
      'seal present (decided correct)',
      `${pct(r.seals.accuracy)} of ${r.seals.decided}`,
      '≥ 99 %',
      r.seals.accuracy >= 0.99,
    ),
    line(
      'blank box decided signed/sealed',
      `${r.signatures.blankDecidedSigned + r.seals.blankDecidedSealed}`,
      '0',
      r.signatures.blankDecidedSigned + r.seals.blankDecidedSealed === 0,
    ),
    line('form pages sent to review', pct(r.reviewShare), '≤ 3 %', r.reviewShare <= 0.03),
    line(
      'return envelopes identified',
      `${r.returns.envelopes.identified} of ${r.returns.envelopes.pages}`,
      '≥ 99 %',
      r.returns.envelopes.identified >= 0.99 * r.returns.envelopes.pages,
    ),
    line(
      'receipt barcodes read',
      `${r.returns.receipts.read} of ${r.returns.receipts.pages} (${r.returns.receipts.wrong} wrong)`,
      '≥ 95 %, none wrong',
      r.returns.receipts.read >= 0.95 * r.returns.receipts.pages && r.returns.receipts.wrong === 0,
    ),
    line(
      '备注 writing sent to review',
      `${r.returns.remarks.flagged} of ${r.returns.remarks.written} (${r.returns.remarks.blankFlagged} blank)`,
      '≥ 95 %, no blank',
      r.returns.remarks.flagged >= 0.95 * r.returns.remarks.written && r.returns.remarks.blankFlagged === 0,
    ),
    ...caseTable(r.byCase).map((l) => `       ${l}`),
    line(
      r.throughput300?.ingestPagesPerSecond != null ? 'ingest at 300 dpi' : 'decode + read at 300 dpi',
      speed === null ? 'no 300 dpi pages' : `${speed.toFixed(1)} pages/s on ${r.throughput300!.threads} thread(s)`,
      '≥ 10 pages/s',
      speed !== null && speed >= 10,
    ),
  ];
}

/** The recipe a file of an ImageMagick set (`scan-imagemagick.ts`) was made by: `scans/<page>.<recipe>.<ext>`. */
export function recipeOf(file: string): string {
  const parts = (file.split('/').pop() ?? file).split('.');
  return parts[parts.length - 2] ?? file;
}

/** The per-case figures as a table: pages identified / wrong / to review, ticks right / wrong / to review, reading time. */
export function caseTable(byCase: Record<string, CaseFigures>): string[] {
  const rows = Object.entries(byCase).sort(([a], [b]) => (a < b ? -1 : 1));
  const w = Math.max(24, ...rows.map(([n]) => n.length));
  return [
    `${'case'.padEnd(w)}  pages  ident  wrong  review   ticks right  wrong  review   ms/page`,
    ...rows.map(([name, c]) =>
      [
        name.padEnd(w),
        String(c.pages).padStart(5),
        String(c.identified).padStart(6),
        String(c.wrong).padStart(6),
        String(c.review).padStart(7),
        String(c.ticks.right).padStart(13),
        String(c.ticks.wrong).padStart(6),
        String(c.ticks.review).padStart(7),
        String(Math.round(c.ms / Math.max(1, c.pages))).padStart(9),
      ].join(' '),
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const returnsArgs = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--returns' ? [a] : []));
  const result = await runScanAccuracy({
    pages: arg('--pages') ? Number(arg('--pages')) : undefined,
    returns: returnsArgs.length ? returnsArgs : undefined,
    seed: arg('--seed') ? Number(arg('--seed')) : undefined,
    workspace: arg('--workspace'),
    threads: arg('--threads') ? Number(arg('--threads')) : undefined,
    noThroughput: process.argv.includes('--no-throughput'),
    ...(process.argv.includes('--by-recipe') ? { caseOf: recipeOf } : {}),
    onProgress: (l) => process.stderr.write(l + '\n'),
  });
  const { mistakes, decodeFailures, ...figures } = result;
  console.log(JSON.stringify(figures, null, 2));
  if (decodeFailures.length) console.log('decode failures:\n  ' + decodeFailures.join('\n  '));
  if (mistakes.length) console.log(`mistakes (${mistakes.length}):\n  ` + mistakes.slice(0, 60).join('\n  '));
  console.log('\n' + goalLines(result).join('\n'));
}
