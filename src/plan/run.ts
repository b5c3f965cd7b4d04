/**
 * The planning stage against a workspace: import account lists and events (the file kept in
 * the file store, the import dated and recorded), make a year's plan and record it with its
 * seed and parameters, and compute coverage. `coverageOf` is the library entry point the
 * period report and bundle indexes use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InputError, UsageError } from '../domain/messages.ts';
import type { PlanningPolicy } from '../domain/policy-planning.ts';
import { loadPolicy } from '../store/policy.ts';
import { today } from '../env/clock.ts';
import {
  getPlan,
  latestAccountImport,
  loadPlanningAccounts,
  loadEvents,
  loadVisitsSeen,
  plannedVisits,
  beginAccountImport,
  saveEventImport,
  savePlan,
  type AccountImport,
  type AccountImportWriter,
} from '../store/planning.ts';
import type { Workspace } from '../store/workspace.ts';
import { coverage, type Coverage } from './coverage.ts';
import { planVisits, type Plan } from './plan.ts';

/**
 * The `planning` section of the workspace's firm policy (src/store/policy.ts), validated with
 * every other section; the defaults when the file or the section is absent.
 *
 * @throws InputError naming the file and every key that cannot be used.
 */
export function loadPlanningPolicy(workspaceDir: string): PlanningPolicy {
  return loadPolicy(workspaceDir).policy.planning;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Checks a `YYYY-MM-DD` option where it enters. */
export function checkDate(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (
    !ISO_DATE.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  ) {
    throw new UsageError(`Expected a date YYYY-MM-DD for ${name} but received ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkYear(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1990 || value > 2200) {
    throw new UsageError(`Expected a year such as 2026 for --year but received ${JSON.stringify(value)}`);
  }
  return value;
}

export interface ImportResult {
  importId: number;
  path: string;
  sha256: string;
  format: string;
  asOf: string;
  rows: number;
  /** Events only: how many were new. */
  added?: number;
}

/** The day an export describes: `--as-of`, never after today; default today. */
function exportDay(option: string | undefined): string {
  const asOf = checkDate('--as-of', option) ?? today();
  if (asOf > today())
    throw new UsageError(`--as-of ${asOf} is after today (${today()}): an export describes a day that has passed`);
  return asOf;
}

/**
 * Reads an account list one row at a time, its accounts staged in batches without the
 * register's write lock (other clerks write meanwhile): refused whole on any problem (nothing
 * kept), else the file is kept and the import recorded with its accounts in one short transaction.
 */
export async function importAccounts(
  ws: Workspace,
  path: string,
  options: { asOf?: string; actor: string },
): Promise<ImportResult> {
  const asOf = exportDay(options.asOf);
  // the spreadsheet reader is loaded by the imports alone, not by coverage and the report
  const { readAccounts } = await import('../input/accounts.ts');
  let writer: AccountImportWriter | undefined;
  try {
    const list = await readAccounts(path, {
      today: today(),
      onHead: (head) => {
        writer = beginAccountImport(ws.register, {
          asOf,
          sourcePath: head.path,
          sha256: head.sha256,
          size: head.size,
          format: head.format,
          importedBy: options.actor,
        });
      },
      onAccounts: (accounts) => writer!.add(accounts),
    });
    const stored = await ws.files.putFile(list.path);
    if (stored.sha256 !== list.sha256)
      throw new InputError(`${list.path} changed while it was being read; import it again once it is complete`);
    const importId = writer!.commit();
    return { importId, path: list.path, sha256: stored.sha256, format: list.format, asOf, rows: list.count };
  } finally {
    writer?.abort();
  }
}

/** Reads an event list (refused whole on any problem), keeps the file and records the new events. */
export async function importEvents(
  ws: Workspace,
  path: string,
  options: { asOf?: string; actor: string },
): Promise<ImportResult> {
  const asOf = exportDay(options.asOf);
  const { readAccountEvents } = await import('../input/accounts.ts');
  const list = await readAccountEvents(path, { today: today() });
  const stored = await ws.files.putFile(list.path);
  const { importId, added } = saveEventImport(
    ws.register,
    {
      asOf,
      sourcePath: list.path,
      sha256: stored.sha256,
      size: stored.size,
      format: list.format,
      importedBy: options.actor,
    },
    list.events,
  );
  return {
    importId,
    path: list.path,
    sha256: stored.sha256,
    format: list.format,
    asOf,
    rows: list.events.length,
    added,
  };
}

function populationFor(ws: Workspace, asOf: string): AccountImport {
  const found = latestAccountImport(ws.register, asOf);
  if (!found) {
    const any = latestAccountImport(ws.register);
    throw new InputError(
      any
        ? `No account list describes a day on or before ${asOf} (the earliest import is later); import one with: huifang accounts import <accounts.csv> --as-of DATE`
        : "No account list has been imported; import the trading system's export first: huifang accounts import <accounts.csv|xlsx>",
    );
  }
  return found;
}

export interface MakePlanOptions {
  year: number;
  asOf?: string;
  seed?: string;
  indexReturn?: number;
  actor: string;
  /** Told as each of the four steps ends (read the accounts, read visits and events, plan, record). */
  onStep?: (done: number, total: number, step: string) => void;
}

export interface MadePlan {
  planId: string;
  /** False when the same plan (same inputs, same seed) was already recorded. */
  created: boolean;
  plan: Plan;
  accounts: AccountImport;
  parameters: Record<string, unknown>;
}

/** Plans a year from the latest account import on or before the as-of day, and records the plan. */
export function makePlan(ws: Workspace, options: MakePlanOptions): MadePlan {
  const year = checkYear(options.year);
  const asOf = checkDate('--as-of', options.asOf) ?? (today() < `${year}-12-31` ? today() : `${year}-12-31`);
  if (asOf < `${year}-01-01`) throw new UsageError(`--as-of ${asOf} is before the year ${year} starts`);
  const seed = options.seed ?? randomBytes(6).toString('hex');
  const policy = loadPlanningPolicy(ws.dir);
  const accounts = populationFor(ws, asOf);
  const earlier = getPlan(ws.register, { year });
  const sampledBefore = new Map(
    earlier
      ? plannedVisits(ws.register, earlier.planId, { category: 'existing' }).map(
          (p) => [p.customerId, p.basis] as const,
        )
      : [],
  );
  const step = (done: number, name: string) => options.onStep?.(done, 4, name);
  const population = loadPlanningAccounts(ws.register, accounts.importId);
  step(1, 'accounts read');
  const events = loadEvents(ws.register);
  const visits = loadVisitsSeen(ws.register);
  step(2, 'visits and events read');
  const plan = planVisits({
    year,
    asOf,
    seed,
    policy,
    sampledBefore,
    accounts: population,
    events,
    visits,
    ...(options.indexReturn !== undefined ? { indexReturn: options.indexReturn } : {}),
  });
  step(3, 'planned');
  const parameters = {
    year,
    asOf,
    seed,
    accountsSha256: accounts.sha256,
    accountsImportId: accounts.importId,
    indexReturn: options.indexReturn ?? null,
    previousPlan: earlier?.planId ?? null,
    policy,
  };
  const planId = `plan-${year}-${createHash('sha256')
    .update(
      JSON.stringify({
        parameters: { ...parameters, accountsImportId: undefined, previousPlan: undefined },
        planned: plan.planned,
      }),
    )
    .digest('hex')
    .slice(0, 12)}`;
  const created = savePlan(
    ws.register,
    { planId, year, asOf, seed, accountsImportId: accounts.importId, parameters, createdBy: options.actor },
    plan.planned,
  );
  step(4, 'recorded');
  return { planId, created, plan, accounts, parameters };
}

/**
 * Coverage of a year from the register: the latest account import on or before the as-of
 * day (default today, or the year's end if earlier), every event and visit, and the year's
 * latest plan for the sampled customers still to visit.
 */
export function coverageOf(
  ws: Workspace,
  options: { year: number; asOf?: string; branch?: string; indexReturn?: number },
): Coverage {
  const year = checkYear(options.year);
  const asOf = checkDate('--as-of', options.asOf) ?? (today() < `${year}-12-31` ? today() : `${year}-12-31`);
  const accounts = populationFor(ws, asOf);
  const plan = getPlan(ws.register, { year });
  const planIndex = (plan?.parameters as { indexReturn?: number | null } | undefined)?.indexReturn;
  const indexReturn = options.indexReturn ?? (typeof planIndex === 'number' ? planIndex : undefined);
  // one branch: only its accounts, and the events and visits of its customers, are read
  const scope = options.branch !== undefined ? { importId: accounts.importId, branch: options.branch } : undefined;
  return coverage({
    year,
    asOf,
    policy: loadPlanningPolicy(ws.dir),
    accounts: loadPlanningAccounts(ws.register, accounts.importId, scope?.branch),
    events: loadEvents(ws.register, scope),
    visits: loadVisitsSeen(ws.register, scope),
    ...(plan ? { planned: plannedVisits(ws.register, plan.planId, scope ? { branch: scope.branch } : {}) } : {}),
    ...(indexReturn !== undefined ? { indexReturn } : {}),
    ...(options.branch !== undefined ? { branch: options.branch } : {}),
  });
}

/**
 * The coverage a period report shows: the year of the month `period` (YYYY-MM) as of the
 * month's end (or today, if earlier); `undefined` when no account list has been imported.
 */
export function periodCoverage(ws: Workspace, period: string, branch?: string): Coverage | undefined {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const monthEnd = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  const asOf = today() < monthEnd ? today() : monthEnd;
  if (!latestAccountImport(ws.register, asOf)) return undefined;
  return coverageOf(ws, { year, asOf, ...(branch !== undefined ? { branch } : {}) });
}
