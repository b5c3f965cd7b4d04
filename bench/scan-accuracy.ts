/**
 * Scan accuracy benchmark: renders record forms, has `simulate` return them filled and
 * degraded (every degradation it knows) with ground truth, and reads every page back
 * with the page reader. Reports identification rate, tick accuracy, signature and seal
 * accuracy among decided boxes, the share sent to review, blank boxes decided "signed"
 * (must be 0) and pages per second at 300 dpi.
 *
 *     node --import tsx bench/scan-accuracy.ts [--pages 1000] [--returns DIR] [--seed 1]
 *
 * `--returns DIR` reads an existing `huifang simulate` output instead of generating one.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { decodePages, isPageFailure } from '../src/scan/decode.ts';
import { loadQrDecoder } from '../src/scan/qr.ts';
import { readPage, type PageReading } from '../src/scan/read-page.ts';
import type { FileTruth, PageTruth, TruthIndex } from '../src/simulate/truth.ts';

export interface ScanAccuracyOptions {
  /** Pages to generate (default 1000); ignored with `returns`. */
  pages?: number;
  /** An existing simulate output folder to read instead of generating one. */
  returns?: string;
  /** Working folder for generated forms and returns (default a fresh folder under /tmp). */
  workDir?: string;
  seed?: number;
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
  /** Review items that the truth expected (two marks, grey scan where red matters) are not counted. */
  reviewReasons: Record<string, number>;
  /** Reading time (readPage) per page, and decoding time (decodePages, shrinking to 150 dpi) per 300 dpi page. */
  msPerPage: { read: number; read300: number | null; decode300: number | null };
  /** Decoding and reading, one thread. */
  pagesPerSecondAt300: number | null;
  decodeFailures: string[];
  mistakes: string[];
}

/** Runs the benchmark and returns its figures (see the file comment). */
export async function runScanAccuracy(opts: ScanAccuracyOptions = {}): Promise<ScanAccuracy> {
  const log = opts.onProgress ?? (() => {});
  const returns = opts.returns ? resolve(opts.returns) : await generate(opts, log);
  const index = JSON.parse(readFileSync(join(returns, 'truth.json'), 'utf8')) as TruthIndex;
  await loadQrDecoder();
  const acc = newAccumulator();
  for (const f of index.files) {
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
      score(acc, `${f.file}#${p.page}`, pt, reading, ms);
      t0 = performance.now();
    }
    log(`${f.file}: ${acc.pages} pages read`);
  }
  return summarise(acc);
}

