/**
 * Planning over the whole book of a large brokerage: 1,000,000 generated accounts (six
 * branches, every status, margin and VIP customers, events, visits), planned (a) in memory
 * and (b) as `huifang plan` does it: the accounts imported into a workspace's register, then
 * loaded, planned and the plan recorded. Goal: within 30 s and 1 GB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLANNING } from '../src/domain/policy-planning.ts';
import { planVisits } from '../src/plan/plan.ts';
import { saveAccountImport } from '../src/store/planning.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { generatePopulation } from '../test/plan-population.ts';
import { PeakMemory } from './memory.ts';

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;

export async function runPlanBench(options: { accounts: number }): Promise<void> {
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
  const ws = openWorkspace(join(dir, 'ws'));
  try {
    t = process.hrtime.bigint();
    const bytes = Buffer.from('bench accounts');
    const stored = ws.files.putBytes(bytes);
    saveAccountImport(
      ws.register,
      {
        asOf: '2026-11-30',
        sourcePath: 'bench',
        sha256: stored.sha256,
        size: stored.size,
        format: 'csv-utf8',
        importedBy: 'bench',
      },
      population.accounts,
    );
    console.log(
      `  accounts into the register: ${seconds(t).toFixed(1)} s (the import's share, after reading the file; not part of the goal)`,
    );
    // The command in a process of its own, so that the generated population does not count.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'plan-command.ts'), ws.dir],
      { encoding: 'utf8' },
    );
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
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
