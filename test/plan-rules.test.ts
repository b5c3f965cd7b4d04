/**
 * Planning on a generated population of 20,000 accounts across six branches with known
 * statuses, flags, figures, events and visits: what the rules (第十二/十六/二十/二十八/三十一条)
 * require is planned, nothing they forbid is, and a seed gives the same plan.
 */
import { describe, expect, it } from 'vitest';
import type { Account } from '../src/domain/account.ts';
import { addBusinessDays, isBusinessDay, WEEKENDS_ONLY } from '../src/domain/deadlines.ts';
import {
  DEFAULT_PLANNING,
  validatePlanningPolicy,
  PLANNING_ARTICLES,
  type PlanningPolicy,
} from '../src/domain/policy-planning.ts';
import { coverage } from '../src/plan/coverage.ts';
import { planVisits, type PlanInput } from '../src/plan/plan.ts';
import { generatePopulation } from './plan-population.ts';

const AS_OF = '2026-11-30';
const population = generatePopulation(20_000);
const input: PlanInput = {
  year: 2026,
  asOf: AS_OF,
  seed: 'audit-2026',
  policy: DEFAULT_PLANNING,
  ...population,
  indexReturn: 5,
};
const plan = planVisits(input);
const byId = new Map(population.accounts.map((a) => [a.customerId, a]));
const visitedIn2026 = new Set(population.visits.filter((v) => v.createdOn.startsWith('2026')).map((v) => v.customerId));
const planned = (basis: (b: string) => boolean): string[] =>
  plan.planned.filter((p) => basis(p.basis)).map((p) => p.customerId);
const branches = [...new Set(population.accounts.map((a) => a.branchCode))].sort();

describe('the generated population', () => {
  it('has what the tests rely on: every status, margin and VIP customers, thresholds hit exactly, events of every kind', () => {
    expect(population.accounts).toHaveLength(20_000);
    expect(branches).toHaveLength(6);
    for (const s of ['normal', 'dormant', 'suspended', 'closed'])
      expect(population.accounts.some((a) => a.status === s)).toBe(true);
    expect(population.accounts.filter((a) => a.assets === 10_000_000).length).toBeGreaterThan(10);
    expect(population.accounts.filter((a) => a.assets === 9_999_999).length).toBeGreaterThan(10);
    expect(new Set(population.events.map((e) => e.kind)).size).toBe(7);
  });
});

