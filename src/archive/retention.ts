/**
 * How long a bundle is kept (第三十九条: no less than three years), per record category.
 *
 * A visit's record categories are its visit category (`new-account`, `advisory`…), its
 * channel (`phone`…), the kinds of its documents (`recording`, `form`…), and `suitability`
 * (适当性材料) for the categories whose questions assess the customer's suitability:
 * `advisory` (投资顾问/签约客户) and `key` (重点客户, 第二十九条(三)). A bundle is kept as
 * long as its longest-kept visit requires.
 *
 * The policy comes from `retention.json` in the workspace, or a file given with
 * `--retention`, e.g. `{"defaultYears": 3, "byRecordCategory": {"suitability": 20, "recording": 5}}`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_RETENTION,
  MINIMUM_RETENTION_YEARS,
  retentionDate,
  retentionYears,
  type RetentionPolicy,
} from '../domain/deadlines.ts';
import { InputError, message, quoteValue } from '../domain/messages.ts';
import type { VisitCategory, VisitChannel } from '../domain/visit.ts';

const RETENTION_FILE = 'retention.json';

/** Suitability materials (适当性材料) are kept 20 years unless configured otherwise. */
export const DEFAULT_ARCHIVE_RETENTION: RetentionPolicy = {
  ...DEFAULT_RETENTION,
  byRecordCategory: { suitability: 20 },
};

const SUITABILITY_CATEGORIES: readonly VisitCategory[] = ['advisory', 'key'];

/** The record categories a visit's records fall under. */
export function recordCategoriesOf(
  visit: { category: VisitCategory; channel: VisitChannel },
  documentKinds: readonly string[],
): string[] {
  const set = new Set<string>([visit.category, visit.channel, ...documentKinds]);
  if (SUITABILITY_CATEGORIES.includes(visit.category)) set.add('suitability');
  return [...set].sort();
}

/** Years a visit's records are kept: the longest of its categories' periods. */
export function yearsFor(policy: RetentionPolicy, categories: readonly string[]): number {
  return Math.max(retentionYears(policy), ...categories.map((c) => retentionYears(policy, c)));
}

/** The last day of a `YYYY-MM` period. */
export function periodEnd(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

export function periodStart(period: string): string {
  return `${period}-01`;
}

/** The date a visit of the period may be disposed of. */
export function retainUntil(policy: RetentionPolicy, period: string, categories: readonly string[]): string {
  return retentionDate(periodEnd(period), yearsFor(policy, categories));
}

/**
 * The date a visit's records may be disposed of: the retention years counted from the visit's
 * completion or from archiving (the bagging date), whichever is later — never from its start —
 * and never before the period's end plus the years.
 */
export function retainFrom(
  policy: RetentionPolicy,
  period: string,
  categories: readonly string[],
  completedOn: string | null,
  baggingDate: string,
): { retainUntil: string; countedFrom: string } {
  const from = [periodEnd(period), baggingDate, ...(completedOn ? [completedOn] : [])].sort().at(-1)!;
  return { retainUntil: retentionDate(from, yearsFor(policy, categories)), countedFrom: from };
}

/**
 * Reads a retention policy file; refuses (exit 2) anything below three years or malformed,
 * naming the file and the category.
 */
export function loadRetentionPolicy(file: string): RetentionPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`Cannot read the retention policy ${file}: ${(e as Error).message}`);
  }
  const problems = [];
  const obj = (raw ?? {}) as { defaultYears?: unknown; byRecordCategory?: unknown };
  const defaultYears = obj.defaultYears ?? MINIMUM_RETENTION_YEARS;
  if (typeof defaultYears !== 'number' || !(defaultYears >= MINIMUM_RETENTION_YEARS)) {
    problems.push(
      message(
        'retention/too-short',
        `defaultYears ${quoteValue(JSON.stringify(defaultYears) ?? 'nothing')} is below the minimum of ${MINIMUM_RETENTION_YEARS} years (第三十九条)`,
        { file, column: 'defaultYears' },
        { fix: `set it to ${MINIMUM_RETENTION_YEARS} or more` },
      ),
    );
  }
  const by: Record<string, number> = { ...DEFAULT_ARCHIVE_RETENTION.byRecordCategory };
  for (const [category, years] of Object.entries((obj.byRecordCategory ?? {}) as Record<string, unknown>)) {
    if (typeof years !== 'number' || !(years >= MINIMUM_RETENTION_YEARS)) {
      problems.push(
        message(
          'retention/too-short',
          `${quoteValue(category)}: ${quoteValue(JSON.stringify(years) ?? 'nothing')} years is below the minimum of ${MINIMUM_RETENTION_YEARS} years (第三十九条)`,
          { file, column: `byRecordCategory.${category}` },
          { fix: `set it to ${MINIMUM_RETENTION_YEARS} or more` },
        ),
      );
    } else by[category] = years;
  }
  if (problems.length) throw new InputError(`The retention policy ${file} is not acceptable`, problems);
  return { defaultYears: defaultYears as number, byRecordCategory: by };
}

/** The workspace's policy (`retention.json`), or the default (3 years; suitability 20). */
export function workspaceRetentionPolicy(workspaceDir: string, file?: string): RetentionPolicy {
  if (file) return loadRetentionPolicy(file);
  const inWorkspace = join(workspaceDir, RETENTION_FILE);
  return existsSync(inWorkspace) ? loadRetentionPolicy(inWorkspace) : DEFAULT_ARCHIVE_RETENTION;
}
