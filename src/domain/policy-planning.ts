/**
 * The planning section of the firm's policy (`planning` in the workspace's policy.json): the
 * sampling ratios, the key-customer thresholds, the deadlines of event-triggered visits and
 * the business-day calendar they are counted in. Every default names the article it comes
 * from (`PLANNING_ARTICLES`). `validatePlanningPolicy` turns what a firm wrote into a policy
 * and a message for every key it could not use. Pure.
 */
import { ACCOUNT_EVENT_KINDS, type AccountEventKind } from './account.ts';
import type { BusinessCalendar } from './deadlines.ts';
import { message, type Message } from './messages.ts';
import { definePolicySection, type CitedTree, type PolicyReader } from './policy.ts';

/** The thresholds that make a customer a key customer (重点客户); `null` leaves a criterion out. */
export interface KeyCustomerThresholds {
  /** 总资产 at least this many yuan. */
  assets: number | null;
  /** 月均交易量 at least this many yuan. */
  monthlyTurnover: number | null;
  /** 六个月盈亏率 at or below the index's change minus this many percentage points. */
  returnBelowIndex: number | null;
  /** 年佣金贡献 at least this many yuan. */
  annualCommission: number | null;
  /** VIP / 核心客户 / 营业部认定的重点客户 are key customers. */
  vip: boolean;
}

/** Whose rules the key-customer thresholds follow. */
export type KeyCustomerProfile = 'galaxy' | 'xx';
export const KEY_CUSTOMER_PROFILES: Record<KeyCustomerProfile, KeyCustomerThresholds> = {
  // 中国银河证券 客户回访工作细则 第十二条 (一)–(四).
  galaxy: { assets: 10_000_000, monthlyTurnover: 10_000_000, returnBelowIndex: 20, annualCommission: null, vip: true },
  // ⅩⅩ证券 经纪业务客户回访制度 第三条: 年佣金 ≥ 20万, 资产 ≥ 300万, 月交易金额 ≥ 1000万, 重大战略合作 (VIP).
  xx: { assets: 3_000_000, monthlyTurnover: 10_000_000, returnBelowIndex: null, annualCommission: 200_000, vip: true },
};

export interface PlanningPolicy {
  /** Share of eligible existing customers (上年末客户, not dormant or suspended) visited each year. */
  existingRatio: number;
  /** Share of margin (融资融券) customers visited each year. */
  marginRatio: number;
  keyCustomers: { profile: KeyCustomerProfile } & KeyCustomerThresholds;
  /** Business days from an event to the visit's deadline. */
  eventDeadlines: Record<AccountEventKind, number>;
  calendar: BusinessCalendar;
}

/** Public holidays and the weekend days worked instead, 国务院办公厅 notices for 2025 and 2026. */
const CN_HOLIDAYS_2025_2026 = {
  holidays: [
    '2025-01-01',
    ...days('2025-01-28', 8),
    ...days('2025-04-04', 3),
    ...days('2025-05-01', 5),
    ...days('2025-05-31', 3),
    ...days('2025-10-01', 8),
    ...days('2026-01-01', 3),
    ...days('2026-02-15', 9),
    ...days('2026-04-04', 3),
    ...days('2026-05-01', 5),
    ...days('2026-06-19', 3),
    ...days('2026-09-25', 3),
    ...days('2026-10-01', 7),
  ],
  workdays: [
    '2025-01-26',
    '2025-02-08',
    '2025-04-27',
    '2025-09-28',
    '2025-10-11',
    '2026-01-04',
    '2026-02-14',
    '2026-02-28',
    '2026-05-09',
    '2026-09-20',
    '2026-10-10',
  ],
};

export const DEFAULT_PLANNING: PlanningPolicy = {
  existingRatio: 0.1,
  marginRatio: 0.15,
  keyCustomers: { profile: 'galaxy', ...KEY_CUSTOMER_PROFILES.galaxy },
  eventDeadlines: {
    closure: 2,
    idle: 15,
    'large-transfer': 1,
    statement: 3,
    'exchange-watch': 3,
    investigation: 3,
    kyc: 3,
  },
  calendar: { weekend: [0, 6], ...CN_HOLIDAYS_2025_2026 },
};

