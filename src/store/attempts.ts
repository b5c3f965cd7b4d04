/**
 * Contact attempts (每次回访尝试: channel, outcome, when, who), completion dates (when the
 * customer's answers were obtained, and whether that was late — once late, always late), the
 * completion dates entered by a person, and remarks (备注) entered from the form, call or e-mail.
 */
import type { Attempt, AttemptChannel, AttemptOutcome } from '../domain/attempts.ts';
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

export function logAttempt(
  register: Register,
  a: { visitId: string; channel: AttemptChannel; outcome: AttemptOutcome; at: string; note?: string },
  actor: string,
): Attempt {
  const db = sqlOf(register);
  return db.transaction(() => {
    const info = db
      .prepare(
        'INSERT INTO visit_attempts (visit_id, channel, outcome, at, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING attempt_id',
      )
      .get(a.visitId, a.channel, a.outcome, a.at, a.note ?? null, actor, nowIso());
    recordEvent(db, actor, 'visit.attempt', a.visitId, { channel: a.channel, outcome: a.outcome, at: a.at });
    return {
      attemptId: Number((info as { attempt_id: number }).attempt_id),
      channel: a.channel,
      outcome: a.outcome,
      at: a.at,
      note: a.note ?? null,
      recordedBy: actor,
    };
  });
}

export function attemptsOf(register: Register, visitId: string): Attempt[] {
  const db = sqlOf(register);
  return attemptsOfVisits(db, [visitId]).get(visitId) ?? [];
}

/** Every try to reach the customer of each visit, in time order; a visit without any is left out. */
export function attemptsOfVisits(register: Register, visitIds: readonly string[]): Map<string, Attempt[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<{
    visit_id: string;
    attempt_id: number;
    channel: AttemptChannel;
    outcome: AttemptOutcome;
    at: string;
    note: string | null;
    recorded_by: string;
  }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, attempt_id, channel, outcome, at, note, recorded_by FROM visit_attempts WHERE visit_id IN (${m}) ORDER BY visit_id, at, attempt_id`,
  );
  return groupBy(
    rows,
    (r) => r.visit_id,
    (r): Attempt => ({
      attemptId: r.attempt_id,
      channel: r.channel,
      outcome: r.outcome,
      at: r.at,
      note: r.note,
      recordedBy: r.recorded_by,
    }),
  );
}

// ── completion ─────────────────────────────────────────────────────────────────────────

export interface Completion {
  completedOn: string;
  /** Where the date comes from, e.g. `entered by S310101`, `call at …`, `form arrived`. */
  source: string;
  dueOn: string;
  late: boolean;
}

/** Records (or updates) a visit's completion; a late flag once set is never cleared. */
export function recordCompletion(register: Register, visitId: string, c: Completion, actor: string): Completion {
  const db = sqlOf(register);
  return db.transaction(() => {
    const before = completionOf(db, visitId);
    const late = c.late || Boolean(before?.late);
    if (before && before.completedOn === c.completedOn && before.source === c.source && before.late === late)
      return before;
    db.prepare(
      `INSERT INTO visit_completions (visit_id, completed_on, source, due_on, late, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (visit_id) DO UPDATE SET completed_on = excluded.completed_on, source = excluded.source, due_on = excluded.due_on, late = excluded.late, recorded_at = excluded.recorded_at`,
    ).run(visitId, c.completedOn, c.source, c.dueOn, late ? 1 : 0, nowIso());
    recordEvent(db, actor, 'visit.completed', visitId, { completedOn: c.completedOn, source: c.source, late });
    return { ...c, late };
  });
}

export function completionOf(register: Register, visitId: string): Completion | undefined {
  const db = sqlOf(register);
  return completionsOfVisits(db, [visitId]).get(visitId);
}

/** The recorded completion of each visit; a visit without one is left out. */
export function completionsOfVisits(register: Register, visitIds: readonly string[]): Map<string, Completion> {
  const db = sqlOf(register);
  const rows = rowsForIds<{ visit_id: string; completed_on: string; source: string; due_on: string; late: number }>(
    db,
    visitIds,
    (m) => `SELECT visit_id, completed_on, source, due_on, late FROM visit_completions WHERE visit_id IN (${m})`,
  );
  return new Map(
    rows.map((r) => [
      r.visit_id,
      { completedOn: r.completed_on, source: r.source, dueOn: r.due_on, late: r.late === 1 },
    ]),
  );
}

/** A completion date entered by a person (the date on the signed form). */
export function enterCompletionDate(register: Register, visitId: string, completedOn: string, actor: string): void {
  const db = sqlOf(register);
  db.prepare('INSERT INTO completion_entries (visit_id, completed_on, entered_by, entered_at) VALUES (?, ?, ?, ?)').run(
    visitId,
    completedOn,
    actor,
    nowIso(),
  );
  recordEvent(db, actor, 'visit.completion-entered', visitId, { completedOn });
}

export function enteredCompletionOf(
  register: Register,
  visitId: string,
): { completedOn: string; enteredBy: string } | undefined {
  const db = sqlOf(register);
  return enteredCompletionsOfVisits(db, [visitId]).get(visitId);
}

/** The latest completion date entered for each visit; a visit without one is left out. */
export function enteredCompletionsOfVisits(
  register: Register,
  visitIds: readonly string[],
): Map<string, { completedOn: string; enteredBy: string }> {
  const db = sqlOf(register);
  const rows = rowsForIds<{ visit_id: string; completed_on: string; entered_by: string }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, completed_on, entered_by FROM completion_entries WHERE visit_id IN (${m}) ORDER BY visit_id, entry_id`,
  );
  return new Map(rows.map((r) => [r.visit_id, { completedOn: r.completed_on, enteredBy: r.entered_by }]));
}

// ── remarks (备注) ─────────────────────────────────────────────────────────────────────

export function enterRemarks(register: Register, visitId: string, text: string, actor: string): void {
  const db = sqlOf(register);
  db.prepare('INSERT INTO remark_entries (visit_id, text, entered_by, entered_at) VALUES (?, ?, ?, ?)').run(
    visitId,
    text,
    actor,
    nowIso(),
  );
  recordEvent(db, actor, 'visit.remarks', visitId, { length: text.length });
}

export function remarksOf(
  register: Register,
  visitId: string,
): { text: string; enteredBy: string; enteredAt: string }[] {
  const db = sqlOf(register);
  return remarksOfVisits(db, [visitId]).get(visitId) ?? [];
}

/** The remarks entered for each visit, in the order entered; a visit without any is left out. */
export function remarksOfVisits(
  register: Register,
  visitIds: readonly string[],
): Map<string, { text: string; enteredBy: string; enteredAt: string }[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<{ visit_id: string; text: string; entered_by: string; entered_at: string }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, text, entered_by, entered_at FROM remark_entries WHERE visit_id IN (${m}) ORDER BY visit_id, entry_id`,
  );
  const out = new Map<string, { text: string; enteredBy: string; enteredAt: string }[]>();
  for (const [visitId, list] of groupBy(rows, (r) => r.visit_id))
    out.set(
      visitId,
      list.map((r) => ({ text: r.text, enteredBy: r.entered_by, enteredAt: r.entered_at })),
    );
  return out;
}