describe('planVisits', () => {
  it('plans every account opened in the year up to the as-of day without a new-account visit, once, due a month after opening (第十六/十七条)', () => {
    const visitedNew = new Set(population.visits.filter((v) => v.category === 'new-account').map((v) => v.customerId));
    const expected = population.accounts
      .filter((a) => a.openedOn >= '2026-01-01' && a.openedOn <= AS_OF && !visitedNew.has(a.customerId))
      .map((a) => a.customerId)
      .sort();
    const got = planned((b) => b === 'new-account').sort();
    expect(expected.length).toBeGreaterThan(1000);
    expect(got).toEqual(expected);
    const one = plan.planned.find((p) => p.basis === 'new-account' && byId.get(p.customerId)!.openedOn.endsWith('-31'));
    if (one) expect(one.due.slice(5)).not.toBe('01-31'); // 1 month after the 31st clamps to the month's end
    for (const p of plan.planned.filter((x) => x.basis === 'new-account').slice(0, 200)) {
      const opened = byId.get(p.customerId)!.openedOn;
      const [y, m] = opened.split('-').map(Number) as [number, number];
      expect(p.due.slice(0, 7)).toBe(m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`);
    }
  });

  it('never samples a dormant, suspended or closed account, one opened this year, or one already visited this year', () => {
    const sampled = planned((b) => b.endsWith('-sample'));
    expect(sampled.length).toBeGreaterThan(1000);
    for (const id of sampled) {
      const a = byId.get(id)!;
      expect(a.status, id).toBe('normal');
      expect(a.openedOn < '2026-01-01').toBe(true);
      expect(visitedIn2026.has(id)).toBe(false);
    }
    expect(new Set(plan.planned.map((p) => p.customerId + p.category)).size).toBe(plan.planned.length);
  });

  it('meets both ratios in every branch, counting the existing visits already made, and samples no more than needed (第二十条)', () => {
    const visitedExisting = new Set(
      population.visits
        .filter((v) => v.category === 'existing' && v.createdOn.startsWith('2026'))
        .map((v) => v.customerId),
    );
    for (const branch of branches) {
      const eligible = population.accounts.filter(
        (a) => a.branchCode === branch && a.status === 'normal' && a.openedOn < '2026-01-01',
      );
      const margin = eligible.filter((a) => a.margin);
      const sampled = new Set(
        plan.planned.filter((p) => p.branch === branch && p.category === 'existing').map((p) => p.customerId),
      );
      const visitedOrSampled = (list: Account[]): number =>
        list.filter((a) => visitedExisting.has(a.customerId) || sampled.has(a.customerId)).length;
      expect(visitedOrSampled(eligible) / eligible.length, branch).toBeGreaterThanOrEqual(0.1);
      expect(visitedOrSampled(margin) / margin.length, branch).toBeGreaterThanOrEqual(0.15);
      const marginSampled = plan.planned.filter((p) => p.branch === branch && p.basis === 'margin-sample').length;
      const marginVisited = margin.filter((a) => visitedExisting.has(a.customerId)).length;
      const existingVisited = eligible.filter((a) => visitedExisting.has(a.customerId)).length;
      expect(marginSampled, branch).toBe(Math.max(0, Math.ceil(margin.length * 0.15) - marginVisited));
      expect(visitedOrSampled(eligible), branch).toBe(
        Math.max(Math.ceil(eligible.length * 0.1), existingVisited + marginSampled),
      );
    }
    expect(plan.messages.filter((m) => m.ruleId === 'plan/too-few-candidates')).toEqual([]);
  });

  it('plans as key customers exactly those over a threshold, not closed, without a new-account or key visit this year, with the criteria met (第十二/二十八条)', () => {
    const skip = new Set(
      population.visits
        .filter((v) => (v.category === 'key' || v.category === 'new-account') && v.createdOn.startsWith('2026'))
        .map((v) => v.customerId),
    );
    const expected = new Map<string, string[]>();
    for (const a of population.accounts) {
      if (a.status === 'closed' || skip.has(a.customerId) || (a.openedOn >= '2026-01-01' && a.openedOn <= AS_OF))
        continue;
      const met: string[] = [];
      if ((a.assets ?? -1) >= 10_000_000) met.push('assets');
      if ((a.monthlyTurnover ?? -1) >= 10_000_000) met.push('monthlyTurnover');
      if (a.sixMonthReturn !== undefined && a.sixMonthReturn <= 5 - 20) met.push('returnBelowIndex');
      if (a.vip) met.push('vip');
      if (met.length) expected.set(a.customerId, met);
    }
    const got = new Map(
      plan.planned
        .filter((p) => p.category === 'key')
        .map((p) => [p.customerId, p.basis.replace(/^key:/, '').split('+')]),
    );
    expect(expected.size).toBeGreaterThan(200);
    expect(got).toEqual(expected);
    expect([...got.keys()].some((id) => byId.get(id)!.assets === 10_000_000)).toBe(true);
    expect([...got.keys()].some((id) => byId.get(id)!.assets === 9_999_999 && got.get(id)!.includes('assets'))).toBe(
      false,
    );
    const sample = plan.planned.find((p) => p.basis === 'key:assets')!;
    expect(sample.reason).toContain('总资产 ≥ ¥10,000,000');
    expect(sample.due).toBe('2026-12-31');
  });

  it("plans one special visit per event of the year not yet answered, due the policy's business days after the event", () => {
    const answered = new Set(
      population.visits.filter((v) => v.category === 'special').map((v) => `${v.customerId}/${v.createdOn}`),
    );
    const expected = population.events
      .filter(
        (e) =>
          e.occurredOn >= '2026-01-01' &&
          e.occurredOn <= AS_OF &&
          byId.has(e.customerId) &&
          !answered.has(`${e.customerId}/${e.occurredOn}`),
      )
      .map(
        (e) =>
          `${e.customerId}/${e.kind}/${addBusinessDays(e.occurredOn, DEFAULT_PLANNING.eventDeadlines[e.kind], DEFAULT_PLANNING.calendar)}`,
      )
      .sort();
    const got = plan.planned
      .filter((p) => p.category === 'special')
      .map((p) => `${p.customerId}/${p.basis.replace('event:', '')}/${p.due}`)
      .sort();
    expect(got.length).toBeGreaterThan(150);
    expect(got).toEqual([...new Set(expected)]);
    expect(plan.messages.map((m) => m.ruleId)).toContain('plan/unknown-customer');
  });

  it('counts event deadlines in business days from the event: closure 2, large transfer next day, idle 15 over 清明, others 3 over 国庆 to a 调休 Saturday', () => {
    const a = population.accounts.find((x) => x.openedOn < '2025-01-01')!;
    const events = [
      { customerId: a.customerId, kind: 'closure' as const, occurredOn: '2026-03-05' },
      { customerId: a.customerId, kind: 'large-transfer' as const, occurredOn: '2026-03-06' },
      { customerId: a.customerId, kind: 'idle' as const, occurredOn: '2026-04-01' },
      { customerId: a.customerId, kind: 'statement' as const, occurredOn: '2026-09-30' },
      { customerId: a.customerId, kind: 'kyc' as const, occurredOn: '2025-12-30' },
    ];
    const p = planVisits({ ...input, accounts: [a], events, visits: [] });
    const due = Object.fromEntries(p.planned.filter((x) => x.category === 'special').map((x) => [x.basis, x.due]));
    expect(due).toEqual({
      'event:closure': '2026-03-09',
      'event:large-transfer': '2026-03-09',
      'event:idle': '2026-04-23',
      'event:statement': '2026-10-10',
    });
    // A special visit started the day before the closure does not answer it; one on the day does.
    const before = planVisits({
      ...input,
      accounts: [a],
      events: [events[0]!],
      visits: [{ customerId: a.customerId, category: 'special', createdOn: '2026-03-04' }],
    });
    expect(before.planned.filter((x) => x.category === 'special')).toHaveLength(1);
    const after = planVisits({
      ...input,
      accounts: [a],
      events: [events[0]!],
      visits: [{ customerId: a.customerId, category: 'special', createdOn: '2026-03-05' }],
    });
    expect(after.planned.filter((x) => x.category === 'special')).toHaveLength(0);
  });

  it("gives the same plan for the same inputs and seed, whatever the export's row order; another seed draws another sample", () => {
    const again = planVisits({
      ...input,
      accounts: [...population.accounts].reverse(),
      events: [...population.events].reverse(),
    });
    expect(again.planned).toEqual(plan.planned);
    const other = planVisits({ ...input, seed: 'another' });
    const sample = (p: typeof plan): string[] =>
      p.planned.filter((x) => x.category === 'existing').map((x) => x.customerId);
    expect(sample(other)).not.toEqual(sample(plan));
    expect(sample(other)).toHaveLength(sample(plan).length);
    expect(other.planned.filter((x) => x.category !== 'existing')).toEqual(
      plan.planned.filter((x) => x.category !== 'existing'),
    );
  });

  it('keeps the customers an earlier plan of the year sampled when planning again after some were visited', () => {
    const sampledBefore = new Map(
      plan.planned.filter((p) => p.category === 'existing').map((p) => [p.customerId, p.basis] as const),
    );
    const done = plan.planned.filter((p) => p.category === 'existing').filter((_, i) => i % 2 === 0);
    const visits = [
      ...population.visits,
      ...done.map((p) => ({
        customerId: p.customerId,
        category: 'existing' as const,
        createdOn: '2026-11-02',
        result: 'passed' as const,
      })),
    ];
    const again = planVisits({ ...input, seed: 'december', visits, sampledBefore });
    const left = plan.planned
      .filter((p) => p.category === 'existing' && !done.includes(p))
      .map((p) => p.customerId)
      .sort();
    expect(
      again.planned
        .filter((p) => p.category === 'existing')
        .map((p) => p.customerId)
        .sort(),
    ).toEqual(left);
    const fresh = planVisits({ ...input, seed: 'december', visits });
    expect(
      fresh.planned
        .filter((p) => p.category === 'existing')
        .map((p) => p.customerId)
        .sort(),
    ).not.toEqual(left);
  });

  it('follows the xx证券 thresholds when the policy selects them', () => {
    const { value, messages } = validatePlanningPolicy({ keyCustomers: { profile: 'xx' } });
    expect(messages).toEqual([]);
    const xx = planVisits({ ...input, policy: value });
    const key = xx.planned.filter((p) => p.category === 'key');
    expect(
      key.some((p) => {
        const a = byId.get(p.customerId)!;
        return (a.assets ?? 0) < 10_000_000 && (a.assets ?? 0) >= 3_000_000;
      }),
    ).toBe(true);
    expect(key.every((p) => !p.basis.includes('returnBelowIndex'))).toBe(true);
    expect(key.some((p) => p.basis.includes('annualCommission'))).toBe(true);
  });
});

describe('coverage', () => {
  it('shows the ratios reached and who is missing; once the plan is carried out, every branch meets its ratios and nobody is missing', () => {
    const before = coverage({
      year: 2026,
      asOf: AS_OF,
      policy: DEFAULT_PLANNING,
      ...population,
      planned: plan.planned,
      indexReturn: 5,
    });
    expect(before.branches.map((b) => b.branch)).toEqual(branches);
    for (const b of before.branches) {
      expect(b.existing.ok).toBe(false);
      expect(b.existing.missing.length).toBeGreaterThan(0);
      expect(b.existing.policyRatio).toBe(0.1);
      expect(b.margin.policyRatio).toBe(0.15);
    }
    const done = [
      ...population.visits,
      ...plan.planned.map((p) => ({
        customerId: p.customerId,
        category: p.category,
        createdOn: p.due > AS_OF ? AS_OF : p.due,
        result: 'passed' as const,
      })),
    ];
    const after = coverage({
      year: 2026,
      asOf: AS_OF,
      policy: DEFAULT_PLANNING,
      ...population,
      visits: done,
      planned: plan.planned,
      indexReturn: 5,
    });
    for (const b of after.branches) {
      expect(b.existing.ok && b.margin.ok, b.branch).toBe(true);
      expect(b.existing.ratio).toBeGreaterThanOrEqual(0.1);
      expect(b.newAccounts.missing.filter((m) => m.due <= AS_OF)).toEqual(
        b.newAccounts.missing.filter((m) => m.due <= AS_OF && !done.some((v) => v.customerId === m.customerId)),
      );
      expect(b.key.missing).toEqual([]);
      expect(b.events.missing).toEqual([]);
      expect(b.events.total).toBeGreaterThan(0);
    }
  });

  it('limits itself to one branch when asked', () => {
    const one = coverage({ year: 2026, asOf: AS_OF, policy: DEFAULT_PLANNING, ...population, branch: '4403' });
    expect(one.branches.map((b) => b.branch)).toEqual(['4403']);
  });
});

describe('the planning policy', () => {
  it('names an article for every default', () => {
    const keys = [
      'existingRatio',
      'marginRatio',
      'calendar',
      ...Object.keys(DEFAULT_PLANNING.keyCustomers).map((k) => `keyCustomers.${k}`),
      ...Object.keys(DEFAULT_PLANNING.eventDeadlines).map((k) => `eventDeadlines.${k}`),
    ];
    for (const k of keys) expect(PLANNING_ARTICLES[k], k).toMatch(/条|制度|通知/);
  });

  it('keeps what a firm writes and names every key it cannot use', () => {
    const ok = validatePlanningPolicy({
      existingRatio: 0.12,
      keyCustomers: { assets: 5_000_000, returnBelowIndex: null },
      eventDeadlines: { closure: 1 },
      calendar: { holidays: ['2027-01-01'] },
    });
    expect(ok.messages).toEqual([]);
    const v: PlanningPolicy = ok.value;
    expect([
      v.existingRatio,
      v.marginRatio,
      v.keyCustomers.assets,
      v.keyCustomers.monthlyTurnover,
      v.keyCustomers.returnBelowIndex,
      v.eventDeadlines.closure,
      v.eventDeadlines.idle,
    ]).toEqual([0.12, 0.15, 5_000_000, 10_000_000, null, 1, 15]);
    expect(v.calendar.holidays).toEqual(['2027-01-01']);

    const bad = validatePlanningPolicy({
      existingRatio: 10,
      marginRatio: '15%',
      keyCustomers: { profile: 'abc', assets: -1 },
      eventDeadlines: { closure: 1.5, payday: 3 },
      calendar: { holidays: ['2027-13-01'] },
      sampling: true,
    });
    expect(bad.messages.map((m) => m.reason.split(' ')[0])).toEqual([
      'planning.sampling',
      'planning.existingRatio',
      'planning.marginRatio',
      'planning.keyCustomers.profile',
      'planning.keyCustomers.assets',
      'planning.eventDeadlines.payday',
      'planning.eventDeadlines.closure',
      'planning.calendar.holidays',
    ]);
    expect(bad.value.existingRatio).toBe(0.1);
    expect(bad.messages.every((m) => m.fix)).toBe(true);
  });

  it('counts business days over weekends, holidays and 调休 workdays', () => {
    expect(addBusinessDays('2026-03-06', 1, WEEKENDS_ONLY)).toBe('2026-03-09');
    expect(addBusinessDays('2026-03-06', 0, WEEKENDS_ONLY)).toBe('2026-03-06');
    expect(isBusinessDay('2026-10-01', DEFAULT_PLANNING.calendar)).toBe(false);
    expect(isBusinessDay('2026-10-10', DEFAULT_PLANNING.calendar)).toBe(true);
    expect(isBusinessDay('2026-10-10', WEEKENDS_ONLY)).toBe(false);
    expect(addBusinessDays('2026-02-13', 1, DEFAULT_PLANNING.calendar)).toBe('2026-02-14');
  });
});
