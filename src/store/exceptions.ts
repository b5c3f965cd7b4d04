/**
 * Exception records (异常): one per visit, opened by validation, owned by the branch head,
 * with the cause (分析原因), measures (处理措施), escalation level, due date and closure by a
 * named person. Every change is kept with who and when (escalations with their times).
 */
import type { ExceptionTrigger } from '../domain/exceptions.ts';
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

export interface ExceptionUpdate {
  at: string;
  by: string;
  changes: Record<string, unknown>;
}

export interface ExceptionRecord {
  exceptionId: number;
  visitId: string;
  triggers: ExceptionTrigger[];
  owner: string | null;
  cause: string | null;
  measures: string | null;
  level: number;
  dueOn: string;
  status: 'open' | 'closed';
  openedAt: string;
  openedBy: string;
  closedBy: string | null;
  closedAt: string | null;
  closureNote: string | null;
  updates: ExceptionUpdate[];
}

interface Row {
  exception_id: number;
  visit_id: string;
  triggers_json: string;
  owner: string | null;
  cause: string | null;
  measures: string | null;
  level: number;
  due_on: string;
  status: 'open' | 'closed';
  opened_at: string;
  opened_by: string;
  closed_by: string | null;
  closed_at: string | null;
  closure_note: string | null;
}

function fromRow(register: Register, r: Row): ExceptionRecord {
  const db = sqlOf(register);
  return fromRows(db, [r])[0]!;
}

/** Records from rows, with their updates (read in one query). */
function fromRows(register: Register, rows: readonly Row[]): ExceptionRecord[] {
  const db = sqlOf(register);
  const updates = groupBy(
    rowsForIds<{ exception_id: number; at: string; by_person: string; changes_json: string }>(
      db,
      rows.map((r) => r.exception_id),
      (m) =>
        `SELECT exception_id, at, by_person, changes_json FROM exception_updates WHERE exception_id IN (${m}) ORDER BY exception_id, update_id`,
    ),
    (u) => u.exception_id,
  );
  return rows.map((r) => ({
    exceptionId: r.exception_id,
    visitId: r.visit_id,
    triggers: JSON.parse(r.triggers_json),
    owner: r.owner,
    cause: r.cause,
    measures: r.measures,
    level: r.level,
    dueOn: r.due_on,
    status: r.status,
    openedAt: r.opened_at,
    openedBy: r.opened_by,
    closedBy: r.closed_by,
    closedAt: r.closed_at,
    closureNote: r.closure_note,
    updates: (updates.get(r.exception_id) ?? []).map((u) => ({
      at: u.at,
      by: u.by_person,
      changes: JSON.parse(u.changes_json) as Record<string, unknown>,
    })),
  }));
}

export function exceptionOfVisit(register: Register, visitId: string): ExceptionRecord | undefined {
  const db = sqlOf(register);
  return exceptionsOfVisits(db, [visitId]).get(visitId);
}

/** The exception record of each visit; a visit without one is left out. */
export function exceptionsOfVisits(register: Register, visitIds: readonly string[]): Map<string, ExceptionRecord> {
  const db = sqlOf(register);
  const rows = rowsForIds<Row>(db, visitIds, (m) => `SELECT * FROM visit_exceptions WHERE visit_id IN (${m})`);
  return new Map(fromRows(db, rows).map((e) => [e.visitId, e]));
}

export function getException(register: Register, exceptionId: number): ExceptionRecord | undefined {
  const db = sqlOf(register);
  const r = db.prepare('SELECT * FROM visit_exceptions WHERE exception_id = ?').get(exceptionId) as Row | undefined;
  return r && fromRow(db, r);
}

export function listExceptions(register: Register, filter: { status?: 'open' | 'closed' } = {}): ExceptionRecord[] {
  const db = sqlOf(register);
  const rows = (
    filter.status
      ? db.prepare('SELECT * FROM visit_exceptions WHERE status = ? ORDER BY exception_id').all(filter.status)
      : db.prepare('SELECT * FROM visit_exceptions ORDER BY exception_id').all()
  ) as Row[];
  return fromRows(db, rows);
}

/**
 * Opens a visit's exception, or adds new triggers to the one it has (a closed one is opened
 * again when something new turns up). Returns the record and whether anything changed.
 */
