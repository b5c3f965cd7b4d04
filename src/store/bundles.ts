/**
 * Archive bundles in the register: each zip built (with the chain to the branch's previous
 * bundle and its retention date), the visits it holds, and legal holds. Also the few reads
 * of the register the archive needs that no other store module offers (a visit's events).
 */
import { renameSync } from 'node:fs';
import { nowIso } from '../env/clock.ts';
import { groupBy, rowsForIds } from './batch.ts';
import { sqlOf, type Register } from './sql.ts';

export interface BundleRecord {
  sha256: string;
  /** The bag's name, e.g. `huifang-3101-2026-05` or `huifang-3101-2026-05-2`. */
  bundleId: string;
  branchCode: string;
  period: string;
  part: number;
  partCount: number;
  /** Absolute path the zip was written to. */
  path: string;
  size: number;
  visitCount: number;
  payloadBytes: number;
  baggingDate: string;
  retainUntil: string;
  previousSha256: string | null;
  includesInvalid: boolean;
  keyFingerprint: string | null;
  builtAt: string;
  builtBy: string;
  /** SHA-256 of the firm policy (policy.json, or the built-in defaults) the bundle was built under. */
  policySha256: string | null;
}

interface BundleRow {
  sha256: string;
  bundle_id: string;
  branch_code: string;
  period: string;
  part: number;
  part_count: number;
  path: string;
  size: number;
  visit_count: number;
  payload_bytes: number;
  bagging_date: string;
  retain_until: string;
  previous_sha256: string | null;
  includes_invalid: number;
  key_fingerprint: string | null;
  built_at: string;
  built_by: string;
  policy_sha256: string | null;
}

function fromRow(r: BundleRow): BundleRecord {
  return {
    sha256: r.sha256,
    bundleId: r.bundle_id,
    branchCode: r.branch_code,
    period: r.period,
    part: r.part,
    partCount: r.part_count,
    path: r.path,
    size: r.size,
    visitCount: r.visit_count,
    payloadBytes: r.payload_bytes,
    baggingDate: r.bagging_date,
    retainUntil: r.retain_until,
    previousSha256: r.previous_sha256,
    includesInvalid: r.includes_invalid === 1,
    keyFingerprint: r.key_fingerprint,
    builtAt: r.built_at,
    builtBy: r.built_by,
    policySha256: r.policy_sha256,
  };
}

/**
 * Records a built bundle and its visits; recording the same zip again only updates its path.
 * `written`: where the zip was written, moved to `b.path` in the same transaction, so that
 * runs building the same bundle at once leave the zip the register names last at its path.
 */
