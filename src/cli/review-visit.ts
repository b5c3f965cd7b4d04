/**
 * The reviewer's acts on whole visits, behind `huifang review`: approve or return a visit
 * (复核; never one's own visit), decide between the signed paper and typed answers, and draw a
 * spot check (抽检) of a period's finished visits per visitor, reproducible from its seed.
 */
import { randomBytes } from 'node:crypto';
import { maskTail } from '../domain/customer.ts';
import { UsageError } from '../domain/messages.ts';
import { samePerson } from '../domain/people.ts';
import { drawSample, type DrawnVisit } from '../domain/sampling.ts';
import { visitFacts } from '../rules/visit-facts.ts';
import { decideConflict } from '../store/conflicts.ts';
import { loadPolicy } from '../store/policy.ts';
import { listStaff } from '../store/rules.ts';
import { recordSample, recordVisitReview, type SampleDraw, type StoredSample } from '../store/visit-reviews.ts';
import { getVisit, listVisits } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { EXIT_OK, report, type GlobalOptions, type Io } from './common.ts';
import { actingPerson } from './people.ts';
import { parseVisitId } from '../domain/visit-id.ts';

export interface ReviewArgs {
  action: 'list' | 'confirm' | 'correct' | 'reopen' | 'sheet' | 'visit' | 'conflict' | 'sample';
  /** With sheet: the HTML file to write. */
  out?: string;
  item?: string;
  approve?: boolean;
  return?: boolean;
  question?: string;
  keep?: 'paper' | 'typed';
  period?: string;
  rate?: number;
  seed?: string;
  branch?: string;
  value?: string;
  user?: string;
  visit?: string;
  note?: string;
}

type Args = ReviewArgs & GlobalOptions;

/** A typed visit id in its printed form (case, separators, look-alikes forgiven). */
export function canonicalVisit(typed: string): string {
  const parsed = parseVisitId(typed);
  if (!parsed.ok) throw new UsageError(`--visit ${JSON.stringify(typed)} is not a visit id: ${parsed.reason}`);
  return parsed.visitId;
}

function visitOf(ws: Workspace, typed: string | undefined, action: string) {
  if (!typed) throw new UsageError(`Name the visit: huifang review ${action} <visit id> …`);
  const visitId = canonicalVisit(typed);
  const visit = getVisit(ws.register, visitId);
  if (!visit) throw new UsageError(`There is no visit ${visitId} in the register.`);
  return visit;
}

/** `review visit ID --approve|--return --note T --user R` */
export async function reviewVisit(ws: Workspace, args: Args, io: Io): Promise<number> {
  if (Boolean(args.approve) === Boolean(args.return))
    throw new UsageError('Say --approve or --return (one of them) for the visit.');
  if (!args.note?.trim()) throw new UsageError('Say what you checked, or why the visit goes back, with --note "…".');
  const visit = visitOf(ws, args.item, 'visit');
  const reviewer = actingPerson(ws, args.user, 'review-visit');
  if (visit.visitor && samePerson(listStaff(ws.register), visit.visitor, reviewer.staffId)) {
    throw new UsageError(
      `${reviewer.name} (${reviewer.staffId}) carried out visit ${visit.visitId} and may not review it (相互制衡, 第四条); another reviewer must. Nothing was recorded.`,
    );
  }
  const decision = args.approve ? 'approve' : 'return';
  const review = recordVisitReview(ws.register, visit.visitId, decision, args.note.trim(), reviewer.staffId);
  report(io, args.json, { review }, () => [
    `${visit.visitId}: ${decision === 'approve' ? 'approved (复核通过)' : 'returned to the visitor'} by ${reviewer.name} (${reviewer.staffId}) at ${review.decidedAt} — ${review.note}`,
    ...(decision === 'approve' ? ['huifang validate shows whether the visit is now complete.'] : []),
  ]);
  return EXIT_OK;
}

