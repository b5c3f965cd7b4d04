/**
 * Archive bench: builds a bundle from at least 1 GB of scan-like payload (random-ish
 * JPEG-sized files, generated into /tmp and deleted afterwards) and verifies it, printing
 * throughput in MB/s and peak memory; side by side, from the same run and the same files:
 * coreutils sha256sum + sha512sum over the payload, `zip -0` of the unpacked bag, and —
 * when BAGIT_PY=/path/to/bagit.py is set — bagit-python validating the unpacked bag and
 * making a bag of the same files (plus `zip -0`, to compare with huifang's build).
 *
 *     node --import tsx bench/archive.ts [megabytes=1024] [repeat=3]
 *
 * The visits are e-questionnaires whose exported response and attachments are the scans, so
 * their evidence is complete. Validation of the visits is not timed here (it is the rules stage's bench); PDF stamping
 * is off (there are no PDFs in a scan-only payload).
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundles } from '../src/archive/build.ts';
import { verifyBundle } from '../src/archive/verify.ts';
import { insertVisit, addDocument, upsertCustomer } from '../src/store/visits.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { importStaff } from '../src/store/rules.ts';
import { recordVisitReview } from '../src/store/visit-reviews.ts';
import { checkCharacter } from '../src/domain/visit-id.ts';
import type { VisitId } from '../src/domain/visit-id.ts';

export interface ArchiveBenchOptions {
  /** Payload size in MB (2^20 bytes); default 1024. */
  megabytes?: number;
  /** Where to put the temporary files; default the OS temp folder. */
  tmp?: string;
  /** Path of bagit-python's bagit.py; default $BAGIT_PY. */
  bagitPy?: string;
  /** Keep the temporary files (default false). */
  keep?: boolean;
  /** Runs of each timed step; the median time is reported (default 3: the VM is noisy). */
  repeat?: number;
  log?: (line: string) => void;
}

export interface Measurement {
  label: string;
  seconds: number;
  mbPerSecond: number;
  /** Peak resident memory, MB, when known. */
  peakRssMb: number | null;
  note?: string;
}

export interface ArchiveBenchResult {
  payloadMb: number;
  files: number;
  measurements: Measurement[];
  skipped: string[];
}

/** Samples the process's RSS while `work` runs; returns its result, the seconds and the peak MB. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = process.hrtime.bigint();
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9, peakMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** Runs a step `times` times; the median seconds and the highest peak. */
async function median(
  times: number,
  step: () => Promise<{ seconds: number; peakMb: number | null }>,
): Promise<{ seconds: number; peakMb: number | null; all: number[] }> {
  const runs: { seconds: number; peakMb: number | null }[] = [];
  for (let i = 0; i < times; i++) runs.push(await step());
  const all = runs.map((r) => r.seconds);
  const sorted = [...all].sort((a, b) => a - b);
  const peaks = runs.map((r) => r.peakMb).filter((p): p is number => p !== null);
  return { seconds: sorted[Math.floor(sorted.length / 2)]!, peakMb: peaks.length ? Math.max(...peaks) : null, all };
}

/** Runs a command under /usr/bin/time -v: seconds and peak RSS (MB). */
function external(
  cmd: string,
  args: string[],
  cwd: string,
): { seconds: number; peakMb: number | null; ok: boolean; stderr: string } {
  const useTime =
    spawnSync('/usr/bin/time', ['--version']).status === 0 || spawnSync('/usr/bin/time', ['-v', 'true']).status === 0;
  const start = process.hrtime.bigint();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
    : spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
  return { seconds, peakMb: m ? Number(m[1]) / 1024 : null, ok: r.status === 0, stderr: (r.stderr ?? '').slice(-2000) };
}

/**
 * Reads files once so that every timed step starts from the page cache: on this kind of
 * virtual disk the first read of freshly written data is several times slower, which
 * would otherwise measure the disk rather than the tool. `sync` first, so that no step
 * pays for writing back what an earlier step wrote.
 */
function warm(paths: string[]): void {
  spawnSync('sync'); // no step pays for an earlier step's dirty pages
  for (let i = 0; i < paths.length; i += 500)
    spawnSync('cat', paths.slice(i, i + 500), { stdio: ['ignore', 'ignore', 'ignore'] });
}

