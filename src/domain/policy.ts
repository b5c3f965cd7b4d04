/**
 * The firm policy (`policy.json` in the workspace): the terms the rules leave to the firm,
 * as sections of plain definitions. Every default follows the 中国银河证券经纪业务客户回访
 * 实施细则 and names its article (`Cited`), so that `huifang policy show` can say where each
 * number comes from. Pure: a parsed file comes in, a policy and messages naming the key go out.
 *
 * A section is a `PolicySection`: its key in the file, its cited defaults, and a reader that
 * checks what the file says over those defaults. The sections are assembled in one place,
 * `policy-sections.ts`.
 */
import { message, type Message } from './messages.ts';
import { QUESTIONS } from './questions.ts';
import { VISIT_CATEGORIES, type VisitCategory, type VisitResult } from './visit.ts';

/** A default value and the article it follows (`note` when the article leaves the number to the firm). */
export interface Cited<T> {
  value: T;
  article: string;
  note?: string;
}

/** A tree of cited defaults: leaves are `Cited`, inner nodes objects of the same shape as the policy section. */
export type CitedTree = Cited<unknown> | { [key: string]: CitedTree };

export function isCited(x: unknown): x is Cited<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    'value' in x &&
    'article' in x &&
    typeof (x as Cited<unknown>).article === 'string'
  );
}

/** The plain values of a cited tree. */
export function uncite<T>(tree: CitedTree): T {
  if (isCited(tree)) return structuredClone(tree.value) as T;
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, uncite(v)])) as T;
}

/** Every cited default as `[dotted key, cited]`, in order. */
export function citations(tree: CitedTree, prefix = ''): [string, Cited<unknown>][] {
  if (isCited(tree)) return [[prefix, tree]];
  return Object.entries(tree).flatMap(([k, v]) => citations(v, prefix ? `${prefix}.${k}` : k));
}

/** Collects problems while reading a section; each names the dotted key in the file. */
export interface PolicyReader {
  file: string;
  problems: Message[];
}

export interface PolicySection<K extends string, T> {
  /** The section's key in policy.json. */
  key: K;
  title: string;
  /** The defaults, every one naming its article. */
  cited: CitedTree;
  /** Reads the section's part of the file over the defaults (undefined: all defaults). */
  read(raw: unknown, r: PolicyReader): T;
}

export function definePolicySection<K extends string, T>(s: PolicySection<K, T>): PolicySection<K, T> {
  return s;
}

// ── small readers: each problem names the key and what was expected ─────────────────────

function bad(r: PolicyReader, key: string, expected: string, actual: unknown): void {
  r.problems.push(
    message(
      'policy/bad-value',
      `${key}: expected ${expected} but the file has ${JSON.stringify(actual)}`,
      { file: r.file, column: key },
      { fix: `set ${key} to ${expected}, or remove it to use the default`, expected, actual: JSON.stringify(actual) },
    ),
  );
}

/** The object at `key`, or {} (undefined) — anything else is a problem. */
export function readObject(
  r: PolicyReader,
  key: string,
  raw: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    bad(r, key, 'an object', raw);
    return {};
  }
  for (const k of Object.keys(raw)) {
    if (!known.includes(k)) {
      r.problems.push(
        message(
          'policy/unknown-key',
          `${key}.${k} is not a policy setting`,
          { file: r.file, column: `${key}.${k}` },
          { fix: `remove it, or use one of: ${known.join(', ')}` },
        ),
      );
    }
  }
  return raw as Record<string, unknown>;
}

export function readNumber(
  r: PolicyReader,
  key: string,
  raw: unknown,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
): number {
  if (raw === undefined) return fallback;
  const ok =
    typeof raw === 'number' &&
    Number.isFinite(raw) &&
    raw >= range.min &&
    raw <= range.max &&
    (!range.integer || Number.isInteger(raw));
  if (!ok) {
    bad(r, key, `${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}`, raw);
    return fallback;
  }
  return raw;
}

