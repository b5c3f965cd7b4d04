/**
 * Start-up of the installed command (compiled JavaScript in dist/), beside `node -e 0` in the
 * same run: `huifang --help` (goal ≤ 150 ms), `huifang --version`, and `huifang review list`
 * on a small workspace (goal ≤ 300 ms). Medians of repeated runs, each in its own process.
 *
 *     npm run bench -- startup [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'huifang');

export interface StartupRow {
  label: string;
  medianMs: number;
  goalMs?: number;
}

/** Milliseconds of one run of `node args…` (the compiled program: HUIFANG_FROM_SOURCES unset). */
function timeRun(args: string[]): number {
  const env = { ...process.env };
  delete env.HUIFANG_FROM_SOURCES;
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function runStartupBench(runs: number): StartupRow[] {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'huifang-startup-'));
  try {
    const ws = join(dir, 'ws');
    // A small workspace as a firm makes it: settings, roster, one run of letters.
    timeRun([BIN, 'init', ws, '--config', join(ROOT, 'samples', 'firm.json')]);
    timeRun([BIN, 'staff', 'import', join(ROOT, 'samples', 'staff.csv'), '--workspace', ws]);
    timeRun([
      BIN,
      'letters',
      join(ROOT, 'samples', 'customers.csv'),
      '--out',
      join(dir, 'letters'),
      '--workspace',
      ws,
      '--visitor',
      '周敏',
      '--reviewer',
      '沈佳怡',
      '--user',
      '周敏',
    ]);
    const cases: [string, string[], number?][] = [
      ['node -e 0', ['-e', '0']],
      ['huifang --help', [BIN, '--help'], 150],
      ['huifang --version', [BIN, '--version']],
      ['huifang review list (small workspace)', [BIN, 'review', 'list', '--workspace', ws], 300],
    ];
    const rows: StartupRow[] = [];
    for (const [label, args, goalMs] of cases) {
      timeRun(args); // warm the file cache
      const times = Array.from({ length: runs }, () => timeRun(args));
      rows.push({ label, medianMs: median(times), ...(goalMs ? { goalMs } : {}) });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatStartupBench(rows: StartupRow[]): string[] {
  const base = rows[0]!.medianMs;
  return rows.map((r) => {
    const goal = r.goalMs ? ` (goal ≤ ${r.goalMs} ms: ${r.medianMs <= r.goalMs ? 'met' : 'NOT met'})` : '';
    const extra = r === rows[0] ? '' : `, ${(r.medianMs - base).toFixed(0)} ms over node -e 0`;
    return `  ${r.label.padEnd(40)} ${r.medianMs.toFixed(0).padStart(5)} ms median${extra}${goal}`;
  });
}