async function generate(opts: ScanAccuracyOptions, log: (l: string) => void): Promise<string> {
  const pages = opts.pages ?? 1000;
  const work = resolve(opts.workDir ?? `/tmp/huifang-scan-bench-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const forms = join(work, 'forms');
  if (!existsSync(join(forms, 'files.csv'))) {
    log('rendering record forms …');
    execFileSync(resolve('bin/huifang'), ['forms', resolve('samples/customers.csv'), '--out', forms, '--workspace', join(work, 'ws'), '--json'], { stdio: 'ignore' });
  }
  const { simulateReturns } = await import('../src/simulate/simulate.ts');
  const out = join(work, 'returns');
  log(`simulating ${pages} returned forms …`);
  await simulateReturns({ lettersDir: forms, out, seed: opts.seed ?? 1, count: pages, onProgress: (d, t) => (d % 50 === 0 ? log(`  ${d}/${t}`) : undefined) });
  return out;
}

interface Accumulator {
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
}

function newAccumulator(): Accumulator {
  return {
    pages: 0, qrPages: 0, identified: 0, misidentified: 0, tickDecided: 0, tickCorrect: 0, tickUndecided: 0,
    sig: { boxes: 0, decided: 0, correct: 0, blankSigned: 0 }, seal: { boxes: 0, decided: 0, correct: 0, blankSealed: 0 }, red: { pages: 0, decided: 0, correct: 0 },
    formPages: 0, formPagesReviewed: 0, reviewReasons: {}, ms: [], ms300: [], decode300: [], decodeFailures: [], mistakes: [],
  };
}

function score(acc: Accumulator, where: string, t: PageTruth, r: PageReading, ms: number): void {
  acc.pages++;
  acc.ms.push(ms);
  if (t.degradation.dpi === 300) acc.ms300.push(ms);
  if (!t.hasQr) {
    if (r.identified) acc.mistakes.push(`${where}: a page without a QR code was identified as ${r.payload?.visitId}`);
    return;
  }
  acc.qrPages++;
  if (!r.identified) {
    acc.mistakes.push(`${where}: not identified (${t.kind}, ${t.degradation.dpi} dpi, ${t.degradation.colour}, hard: ${t.hardReasons.join(',')}) ${r.problems.join('; ')}`);
    return;
  }
  acc.identified++;
  if (r.payload?.visitId !== t.visitId || (t.qrPayload && !t.qrPayload.includes(`|${r.payload.page}/${r.payload.pageCount}|`))) {
    acc.misidentified++;
    acc.mistakes.push(`${where}: identified as ${r.payload?.visitId} but is ${t.visitId}`);
  }
  if (t.kind !== 'form') return;
  acc.formPages++;
  const expected = new Set(t.expectReview);
  const unexpected = r.review.filter((x) => !(expected.has('two-marks') && /more than one box/.test(x.reason)) && !(expected.has('grey-seal-required') && x.subject === 'seal'));
  if (unexpected.length) acc.formPagesReviewed++;
  for (const x of unexpected) {
    const key = x.subject === 'page' || x.subject === 'qr' ? `${x.subject}: ${x.reason.replace(/[\d.]+ mm/, 'n mm')}` : x.subject.includes('.') || x.subject === 'satisfaction' ? `question: ${x.reason.replace(/^question \d+: /, '').replace(/\(.*\)/, '')}` : `${x.subject}: ${x.reason.replace(/\(.*\)/, '')}`;
    acc.reviewReasons[key] = (acc.reviewReasons[key] ?? 0) + 1;
  }
  for (const [qid, answer] of Object.entries(t.answers)) {
    const q = r.questions[qid];
    if (!q) continue;
    const marks = t.marks[qid];
    if (marks && marks.marked.length > 1) continue; // two standing marks: review is the right outcome
    if (q.review) {
      acc.tickUndecided++;
      continue;
    }
    acc.tickDecided++;
    if (q.answer === answer) acc.tickCorrect++;
    else acc.mistakes.push(`${where}: ${qid} read ${q.answer} but is ${answer} (boxes ${JSON.stringify(q.boxes)}, style ${marks?.style}${marks?.outside ? ' outside the box' : ''}, crossed ${marks?.crossedOut.join(',')}, ${t.degradation.dpi} dpi ${t.degradation.colour})`);
  }
  if (!r.checks) return;
  for (const [id, truth] of [['customerSignature', t.customerSignature], ['handlerSignature', t.handlerSignature]] as const) {
    const c = r.checks[id];
    acc.sig.boxes++;
    if (c.present === null) continue;
    acc.sig.decided++;
    if (c.present === truth) acc.sig.correct++;
    else acc.mistakes.push(`${where}: ${id} read ${c.present} (score ${c.score}, ${c.inkMm2} mm²) but is ${truth} (${t.degradation.dpi} dpi ${t.degradation.colour})`);
    if (c.present && !truth) acc.sig.blankSigned++;
  }
  const s = r.checks.seal;
  acc.seal.boxes++;
  if (s.present !== null) {
    acc.seal.decided++;
    if (s.present === t.seal) acc.seal.correct++;
    else acc.mistakes.push(`${where}: seal read ${s.present} (score ${s.score}, ${s.inkMm2} mm²) but is ${t.seal} (${t.degradation.dpi} dpi ${t.degradation.colour})`);
    if (s.present && !t.seal) acc.seal.blankSealed++;
  }
  if (t.degradation.colour === 'colour') {
    acc.red.pages++;
    const truthRed = t.seal && t.sealInk === 'red' ? (t.sealRed ?? true) : false;
    if (s.red !== null) {
      acc.red.decided++;
      if (s.red === truthRed) acc.red.correct++;
      else acc.mistakes.push(`${where}: seal red read ${s.red} (score ${s.redScore}) but is ${truthRed} (ink ${t.sealInk})`);
    }
  } else if (s.red !== null) {
    acc.mistakes.push(`${where}: red decided ${s.red} on a ${t.degradation.colour} scan`);
  }
}

function summarise(a: Accumulator): ScanAccuracy {
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
    ticks: { decided: a.tickDecided, correct: a.tickCorrect, accuracy: ratio(a.tickCorrect, a.tickDecided), undecided: a.tickUndecided },
    signatures: { boxes: a.sig.boxes, decided: a.sig.decided, correct: a.sig.correct, accuracy: ratio(a.sig.correct, a.sig.decided), blankDecidedSigned: a.sig.blankSigned },
    seals: { boxes: a.seal.boxes, decided: a.seal.decided, correct: a.seal.correct, accuracy: ratio(a.seal.correct, a.seal.decided), blankDecidedSealed: a.seal.blankSealed },
    redSeals: { colourPages: a.red.pages, decided: a.red.decided, correct: a.red.correct, accuracy: ratio(a.red.correct, a.red.decided) },
    formPages: a.formPages,
    reviewShare: ratio(a.formPagesReviewed, a.formPages),
    reviewReasons: a.reviewReasons,
    msPerPage: { read: mean(a.ms), read300: ms300, decode300: dec300 },
    pagesPerSecondAt300: ms300 !== null && dec300 !== null ? 1000 / (ms300 + dec300) : null,
    decodeFailures: a.decodeFailures,
    mistakes: a.mistakes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const result = await runScanAccuracy({
    pages: arg('--pages') ? Number(arg('--pages')) : undefined,
    returns: arg('--returns'),
    seed: arg('--seed') ? Number(arg('--seed')) : undefined,
    onProgress: (l) => process.stderr.write(l + '\n'),
  });
  const { mistakes, decodeFailures, ...figures } = result;
  console.log(JSON.stringify(figures, null, 2));
  if (decodeFailures.length) console.log('decode failures:\n  ' + decodeFailures.join('\n  '));
  if (mistakes.length) console.log(`mistakes (${mistakes.length}):\n  ` + mistakes.slice(0, 60).join('\n  '));
}
