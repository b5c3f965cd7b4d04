/**
 * Ingest speed on what a clerk scans: distinct single-page 300 dpi colour JPEG scans of
 * filled record forms, ingested by the whole `huifang ingest` command (start-up, reading
 * threads and register writes included), on a folder of about 60 files and on 1,000, with
 * `zbarimg` reading only the QR codes of the same files beside it in the same run.
 *
 *     node --import tsx bench/scan-speed.ts [--files 60] [--pages 1000] [--work DIR]
 *
 * The scans are made from the clean pages of a `huifang simulate --clean` run (each page
 * turned a little, its light and JPEG quality varied, so that no two files are the same).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { FileTruth } from '../src/simulate/truth.ts';

export interface SpeedRow {
  what: string;
  files: number;
  pages: number;
  seconds: number;
  pagesPerSecond: number;
  /** Peak resident memory of the command, MB (from /usr/bin/time when present). */
  peakMb: number | null;
  /** Processor time the command used (user + system, all threads), seconds: on a shared machine a steadier figure than the wall clock. */
  cpuSeconds: number | null;
  note?: string;
}

const BIN = resolve('bin/huifang');

/** Renders record forms, has them returned filled (clean pages kept) and registered: the material of the runs. */
export async function prepareForms(work: string, visits: number): Promise<{ clean: string[]; workspace: string }> {
  const forms = join(work, 'forms');
  const ws = join(work, 'ws');
  if (!existsSync(join(forms, 'files.csv'))) {
    // The workspace as a firm makes it: settings, roster, then the forms (visitor and reviewer named).
    rmSync(ws, { recursive: true, force: true });
    execFileSync(BIN, ['init', ws, '--config', resolve('samples/firm.json')], { stdio: 'ignore' });
    execFileSync(BIN, ['staff', 'import', resolve('samples/staff.csv'), '--workspace', ws], { stdio: 'ignore' });
    const people = ['--visitor', '周敏', '--reviewer', '沈佳怡', '--user', '周敏'];
    execFileSync(
      BIN,
      ['forms', resolve('samples/customers.csv'), '--out', forms, '--workspace', ws, ...people, '--json'],
      {
        stdio: 'ignore',
      },
    );
  }
  const returns = join(work, 'returns');
  if (!existsSync(join(returns, 'truth.json'))) {
    const { simulateReturns } = await import('../src/simulate/simulate.ts');
    await simulateReturns({
      lettersDir: forms,
      out: returns,
      seed: 31,
      count: visits,
      dpi: [300],
      clean: true,
      emails: 0,
    });
  }
  const clean: string[] = [];
  for (const sub of ['scans', 'batches']) {
    if (!existsSync(join(returns, sub))) continue;
    for (const name of readdirSync(join(returns, sub))) {
      if (!name.endsWith('.truth.json')) continue;
      const t = JSON.parse(readFileSync(join(returns, sub, name), 'utf8')) as FileTruth;
      for (const p of t.pages) if (p.kind === 'form' && p.clean) clean.push(join(returns, p.clean));
    }
  }
  return { clean: clean.sort(), workspace: ws };
}

/** Writes `count` distinct 300 dpi colour JPEG scans into `dir`, cycling through the clean pages. */
export async function makeColourScans(clean: string[], dir: string, count: number): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = join(dir, `scan-${String(i + 1).padStart(4, '0')}.jpg`);
    out.push(file);
    if (existsSync(file)) continue;
    const angle = ((i * 37) % 21) / 10 - 1; // −1 … +1 degrees
    const jpeg = await sharp(clean[i % clean.length]!)
      .resize({ width: 2480, height: 3508, fit: 'fill' })
      .rotate(angle, { background: '#fdfcf8' })
      .modulate({ brightness: 0.97 + ((i * 13) % 7) / 100 })
      .jpeg({ quality: 80 + (i % 12) })
      .withMetadata({ density: 300 })
      .toBuffer();
    writeFileSync(file, jpeg);
  }
  return out;
}

/** Runs a command and times it; the peak resident memory comes from GNU time when installed. */
function timed(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { seconds: number; peakMb: number | null; cpuSeconds: number | null; status: number | null; stdout: string } {
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 })
    : spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  const m = gnuTime ? /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '') : null;
  return {
    seconds,
    peakMb: m ? Number(m[1]) / 1024 : null,
    cpuSeconds: m ? Number(m[2]) + Number(m[3]) : null,
    status: r.status,
    stdout: r.stdout ?? '',
  };
}