/** `review conflict ID --question Q --keep paper|typed --user R` */
export async function decideAnswerConflict(ws: Workspace, args: Args, io: Io): Promise<number> {
  const visit = visitOf(ws, args.item, 'conflict');
  if (!args.question || !args.keep)
    throw new UsageError('Name the question and which answer stands: --question Q --keep paper|typed');
  const reviewer = actingPerson(ws, args.user, 'review-visit');
  if (visit.visitor && samePerson(listStaff(ws.register), visit.visitor, reviewer.staffId))
    throw new UsageError(
      `${reviewer.name} (${reviewer.staffId}) carried out visit ${visit.visitId} and may not decide its conflicts (第四条).`,
    );
  const facts = await visitFacts(ws, visit.visitId);
  const conflict = facts.conflicts.find((c) => c.questionId === args.question);
  if (!conflict) {
    const open = facts.conflicts.map((c) => c.questionId);
    throw new UsageError(
      `Visit ${visit.visitId} has no disagreement between paper and typed answers on ${args.question}${open.length ? `; it has on: ${open.join(', ')}` : ''}.`,
    );
  }
  const d = decideConflict(ws.register, visit.visitId, {
    questionId: conflict.questionId,
    keep: args.keep,
    paper: conflict.paper,
    typed: conflict.typed,
    decidedBy: reviewer.staffId,
    note: args.note?.trim() || null,
  });
  report(io, args.json, { visitId: visit.visitId, decision: d }, () => [
    `${visit.visitId} ${d.questionId}: paper ${d.paper} | typed ${d.typed} → ${d.keep} stands (${reviewer.name}, ${d.decidedAt})`,
  ]);
  return EXIT_OK;
}

/** `review sample --period YYYY-MM [--rate P] [--seed S] [--branch B] --user R` */
export async function drawReviewSample(ws: Workspace, args: Args, io: Io): Promise<number> {
  if (!args.period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(args.period))
    throw new UsageError(`Expected a month YYYY-MM for --period but received ${JSON.stringify(args.period)}`);
  const { policy, sha256 } = loadPolicy(ws.dir);
  const rate = args.rate ?? policy.review.sampleRate;
  if (!(rate >= 0 && rate <= 1))
    throw new UsageError(`Expected a share from 0 to 1 for --rate but received ${JSON.stringify(args.rate)}`);
  const drawer = actingPerson(ws, args.user, 'draw-sample');
  const seed = args.seed?.trim() || randomBytes(8).toString('hex');
  const visits = listVisits(ws.register, args.branch ? { branchCode: args.branch } : {}).filter((v) =>
    v.createdOn.startsWith(args.period!),
  );
  const candidates = visits.map((v) => ({
    visitId: v.visitId,
    visitor: v.visitor ?? '(no visitor)',
    result: v.result,
  }));
  const drawn = drawSample(candidates, { rate, seed, alwaysSample: policy.review.alwaysSample });
  const params = {
    rate,
    alwaysSample: policy.review.alwaysSample,
    finished: candidates.filter((c) => c.result !== 'pending').length,
    policySha256: sha256,
    method: 'per visitor: FNV-1a(seed, visitor) → mulberry32 → Fisher–Yates over visit ids',
  };
  const stored = recordSample(ws.register, {
    period: args.period,
    branchCode: args.branch ?? null,
    rate,
    seed,
    params,
    drawnBy: drawer.staffId,
    visits: drawn.map((d) => ({ visitId: d.visitId, visitor: d.visitor, reason: d.reason })),
  });
  reportSample(io, args, { stored, params, drawn, customerOf: new Map(visits.map((v) => [v.visitId, v.customerId])) });
  return EXIT_OK;
}

/** The drawn spot check: its number, parameters and visits (customers masked). */
function reportSample(
  io: Io,
  args: Args,
  {
    stored,
    params,
    drawn,
    customerOf,
  }: {
    stored: StoredSample;
    params: SampleDraw['params'] & { finished: number };
    drawn: DrawnVisit[];
    customerOf: Map<string, string>;
  },
): void {
  const { rate, seed } = stored;
  report(
    io,
    args.json,
    {
      sample: {
        sampleId: stored.sampleId,
        period: stored.period,
        branch: stored.branchCode,
        rate,
        seed,
        params,
        drawnBy: stored.drawnBy,
        drawnAt: stored.drawnAt,
        visits: drawn,
      },
    },
    () => [
      `spot check #${stored.sampleId} of ${args.period}${args.branch ? ` (branch ${args.branch})` : ''}: ${drawn.length} of ${params.finished} finished visits, rate ${rate}, seed ${seed}`,
      ...drawn.map(
        (d) =>
          `  ${d.visitId}  visitor ${d.visitor}  ${d.result}  customer ${maskTail(customerOf.get(d.visitId)!)}  ${d.reason === 'always' ? '(always checked)' : ''}`,
      ),
    ],
  );
}