function vmHwmMb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function listFiles(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base)).flatMap((n) => {
    const rel = base ? `${base}/${n}` : n;
    return statSync(join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

function visitId(n: number): VisitId {
  const body = ('BENCH' + String(n).padStart(4, '0')).slice(0, 9);
  return `HF-${body.slice(0, 5)}-${body.slice(5)}${checkCharacter(body)}` as VisitId;
}

/** Runs the archive bench and prints its table; returns the figures. */
export async function runArchiveBench(opts: ArchiveBenchOptions = {}): Promise<ArchiveBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const megabytes = opts.megabytes ?? 1024;
  const bagitPy = opts.bagitPy ?? process.env.BAGIT_PY;
  const repeat = opts.repeat ?? 3;
  const root = mkdtempSync(join(opts.tmp ?? tmpdir(), 'huifang-archive-bench-'));
  const skipped: string[] = [];
  const measurements: Measurement[] = [];
  try {
    // 1. scan-like payload in a workspace: visits of ~10 JPEG-sized files (0.3–2 MB)
    const ws = openWorkspace(join(root, 'ws'));
    // The archive command is run by a named clerk on the roster.
    importStaff(
      ws.register,
      [{ staffId: 'bench', name: 'bench', role: '经办人', isMarketing: false }],
      'bench',
      'bench roster',
    );
    const target = megabytes * 2 ** 20;
    let total = 0;
    let files = 0;
    let n = 0;
    const scratch = Buffer.alloc(2_000_000);
    scratch.set([0xff, 0xd8, 0xff, 0xe0]);
    while (total < target) {
      n++;
      const id = visitId(n);
      const customerId = `3101${String(n).padStart(8, '0')}`;
      upsertCustomer(ws.register, {
        customerId,
        name: `客户${n}`,
        kind: 'individual',
        branchCode: '3101',
        branchName: '上海浦东南路证券营业部',
        address: '上海市',
        postcode: '200120',
        phone: '13800138000',
        email: 'a@example.com',
        openedOn: '2026-04-01',
      });
      insertVisit(
        ws.register,
        {
          visitId: id,
          customerId,
          category: 'new-account',
          channel: 'e-questionnaire',
          createdOn: '2026-05-03',
          dueOn: '2026-06-03',
          result: 'passed',
        },
        'bench',
      );
      for (let k = 0; k < 10 && total < target; k++) {
        const size = 300_000 + Math.floor(Math.random() * 1_700_000);
        const bytes = scratch.subarray(0, size);
        randomFillSync(bytes, 4, size - 6);
        bytes.set([0xff, 0xd9], size - 2);
        const stored = ws.files.putBytes(bytes);
        addDocument(ws.register, {
          visitId: id,
          kind: k === 0 ? 'e-questionnaire' : 'attachment',
          role: 'received',
          sha256: stored.sha256,
          size,
          mediaType: 'image/jpeg',
          fileName: `scan-${n}-${k}.jpg`,
        });
        total += size;
        files++;
      }
      // 复核: a visit is archived as valid only once a reviewer has approved it.
      recordVisitReview(ws.register, id, 'approve', 'bench', 'bench-reviewer');
    }
    const payloadMb = total / 2 ** 20;
    log(`archive bench: ${payloadMb.toFixed(0)} MB of scan-like payload in ${files} files, ${n} visits (${root})`);

    // 2. huifang archive (build) and verify
    const out = join(root, 'out');
    const storeFiles = listFiles(join(root, 'ws', 'files')).map((p) => join(root, 'ws', 'files', p));
    let zip = '';
    const build = await median(repeat, async () => {
      warm(storeFiles);
      const m = await measured(() =>
        buildBundles(ws, {
          branch: '3101',
          period: '2026-05',
          outDir: out,
          validate: () => ({ ok: true, problems: [] }),
          actor: 'bench',
        }),
      );
      zip = m.value.bundles[0]!.path;
      return m;
    });
    measurements.push({
      label: 'huifang archive (build zip: sha256+sha512+crc32, write, re-hash zip)',
      seconds: build.seconds,
      mbPerSecond: payloadMb / build.seconds,
      peakRssMb: build.peakMb,
    });
    const verify = await median(repeat, async () => {
      warm([zip]);
      const m = await measured(() => verifyBundle(zip));
      if (!m.value.ok)
        throw new Error(`the bench bundle does not verify: ${JSON.stringify(m.value.problems.slice(0, 3))}`);
      return m;
    });
    measurements.push({
      label: 'huifang verify (streamed zip, every checksum)',
      seconds: verify.seconds,
      mbPerSecond: payloadMb / verify.seconds,
      peakRssMb: verify.peakMb,
    });
    ws.close();

    // The same two steps as a user runs them: the command line in its own process, start-up
    // included, and its peak memory (the rows above share this process with the bench).
    const huifang = (args: string[]): ReturnType<typeof external> => {
      const r = external(join(import.meta.dirname, '..', 'bin', 'huifang'), args, root);
      if (!r.ok) throw new Error(`huifang ${args[0]} failed: ${r.stderr}`);
      return r;
    };
    let c = 0;
    const cliBuild = await median(repeat, async () => {
      warm(storeFiles);
      return huifang([
        'archive',
        '--branch',
        '3101',
        '--period',
        '2026-05',
        '--out',
        join(root, `cli-out-${++c}`),
        '--workspace',
        join(root, 'ws'),
        '--no-stamp',
        '--include-invalid',
        '--user',
        'bench',
      ]);
    });
    measurements.push({
      label: '  the same, `huifang archive` command (own process, start-up and validation included)',
      seconds: cliBuild.seconds,
      mbPerSecond: payloadMb / cliBuild.seconds,
      peakRssMb: cliBuild.peakMb,
    });
    const cliVerify = await median(repeat, async () => {
      warm([zip]);
      return huifang(['verify', zip]);
    });
    measurements.push({
      label: '  the same, `huifang verify` command (own process, start-up included)',
      seconds: cliVerify.seconds,
      mbPerSecond: payloadMb / cliVerify.seconds,
      peakRssMb: cliVerify.peakMb,
    });

    // 3. the same bag unpacked, for the tools that work on folders
    const unpacked = join(root, 'unpacked');
    mkdirSync(unpacked);
    const unzip = external('unzip', ['-q', zip, '-d', unpacked], root);
    if (!unzip.ok) throw new Error(`unzip failed: ${unzip.stderr}`);
    const bagName = readdirSync(unpacked)[0]!;
    const bagDir = join(unpacked, bagName);
    const bagFiles = listFiles(bagDir).map((p) => join(bagDir, p));
    const folderVerify = await median(repeat, async () => {
      warm(bagFiles);
      return measured(() => verifyBundle(bagDir));
    });
    measurements.push({
      label: 'huifang verify (unpacked bag folder)',
      seconds: folderVerify.seconds,
      mbPerSecond: payloadMb / folderVerify.seconds,
      peakRssMb: folderVerify.peakMb,
    });
    const cliFolder = await median(repeat, async () => {
      warm(bagFiles);
      return huifang(['verify', bagDir]);
    });
    measurements.push({
      label: '  the same, `huifang verify` command (own process, start-up included)',
      seconds: cliFolder.seconds,
      mbPerSecond: payloadMb / cliFolder.seconds,
      peakRssMb: cliFolder.peakMb,
    });

    const payload = listFiles(join(bagDir, 'data')).map((p) => `data/${p}`);
    const sums = await median(repeat, async () => {
      warm(payload.map((p) => join(bagDir, p)));
      const a = external('sha256sum', payload, bagDir);
      const b = external('sha512sum', payload, bagDir);
      return { seconds: a.seconds + b.seconds, peakMb: Math.max(a.peakMb ?? 0, b.peakMb ?? 0) || null };
    });
    measurements.push({
      label: 'coreutils sha256sum + sha512sum (two reads)',
      seconds: sums.seconds,
      mbPerSecond: payloadMb / sums.seconds,
      peakRssMb: sums.peakMb,
    });
    let z = 0;
    const zip0 = await median(repeat, async () => {
      warm(bagFiles);
      return external('zip', ['-0', '-r', '-q', '-X', join(root, `zip0-${++z}.zip`), bagName], unpacked);
    });
    measurements.push({
      label: 'zip -0 of the unpacked bag',
      seconds: zip0.seconds,
      mbPerSecond: payloadMb / zip0.seconds,
      peakRssMb: zip0.peakMb,
    });
    // huifang's build fsyncs the zip before recording it; the same durability for zip -0:
    const zip0Durable = await median(repeat, async () => {
      warm(bagFiles);
      const a = external('zip', ['-0', '-r', '-q', '-X', join(root, `zip0-${++z}.zip`), bagName], unpacked);
      const b = external('sync', [], root);
      return { seconds: a.seconds + b.seconds, peakMb: a.peakMb };
    });
    measurements.push({
      label: 'zip -0 of the unpacked bag, then sync (durable, as huifang fsyncs)',
      seconds: zip0Durable.seconds,
      mbPerSecond: payloadMb / zip0Durable.seconds,
      peakRssMb: zip0Durable.peakMb,
    });

    if (bagitPy) {
      let failed = '';
      const validate = await median(repeat, async () => {
        warm(bagFiles);
        const r = external('python3', [bagitPy, '--quiet', '--validate', bagDir], root);
        if (!r.ok) failed = `failed: ${r.stderr.split('\n').slice(-3).join(' ')}`;
        return r;
      });
      measurements.push({
        label: 'bagit-python --validate (unpacked bag)',
        seconds: validate.seconds,
        mbPerSecond: payloadMb / validate.seconds,
        peakRssMb: validate.peakMb,
        ...(failed ? { note: failed } : {}),
      });
      // making a bag of the same files: a hard-linked copy of the payload, bagged in place, then zip -0
      let k = 0;
      const durable: number[] = [];
      failed = '';
      const make = await median(repeat, async () => {
        const parent = join(root, `fresh-${++k}`);
        const fresh = join(parent, bagName);
        mkdirSync(parent);
        spawnSync('cp', ['-al', join(bagDir, 'data'), fresh]);
        warm(listFiles(fresh).map((p) => join(fresh, p)));
        const a = external('python3', [bagitPy, '--quiet', '--sha256', '--sha512', fresh], root);
        if (!a.ok) failed = `failed: ${a.stderr.split('\n').slice(-3).join(' ')}`;
        const b = external('zip', ['-0', '-r', '-q', '-X', join(parent, 'bagit-py.zip'), bagName], parent);
        const c = external('sync', [], root);
        durable.push(a.seconds + b.seconds + c.seconds);
        return { seconds: a.seconds + b.seconds, peakMb: Math.max(a.peakMb ?? 0, b.peakMb ?? 0) || null };
      });
      measurements.push({
        label: 'bagit-python make bag (sha256+sha512) + zip -0',
        seconds: make.seconds,
        mbPerSecond: payloadMb / make.seconds,
        peakRssMb: make.peakMb,
        ...(failed ? { note: failed } : {}),
      });
      const durableMedian = [...durable].sort((x, y) => x - y)[Math.floor(durable.length / 2)]!;
      measurements.push({
        label: 'bagit-python make bag + zip -0, then sync (durable)',
        seconds: durableMedian,
        mbPerSecond: payloadMb / durableMedian,
        peakRssMb: make.peakMb,
      });
    } else {
      skipped.push('bagit-python: skipped: bagit-python not available (set BAGIT_PY=/path/to/bagit.py)');
    }

    log(`median of ${repeat} run(s) per step:`);
    log(`${'step'.padEnd(72)} ${'seconds'.padStart(8)} ${'MB/s'.padStart(8)} ${'peak RSS MB'.padStart(12)}`);
    for (const m of measurements) {
      log(
        `${m.label.padEnd(72)} ${m.seconds.toFixed(2).padStart(8)} ${m.mbPerSecond.toFixed(0).padStart(8)} ${(m.peakRssMb === null ? '?' : m.peakRssMb.toFixed(0)).padStart(12)}${m.note ? `  ${m.note}` : ''}`,
      );
    }
    for (const s of skipped) log(s);
    log(
      `process VmHWM (whole bench, including generating the payload): ${vmHwmMb()?.toFixed(0) ?? '?'} MB. In-process rows count the bench's own memory too; the command rows are the commands alone. Every tool's input was read once before its timed step (warm page cache).`,
    );
    return { payloadMb, files, measurements, skipped };
  } finally {
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runArchiveBench({ megabytes: Number(process.argv[2] ?? 1024), repeat: Number(process.argv[3] ?? 3) });
}