/** `huifang ingest` of a folder into a copy of the workspace, as a clerk runs it. */
export function timeIngest(label: string, folder: string, files: number, workspace: string): SpeedRow {
  const copy = `${workspace}-bench-${process.pid}`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(workspace, copy, { recursive: true });
  try {
    const r = timed(BIN, ['ingest', folder, '--workspace', copy, '--json', '--user', '顾文斌']);
    const doc = JSON.parse(r.stdout || '{}') as { files?: { pages?: { visitId?: string | null; kind?: string }[] }[] };
    const all = doc.files?.flatMap((f) => f.pages ?? []) ?? [];
    const forms = all.filter((p) => p.visitId && p.kind === 'form').length;
    const note = `${forms} of ${all.length} pages identified as their visit's form${r.status === 0 || r.status === 1 ? '' : `; exit ${r.status}`}`;
    return {
      what: `huifang ingest (${label})`,
      files,
      pages: all.length || files,
      seconds: r.seconds,
      pagesPerSecond: (all.length || files) / r.seconds,
      peakMb: r.peakMb,
      cpuSeconds: r.cpuSeconds,
      note,
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** `zbarimg` reading only the QR codes of the same files (one process for all), when installed. */
export function timeZbar(label: string, files: string[]): SpeedRow | null {
  if (spawnSync('zbarimg', ['--version']).status !== 0) return null;
  const r = timed('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', ...files]);
  const codes = r.stdout.split('\n').filter((l) => l.startsWith('HF1|')).length;
  return {
    what: `zbarimg, QR codes only (${label})`,
    files: files.length,
    pages: files.length,
    seconds: r.seconds,
    pagesPerSecond: files.length / r.seconds,
    peakMb: r.peakMb,
    cpuSeconds: r.cpuSeconds,
    note: `${codes} codes read`,
  };
}

export function formatSpeed(rows: SpeedRow[]): string[] {
  return rows.map(
    (r) =>
      `${r.what.padEnd(44)} ${String(r.pages).padStart(5)} pages in ${r.seconds.toFixed(1).padStart(6)} s  ${r.pagesPerSecond.toFixed(1).padStart(5)} pages/s  ${r.cpuSeconds === null ? '' : `cpu ${r.cpuSeconds.toFixed(1)} s (${((1000 * r.cpuSeconds) / r.pages).toFixed(0)} ms a page)  `}${r.peakMb === null ? '' : `peak ${r.peakMb.toFixed(0)} MB`}${r.note ? `  (${r.note})` : ''}`,
  );
}

/** The whole measurement: the folder of ~60 scans and 1,000 pages, each beside zbarimg. */
export async function runScanSpeed(
  opts: { files?: number; pages?: number; work?: string; log?: (l: string) => void } = {},
): Promise<SpeedRow[]> {
  const log = opts.log ?? (() => {});
  const work = resolve(opts.work ?? '/tmp/huifang-scan-speed');
  const { clean, workspace } = await prepareForms(work, 66);
  log(`${clean.length} filled forms; making the scans …`);
  const small = await makeColourScans(clean, join(work, `folder-${opts.files ?? 60}`), opts.files ?? 60);
  const rows: SpeedRow[] = [];
  log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  rows.push(timeIngest(`${small.length} files`, join(work, `folder-${small.length}`), small.length, workspace));
  const z = timeZbar(`${small.length} files`, small);
  if (z) rows.push(z);
  if ((opts.pages ?? 1000) > 0) {
    const big = await makeColourScans(clean, join(work, `folder-${opts.pages ?? 1000}`), opts.pages ?? 1000);
    rows.push(timeIngest(`${big.length} files`, join(work, `folder-${big.length}`), big.length, workspace));
    const zb = timeZbar(`${big.length} files`, big);
    if (zb) rows.push(zb);
  }
  log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const rows = await runScanSpeed({
    files: arg('--files') ? Number(arg('--files')) : undefined,
    pages: arg('--pages') ? Number(arg('--pages')) : undefined,
    work: arg('--work'),
    log: (l) => console.error(l),
  });
  for (const line of formatSpeed(rows)) console.log(line);
}
