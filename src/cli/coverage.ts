/**
 * `huifang coverage --year YYYY [--branch B] [--as-of DATE] [--json]`: per branch, the
 * visits made against what the rules require (第四十一条): new accounts, the share of
 * existing and margin customers against the policy's ratios, key customers, events, and
 * who is still missing with their due dates. Exit 1 when a branch falls short.
 */
import type { Coverage, CountCoverage, RatioCoverage } from '../plan/coverage.ts';
import { coverageOf } from '../plan/run.ts';
import { shownCustomerId } from '../plan/shown.ts';
import { defineCommand, EXIT_OK, EXIT_PROBLEMS, report } from './common.ts';

interface CoverageArgs {
  year: number;
  branch?: string;
  asOf?: string;
  indexReturn?: number;
}

export const coverageCommand = defineCommand<CoverageArgs>({
  command: 'coverage',
  builder: (y) =>
    y
      .option('year', { type: 'number', demandOption: true, describe: 'the year, e.g. 2026' })
      .option('branch', { type: 'string', describe: 'one branch code (default every branch)' })
      .option('as-of', {
        type: 'string',
        describe: "count up to this day, YYYY-MM-DD (default today, or the year's end)",
      })
      .option('index-return', {
        type: 'number',
        describe: '同期指数涨跌幅 in percent, for the key-customer return criterion',
      }),
  run: async ({ args, io, workspace }) => {
    const c = coverageOf(workspace(), {
      year: args.year,
      ...(args.asOf !== undefined ? { asOf: args.asOf } : {}),
      ...(args.branch !== undefined ? { branch: String(args.branch) } : {}),
      ...(args.indexReturn !== undefined ? { indexReturn: args.indexReturn } : {}),
    });
    const shown = coverageForOutput(c);
    report(io, args.json, shown, () => coverageText(shown));
    return coverageComplete(c) ? EXIT_OK : EXIT_PROBLEMS;
  },
});

/** True when every branch meets its ratios and nobody is missing. */
export function coverageComplete(c: Coverage): boolean {
  return c.branches.every(
    (b) =>
      b.existing.ok &&
      b.margin.ok &&
      b.newAccounts.missing.length === 0 &&
      b.key.missing.length === 0 &&
      b.events.missing.length === 0,
  );
}

/** The coverage with customer ids masked, as printed and put in reports. */
export function coverageForOutput(c: Coverage): Coverage {
  const mask = <T extends CountCoverage | RatioCoverage>(x: T): T => ({
    ...x,
    missing: x.missing.map((m) => ({ ...m, customerId: shownCustomerId(m.customerId) })),
  });
  return {
    ...c,
    branches: c.branches.map((b) => ({
      ...b,
      newAccounts: mask(b.newAccounts),
      existing: mask(b.existing),
      margin: mask(b.margin),
      key: mask(b.key),
      events: mask(b.events),
    })),
  };
}

const pct = (r: number): string => `${(Math.round(r * 1000) / 10).toFixed(1)} %`;

/** Text lines of a coverage, for the terminal and the period report. */
export function coverageText(c: Coverage, limit = 10): string[] {
  const lines = [`coverage ${c.year} as of ${c.asOf}`];
  const missing = (label: string, x: CountCoverage | RatioCoverage): string[] =>
    x.missing.length
      ? [
          `    ${label} missing: ${x.missing
            .slice(0, limit)
            .map((m) => `${m.customerId} (due ${m.due}${m.event ? `, ${m.event} ${m.occurredOn}` : ''})`)
            .join(', ')}${x.missing.length > limit ? ` … and ${x.missing.length - limit} more` : ''}`,
        ]
      : [];
  for (const b of c.branches) {
    lines.push(
      `营业部 ${b.branch} ${b.branchName}`,
      `  新开客户 ${b.newAccounts.visited}/${b.newAccounts.total} visited (${b.newAccounts.started} started)`,
      `  存量客户 ${b.existing.visited}/${b.existing.eligible} = ${pct(b.existing.ratio)} (policy ${pct(b.existing.policyRatio)}, ${b.existing.required} needed) ${b.existing.ok ? '✓' : `✗ ${b.existing.short} more to start`}`,
      `  融资融券 ${b.margin.visited}/${b.margin.eligible} = ${pct(b.margin.ratio)} (policy ${pct(b.margin.policyRatio)}, ${b.margin.required} needed) ${b.margin.ok ? '✓' : `✗ ${b.margin.short} more to start`}`,
      `  重点客户 ${b.key.visited}/${b.key.total} visited (${b.key.started} started)`,
      `  事件回访 ${b.events.visited}/${b.events.total} visited (${b.events.started} started)`,
      ...missing('新开客户', b.newAccounts),
      ...missing('存量客户 (planned)', b.existing),
      ...missing('重点客户', b.key),
      ...missing('事件回访', b.events),
    );
  }
  if (c.branches.length === 0) lines.push('no account in the account list for this selection');
  return lines;
}
