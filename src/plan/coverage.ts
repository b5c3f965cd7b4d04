/**
 * Coverage (回访覆盖): per branch and year, the visits made against what the rules require
 * (第四十一条 "回访客户名单是否符合要求"): new accounts visited, the share of eligible existing
 * and of margin customers visited against the policy's ratios (第二十条), key customers
 * visited (第十二条, 第二十八条), events answered (第三十一条), and who is still missing with
 * the date their visit is due. Pure; `coverageOf` in src/plan/run.ts reads the register.
 */
import type { AccountEvent, AccountEventKind, PlanningAccount } from '../domain/account.ts';
import { addBusinessDays, dueDate } from '../domain/deadlines.ts';
import type { PlanningPolicy } from '../domain/policy-planning.ts';
import type { PlannedVisit } from './plan.ts';
import {
  indexVisits,
  isDone,
  isEligibleExisting,
  isNewAccount,
  keyCriteria,
  visitForEvent,
  yearBounds,
  type VisitIndex,
  type VisitSeen,
  type YearBounds,
} from './population.ts';
import { required } from './sample.ts';

export interface MissingVisit {
  customerId: string;
  due: string;
  /** For events: which, and when. */
  event?: AccountEventKind;
  occurredOn?: string;
}

export interface CountCoverage {
  total: number;
  /** Customers with a visit started. */
  started: number;
  /** Customers whose visit has a result (passed, failed, refused, unreachable). */
  visited: number;
  missing: MissingVisit[];
}

export interface RatioCoverage {
  eligible: number;
  started: number;
  visited: number;
  /** visited ÷ eligible, four decimals (0 when nobody is eligible). */
  ratio: number;
  /** The policy's ratio (第二十条). */
  policyRatio: number;
  /** Customers the policy's ratio needs. */
  required: number;
  /** Visits still to start to reach the ratio. */
  short: number;
  ok: boolean;
  /** Planned sample visits not started yet (from the year's latest plan). */
  missing: MissingVisit[];
}

export interface BranchCoverage {
  branch: string;
  branchName: string;
  newAccounts: CountCoverage;
  existing: RatioCoverage;
  margin: RatioCoverage;
  key: CountCoverage;
  events: CountCoverage;
}

export interface Coverage {
  year: number;
  asOf: string;
  branches: BranchCoverage[];
}

export interface CoverageInput {
  year: number;
  asOf: string;
  policy: PlanningPolicy;
  accounts: readonly PlanningAccount[];
  events: readonly AccountEvent[];
  visits: readonly VisitSeen[];
  /** The year's latest plan, for the sampled customers still to visit. */
  planned?: readonly PlannedVisit[];
  indexReturn?: number;
  /** One branch only. */
  branch?: string;
}

/**
 * Reconciles visits against the population.
 *
 * @example
 * const c = coverage({ year: 2026, asOf: '2026-12-31', policy: DEFAULT_PLANNING, accounts, events, visits });
 * c.branches[0].existing.ok;
 */
export function coverage(input: CoverageInput): Coverage {
  const y = yearBounds(input.year, input.asOf);
  const seen = indexVisits(input.visits, y);
  const byBranch = new Map<string, PlanningAccount[]>();
  const branchOf = new Map<string, string>();
  for (const a of input.accounts) {
    branchOf.set(a.customerId, a.branchCode);
    if (input.branch !== undefined && a.branchCode !== input.branch) continue;
    const list = byBranch.get(a.branchCode) ?? [];
    list.push(a);
    byBranch.set(a.branchCode, list);
  }
  const eventsOf = new Map<string, AccountEvent[]>();
  for (const e of input.events) {
    const b = branchOf.get(e.customerId);
    if (b === undefined || e.occurredOn < y.start || e.occurredOn > y.until) continue;
    const list = eventsOf.get(b) ?? [];
    list.push(e);
    eventsOf.set(b, list);
  }
  const branches = [...byBranch.keys()].sort().map((branch) => {
    const accounts = byBranch.get(branch)!;
    return {
      branch,
      branchName: accounts[0]!.branchName,
      newAccounts: newAccountCoverage(accounts, y, seen),
      ...ratioCoverage(accounts, y, seen, input, branch),
      key: keyCoverage(accounts, y, seen, input),
      events: eventCoverage(eventsOf.get(branch) ?? [], seen, input.policy),
    };
  });
  return { year: input.year, asOf: input.asOf, branches };
}

