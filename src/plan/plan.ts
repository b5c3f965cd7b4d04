/**
 * Planning (回访计划): from the account population, the account events and the visits
 * already made, the visits the rules require in a year, each with its reason and due date:
 *
 * - every account opened in the year and not yet visited (第十六条; due one month after opening, 第十七条);
 * - one special visit per event, due the policy's business days after the event (第三十一条;
 *   证券公司客户回访制度: closure 2 days, six months idle 15 days, large transfer next day);
 * - key customers once a year by the policy's thresholds, with the criteria met, except
 *   those with a new-account visit that year (第十二条, 第二十八条);
 * - per branch, a seeded random sample of eligible existing customers (not dormant,
 *   suspended or closed, not visited in the year) so that at least the policy's share of
 *   margin customers (15 %) and of all eligible existing customers (10 %) are visited (第二十条).
 *
 * Pure: the same inputs and seed give the same plan.
 */
import type { AccountEvent, AccountEventKind, PlanningAccount } from '../domain/account.ts';
import { ACCOUNT_EVENT_LABELS } from '../domain/account.ts';
import { maskTail } from '../domain/customer.ts';
import { addBusinessDays, dueDate } from '../domain/deadlines.ts';
import { message, type Message } from '../domain/messages.ts';
import type { PlanningPolicy } from '../domain/policy-planning.ts';
import type { VisitCategory } from '../domain/visit.ts';
import {
  indexVisits,
  isEligibleExisting,
  isNewAccount,
  KEY_CRITERION_LABELS,
  keyCriteria,
  visitForEvent,
  yearBounds,
  type VisitIndex,
  type VisitSeen,
  type YearBounds,
} from './population.ts';
import { drawSample, required, seededStream } from './sample.ts';

/** Why a visit is planned: `new-account`, `event:closure`, `key:assets+vip`, `margin-sample`, `existing-sample`. */
export type PlanBasis = string;

export interface PlannedVisit {
  customerId: string;
  /** 营业部 code. */
  branch: string;
  category: VisitCategory;
  basis: PlanBasis;
  /** For people: the rule and the facts, e.g. `开户 2026-03-05 (第十六条)`. */
  reason: string;
  /** `YYYY-MM-DD` */
  due: string;
  /** The event's id in the register, for event visits. */
  eventId?: number;
}

export interface PlanInput {
  year: number;
  /** The day the plan is made for: new accounts and events up to it count. */
  asOf: string;
  seed: string;
  policy: PlanningPolicy;
  accounts: readonly PlanningAccount[];
  events: readonly (AccountEvent & { eventId?: number })[];
  visits: readonly VisitSeen[];
  /** 同期指数涨跌幅 (percent) for accounts whose export does not give it. */
  indexReturn?: number;
  /** Customers sampled by an earlier plan of the year, and how (`margin-sample`, `existing-sample`): drawn first when still candidates. */
  sampledBefore?: ReadonlyMap<string, PlanBasis>;
}

export interface BranchSample {
  branch: string;
  eligible: number;
  margin: number;
  /** Already visited as existing customers this year. */
  visitedExisting: number;
  visitedMargin: number;
  sampledMargin: number;
  sampledExisting: number;
}

export interface Plan {
  year: number;
  asOf: string;
  seed: string;
  planned: PlannedVisit[];
  samples: BranchSample[];
  /** Warnings: events for unknown customers, branches with too few candidates, a missing index. */
  messages: Message[];
}

const CATEGORY_ORDER: Record<string, number> = { 'new-account': 0, special: 1, key: 2, existing: 3 };

/**
 * Plans a year's visits.
 *
 * @example
 * const plan = planVisits({ year: 2026, asOf: '2026-03-31', seed: 'q1', policy: DEFAULT_PLANNING, accounts, events, visits: [] });
 * plan.planned.filter((p) => p.category === 'new-account').length;
 */