export function recordBundle(
  register: Register,
  b: Omit<BundleRecord, 'builtAt'>,
  visits: readonly { visitId: string; valid: boolean }[],
  written?: string,
): void {
  const db = sqlOf(register);
  db.transaction(() => {
    const seq = ((db.prepare('SELECT max(build_seq) AS s FROM bundles').get() as { s: number | null }).s ?? 0) + 1;
    const existing = db.prepare('SELECT sha256 FROM bundles WHERE sha256 = ?').get(b.sha256);
    if (existing) {
      db.prepare('UPDATE bundles SET path = ?, build_seq = ? WHERE sha256 = ?').run(b.path, seq, b.sha256);
      if (written) renameSync(written, b.path);
      return;
    }
    db.prepare(
      `INSERT INTO bundles (sha256, bundle_id, branch_code, period, part, part_count, path, size, visit_count, payload_bytes, bagging_date, retain_until,
         previous_sha256, includes_invalid, key_fingerprint, built_at, built_by, build_seq, policy_sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      b.sha256,
      b.bundleId,
      b.branchCode,
      b.period,
      b.part,
      b.partCount,
      b.path,
      b.size,
      b.visitCount,
      b.payloadBytes,
      b.baggingDate,
      b.retainUntil,
      b.previousSha256,
      b.includesInvalid ? 1 : 0,
      b.keyFingerprint,
      nowIso(),
      b.builtBy,
      seq,
      b.policySha256,
    );
    const add = db.prepare(
      'INSERT INTO bundle_visits (sha256, visit_id, valid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    for (const v of visits) add.run(b.sha256, v.visitId, v.valid ? 1 : 0);
    db.prepare('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, NULL, ?)').run(
      nowIso(),
      b.builtBy,
      'bundle.built',
      JSON.stringify({ bundleId: b.bundleId, sha256: b.sha256, visits: visits.length }),
    );
    if (written) renameSync(written, b.path);
  });
}

/**
 * The chain link for the first bag of a period: the branch's most recently built bundle of
 * the latest earlier period (the last part, when that period was split). Rebuilding a
 * period links to the same predecessor, so the rebuilt zip is byte-identical when nothing
 * else changed. (Later parts of a split period link to the part before them.)
 */
export function previousBundleOf(register: Register, branchCode: string, period: string): BundleRecord | undefined {
  const db = sqlOf(register);
  const r = db
    .prepare('SELECT * FROM bundles WHERE branch_code = ? AND period < ? ORDER BY period DESC, build_seq DESC LIMIT 1')
    .get(branchCode, period) as BundleRow | undefined;
  return r && fromRow(r);
}

/** The bundle the register knows at `path` (the last built there), if any. */
export function bundleAtPath(register: Register, path: string): BundleRecord | undefined {
  const db = sqlOf(register);
  const r = db.prepare('SELECT * FROM bundles WHERE path = ? ORDER BY build_seq DESC LIMIT 1').get(path) as
    BundleRow | undefined;
  return r && fromRow(r);
}

export function listBundles(register: Register, filter: { branchCode?: string } = {}): BundleRecord[] {
  const db = sqlOf(register);
  const rows = filter.branchCode
    ? (db
        .prepare('SELECT * FROM bundles WHERE branch_code = ? ORDER BY branch_code, period, build_seq')
        .all(filter.branchCode) as BundleRow[])
    : (db.prepare('SELECT * FROM bundles ORDER BY branch_code, period, build_seq').all() as BundleRow[]);
  return rows.map(fromRow);
}

/** Finds bundles by bundle id, or by SHA-256 (whole or a prefix of at least 8 hex digits). */
export function findBundles(register: Register, idOrSha: string): BundleRecord[] {
  const db = sqlOf(register);
  const key = idOrSha.trim();
  if (/^[0-9a-f]{8,64}$/i.test(key)) {
    const rows = db
      .prepare('SELECT * FROM bundles WHERE sha256 LIKE ? ORDER BY build_seq')
      .all(key.toLowerCase() + '%') as BundleRow[];
    if (rows.length) return rows.map(fromRow);
  }
  return (db.prepare('SELECT * FROM bundles WHERE bundle_id = ? ORDER BY build_seq').all(key) as BundleRow[]).map(
    fromRow,
  );
}

export interface LegalHold {
  holdId: number;
  bundleId: string;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
}

interface HoldRow {
  hold_id: number;
  bundle_id: string;
  reason: string;
  placed_by: string;
  placed_at: string;
  released_by: string | null;
  released_at: string | null;
  release_reason: string | null;
}

const holdFromRow = (r: HoldRow): LegalHold => ({
  holdId: r.hold_id,
  bundleId: r.bundle_id,
  reason: r.reason,
  placedBy: r.placed_by,
  placedAt: r.placed_at,
  releasedBy: r.released_by,
  releasedAt: r.released_at,
  releaseReason: r.release_reason,
});

/** Places a legal hold on a bundle id. */
export function placeHold(register: Register, bundleId: string, reason: string, actor: string): LegalHold {
  const db = sqlOf(register);
  const info = db
    .prepare('INSERT INTO bundle_holds (bundle_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?) RETURNING hold_id')
    .get(bundleId, reason, actor, nowIso());
  db.prepare('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, NULL, ?)').run(
    nowIso(),
    actor,
    'bundle.hold',
    JSON.stringify({ bundleId, reason }),
  );
  return holdFromRow(
    db.prepare('SELECT * FROM bundle_holds WHERE hold_id = ?').get((info as { hold_id: number }).hold_id) as HoldRow,
  );
}

/** Releases every active hold on a bundle id; returns the holds released. */
export function releaseHolds(register: Register, bundleId: string, reason: string, actor: string): LegalHold[] {
  const db = sqlOf(register);
  const active = activeHolds(db, bundleId);
  const at = nowIso();
  db.prepare(
    'UPDATE bundle_holds SET released_by = ?, released_at = ?, release_reason = ? WHERE bundle_id = ? AND released_at IS NULL',
  ).run(actor, at, reason, bundleId);
  db.prepare('INSERT INTO events (at, actor, action, visit_id, details_json) VALUES (?, ?, ?, NULL, ?)').run(
    at,
    actor,
    'bundle.release',
    JSON.stringify({ bundleId, reason }),
  );
  return active.map((h) => ({ ...h, releasedBy: actor, releasedAt: at, releaseReason: reason }));
}

export function activeHolds(register: Register, bundleId: string): LegalHold[] {
  const db = sqlOf(register);
  return (
    db
      .prepare('SELECT * FROM bundle_holds WHERE bundle_id = ? AND released_at IS NULL ORDER BY hold_id')
      .all(bundleId) as HoldRow[]
  ).map(holdFromRow);
}

/** Bundles whose retention date is before `today` and that no active legal hold keeps. */
export function dueBundles(register: Register, today: string): BundleRecord[] {
  const db = sqlOf(register);
  const rows = db
    .prepare(
      `SELECT * FROM bundles b WHERE b.retain_until < ?
         AND NOT EXISTS (SELECT 1 FROM bundle_holds h WHERE h.bundle_id = b.bundle_id AND h.released_at IS NULL)
       ORDER BY b.retain_until, b.branch_code, b.period, b.part`,
    )
    .all(today) as BundleRow[];
  return rows.map(fromRow);
}

/** A visit's audit trail (events), oldest first. */
export interface VisitEvent {
  at: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export function eventsOfVisit(register: Register, visitId: string): VisitEvent[] {
  const db = sqlOf(register);
  return eventsOfVisits(db, [visitId]).get(visitId) ?? [];
}

/** The events of each visit, oldest first; a visit without any is left out. */
export function eventsOfVisits(register: Register, visitIds: readonly string[]): Map<string, VisitEvent[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<EventRow & { visit_id: string }>(
    db,
    visitIds,
    (m) =>
      `SELECT visit_id, at, actor, action, details_json FROM events WHERE visit_id IN (${m}) ORDER BY visit_id, event_id`,
  );
  return groupBy(rows, (r) => r.visit_id, eventFromRow);
}

/** Who did what to a visit, and when: its log without the details. */
export type VisitAct = Omit<VisitEvent, 'details'>;

/** The acts of each visit, oldest first (its events without their details); a visit without any is left out. */
export function actsOfVisits(register: Register, visitIds: readonly string[]): Map<string, VisitAct[]> {
  const db = sqlOf(register);
  const rows = rowsForIds<VisitAct & { visit_id: string }>(
    db,
    visitIds,
    (m) => `SELECT visit_id, at, actor, action FROM events WHERE visit_id IN (${m}) ORDER BY visit_id, event_id`,
  );
  return groupBy(
    rows,
    (r) => r.visit_id,
    (r): VisitAct => ({ at: r.at, actor: r.actor, action: r.action }),
  );
}

/** An event as the register keeps it. */
interface EventRow {
  at: string;
  actor: string;
  action: string;
  details_json: string;
}

function eventFromRow(r: EventRow): VisitEvent {
  return { at: r.at, actor: r.actor, action: r.action, details: JSON.parse(r.details_json) as Record<string, unknown> };
}

/**
 * How far a visit's log has come: the number of its latest event (0: none). Every write that
 * changes a visit logs an event in its transaction, and writers take the register's lock one
 * after another, so a visit read twice with the same number in between was read as it stood.
 */
export function visitLogPosition(register: Register, visitId: string): number {
  const db = sqlOf(register);
  const row = db.prepare('SELECT max(event_id) AS n FROM events WHERE visit_id = ?').get(visitId) as
    { n: number | string | null } | undefined;
  return Number(row?.n ?? 0);
}

/** Visits of a branch created in a period (`YYYY-MM`), by visit id. */
export function visitIdsOfPeriod(register: Register, branchCode: string, period: string): string[] {
  const db = sqlOf(register);
  const rows = db
    .prepare(
      `SELECT v.visit_id FROM visits v JOIN customers c ON c.customer_id = v.customer_id WHERE c.branch_code = ? AND substr(v.created_on, 1, 7) = ? ORDER BY v.visit_id`,
    )
    .all(branchCode, period) as { visit_id: string }[];
  return rows.map((r) => r.visit_id);
}

/** Branch codes that have visits started in a period (`YYYY-MM`), sorted. */
export function branchesOfPeriod(register: Register, period: string): string[] {
  const db = sqlOf(register);
  const rows = db
    .prepare(
      `SELECT DISTINCT c.branch_code AS b FROM visits v JOIN customers c ON c.customer_id = v.customer_id WHERE substr(v.created_on, 1, 7) = ? ORDER BY c.branch_code`,
    )
    .all(period) as { b: string }[];
  return rows.map((r) => r.b);
}

/** The register's log of one kind of act (`personal-data.revealed`, `memo.read`, …), oldest first. */
export function eventsOfAction(register: Register, action: string): (VisitEvent & { visitId: string | null })[] {
  const db = sqlOf(register);
  const rows = db
    .prepare('SELECT at, actor, action, visit_id, details_json FROM events WHERE action = ? ORDER BY event_id')
    .all(action) as (EventRow & { visit_id: string | null })[];
  return rows.map((r) => ({ ...eventFromRow(r), visitId: r.visit_id }));
}