function readChoice<T extends string>(
  r: PolicyReader,
  key: string,
  raw: unknown,
  fallback: T,
  choices: readonly T[],
): T {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !choices.includes(raw as T)) {
    bad(r, key, `one of ${choices.join(', ')}`, raw);
    return fallback;
  }
  return raw as T;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function readDates(r: PolicyReader, key: string, raw: unknown, fallback: string[]): string[] {
  if (raw === undefined) return fallback;
  if (!Array.isArray(raw)) {
    bad(r, key, 'a list of dates YYYY-MM-DD', raw);
    return fallback;
  }
  const out: string[] = [];
  raw.forEach((d, i) => {
    if (typeof d === 'string' && ISO_DATE.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d))
      out.push(d);
    else bad(r, `${key}[${i}]`, 'a real date YYYY-MM-DD', d);
  });
  return [...new Set(out)].sort();
}

// ── deadlines (第十七条, 第三十一条) ──────────────────────────────────────────────────────

export type TermUnit = 'months' | 'calendar-days' | 'business-days';
export const TERM_UNITS: readonly TermUnit[] = ['months', 'calendar-days', 'business-days'];

/** How long a visit of a category may take, counted from the account's opening or the visit's start (its trigger). */
export interface Term {
  amount: number;
  unit: TermUnit;
  from: 'opening' | 'start';
}

export interface DeadlinesPolicy {
  byCategory: Record<VisitCategory, Term>;
  /** Public holidays: not business days. */
  holidays: string[];
  /** Weekend days worked (调休): business days. */
  workdays: string[];
}

const FIRM_TERM = {
  value: { amount: 30, unit: 'calendar-days', from: 'start' } as Term,
  article: '第四十一条',
  note: 'the 细则 sets no term for this category; 第四十一条 checks that visits are timely, the firm sets 30 days',
};

const DEADLINES_CITED = {
  byCategory: {
    'new-account': {
      value: { amount: 1, unit: 'months', from: 'opening' } as Term,
      article: '第十七条',
      note: '开立账户之日起一个月内完成',
    },
    existing: FIRM_TERM,
    key: { ...FIRM_TERM, note: '第二十八条: once a year; the firm gives 30 days from the start of the visit' },
    special: {
      value: { amount: 3, unit: 'calendar-days', from: 'start' } as Term,
      article: '第三十一条',
      note: '触发回访事件发生后三天内完成',
    },
    advisory: FIRM_TERM,
    'departed-staff': FIRM_TERM,
    ib: FIRM_TERM,
  },
  holidays: {
    value: [] as string[],
    article: '第三十一条',
    note: 'list the public holidays when a term is in business days',
  },
  workdays: { value: [] as string[], article: '第三十一条', note: 'weekend days worked (调休) count as business days' },
} satisfies CitedTree;

function readTerm(r: PolicyReader, key: string, raw: unknown, fallback: Term): Term {
  const o = readObject(r, key, raw, ['amount', 'unit', 'from']);
  const unit = readChoice(r, `${key}.unit`, o.unit, fallback.unit, TERM_UNITS);
  return {
    amount: readNumber(r, `${key}.amount`, o.amount, fallback.amount, {
      min: 1,
      max: unit === 'months' ? 24 : 366,
      integer: true,
    }),
    unit,
    from: readChoice(r, `${key}.from`, o.from, fallback.from, ['opening', 'start'] as const),
  };
}

export const deadlinesSection = definePolicySection({
  key: 'deadlines',
  title: 'deadlines per category (回访时限)',
  cited: DEADLINES_CITED,
  read(raw: unknown, r: PolicyReader): DeadlinesPolicy {
    const d = uncite<DeadlinesPolicy>(DEADLINES_CITED);
    const o = readObject(r, 'deadlines', raw, ['byCategory', 'holidays', 'workdays']);
    const by = readObject(r, 'deadlines.byCategory', o.byCategory, VISIT_CATEGORIES);
    const byCategory = Object.fromEntries(
      VISIT_CATEGORIES.map((c) => [c, readTerm(r, `deadlines.byCategory.${c}`, by[c], d.byCategory[c])]),
    ) as Record<VisitCategory, Term>;
    return {
      byCategory,
      holidays: readDates(r, 'deadlines.holidays', o.holidays, d.holidays),
      workdays: readDates(r, 'deadlines.workdays', o.workdays, d.workdays),
    };
  },
});