export function planVisits(input: PlanInput): Plan {
  const y = yearBounds(input.year, input.asOf);
  const seen = indexVisits(input.visits, y);
  const messages: Message[] = [];
  const planned: PlannedVisit[] = [];
  const taken = new Set<string>();
  // Only the accounts events name are looked up by id.
  const named = new Set(input.events.map((e) => e.customerId));
  const byId = new Map<string, PlanningAccount>();
  for (const a of input.accounts) if (named.has(a.customerId)) byId.set(a.customerId, a);

  for (const a of input.accounts) {
    if (isNewAccount(a, y) && !seen.newAccountEver.has(a.customerId)) {
      planned.push({
        customerId: a.customerId,
        branch: a.branchCode,
        category: 'new-account',
        basis: 'new-account',
        reason: `开户 ${a.openedOn}: 新开客户回访 (第十六条), 一个月内 (第十七条)`,
        due: dueDate('new-account', a.openedOn, a.openedOn),
      });
      taken.add(a.customerId);
    }
  }
  planned.push(...planEvents(input, y, seen, byId, messages));
  for (const p of planned) taken.add(p.customerId);
  planned.push(...planKeyCustomers(input, y, seen, taken, messages));
  for (const p of planned) taken.add(p.customerId);
  const samples = planSamples(input, y, seen, taken, planned, messages);

  planned.sort(
    (a, b) =>
      (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0) ||
      CATEGORY_ORDER[a.category]! - CATEGORY_ORDER[b.category]! ||
      (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0) ||
      (a.due < b.due ? -1 : a.due > b.due ? 1 : 0),
  );
  return { year: input.year, asOf: input.asOf, seed: input.seed, planned, samples, messages };
}

/** One special visit per event in the year (the same event listed twice counts once), unless a special visit followed it. */
function planEvents(
  input: PlanInput,
  y: YearBounds,
  seen: VisitIndex,
  byId: Map<string, PlanningAccount>,
  messages: Message[],
): PlannedVisit[] {
  const out: PlannedVisit[] = [];
  const once = new Set<string>();
  for (const e of input.events) {
    if (e.occurredOn < y.start || e.occurredOn > y.until) continue;
    const key = `${e.customerId}\u0000${e.kind}\u0000${e.occurredOn}`;
    if (once.has(key)) continue;
    once.add(key);
    const account = byId.get(e.customerId);
    if (!account) {
      messages.push(
        message(
          'plan/unknown-customer',
          `the ${ACCOUNT_EVENT_LABELS[e.kind]} event of ${e.occurredOn} is for customer ${maskTail(e.customerId)}, who is not in the account list`,
          {},
          {
            severity: 'warning',
            fix: 'import an account list that holds the customer (huifang accounts import), then plan again',
          },
        ),
      );
      continue;
    }
    if (visitForEvent(seen, e.customerId, e.occurredOn)) continue;
    const days = input.policy.eventDeadlines[e.kind];
    out.push({
      customerId: e.customerId,
      branch: account.branchCode,
      category: 'special',
      basis: `event:${e.kind}`,
      reason: `${ACCOUNT_EVENT_LABELS[e.kind]} ${e.occurredOn}: ${days} 个工作日内回访 (${eventArticle(e.kind)})`,
      due: addBusinessDays(e.occurredOn, days, input.policy.calendar),
      ...(e.eventId !== undefined ? { eventId: e.eventId } : {}),
    });
  }
  return out;
}

function eventArticle(kind: AccountEventKind): string {
  return kind === 'closure' || kind === 'idle' || kind === 'large-transfer' ? '证券公司客户回访制度' : '第三十一条';
}

/** Key customers not closed, not visited as key customers this year, and without a new-account visit this year (第二十八条). */
function planKeyCustomers(
  input: PlanInput,
  y: YearBounds,
  seen: VisitIndex,
  taken: Set<string>,
  messages: Message[],
): PlannedVisit[] {
  const t = input.policy.keyCustomers;
  const keyVisited = seen.byCategoryInYear.get('key');
  const newVisited = seen.byCategoryInYear.get('new-account');
  const out: PlannedVisit[] = [];
  let returnsWithoutIndex = 0;
  for (const a of input.accounts) {
    if (a.status === 'closed' || keyVisited?.has(a.customerId) || newVisited?.has(a.customerId)) continue;
    if (isNewAccount(a, y) && taken.has(a.customerId)) continue;
    if (
      t.returnBelowIndex !== null &&
      a.sixMonthReturn !== undefined &&
      a.indexReturn === undefined &&
      input.indexReturn === undefined
    )
      returnsWithoutIndex++;
    const met = keyCriteria(a, t, input.indexReturn);
    if (met.length === 0) continue;
    out.push({
      customerId: a.customerId,
      branch: a.branchCode,
      category: 'key',
      basis: `key:${met.join('+')}`,
      reason: `重点客户 (第十二条): ${met.map((c) => KEY_CRITERION_LABELS[c](t)).join('; ')}; 每年一次 (第二十八条)`,
      due: y.end,
    });
  }
  if (returnsWithoutIndex > 0) {
    messages.push(
      message(
        'plan/no-index-return',
        `${returnsWithoutIndex} account(s) give a six-month return but neither they nor the plan give the index's change, so the return criterion (第十二条(三)) was not applied to them`,
        {},
        {
          severity: 'warning',
          fix: 'add a 同期指数涨跌幅 column to the account list, or pass --index-return with the index change in percent',
        },
      ),
    );
  }
  return out;
}

