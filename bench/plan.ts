/**
 * Planning over the whole book of a large brokerage: 1,000,000 generated accounts (six
 * branches, every status, margin and VIP customers, events, visits), planned (a) in memory
 * and (b) as `huifang plan` does it: the accounts written as a CSV file and imported with
 * `huifang accounts import` (the installed command, its own process), then loaded, planned
 * and the plan recorded. Beside it, the import of a generated XLSX workbook. Goal: the
 * import and the plan each within 30 s and 1 GB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLANNING } from '../src/domain/policy-planning.ts';
import { planVisits } from '../src/plan/plan.ts';
import { writeAccountsCsv, writeAccountsXlsx } from '../test/accounts-file.ts';
import { generatePopulation } from '../test/plan-population.ts';
import { newStaffedWorkspace } from '../test/workspace-helpers.ts';
import { measuredAtExit, measuredCommand, PeakMemory } from './memory.ts';

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

export async function runPlanBench(options: { accounts: number; xlsxAccounts: number }): Promise<void> {
  console.log(`plan: ${options.accounts.toLocaleString('en-US')} accounts (goal: within 30 s and 1 GB)`);
  let t = process.hrtime.bigint();
  const population = generatePopulation(options.accounts, 'bench');
  console.log(
    `  generated in ${seconds(t).toFixed(1)} s (${population.events.length} events, ${population.visits.length} visits; not part of the goal)`,
  );

  const memory = new PeakMemory();
  const cpu = process.cpuUsage();
  t = process.hrtime.bigint();
  const plan = planVisits({
    year: 2026,
    asOf: '2026-11-30',
    seed: 'bench',
    policy: DEFAULT_PLANNING,
    ...population,
    indexReturn: 5,
  });
  const inMemory = seconds(t);
  const used = process.cpuUsage(cpu);
  const count = (c: string): number => plan.planned.filter((p) => p.category === c).length;
  console.log(
    `  planVisits in memory: ${inMemory.toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s), peak RSS ${memory.stop().toFixed(0)} MB; ${plan.planned.length} visits (new ${count('new-account')}, special ${count('special')}, key ${count('key')}, existing ${count('existing')})`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'huifang-bench-plan-'));
  try {
    const ws = await newStaffedWorkspace(join(dir, 'ws'));
    const csv = join(dir, 'accounts.csv');
    t = process.hrtime.bigint();
    await writeAccountsCsv(csv, options.accounts, { seed: 'bench' });
    console.log(
      `  ${options.accounts.toLocaleString('en-US')}-row account CSV written in ${seconds(t).toFixed(1)} s (${(statSync(csv).size / 1e6).toFixed(0)} MB; not part of the goal)`,
    );
    const imported = runCommand(['accounts', 'import', csv, '--as-of', '2026-11-30', '--workspace', ws, '--json']);
    console.log(`  huifang accounts import (the CSV, streamed into the register), own process: ${describe(imported)}`);
    if (options.xlsxAccounts > 0) await benchXlsxImport(dir, options.xlsxAccounts);
    // The command in a process of its own, so that the generated population does not count.
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'plan-command.ts'), ws], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`the plan command failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      seconds: number;
      cpuSeconds: number;
      peakMb: number;
      planned: number;
    };
    const within = r.seconds <= 30 && r.peakMb <= 1024;
    console.log(
      `  huifang plan (load ${options.accounts.toLocaleString('en-US')} accounts from the register, plan, record), own process: ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s), peak RSS ${r.peakMb.toFixed(0)} MB — ${within ? 'within' : 'OUTSIDE'} the goal; ${r.planned} visits`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An account import of a generated XLSX workbook (shared strings, as Excel writes them). */
async function benchXlsxImport(dir: string, rows: number): Promise<void> {
  const ws = await newStaffedWorkspace(join(dir, 'ws-xlsx'));
  const xlsx = join(dir, 'accounts.xlsx');
  const t = process.hrtime.bigint();
  await writeAccountsXlsx(xlsx, rows, { seed: 'bench' });
  console.log(
    `  ${rows.toLocaleString('en-US')}-row account XLSX written in ${seconds(t).toFixed(1)} s (${(statSync(xlsx).size / 1e6).toFixed(0)} MB; not part of the goal)`,
  );
  const imported = runCommand(['accounts', 'import', xlsx, '--as-of', '2026-11-30', '--workspace', ws, '--json']);
  console.log(`  huifang accounts import (the XLSX, streamed), own process: ${describe(imported)}`);
}

interface CommandRun {
  seconds: number;
  cpuSeconds: number;
  peakMb: number;
  output: Record<string, unknown>;
}

/** The installed command (bin/huifang, dist/) in a process of its own, its CPU and peak memory reported at its exit. */
function runCommand(argv: string[]): CommandRun {
  const t = process.hrtime.bigint();
  const command = measuredCommand(argv);
  const child = spawnSync(process.execPath, command.args, { encoding: 'utf8', env: command.env });
  const wall = seconds(t);
  if (child.status !== 0) throw new Error(`huifang ${argv.join(' ')} failed: ${child.stderr}`);
  const measured = measuredAtExit(child.stderr);
  return {
    seconds: wall,
    cpuSeconds: measured.benchCpuSeconds,
    peakMb: measured.benchPeakMb,
    output: JSON.parse(child.stdout) as Record<string, unknown>,
  };
}

function describe(r: CommandRun): string {
  const within = r.seconds <= 30 && r.peakMb <= 1024;
  return `${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s), peak RSS ${r.peakMb.toFixed(0)} MB — ${within ? 'within' : 'OUTSIDE'} the goal; ${String(r.output.accounts)} accounts`;
}