function newAccountCoverage(accounts: readonly PlanningAccount[], y: YearBounds, seen: VisitIndex): CountCoverage {
  const out: CountCoverage = { total: 0, started: 0, visited: 0, missing: [] };
  for (const a of accounts) {
    if (!isNewAccount(a, y)) continue;
    out.total++;
    const v = seen.newAccountEver.get(a.customerId);
    if (v) {
      out.started++;
      if (isDone(v)) out.visited++;
    } else {
      out.missing.push({ customerId: a.customerId, due: dueDate('new-account', a.openedOn, a.openedOn) });
    }
  }
  return out;
}

function ratioCoverage(
  accounts: readonly PlanningAccount[],
  y: YearBounds,
  seen: VisitIndex,
  input: CoverageInput,
  branch: string,
): { existing: RatioCoverage; margin: RatioCoverage } {
  const visits = seen.byCategoryInYear.get('existing');
  const eligible = accounts.filter((a) => isEligibleExisting(a, y));
  const planned = (input.planned ?? []).filter((p) => p.branch === branch);
  const one = (group: readonly PlanningAccount[], policyRatio: number, bases: readonly string[]): RatioCoverage => {
    let started = 0;
    let visited = 0;
    for (const a of group) {
      const v = visits?.get(a.customerId);
      if (v) started++;
      if (v && isDone(v)) visited++;
    }
    const need = required(policyRatio, group.length);
    const inGroup = new Set(group.map((a) => a.customerId));
    const missing = planned
      .filter((p) => bases.includes(p.basis) && inGroup.has(p.customerId) && !visits?.has(p.customerId))
      .map((p) => ({ customerId: p.customerId, due: p.due }));
    const ratio = group.length === 0 ? 0 : Math.round((visited / group.length) * 10000) / 10000;
    return {
      eligible: group.length,
      started,
      visited,
      ratio,
      policyRatio,
      required: need,
      short: Math.max(0, need - started),
      ok: visited >= need,
      missing,
    };
  };
  return {
    existing: one(eligible, input.policy.existingRatio, ['existing-sample', 'margin-sample']),
    margin: one(
      eligible.filter((a) => a.margin),
      input.policy.marginRatio,
      ['existing-sample', 'margin-sample'],
    ),
  };
}

function keyCoverage(
  accounts: readonly PlanningAccount[],
  y: YearBounds,
  seen: VisitIndex,
  input: CoverageInput,
): CountCoverage {
  const out: CountCoverage = { total: 0, started: 0, visited: 0, missing: [] };
  const keyVisits = seen.byCategoryInYear.get('key');
  const newVisits = seen.byCategoryInYear.get('new-account');
  for (const a of accounts) {
    // 第二十八条: a customer visited as a new account this year is not visited as a key customer.
    if (a.status === 'closed' || isNewAccount(a, y) || newVisits?.has(a.customerId)) continue;
    if (keyCriteria(a, input.policy.keyCustomers, input.indexReturn).length === 0) continue;
    out.total++;
    const v = keyVisits?.get(a.customerId);
    if (v) {
      out.started++;
      if (isDone(v)) out.visited++;
    } else {
      out.missing.push({ customerId: a.customerId, due: y.end });
    }
  }
  return out;
}

function eventCoverage(events: readonly AccountEvent[], seen: VisitIndex, policy: PlanningPolicy): CountCoverage {
  const out: CountCoverage = { total: 0, started: 0, visited: 0, missing: [] };
  const once = new Set<string>();
  for (const e of events) {
    const key = `${e.customerId}\u0000${e.kind}\u0000${e.occurredOn}`;
    if (once.has(key)) continue;
    once.add(key);
    out.total++;
    const v = visitForEvent(seen, e.customerId, e.occurredOn);
    if (v) {
      out.started++;
      if (isDone(v)) out.visited++;
    } else {
      out.missing.push({
        customerId: e.customerId,
        due: addBusinessDays(e.occurredOn, policy.eventDeadlines[e.kind], policy.calendar),
        event: e.kind,
        occurredOn: e.occurredOn,
      });
    }
  }
  return out;
}
