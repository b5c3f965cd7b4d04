/**
 * `huifang accounts import` of a large account CSV (the installed command, its own process),
 * and what it costs the other clerks: while it runs, this process records a staff list in
 * the same register every 200 ms (a write that takes the register's write lock, as every
 * clerk's write does) and reports the longest stretch during which no such write got
 * through: the time the import held the register's write lock, seen from outside.
 *
 *     npm run bench -- import [--accounts 1000000] [--postgres]
 *
 * `--postgres`: on a private PostgreSQL server (Debian's `postgresql` binaries) as well.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStaffRoster } from '../src/input/staff-roster.ts';
import { importStaff } from '../src/store/rules.ts';
import { initWorkspace, openWorkspace, readConfigFile } from '../src/store/workspace.ts';
import { writeAccountsCsv } from '../test/accounts-file.ts';
import { postgresBinaries, startPostgres } from '../test/postgres-server.ts';
import { SAMPLE_FIRM, SAMPLE_STAFF } from '../test/workspace-helpers.ts';
import { measuredAtExit, measuredCommand } from './memory.ts';

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
const PROBE_EVERY_MS = 200;

export async function runImportBench(options: { accounts: number; postgres: boolean }): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'huifang-bench-import-'));
  const lines: string[] = [];
  try {
    const csv = join(dir, 'accounts.csv');
    const t = process.hrtime.bigint();
    await writeAccountsCsv(csv, options.accounts, { seed: 'bench' });
    lines.push(
      `import: ${options.accounts.toLocaleString('en-US')}-row account CSV (${(statSync(csv).size / 1e6).toFixed(0)} MB, written in ${seconds(t).toFixed(1)} s), huifang accounts import in its own process while another writer records a staff list every ${PROBE_EVERY_MS} ms`,
    );
    lines.push(`  SQLite: ${await benchOne(join(dir, 'ws-sqlite'), csv, undefined)}`);
    if (options.postgres) {
      const bin = postgresBinaries();
      if ('missing' in bin) lines.push(`  PostgreSQL: skipped, ${bin.missing}`);
      else {
        const server = await startPostgres(bin.dir);
        try {
          lines.push(`  PostgreSQL: ${await benchOne(join(dir, 'ws-pg'), csv, `${server.url}&schema=bench`)}`);
        } finally {
          server.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

async function benchOne(wsDir: string, csv: string, register: string | undefined): Promise<string> {
  const config = readConfigFile(SAMPLE_FIRM);
  const roster = await readStaffRoster(SAMPLE_STAFF);
  initWorkspace(wsDir, register ? { ...config, register } : config).close();
  const ws = openWorkspace(wsDir);
  try {
    importStaff(ws.register, roster, 'bench', SAMPLE_STAFF);
    const start = Date.now();
    const run = importCommand(['accounts', 'import', csv, '--as-of', '2026-11-30', '--workspace', wsDir, '--json']);
    let ended = false;
    void run.then(() => (ended = true));
    // The writes of another clerk meanwhile: the longest stretch between two that got through.
    let lastThrough = start;
    let longest = 0;
    let failed = 0;
    while (!ended) {
      try {
        importStaff(ws.register, roster, 'bench', 'probe');
        longest = Math.max(longest, Date.now() - lastThrough);
        lastThrough = Date.now();
      } catch {
        failed += 1; // the register was busy for longer than a writer waits
      }
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
    const r = await run;
    longest = Math.max(longest, r.endedAt - lastThrough);
    return `${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s), peak RSS ${r.peakMb.toFixed(0)} MB, ${String(r.output.accounts)} accounts; other writers kept out for at most ${(longest / 1000).toFixed(1)} s (${failed} gave up busy)`;
  } finally {
    ws.close();
  }
}

interface CommandRun {
  seconds: number;
  endedAt: number;
  cpuSeconds: number;
  peakMb: number;
  output: Record<string, unknown>;
}

/** The installed command (bin/huifang, dist/) in a process of its own, not waited for synchronously. */
function importCommand(argv: string[]): Promise<CommandRun> {
  const t = process.hrtime.bigint();
  const command = measuredCommand(argv);
  const child = spawn(process.execPath, command.args, { env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (status) => {
      const wall = seconds(t);
      if (status !== 0) return reject(new Error(`huifang ${argv.join(' ')} failed: ${stderr}`));
      const measured = measuredAtExit(stderr);
      resolve({
        seconds: wall,
        endedAt: Date.now(),
        cpuSeconds: measured.benchCpuSeconds,
        peakMb: measured.benchPeakMb,
        output: JSON.parse(stdout) as Record<string, unknown>,
      });
    });
  });
}