// ── 回访不可达 (第四十二条) ────────────────────────────────────────────────────────────────

export interface UnreachablePolicy {
  minAttempts: number;
  minDays: number;
  minChannels: number;
}

const UNREACHABLE_NOTE = "第四十二条 names 回访不可达; the attempts that prove it are the firm's rule";
const UNREACHABLE_CITED = {
  minAttempts: { value: 3, article: '第四十二条', note: UNREACHABLE_NOTE },
  minDays: { value: 2, article: '第四十二条', note: UNREACHABLE_NOTE },
  minChannels: { value: 2, article: '第四十二条', note: UNREACHABLE_NOTE },
} satisfies CitedTree;

export const unreachableSection = definePolicySection({
  key: 'unreachable',
  title: 'when a customer is unreachable (回访不可达)',
  cited: UNREACHABLE_CITED,
  read(raw: unknown, r: PolicyReader): UnreachablePolicy {
    const d = uncite<UnreachablePolicy>(UNREACHABLE_CITED);
    const o = readObject(r, 'unreachable', raw, ['minAttempts', 'minDays', 'minChannels']);
    return {
      minAttempts: readNumber(r, 'unreachable.minAttempts', o.minAttempts, d.minAttempts, {
        min: 1,
        max: 20,
        integer: true,
      }),
      minDays: readNumber(r, 'unreachable.minDays', o.minDays, d.minDays, { min: 1, max: 20, integer: true }),
      minChannels: readNumber(r, 'unreachable.minChannels', o.minChannels, d.minChannels, {
        min: 1,
        max: 4,
        integer: true,
      }),
    };
  },
});

// ── 复核 and 抽检 ────────────────────────────────────────────────────────────────────────

export interface ReviewPolicy {
  /** Share of each visitor's finished visits drawn for a spot check (抽检), 0–1. */
  sampleRate: number;
  /** Results always in the sample. */
  alwaysSample: VisitResult[];
}

const REVIEW_CITED = {
  sampleRate: {
    value: 0.1,
    article: '第五条(xx证券细则)',
    note: "指定专人负责回访复核、抽检; the rate is the firm's (10 %, as 第二十条 for existing customers)",
  },
  alwaysSample: {
    value: ['failed', 'refused'] as VisitResult[],
    article: '第三十八条',
    note: 'visits with objections are always looked at again',
  },
} satisfies CitedTree;

const RESULTS: readonly VisitResult[] = ['passed', 'failed', 'refused', 'unreachable'];

export const reviewSection = definePolicySection({
  key: 'review',
  title: 'review and spot checks (复核、抽检)',
  cited: REVIEW_CITED,
  read(raw: unknown, r: PolicyReader): ReviewPolicy {
    const d = uncite<ReviewPolicy>(REVIEW_CITED);
    const o = readObject(r, 'review', raw, ['sampleRate', 'alwaysSample']);
    let alwaysSample = d.alwaysSample;
    if (o.alwaysSample !== undefined) {
      if (!Array.isArray(o.alwaysSample) || o.alwaysSample.some((x) => !RESULTS.includes(x as VisitResult)))
        bad(r, 'review.alwaysSample', `a list of results from ${RESULTS.join(', ')}`, o.alwaysSample);
      else alwaysSample = o.alwaysSample as VisitResult[];
    }
    return {
      sampleRate: readNumber(r, 'review.sampleRate', o.sampleRate, d.sampleRate, { min: 0, max: 1 }),
      alwaysSample,
    };
  },
});

// ── which answers fail a visit (第四十三条) ────────────────────────────────────────────────

export interface FailingPolicy {
  /** Per category, the questions whose non-compliant answer fails the visit; other adverse answers are findings. */
  byCategory: Record<VisitCategory, string[]>;
}

/** The questions of a category that can be answered against the rules. */
function adverseIds(category: VisitCategory): string[] {
  return QUESTIONS[category].flatMap((q) => (q.type === 'yes-no' && q.pass !== null ? [q.id] : []));
}

