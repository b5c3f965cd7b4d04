/**
 * A generated account population with known statuses, flags, figures, events and visits,
 * for planning tests and the planning benchmark. Deterministic: the same size and seed give
 * the same population.
 */
import type { Account, AccountEvent, AccountEventKind, AccountStatus } from '../src/domain/account.ts';
import { ACCOUNT_EVENT_KINDS } from '../src/domain/account.ts';
import { addDays } from '../src/domain/deadlines.ts';
import type { VisitSeen } from '../src/plan/population.ts';
import { Random } from '../src/simulate/random.ts';

export interface Population {
  accounts: Account[];
  events: AccountEvent[];
  visits: VisitSeen[];
}

export const BRANCHES = [
  ['3101', '上海浦东南路证券营业部', '200120'],
  ['1101', '北京金融大街证券营业部', '100033'],
  ['4403', '深圳福华一路证券营业部', '518048'],
  ['3301', '杭州庆春路证券营业部', '310003'],
  ['4401', '广州天河路证券营业部', '510620'],
  ['5101', '成都人民南路证券营业部', '610041'],
] as const;

/** `size` accounts over six branches (unevenly), for the year 2026; events and visits to 2026-11-30. */
export function generatePopulation(size: number, seed = 'population'): Population {
  const r = new Random(seed);
  const accounts: Account[] = [];
  for (let i = 0; i < size; i++) accounts.push(generateAccount(r, i));
  const events: AccountEvent[] = [];
  const visits: VisitSeen[] = [];
  for (const a of accounts) {
    if (r.chance(0.015)) events.push(generateEvent(r, a));
    if (a.openedOn >= '2026-01-01' && a.openedOn < '2026-06-01' && r.chance(0.6)) {
      visits.push({
        customerId: a.customerId,
        category: 'new-account',
        createdOn: addDays(a.openedOn, 5),
        result: r.chance(0.8) ? 'passed' : 'pending',
      });
    } else if (a.openedOn < '2026-01-01' && r.chance(0.03)) {
      visits.push({
        customerId: a.customerId,
        category: r.chance(0.8) ? 'existing' : 'key',
        createdOn: `2026-0${r.int(1, 9)}-15`,
        result: 'passed',
      });
    } else if (a.openedOn < '2025-01-01' && r.chance(0.02)) {
      visits.push({ customerId: a.customerId, category: 'existing', createdOn: '2025-06-15', result: 'passed' });
    }
  }
  // Events for people not in the list, and events already answered by a special visit.
  events.push({ customerId: '999900000001', kind: 'closure', occurredOn: '2026-05-06' });
  for (const e of events.slice(0, 20))
    visits.push({ customerId: e.customerId, category: 'special', createdOn: e.occurredOn, result: 'passed' });
  return { accounts, events, visits };
}

/** The accounts of `generatePopulation(size, seed)` one at a time, none held: for files of a million rows. */
export function* generateAccounts(size: number, seed = 'population'): Generator<Account> {
  const r = new Random(seed);
  for (let i = 0; i < size; i++) yield generateAccount(r, i);
}

function generateAccount(r: Random, i: number): Account {
  const [branchCode, branchName, postcode] =
    BRANCHES[Math.min(BRANCHES.length - 1, Math.floor(r.next() ** 1.4 * BRANCHES.length))]!;
  const status = r.weighted<AccountStatus>([
    ['normal', 80],
    ['dormant', 10],
    ['suspended', 5],
    ['closed', 5],
  ]);
  const opened = r.chance(0.1) ? dayOf(2026, r.int(0, 333)) : dayOf(r.int(2005, 2025), r.int(0, 364));
  const account: Account = {
    customerId: `${branchCode}${String(i).padStart(8, '0')}`,
    name: `客户${i}`,
    kind: r.chance(0.97) ? 'individual' : 'institution',
    branchCode,
    branchName,
    address: `示例路${i % 900}号`,
    postcode,
    phone: `138${String(i).padStart(8, '0')}`,
    email: '',
    openedOn: opened,
    status,
    margin: r.chance(0.08),
    vip: r.chance(0.005),
  };
  // Figures around the thresholds, the thresholds themselves included.
  const assets = r.weighted<number>([
    [r.int(0, 2_000_000), 90],
    [r.int(2_000_000, 9_999_999), 7],
    [10_000_000, 0.5],
    [9_999_999, 0.5],
    [r.int(10_000_000, 90_000_000), 2],
  ]);
  if (r.chance(0.95)) account.assets = assets;
  if (r.chance(0.9))
    account.monthlyTurnover = r.weighted<number>([
      [r.int(0, 3_000_000), 97],
      [10_000_000, 0.5],
      [r.int(10_000_001, 50_000_000), 1.5],
      [9_999_999.5, 1],
    ]);
  if (r.chance(0.9)) account.sixMonthReturn = Math.round(r.normal(0, 8) * 10) / 10;
  if (r.chance(0.3)) account.annualCommission = r.int(0, 400_000);
  return account;
}

function generateEvent(r: Random, a: Account): AccountEvent {
  const kind = r.pick<AccountEventKind>(ACCOUNT_EVENT_KINDS);
  // Most in 2026 up to November, a few in 2025 (not this year's).
  const occurredOn = r.chance(0.9) ? dayOf(2026, r.int(0, 333)) : dayOf(2025, r.int(0, 364));
  return { customerId: a.customerId, kind, occurredOn: occurredOn < a.openedOn ? a.openedOn : occurredOn };
}

function dayOf(year: number, dayOfYear: number): string {
  return addDays(`${year}-01-01`, dayOfYear);
}
