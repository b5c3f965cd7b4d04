/**
 * `huifang plan --year YYYY [--as-of DATE] [--seed S] [--index-return P] [--json]`: the
 * visits the rules require in a year, each with why and by when (docs/planning.md). The plan
 * is recorded with its seed and parameters; the same inputs and seed give the same plan.
 * Exit 1 when the plan could not reach a ratio or an event names an unknown customer.
 */
import { formatMessage } from '../domain/messages.ts';
import { VISIT_CATEGORY_LABELS, type VisitCategory } from '../domain/visit.ts';
import { makePlan } from '../plan/run.ts';
import { shownCustomerId } from '../plan/shown.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { defineCommand, EXIT_OK, EXIT_PROBLEMS, report } from './common.ts';
import { startProgress } from './progress.ts';

interface PlanArgs {
  year: number;
  asOf?: string;
  seed?: string;
  indexReturn?: number;
  user?: string;
}

export const planCommand = defineCommand<PlanArgs>({
  command: 'plan',
  builder: (y) =>
    y
      .option('year', { type: 'number', demandOption: true, describe: 'the year planned, e.g. 2026' })
      .option('as-of', {
        type: 'string',
        describe: "new accounts and events up to this day count, YYYY-MM-DD (default today, or the year's end)",
      })
      .option('seed', {
        type: 'string',
        describe: 'seed of the random samples (default: a new one, printed and recorded)',
      })
      .option('index-return', {
        type: 'number',
        describe:
          '同期指数涨跌幅 in percent over six months, for accounts whose export does not give it (第十二条(三))',
      })
      .option('user', {
        ...USER_OPTION,
        describe: 'who makes the plan: 工号 or name on the staff roster (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    const ws = workspace();
    // Planning a large book takes a while: its four steps show on a terminal.
    const bar = startProgress(io, 'plan', { unit: 'steps' });
    const made = makePlan(ws, {
      onStep: (done, total, step) => bar.tick(done, total, step),
      year: args.year,
      actor: actingPerson(ws, args.user, 'plan-visits').staffId,
      ...(args.asOf !== undefined ? { asOf: args.asOf } : {}),
      ...(args.seed !== undefined ? { seed: String(args.seed) } : {}),
      ...(args.indexReturn !== undefined ? { indexReturn: args.indexReturn } : {}),
    });
    const { plan } = made;
    bar.finish(`${plan.planned.length} visits planned`);
    const value = {
      planId: made.planId,
      year: plan.year,
      asOf: plan.asOf,
      seed: plan.seed,
      parameters: made.parameters,
      planned: plan.planned.map((p) => ({
        customerId: shownCustomerId(p.customerId),
        branch: p.branch,
        category: p.category,
        reason: p.reason,
        due: p.due,
        basis: p.basis,
      })),
      samples: plan.samples,
      problems: plan.messages,
    };
    report(io, args.json, value, () => planText(made.planId, made.created, plan, made.accounts.sourcePath));
    return plan.messages.length ? EXIT_PROBLEMS : EXIT_OK;
  },
});

function planText(
  planId: string,
  created: boolean,
  plan: ReturnType<typeof makePlan>['plan'],
  source: string,
): string[] {
  const lines = [
    `plan ${planId} for ${plan.year} as of ${plan.asOf}, seed ${plan.seed}${created ? '' : ' (the same plan was already recorded)'}`,
    `  from the account list ${source}`,
  ];
  const branches = [...new Set(plan.planned.map((p) => p.branch))].sort();
  for (const b of branches) {
    const mine = plan.planned.filter((p) => p.branch === b);
    const by = (c: VisitCategory): number => mine.filter((p) => p.category === c).length;
    const s = plan.samples.find((x) => x.branch === b);
    lines.push(
      `营业部 ${b}: ${mine.length} visits — ${(['new-account', 'special', 'key', 'existing'] as const).map((c) => `${VISIT_CATEGORY_LABELS[c]} ${by(c)}`).join(' · ')}`,
    );
    if (s)
      lines.push(
        `  sample: ${s.sampledMargin} of ${s.margin} margin and ${s.sampledExisting} more of ${s.eligible} eligible existing customers (${s.visitedExisting} already visited this year)`,
      );
  }
  for (const m of plan.messages) lines.push(formatMessage(m));
  lines.push('start them with: huifang letters --plan (or forms --plan) [--branch B] [--category C]');
  return lines;
}