const FAILING_CITED = {
  byCategory: {
    'new-account': {
      value: [
        'na.opened-in-person',
        'na.staff-operated-account',
        'na.discretionary-mandate',
        'na.knows-staff-name',
        'na.agency-with-staff',
      ],
      article: '第四十三条',
      note: '亲临开户；无全权委托或代理操作；营销人员开发的客户知晓其姓名且无代理或代客理财关系',
    },
    existing: {
      value: adverseIds('existing'),
      article: '第二十一条',
      note: 'the 细则 gives pass conditions only for new accounts; the firm fails on every checked item',
    },
    key: { value: adverseIds('key'), article: '第二十九条', note: 'as 第二十一条' },
    special: { value: adverseIds('special'), article: '第三十条', note: 'as 第二十一条' },
    advisory: { value: adverseIds('advisory'), article: '第二十六条', note: 'as 第二十一条' },
    'departed-staff': { value: adverseIds('departed-staff'), article: '第六条(xx证券细则)', note: 'as 第二十一条' },
    ib: { value: adverseIds('ib'), article: '第二十四条', note: 'as 第二十一条' },
  },
} satisfies CitedTree;

export const failingSection = definePolicySection({
  key: 'failing',
  title: 'answers that fail a visit (回访不通过)',
  cited: FAILING_CITED,
  read(raw: unknown, r: PolicyReader): FailingPolicy {
    const d = uncite<FailingPolicy>(FAILING_CITED);
    const o = readObject(r, 'failing', raw, ['byCategory']);
    const by = readObject(r, 'failing.byCategory', o.byCategory, VISIT_CATEGORIES);
    const byCategory = { ...d.byCategory };
    for (const c of VISIT_CATEGORIES) {
      const given = by[c];
      if (given === undefined) continue;
      const allowed = adverseIds(c);
      if (!Array.isArray(given) || given.some((q) => typeof q !== 'string' || !allowed.includes(q)))
        bad(r, `failing.byCategory.${c}`, `a list of question ids from ${allowed.join(', ')}`, given);
      else byCategory[c] = given as string[];
    }
    return { byCategory };
  },
});

// ── exceptions (异常, 第三十八条) ──────────────────────────────────────────────────────────

export interface ExceptionsPolicy {
  /** Days the branch head has to analyse the cause and take measures. */
  dueDays: number;
}

const EXCEPTIONS_CITED = {
  dueDays: { value: 15, article: '第三十八条', note: '营业部应当及时分析原因、采取处理措施; the firm gives 15 days' },
} satisfies CitedTree;

export const exceptionsSection = definePolicySection({
  key: 'exceptions',
  title: 'exceptions (异常处理)',
  cited: EXCEPTIONS_CITED,
  read(raw: unknown, r: PolicyReader): ExceptionsPolicy {
    const o = readObject(r, 'exceptions', raw, ['dueDays']);
    return {
      dueDays: readNumber(r, 'exceptions.dueDays', o.dueDays, EXCEPTIONS_CITED.dueDays.value, {
        min: 1,
        max: 366,
        integer: true,
      }),
    };
  },
});

// ── the stored files (存档, 第三十九条) ─────────────────────────────────────────────────────

export interface FilesPolicy {
  /**
   * Days a stored file's last good check stands: after that `validate` hashes its bytes again
   * even though nothing on disk says it changed (0: on every run).
   */
  recheckDays: number;
}

const FILES_CITED = {
  recheckDays: {
    value: 30,
    article: '第三十九条',
    note: '记录独立存档, 录音资料和纸质资料保存不少于三年, unaltered; the 细则 sets no interval, the firm re-hashes each stored file at least every 30 days',
  },
} satisfies CitedTree;

export const filesSection = definePolicySection({
  key: 'files',
  title: 'stored files (存档)',
  cited: FILES_CITED,
  read(raw: unknown, r: PolicyReader): FilesPolicy {
    const o = readObject(r, 'files', raw, ['recheckDays']);
    return {
      recheckDays: readNumber(r, 'files.recheckDays', o.recheckDays, FILES_CITED.recheckDays.value, {
        min: 0,
        max: 366,
        integer: true,
      }),
    };
  },
});
