/**
 * The `huifang accounts import` part of the planning benchmark, in a process of its own so
 * that its time and peak memory are its own: read the account file given into the register
 * of the workspace given (created when absent).
 */
import { importAccounts } from '../src/plan/run.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { lifetimePeakMb } from './memory.ts';

const ws = openWorkspace(process.argv[2]!);
const t = process.hrtime.bigint();
const cpu = process.cpuUsage();
const r = await importAccounts(ws, process.argv[3]!, { asOf: '2026-11-30', actor: 'bench' });
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
const used = process.cpuUsage(cpu);
ws.close();
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb: lifetimePeakMb(),
    rows: r.rows,
    format: r.format,
  }),
);