/** Where each default comes from, by the key a firm writes under `planning`. */
export const PLANNING_ARTICLES: Record<string, string> = {
  existingRatio: '中国银河证券 细则 第二十条: 不得低于上年末客户总数(不含休眠账户及中止交易账户客户)的10%',
  marginRatio: '中国银河证券 细则 第二十条: 融资融券等特殊业务客户不得低于参与该项业务的客户总数的15%',
  'keyCustomers.profile': '中国银河证券 细则 第十二条 (galaxy); ⅩⅩ证券 经纪业务客户回访制度 第三条 (xx)',
  'keyCustomers.assets': '中国银河证券 细则 第十二条(一): 总资产1000万元(含)以上',
  'keyCustomers.monthlyTurnover': '中国银河证券 细则 第十二条(二): 月均交易量1000万元(含)以上',
  'keyCustomers.returnBelowIndex': '中国银河证券 细则 第十二条(三): 六个月内盈亏率≤上证指数涨跌幅-20%',
  'keyCustomers.annualCommission':
    'ⅩⅩ证券 经纪业务客户回访制度 第三条: 年佣金贡献度20万元以上 (not a galaxy criterion)',
  'keyCustomers.vip': '中国银河证券 细则 第十二条(四): VIP客户、核心客户及营业部认定的重点客户',
  'eventDeadlines.closure': '证券公司客户回访制度 三.2: 已销户的客户应在两日内回访',
  'eventDeadlines.idle': '证券公司客户回访制度 三.2: 连续六个月未有交易的客户应在15日内回访',
  'eventDeadlines.large-transfer': '证券公司客户回访制度 三.3: 较大资产转出时应在次日回访',
  'eventDeadlines.statement': '中国银河证券 细则 第十三条(一), 第三十一条: 触发事件发生后三天内',
  'eventDeadlines.exchange-watch': '中国银河证券 细则 第十三条(二), 第三十一条: 触发事件发生后三天内',
  'eventDeadlines.investigation': '中国银河证券 细则 第十三条(三), 第三十一条: 触发事件发生后三天内',
  'eventDeadlines.kyc': '中国银河证券 细则 第十三条(四), 第三十一条: 触发事件发生后三天内',
  calendar: '国务院办公厅 部分节假日安排的通知 (2025, 2026): weekends, holidays and 调休 workdays; add later years',
};

/**
 * Reads the `planning` section of a policy file: what is given replaces the default, what is
 * left out keeps it; a profile (`"profile": "xx"`) brings its thresholds, and thresholds
 * written beside it override them. Every key that cannot be used is a message naming it
 * (`planning.existingRatio`), and the default stays in its place.
 *
 * @example
 * validatePlanningPolicy({ existingRatio: 0.12, keyCustomers: { profile: 'xx' } }).value.keyCustomers.assets; // 3000000
 */
export function validatePlanningPolicy(raw: unknown): { value: PlanningPolicy; messages: Message[] } {
  const messages: Message[] = [];
  const value: PlanningPolicy = structuredClone(DEFAULT_PLANNING);
  if (raw === undefined) return { value, messages };
  const top = section(raw, 'planning', messages);
  if (!top) return { value, messages };
  unknownKeys(
    top,
    ['existingRatio', 'marginRatio', 'keyCustomers', 'eventDeadlines', 'calendar'],
    'planning',
    messages,
  );
  value.existingRatio = ratio(top, 'existingRatio', value.existingRatio, messages);
  value.marginRatio = ratio(top, 'marginRatio', value.marginRatio, messages);
  if (top.keyCustomers !== undefined) value.keyCustomers = keyCustomers(top.keyCustomers, messages);
  if (top.eventDeadlines !== undefined) value.eventDeadlines = eventDeadlines(top.eventDeadlines, messages);
  if (top.calendar !== undefined) value.calendar = calendar(top.calendar, messages);
  return { value, messages };
}

type Raw = Record<string, unknown>;

function problem(messages: Message[], key: string, expected: string, actual: unknown): void {
  messages.push(
    message(
      'policy/bad-value',
      `${key} must be ${expected}, not ${JSON.stringify(actual)}`,
      {},
      {
        fix: `correct ${key} in policy.json, or remove it to use the default (${PLANNING_ARTICLES[key.replace(/^planning\./, '')] ?? 'see docs/planning.md'})`,
        expected,
        actual: JSON.stringify(actual),
      },
    ),
  );
}

function section(raw: unknown, key: string, messages: Message[]): Raw | undefined {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return raw as Raw;
  problem(messages, key, 'an object ({ … })', raw);
  return undefined;
}

function unknownKeys(raw: Raw, known: readonly string[], where: string, messages: Message[]): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      messages.push(
        message(
          'policy/unknown-key',
          `${where}.${key} is not a planning setting`,
          {},
          { fix: `remove it, or write one of: ${known.join(', ')}` },
        ),
      );
    }
  }
}

function ratio(raw: Raw, key: string, fallback: number, messages: Message[]): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v === 'number' && v > 0 && v <= 1) return v;
  problem(messages, `planning.${key}`, 'a share above 0 and at most 1 (0.1 is 10 %)', v);
  return fallback;
}

function amountOrNull(raw: Raw, key: string, fallback: number | null, messages: Message[]): number | null {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0)) return v;
  problem(messages, `planning.keyCustomers.${key}`, 'a number ≥ 0, or null to leave the criterion out', v);
  return fallback;
}

