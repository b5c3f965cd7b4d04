/**
 * The `huifang plan` part of the planning benchmark, in a process of its own so that its
 * time and peak memory are its own: load the accounts of the workspace given, plan, record.
 */
import { makePlan } from '../src/plan/run.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { lifetimePeakMb } from './memory.ts';

const ws = openWorkspace(process.argv[2]!);
const t = process.hrtime.bigint();
const cpu = process.cpuUsage();
const made = makePlan(ws, { year: 2026, asOf: '2026-11-30', seed: 'bench', indexReturn: 5, actor: 'bench' });
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
ws.close();
console.log(JSON.stringify({ seconds, cpuSeconds, peakMb: lifetimePeakMb(), planned: made.plan.planned.length }));
