/**
 * `huifang report --period YYYY-MM [--branch B]` — the period report (回访工作报告): per
 * branch, the visits started in the month by result, category and channel; the exceptions
 * (回访不通过, 第三十八条) to report to the branch manager; visits still open past their due
 * date; and the bundles built for the period with their retention dates and legal holds.
 * Customer ids are masked: a report is passed around, the archive is not.
 */
import { maskTail } from '../domain/customer.ts';
import { UsageError } from '../domain/messages.ts';
import { VISIT_RESULT_LABELS, type VisitResult } from '../domain/visit.ts';
import { activeHolds, branchesOfPeriod, listBundles } from '../store/bundles.ts';
import { today } from '../env/clock.ts';
import { getCustomer, listVisits } from '../store/visits.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface ReportArgs {
  period: string;
  branch?: string;
}

const count = <T extends string>(values: readonly T[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};

export const reportCommand = defineCommand<ReportArgs>({
  command: 'report',
  describe: 'period report: visits by result, exceptions, overdue visits, bundles and holds',
  builder: (y) =>
    y
      .option('period', { type: 'string', demandOption: true, describe: 'the month, YYYY-MM' })
      .option('branch', { type: 'string', describe: 'one branch (default: every branch with visits in the period)' }),
  // eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
  run: async ({ args, io, workspace }) => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(args.period)) throw new UsageError(`Expected a month YYYY-MM for --period but received ${JSON.stringify(args.period)}`);
    const ws = workspace();
    const day = today();
    const branches = args.branch ? [args.branch] : branchesOfPeriod(ws.db, args.period);
    const value = {
      period: args.period,
      today: day,
      branches: branches.map((branch) => {
        const visits = listVisits(ws.db, { branchCode: branch }).filter((v) => v.createdOn.startsWith(args.period));
        const exceptions = visits
          .filter((v) => v.result === 'failed')
          .map((v) => {
            const c = getCustomer(ws.db, v.customerId);
            return { visitId: v.visitId, customerId: maskTail(v.customerId), customerName: c?.name ?? '', category: v.category, channel: v.channel };
          });
        const overdue = visits.filter((v) => v.result === 'pending' && v.dueOn < day).map((v) => ({ visitId: v.visitId, dueOn: v.dueOn, channel: v.channel }));
        const bundles = listBundles(ws.db, { branchCode: branch })
          .filter((b) => b.period === args.period)
          .map((b) => ({ bundleId: b.bundleId, sha256: b.sha256, path: b.path, visits: b.visitCount, retainUntil: b.retainUntil, includesInvalid: b.includesInvalid, holds: activeHolds(ws.db, b.bundleId).map((h) => h.reason) }));
        return {
          branch,
          visits: visits.length,
          byResult: count(visits.map((v) => v.result)),
          byCategory: count(visits.map((v) => v.category)),
          byChannel: count(visits.map((v) => v.channel)),
          exceptions,
          overdue,
          bundles,
        };
      }),
    };
    report(io, args.json, value, () =>
      value.branches.flatMap((b) => [
        `营业部 ${b.branch} — ${args.period}: ${b.visits} visits`,
        `  results: ${Object.entries(b.byResult).map(([r, n]) => `${VISIT_RESULT_LABELS[r as VisitResult] ?? r} ${n}`).join(' · ') || 'none'}`,
        `  channels: ${Object.entries(b.byChannel).map(([c, n]) => `${c} ${n}`).join(' · ') || 'none'}`,
        ...(b.exceptions.length ? [`  exceptions (回访不通过, report to the branch manager):`, ...b.exceptions.map((e) => `    ${e.visitId} ${e.customerName} (${e.customerId}) ${e.category}/${e.channel}`)] : ['  exceptions: none']),
        ...(b.overdue.length ? [`  overdue, still pending: ${b.overdue.map((o) => `${o.visitId} (due ${o.dueOn})`).join(', ')}`] : []),
        ...(b.bundles.length
          ? b.bundles.map((x) => `  bundle ${x.bundleId}: ${x.visits} visits, retain until ${x.retainUntil}${x.includesInvalid ? ', includes invalid visits' : ''}${x.holds.length ? `, legal hold: ${x.holds.join('; ')}` : ''}  ${x.sha256.slice(0, 16)}…`)
          : ['  no bundle built yet (huifang archive)']),
      ]),
    );
    return EXIT_OK;
  },
});