function keyCustomers(raw: unknown, messages: Message[]): PlanningPolicy['keyCustomers'] {
  const r = section(raw, 'planning.keyCustomers', messages);
  let profile: KeyCustomerProfile = DEFAULT_PLANNING.keyCustomers.profile;
  if (!r) return { ...DEFAULT_PLANNING.keyCustomers };
  unknownKeys(
    r,
    ['profile', 'assets', 'monthlyTurnover', 'returnBelowIndex', 'annualCommission', 'vip'],
    'planning.keyCustomers',
    messages,
  );
  if (r.profile !== undefined) {
    if (r.profile === 'galaxy' || r.profile === 'xx') profile = r.profile;
    else
      problem(
        messages,
        'planning.keyCustomers.profile',
        '"galaxy" (中国银河证券 细则) or "xx" (ⅩⅩ证券 回访制度)',
        r.profile,
      );
  }
  const base = KEY_CUSTOMER_PROFILES[profile];
  let vip = base.vip;
  if (r.vip !== undefined) {
    if (typeof r.vip === 'boolean') vip = r.vip;
    else problem(messages, 'planning.keyCustomers.vip', 'true or false', r.vip);
  }
  return {
    profile,
    assets: amountOrNull(r, 'assets', base.assets, messages),
    monthlyTurnover: amountOrNull(r, 'monthlyTurnover', base.monthlyTurnover, messages),
    returnBelowIndex: amountOrNull(r, 'returnBelowIndex', base.returnBelowIndex, messages),
    annualCommission: amountOrNull(r, 'annualCommission', base.annualCommission, messages),
    vip,
  };
}

function eventDeadlines(raw: unknown, messages: Message[]): Record<AccountEventKind, number> {
  const out = { ...DEFAULT_PLANNING.eventDeadlines };
  const r = section(raw, 'planning.eventDeadlines', messages);
  if (!r) return out;
  unknownKeys(r, ACCOUNT_EVENT_KINDS, 'planning.eventDeadlines', messages);
  for (const kind of ACCOUNT_EVENT_KINDS) {
    const v = r[kind];
    if (v === undefined) continue;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 60) out[kind] = v;
    else problem(messages, `planning.eventDeadlines.${kind}`, 'a whole number of business days from 0 to 60', v);
  }
  return out;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function calendar(raw: unknown, messages: Message[]): BusinessCalendar {
  const out: BusinessCalendar = { ...DEFAULT_PLANNING.calendar };
  const r = section(raw, 'planning.calendar', messages);
  if (!r) return out;
  unknownKeys(r, ['weekend', 'holidays', 'workdays'], 'planning.calendar', messages);
  if (r.weekend !== undefined) {
    const ok =
      Array.isArray(r.weekend) &&
      r.weekend.every((d) => Number.isInteger(d) && d >= 0 && d <= 6) &&
      r.weekend.length < 7;
    if (ok) out.weekend = r.weekend as number[];
    else
      problem(
        messages,
        'planning.calendar.weekend',
        'a list of weekdays not worked, 0 (Sunday) to 6 (Saturday), fewer than seven',
        r.weekend,
      );
  }
  for (const key of ['holidays', 'workdays'] as const) {
    const v = r[key];
    if (v === undefined) continue;
    if (Array.isArray(v) && v.every((d) => typeof d === 'string' && ISO_DATE.test(d))) out[key] = v as string[];
    else problem(messages, `planning.calendar.${key}`, 'a list of dates written YYYY-MM-DD', v);
  }
  return out;
}

/** `count` consecutive dates from `first`, `YYYY-MM-DD`. */
function days(first: string, count: number): string[] {
  const out: string[] = [];
  const d = new Date(`${first}T00:00:00Z`);
  for (let i = 0; i < count; i++) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** A value at a dotted key of the planning defaults (`keyCustomers.assets`). */
function defaultAt(key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], DEFAULT_PLANNING);
}

/** The planning defaults as a cited tree: every default beside the article it comes from. */
function citedPlanning(): CitedTree {
  const tree: Record<string, CitedTree> = {};
  for (const [key, article] of Object.entries(PLANNING_ARTICLES)) {
    const path = key.split('.');
    let node = tree;
    for (const k of path.slice(0, -1)) node = (node[k] ??= {}) as Record<string, CitedTree>;
    // The article alone where the text names one (第二十条), the whole reference as the note.
    const numbered = article.startsWith('中国银河证券')
      ? /第[一二三四五六七八九十百]+条/.exec(article)?.[0]
      : undefined;
    node[path.at(-1)!] = numbered
      ? { value: defaultAt(key), article: numbered, note: article }
      : { value: defaultAt(key), article };
  }
  return tree;
}

/** The `planning` section of the firm policy (src/domain/policy-sections.ts). */
export const planningSection = definePolicySection({
  key: 'planning',
  title: 'who must be visited in a year (planning): ratios, key customers, event deadlines, calendar',
  cited: citedPlanning(),
  read(raw: unknown, r: PolicyReader): PlanningPolicy {
    const { value, messages } = validatePlanningPolicy(raw);
    for (const m of messages) r.problems.push({ ...m, place: { ...m.place, file: r.file } });
    return value;
  },
});
