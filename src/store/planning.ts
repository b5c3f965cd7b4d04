/**
 * Account imports, account events, plans and planned visits in the register.
 */
import type { Account, AccountEvent, AccountEventKind, AccountStatus, PlanningAccount } from '../domain/account.ts';
import type { VisitCategory, VisitResult } from '../domain/visit.ts';
import { nowIso } from '../env/clock.ts';
import { postgresDdl } from './dialect.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register, type SqlValue } from './sql.ts';
import { recordBlob } from './visits.ts';

export interface AccountImport {
  importId: number;
  kind: 'accounts' | 'events';
  asOf: string;
  sourcePath: string;
  sha256: string;
  format: string;
  rowCount: number;
  importedAt: string;
  importedBy: string;
}

interface ImportRow {
  import_id: number;
  kind: 'accounts' | 'events';
  as_of: string;
  source_path: string;
  sha256: string;
  format: string;
  row_count: number;
  imported_at: string;
  imported_by: string;
}

const importFromRow = (r: ImportRow): AccountImport => ({
  importId: r.import_id,
  kind: r.kind,
  asOf: r.as_of,
  sourcePath: r.source_path,
  sha256: r.sha256,
  format: r.format,
  rowCount: r.row_count,
  importedAt: r.imported_at,
  importedBy: r.imported_by,
});

export type NewImport = Omit<AccountImport, 'importId' | 'importedAt'> & { size: number };

/** Records an import of a stored file (the file itself is already in the file store, or will be by commit). */
function insertImport(register: Register, i: NewImport): number {
  const db = sqlOf(register);
  recordBlob(
    db,
    i.sha256,
    i.size,
    i.format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv',
  );
  const row = db
    .prepare(
      'INSERT INTO account_imports (kind, as_of, source_path, sha256, format, row_count, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING import_id',
    )
    .get(i.kind, i.asOf, i.sourcePath, i.sha256, i.format, i.rowCount, nowIso(), i.importedBy) as { import_id: number };
  return Number(row.import_id);
}

function recordImported(register: Register, i: NewImport, importId: number): void {
  const db = sqlOf(register);
  recordEvent(db, i.importedBy, `${i.kind}.imported`, null, {
    importId,
    sha256: i.sha256,
    asOf: i.asOf,
    rows: i.rowCount,
  });
}

function recordImport(register: Register, i: NewImport): number {
  const db = sqlOf(register);
  const importId = insertImport(db, i);
  recordImported(db, i, importId);
  return importId;
}

/**
 * An account import being written, in two steps. While the file is read, its accounts are
 * staged on this connection alone (a TEMP table) without the register's write lock, so that
 * the other clerks' writes go on during a long import. `commit` then copies them into the
 * register with the import's record in one transaction, which on PostgreSQL takes the lock
 * only to record the import in the register's log (SQLite's one writer holds it throughout
 * the copy, which is short there). Nothing is kept unless `commit` is reached: a file refused
 * at its last row leaves the register as it was.
 */
export interface AccountImportWriter {
  add(accounts: readonly Account[]): void;
  /** Records the import with its accounts, in one transaction; returns the import's id. */
  commit(): number;
  /** Forgets everything added (safe to call after `commit`: then it does nothing). */
  abort(): void;
}

/** The columns of `accounts` after its import id, as the staging table holds them. */
const ACCOUNT_COLUMNS =
  'customer_id, branch_code, branch_name, opened_on, status, margin, vip, assets, monthly_turnover, six_month_return, index_return, annual_commission, account_json';

/**
 * The staging table of an account import: this connection's own, gone when the connection
 * closes. Kept in customer-id order as the rows come (the register's own order for accounts),
 * so that the locked copy reads it in order and sorts nothing.
 */