export function openException(
  register: Register,
  e: { visitId: string; triggers: ExceptionTrigger[]; owner: string | null; dueOn: string },
  actor: string,
): { record: ExceptionRecord; changed: boolean } {
  const db = sqlOf(register);
  return db.transaction(() => {
    const before = exceptionOfVisit(db, e.visitId);
    const at = nowIso();
    if (!before) {
      const info = db
        .prepare(
          "INSERT INTO visit_exceptions (visit_id, triggers_json, owner, level, due_on, status, opened_at, opened_by) VALUES (?, ?, ?, 1, ?, 'open', ?, ?) RETURNING exception_id",
        )
        .get(e.visitId, JSON.stringify(e.triggers), e.owner, e.dueOn, at, actor);
      db.prepare('INSERT INTO exception_updates (exception_id, at, by_person, changes_json) VALUES (?, ?, ?, ?)').run(
        (info as { exception_id: number }).exception_id,
        at,
        actor,
        JSON.stringify({ opened: e.triggers, owner: e.owner, level: 1, dueOn: e.dueOn }),
      );
      recordEvent(db, actor, 'exception.opened', e.visitId, { triggers: e.triggers, owner: e.owner });
      return { record: exceptionOfVisit(db, e.visitId)!, changed: true };
    }
    const added = e.triggers.filter((t) => !before.triggers.includes(t));
    if (added.length === 0) return { record: before, changed: false };
    const triggers = [...before.triggers, ...added];
    const reopen = before.status === 'closed';
    db.prepare(
      `UPDATE visit_exceptions SET triggers_json = ?${reopen ? ", status = 'open', closed_by = NULL, closed_at = NULL, closure_note = NULL" : ''} WHERE exception_id = ?`,
    ).run(JSON.stringify(triggers), before.exceptionId);
    db.prepare('INSERT INTO exception_updates (exception_id, at, by_person, changes_json) VALUES (?, ?, ?, ?)').run(
      before.exceptionId,
      at,
      actor,
      JSON.stringify({ triggersAdded: added, ...(reopen ? { reopened: true } : {}) }),
    );
    recordEvent(db, actor, 'exception.triggers', e.visitId, { added, reopened: reopen });
    return { record: exceptionOfVisit(db, e.visitId)!, changed: true };
  });
}

export interface ExceptionChanges {
  owner?: string;
  cause?: string;
  measures?: string;
  level?: number;
  dueOn?: string;
}

const COLUMN: Record<keyof ExceptionChanges, string> = {
  owner: 'owner',
  cause: 'cause',
  measures: 'measures',
  level: 'level',
  dueOn: 'due_on',
};

export function updateException(
  register: Register,
  exceptionId: number,
  changes: ExceptionChanges,
  actor: string,
): ExceptionRecord {
  const db = sqlOf(register);
  return db.transaction(() => {
    const before = getException(db, exceptionId);
    if (!before) throw new Error(`No exception ${exceptionId}`);
    const set = (Object.keys(changes) as (keyof ExceptionChanges)[]).filter((k) => changes[k] !== undefined);
    for (const k of set)
      db.prepare(`UPDATE visit_exceptions SET ${COLUMN[k]} = ? WHERE exception_id = ?`).run(changes[k], exceptionId);
    const diff = Object.fromEntries(set.map((k) => [k, { from: before[k], to: changes[k] }]));
    db.prepare('INSERT INTO exception_updates (exception_id, at, by_person, changes_json) VALUES (?, ?, ?, ?)').run(
      exceptionId,
      nowIso(),
      actor,
      JSON.stringify(diff),
    );
    recordEvent(db, actor, 'exception.updated', before.visitId, diff);
    return getException(db, exceptionId)!;
  });
}

export function closeException(register: Register, exceptionId: number, note: string, actor: string): ExceptionRecord {
  const db = sqlOf(register);
  return db.transaction(() => {
    const before = getException(db, exceptionId)!;
    const at = nowIso();
    db.prepare(
      "UPDATE visit_exceptions SET status = 'closed', closed_by = ?, closed_at = ?, closure_note = ? WHERE exception_id = ?",
    ).run(actor, at, note, exceptionId);
    db.prepare('INSERT INTO exception_updates (exception_id, at, by_person, changes_json) VALUES (?, ?, ?, ?)').run(
      exceptionId,
      at,
      actor,
      JSON.stringify({ closed: note }),
    );
    recordEvent(db, actor, 'exception.closed', before.visitId, { note });
    return getException(db, exceptionId)!;
  });
}