/** Per branch: margin customers first (15 %), then existing customers (10 %), each drawn from those not visited and not otherwise planned. */
function planSamples(
  input: PlanInput,
  y: YearBounds,
  seen: VisitIndex,
  taken: Set<string>,
  planned: PlannedVisit[],
  messages: Message[],
): BranchSample[] {
  const branches = new Map<string, PlanningAccount[]>();
  for (const a of input.accounts) {
    if (!isEligibleExisting(a, y)) continue;
    const list = branches.get(a.branchCode) ?? [];
    list.push(a);
    branches.set(a.branchCode, list);
  }
  const samples: BranchSample[] = [];
  for (const branch of [...branches.keys()].sort()) {
    const draw = drawBranchSample(input, seen, taken, branch, branches.get(branch)!);
    planSampled(input, y, planned, draw);
    const { marginPick, existingPick, needMargin, needExisting } = draw;
    if (marginPick.length < needMargin || existingPick.length < needExisting) {
      messages.push(
        message(
          'plan/too-few-candidates',
          `branch ${branch}: only ${marginPick.length + existingPick.length} of the ${needMargin + needExisting} customers the ratios need could be sampled; the rest were visited this year for other reasons or are planned otherwise`,
          {},
          { severity: 'warning', fix: 'count those visits with the sample, or visit more customers this year' },
        ),
      );
    }
    samples.push(draw.sample);
  }
  return samples;
}

/** A branch's draw: how many each ratio still needs, and the customers drawn (taken from the rest of the plan). */
interface BranchDraw {
  sample: BranchSample;
  needMargin: number;
  needExisting: number;
  marginPick: string[];
  existingPick: string[];
}

/** Draws a branch's margin sample, then its existing-customer sample, from customers neither visited nor planned. */
function drawBranchSample(
  input: PlanInput,
  seen: VisitIndex,
  taken: Set<string>,
  branch: string,
  eligible: PlanningAccount[],
): BranchDraw {
  const existingVisited = seen.byCategoryInYear.get('existing');
  const margin = eligible.filter((a) => a.margin);
  const visitedExisting = eligible.filter((a) => existingVisited?.has(a.customerId)).length;
  const visitedMargin = margin.filter((a) => existingVisited?.has(a.customerId)).length;
  const open = (a: PlanningAccount): boolean => !seen.inYear.has(a.customerId) && !taken.has(a.customerId);
  const random = seededStream(input.seed, `branch:${branch}`);

  const needMargin = Math.max(0, required(input.policy.marginRatio, margin.length) - visitedMargin);
  const before = input.sampledBefore ?? new Map<string, PlanBasis>();
  const marginBefore = new Set([...before].filter(([, basis]) => basis === 'margin-sample').map(([id]) => id));
  const marginPick = drawSample(
    margin.filter(open).map((a) => a.customerId),
    needMargin,
    random,
    marginBefore,
  );
  for (const id of marginPick) taken.add(id);
  const needExisting = Math.max(
    0,
    required(input.policy.existingRatio, eligible.length) - visitedExisting - marginPick.length,
  );
  const existingPick = drawSample(
    eligible.filter(open).map((a) => a.customerId),
    needExisting,
    random,
    new Set(before.keys()),
  );
  for (const id of existingPick) taken.add(id);
  return {
    sample: {
      branch,
      eligible: eligible.length,
      margin: margin.length,
      visitedExisting,
      visitedMargin,
      sampledMargin: marginPick.length,
      sampledExisting: existingPick.length,
    },
    needMargin,
    needExisting,
    marginPick,
    existingPick,
  };
}

/** The drawn customers as planned visits, each with the ratio it meets. */
function planSampled(input: PlanInput, y: YearBounds, planned: PlannedVisit[], draw: BranchDraw): void {
  for (const [ids, fromMargin] of [
    [draw.marginPick, true],
    [draw.existingPick, false],
  ] as const) {
    for (const id of ids) {
      planned.push({
        customerId: id,
        branch: draw.sample.branch,
        category: 'existing',
        basis: fromMargin ? 'margin-sample' : 'existing-sample',
        reason: fromMargin
          ? `融资融券客户抽样 ≥${pct(input.policy.marginRatio)} (第二十条)`
          : `存量客户抽样 ≥${pct(input.policy.existingRatio)} (第二十条)`,
        due: y.end,
      });
    }
  }
}

const pct = (r: number): string => `${Math.round(r * 1000) / 10}%`;