const STAGING_TABLE = `
  CREATE TEMP TABLE staged_accounts (
    customer_id TEXT NOT NULL PRIMARY KEY, branch_code TEXT NOT NULL, branch_name TEXT NOT NULL, opened_on TEXT NOT NULL,
    status TEXT NOT NULL, margin INTEGER NOT NULL, vip INTEGER NOT NULL, assets REAL, monthly_turnover REAL,
    six_month_return REAL, index_return REAL, annual_commission REAL, account_json TEXT NOT NULL) WITHOUT ROWID`;

/** Accounts per INSERT into the staging table (13 values each: within both databases' limits on parameters). */
const STAGE_ROWS = 200;

/** Starts an account import: takes no lock until `commit`. */
export function beginAccountImport(register: Register, i: Omit<NewImport, 'kind' | 'rowCount'>): AccountImportWriter {
  const db = sqlOf(register);
  const dropStaging = `DROP TABLE IF EXISTS ${db.dialect === 'postgres' ? 'pg_temp' : 'temp'}.staged_accounts`;
  db.exec(dropStaging);
  db.exec(db.dialect === 'postgres' ? postgresDdl(STAGING_TABLE) : STAGING_TABLE);
  let rows = 0;
  let open = true;
  const drop = (): void => {
    if (!open) return;
    open = false;
    db.exec(dropStaging);
  };
  const insert = (count: number) =>
    db.prepare(
      `INSERT INTO staged_accounts (${ACCOUNT_COLUMNS}) VALUES ${Array(count).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
  return {
    add(accounts) {
      db.scratch(() => {
        for (let at = 0; at < accounts.length; at += STAGE_ROWS) {
          const some = accounts.slice(at, at + STAGE_ROWS);
          insert(some.length).run(...some.flatMap(accountColumns));
        }
      });
      rows += accounts.length;
    },
    commit() {
      if (!open) throw new Error('This account import has ended already.');
      const meta: NewImport = { ...i, kind: 'accounts', rowCount: rows };
      // The accounts go in under the import's own new id, which no other clerk reads or writes
      // before the commit: only recording the import in the register's log waits for the lock.
      const importId = db.lockingAfter(
        () => {
          const id = insertImport(db, meta);
          db.prepare(
            `INSERT INTO accounts (import_id, ${ACCOUNT_COLUMNS}) SELECT ?, ${ACCOUNT_COLUMNS} FROM staged_accounts ORDER BY customer_id`,
          ).run(id);
          return id;
        },
        (id) => {
          recordImported(db, meta, id);
          return id;
        },
      );
      drop();
      return importId;
    },
    abort: drop,
  };
}

/** The columns of one account after its import id, in the order of `ACCOUNT_COLUMNS`. */
function accountColumns(a: Account): SqlValue[] {
  return [
    a.customerId,
    a.branchCode,
    a.branchName,
    a.openedOn,
    a.status,
    a.margin ? 1 : 0,
    a.vip ? 1 : 0,
    a.assets ?? null,
    a.monthlyTurnover ?? null,
    a.sixMonthReturn ?? null,
    a.indexReturn ?? null,
    a.annualCommission ?? null,
    JSON.stringify(a, ACCOUNT_REST),
  ];
}

/** What an account holds beside its columns (name, address, phone, …): the keys of its `account_json`. */
const ACCOUNT_REST: (keyof Account)[] = [
  'name',
  'kind',
  'address',
  'postcode',
  'phone',
  'email',
  'marketingStaff',
  'contactPerson',
];

/** Records an account import and its accounts, in one transaction. */
export function saveAccountImport(
  register: Register,
  i: Omit<NewImport, 'kind' | 'rowCount'>,
  accounts: readonly Account[],
): number {
  const writer = beginAccountImport(register, i);
  try {
    writer.add(accounts);
    return writer.commit();
  } finally {
    writer.abort();
  }
}

/** Records an event import; events already known (same customer, kind and date) are not added again. */
export function saveEventImport(
  register: Register,
  i: Omit<NewImport, 'kind' | 'rowCount'>,
  events: readonly AccountEvent[],
): { importId: number; added: number } {
  const db = sqlOf(register);
  return db.transaction(() => {
    const importId = recordImport(db, { ...i, kind: 'events', rowCount: events.length });
    const insert = db.prepare(
      'INSERT INTO account_events (import_id, customer_id, kind, occurred_on, note) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    let added = 0;
    for (const e of events) added += insert.run(importId, e.customerId, e.kind, e.occurredOn, e.note ?? null).changes;
    return { importId, added };
  });
}

/** The latest account import describing a day on or before `asOf` (the latest of all without it). */
export function latestAccountImport(register: Register, asOf?: string): AccountImport | undefined {
  const db = sqlOf(register);
  const r = db
    .prepare(
      `SELECT * FROM account_imports WHERE kind = 'accounts' ${asOf ? 'AND as_of <= ?' : ''} ORDER BY as_of DESC, import_id DESC LIMIT 1`,
    )
    .get(...(asOf ? [asOf] : [])) as ImportRow | undefined;
  return r && importFromRow(r);
}

export function listImports(register: Register): AccountImport[] {
  const db = sqlOf(register);
  return (db.prepare('SELECT * FROM account_imports ORDER BY import_id').all() as ImportRow[]).map(importFromRow);
}

/**
 * What planning looks at of every account of an import, in customer-id order. Branch names
 * and opening dates are shared between accounts (a million accounts have a few hundred of each).
 */
export function loadPlanningAccounts(register: Register, importId: number, branch?: string): PlanningAccount[] {
  const db = sqlOf(register);
  const out: PlanningAccount[] = [];
  const shared = new Map<string, string>();
  const share = (s: string): string => {
    const known = shared.get(s);
    if (known !== undefined) return known;
    shared.set(s, s);
    return s;
  };
  // In pages: much faster than a row at a time, without a million rows in memory at once.
  const page = db.prepare(
    `SELECT customer_id, branch_code, branch_name, opened_on, status, margin, vip, assets, monthly_turnover, six_month_return, index_return, annual_commission FROM accounts WHERE import_id = ? ${branch === undefined ? '' : 'AND branch_code = ?'} AND customer_id > ? ORDER BY customer_id LIMIT 20000`,
  );
  const scope = branch === undefined ? [importId] : [importId, branch];
  // Each row's values in the order of the columns selected.
  const rowsAfter = (after: string): PlanningRow[] =>
    (page.all(...scope, after) as Record<string, unknown>[]).map((r) => Object.values(r) as PlanningRow);
  for (let rows = rowsAfter(''); rows.length > 0; rows = rowsAfter(rows[rows.length - 1]![0])) {
    out.push(...rows.map((row) => planningAccount(row, share)));
  }
  return out;
}

/** customer_id, branch_code, branch_name, opened_on, status, margin, vip, assets, monthly_turnover, six_month_return, index_return, annual_commission */
type PlanningRow = [
  string,
  string,
  string,
  string,
  AccountStatus,
  number,
  number,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
];

function planningAccount(row: PlanningRow, share: (s: string) => string): PlanningAccount {
  const [
    customerId,
    branch,
    branchName,
    openedOn,
    status,
    margin,
    vip,
    assets,
    turnover,
    sixMonths,
    index,
    commission,
  ] = row;
  const a: PlanningAccount = {
    customerId,
    branchCode: share(branch),
    branchName: share(branchName),
    openedOn: share(openedOn),
    status,
    margin: margin === 1,
    vip: vip === 1,
  };
  if (assets !== null) a.assets = assets;
  if (turnover !== null) a.monthlyTurnover = turnover;
  if (sixMonths !== null) a.sixMonthReturn = sixMonths;
  if (index !== null) a.indexReturn = index;
  if (commission !== null) a.annualCommission = commission;
  return a;
}

/**
 * Some accounts of an import, by customer id (missing ones are left out): the columns, and
 * the rest from `account_json` (which holds the whole account in imports recorded before the
 * columns were left out of it: the same values).
 */
export function loadAccountsById(
  register: Register,
  importId: number,
  customerIds: readonly string[],
): Map<string, Account> {
  const db = sqlOf(register);
  const get = db.prepare(
    'SELECT customer_id, branch_code, branch_name, opened_on, status, margin, vip, assets, monthly_turnover, six_month_return, index_return, annual_commission, account_json FROM accounts WHERE import_id = ? AND customer_id = ?',
  );
  const out = new Map<string, Account>();
  for (const id of customerIds) {
    const found = get.get(importId, id) as Record<string, unknown> | undefined;
    if (!found) continue;
    const row = Object.values(found) as [...PlanningRow, string];
    const columns = planningAccount(row.slice(0, 12) as PlanningRow, (s) => s);
    out.set(id, { ...columns, ...(JSON.parse(row[12]) as Omit<Account, keyof PlanningAccount>) } as Account);
  }
  return out;
}

/** The customers of one branch in an account import, as a subquery and its parameters. */
export interface BranchScope {
  importId: number;
  branch: string;
}

const IN_BRANCH = 'customer_id IN (SELECT a.customer_id FROM accounts a WHERE a.import_id = ? AND a.branch_code = ?)';

/** Every account event, or those of a branch's customers. */
export function loadEvents(register: Register, scope?: BranchScope): (AccountEvent & { eventId: number })[] {
  const db = sqlOf(register);
  const rows = db
    .prepare(
      `SELECT event_id, customer_id, kind, occurred_on, note FROM account_events ${scope ? `WHERE ${IN_BRANCH}` : ''} ORDER BY occurred_on, event_id`,
    )
    .all(...(scope ? [scope.importId, scope.branch] : [])) as {
    event_id: number;
    customer_id: string;
    kind: AccountEventKind;
    occurred_on: string;
    note: string | null;
  }[];
  return rows.map((r) => ({
    eventId: r.event_id,
    customerId: r.customer_id,
    kind: r.kind,
    occurredOn: r.occurred_on,
    ...(r.note !== null ? { note: r.note } : {}),
  }));
}

/** Every visit, or those of a branch's customers, as planning and coverage see them. */
export function loadVisitsSeen(
  register: Register,
  scope?: BranchScope,
): { visitId: string; customerId: string; category: VisitCategory; createdOn: string; result: VisitResult }[] {
  const db = sqlOf(register);
  const rows = db
    .prepare(
      `SELECT visit_id, customer_id, category, created_on, result FROM visits ${scope ? `WHERE ${IN_BRANCH}` : ''}`,
    )
    .all(...(scope ? [scope.importId, scope.branch] : [])) as {
    visit_id: string;
    customer_id: string;
    category: VisitCategory;
    created_on: string;
    result: VisitResult;
  }[];
  return rows.map((r) => ({
    visitId: r.visit_id,
    customerId: r.customer_id,
    category: r.category,
    createdOn: r.created_on,
    result: r.result,
  }));
}

export interface PlanRecord {
  planId: string;
  year: number;
  asOf: string;
  seed: string;
  accountsImportId: number;
  parameters: object;
  createdAt: string;
  createdBy: string;
}

export interface PlannedVisitRecord {
  seq: number;
  customerId: string;
  branch: string;
  category: VisitCategory;
  basis: string;
  reason: string;
  due: string;
  eventId?: number;
  visitId?: string;
}

/** Saves a plan and its visits; a plan with the same id (same inputs, same seed) is kept as it was. Returns whether it was new. */
export function savePlan(
  register: Register,
  plan: Omit<PlanRecord, 'createdAt'>,
  visits: readonly Omit<PlannedVisitRecord, 'seq' | 'visitId'>[],
): boolean {
  const db = sqlOf(register);
  return db.transaction(() => {
    if (db.prepare('SELECT 1 FROM plans WHERE plan_id = ?').get(plan.planId)) return false;
    db.prepare(
      `INSERT INTO plans (plan_id, year, as_of, seed, accounts_import_id, parameters_json, created_at, created_by, plan_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(plan_seq), 0) + 1 FROM plans))`,
    ).run(
      plan.planId,
      plan.year,
      plan.asOf,
      plan.seed,
      plan.accountsImportId,
      JSON.stringify(plan.parameters),
      nowIso(),
      plan.createdBy,
    );
    const insert = db.prepare(
      'INSERT INTO planned_visits (plan_id, seq, customer_id, branch_code, category, basis, reason, due_on, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    visits.forEach((v, i) =>
      insert.run(plan.planId, i + 1, v.customerId, v.branch, v.category, v.basis, v.reason, v.due, v.eventId ?? null),
    );
    recordEvent(db, plan.createdBy, 'plan.created', null, {
      planId: plan.planId,
      year: plan.year,
      seed: plan.seed,
      visits: visits.length,
    });
    return true;
  });
}

interface PlanRow {
  plan_id: string;
  year: number;
  as_of: string;
  seed: string;
  accounts_import_id: number;
  parameters_json: string;
  created_at: string;
  created_by: string;
}

/** The plan named, or the plan of a year made last, or the plan made last of all. */
export function getPlan(register: Register, by: { year?: number; planId?: string }): PlanRecord | undefined {
  const db = sqlOf(register);
  const r = (
    by.planId
      ? db.prepare('SELECT * FROM plans WHERE plan_id = ?').get(by.planId)
      : by.year !== undefined
        ? db.prepare('SELECT * FROM plans WHERE year = ? ORDER BY created_at DESC, plan_seq DESC LIMIT 1').get(by.year)
        : db.prepare('SELECT * FROM plans ORDER BY created_at DESC, plan_seq DESC LIMIT 1').get()
  ) as PlanRow | undefined;
  return (
    r && {
      planId: r.plan_id,
      year: r.year,
      asOf: r.as_of,
      seed: r.seed,
      accountsImportId: r.accounts_import_id,
      parameters: JSON.parse(r.parameters_json) as object,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }
  );
}

export function plannedVisits(
  register: Register,
  planId: string,
  filter: { branch?: string; category?: VisitCategory; notStarted?: boolean } = {},
): PlannedVisitRecord[] {
  const db = sqlOf(register);
  const where = ['plan_id = ?'];
  const args: SqlValue[] = [planId];
  if (filter.branch) (where.push('branch_code = ?'), args.push(filter.branch));
  if (filter.category) (where.push('category = ?'), args.push(filter.category));
  if (filter.notStarted) where.push('visit_id IS NULL');
  const rows = db.prepare(`SELECT * FROM planned_visits WHERE ${where.join(' AND ')} ORDER BY seq`).all(...args) as {
    seq: number;
    customer_id: string;
    branch_code: string;
    category: VisitCategory;
    basis: string;
    reason: string;
    due_on: string;
    event_id: number | null;
    visit_id: string | null;
  }[];
  return rows.map((r) => ({
    seq: r.seq,
    customerId: r.customer_id,
    branch: r.branch_code,
    category: r.category,
    basis: r.basis,
    reason: r.reason,
    due: r.due_on,
    ...(r.event_id !== null ? { eventId: r.event_id } : {}),
    ...(r.visit_id !== null ? { visitId: r.visit_id } : {}),
  }));
}

/** Links a planned visit to the visit started for it. */
export function markPlannedStarted(register: Register, planId: string, seq: number, visitId: string): void {
  const db = sqlOf(register);
  db.prepare('UPDATE planned_visits SET visit_id = ? WHERE plan_id = ? AND seq = ?').run(visitId, planId, seq);
}
