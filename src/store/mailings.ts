/**
 * Mailed letters' postal tracking numbers in the register (`mailings`): recorded from a
 * mailing list, looked up when a scanned postal receipt's barcode is read.
 */
import { message, type Message } from '../domain/messages.ts';
import { syncReceivedDocuments } from './pages.ts';
import { nowIso } from '../env/clock.ts';
import { recordEvent } from './register.ts';
import { sqlOf, type Register } from './sql.ts';

export interface Mailing {
  trackingNumber: string;
  visitId: string;
  source: string;
  recordedBy: string;
  recordedAt: string;
}

/** A mailing to record: the visit, or the customer whose one letter visit it is. */
export interface MailingRequest {
  trackingNumber: string;
  visitId?: string;
  customerId?: string;
  /** Where it came from, for messages and the record: file and row. */
  file: string;
  row: number;
}

interface MailingRow {
  tracking_number: string;
  visit_id: string;
  source: string;
  recorded_by: string;
  recorded_at: string;
}

const fromRow = (r: MailingRow): Mailing => ({
  trackingNumber: r.tracking_number,
  visitId: r.visit_id,
  source: r.source,
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at,
});

/** The mailed letter a tracking number belongs to. */
export function mailingByTrackingNumber(register: Register, trackingNumber: string): Mailing | undefined {
  const db = sqlOf(register);
  const r = db.prepare('SELECT * FROM mailings WHERE tracking_number = ?').get(trackingNumber) as
    MailingRow | undefined;
  return r && fromRow(r);
}

export function mailingsOfVisit(register: Register, visitId: string): Mailing[] {
  const db = sqlOf(register);
  return (
    db.prepare('SELECT * FROM mailings WHERE visit_id = ? ORDER BY recorded_at').all(visitId) as MailingRow[]
  ).map(fromRow);
}

/** The visit a request names (directly, or the customer's one letter visit), or a problem. */
function visitOf(register: Register, m: MailingRequest): string | Message {
  const db = sqlOf(register);
  const place = { file: m.file, row: m.row };
  if (m.visitId !== undefined) {
    const v = db.prepare('SELECT visit_id, channel FROM visits WHERE visit_id = ?').get(m.visitId) as
      { visit_id: string; channel: string } | undefined;
    if (!v)
      return message('mailing/unknown-visit', `visit ${m.visitId} is not in this workspace's register`, place, {
        fix: 'check the 回访编号, or run huifang letters for its customer first',
      });
    if (v.channel !== 'letter')
      return message('mailing/not-a-letter', `visit ${m.visitId} is a ${v.channel} visit, not a mailed letter`, place, {
        fix: 'only letters go by post',
      });
    return v.visit_id;
  }
  const visits = db
    .prepare(
      "SELECT visit_id FROM visits WHERE customer_id = ? AND channel = 'letter' AND result = 'pending' ORDER BY created_on DESC, visit_id",
    )
    .all(m.customerId) as { visit_id: string }[];
  if (visits.length === 1) return visits[0]!.visit_id;
  if (visits.length === 0)
    return message(
      'mailing/no-letter-visit',
      `customer ${m.customerId} has no open letter visit in this register`,
      place,
      { fix: 'check the 客户号, or give the 回访编号 instead' },
    );
  return message(
    'mailing/several-letter-visits',
    `customer ${m.customerId} has ${visits.length} open letter visits (${visits.map((v) => v.visit_id).join(', ')}); the list must say which`,
    place,
    { fix: 'give the 回访编号 printed on the letter instead of the 客户号' },
  );
}

/**
 * Records every mailing, or none: a tracking number already recorded for another visit,
 * an unknown visit, or a customer without exactly one open letter visit is a problem of
 * its row, and any problem leaves the register as it was. Recording the same number for
 * the same visit again changes nothing.
 */
export function recordMailings(
  register: Register,
  requests: readonly MailingRequest[],
  actor: string,
): { recorded: Mailing[]; unchanged: Mailing[]; problems: Message[] } {
  const db = sqlOf(register);
  return db.transaction(() => {
    const problems: Message[] = [];
    const resolved: { request: MailingRequest; visitId: string }[] = [];
    for (const request of requests) {
      const visit = visitOf(db, request);
      if (typeof visit !== 'string') {
        problems.push(visit);
        continue;
      }
      const known = mailingByTrackingNumber(db, request.trackingNumber);
      if (known && known.visitId !== visit) {
        problems.push(
          message(
            'mailing/number-taken',
            `${request.trackingNumber} is already recorded for visit ${known.visitId} (${known.source})`,
            { file: request.file, row: request.row },
            { fix: 'one tracking number belongs to one letter: check the number' },
          ),
        );
        continue;
      }
      resolved.push({ request, visitId: visit });
    }
    if (problems.length) return { recorded: [], unchanged: [], problems };
    const recorded: Mailing[] = [];
    const unchanged: Mailing[] = [];
    const now = nowIso();
    const insert = db.prepare(
      'INSERT INTO mailings (tracking_number, visit_id, source, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const { request, visitId } of resolved) {
      const known = mailingByTrackingNumber(db, request.trackingNumber);
      if (known) {
        unchanged.push(known);
        continue;
      }
      const source = `${request.file}, row ${request.row}`;
      insert.run(request.trackingNumber, visitId, source, actor, now);
      recordEvent(db, actor, 'mailing.recorded', visitId, { trackingNumber: request.trackingNumber, source });
      recorded.push({ trackingNumber: request.trackingNumber, visitId, source, recordedBy: actor, recordedAt: now });
    }
    return { recorded, unchanged, problems };
  });
}

/**
 * Pages already ingested whose barcode holds a tracking number recorded now: a receipt that
 * came back before its number was listed. Each such page that no one has classified (it
 * only followed a form, or sits in quarantine without a code) becomes its visit's postal
 * receipt, as if read today; pages a clerk placed by hand are left alone.
 */
export function fileWaitingReceipts(
  register: Register,
  mailings: readonly Mailing[],
  actor: string,
): { sha256: string; page: number; visitId: string; trackingNumber: string }[] {
  const db = sqlOf(register);
  if (mailings.length === 0) return [];
  return db.transaction(() => {
    const filed: { sha256: string; page: number; visitId: string; trackingNumber: string }[] = [];
    const waiting = db
      .prepare(
        `SELECT file_sha256, page, visit_id, reading_json FROM pages
           WHERE ((status = 'assigned' AND kind = 'attachment' AND assigned_by = 'follow') OR (status = 'quarantined' AND rule_id IN ('ingest/no-qr-code', 'ingest/follows-unknown-visit')))
             AND reading_json LIKE '%trackingNumbers%'`,
      )
      .all() as { file_sha256: string; page: number; visit_id: string | null; reading_json: string }[];
    const byNumber = new Map(mailings.map((m) => [m.trackingNumber, m]));
    const now = nowIso();
    for (const p of waiting) {
      const numbers = (JSON.parse(p.reading_json) as { trackingNumbers?: string[] }).trackingNumbers ?? [];
      const m = numbers.map((n) => byNumber.get(n)).find(Boolean);
      if (!m) continue;
      db.prepare(
        `UPDATE pages SET status = 'assigned', visit_id = ?, kind = 'postal-receipt', assigned_by = 'handler', reason = NULL, rule_id = NULL, updated_at = ?, updated_by = ? WHERE file_sha256 = ? AND page = ?`,
      ).run(m.visitId, now, actor, p.file_sha256, p.page);
      db.prepare('UPDATE review_items SET visit_id = ? WHERE file_sha256 = ? AND page = ?').run(
        m.visitId,
        p.file_sha256,
        p.page,
      );
      const details = {
        sha256: p.file_sha256,
        page: p.page,
        from: p.visit_id ? { visitId: p.visit_id, kind: 'attachment' } : { quarantine: true },
        to: { visitId: m.visitId, kind: 'postal-receipt' },
        by: `tracking number ${m.trackingNumber}`,
      };
      recordEvent(db, actor, 'page.moved', m.visitId, details);
      if (p.visit_id && p.visit_id !== m.visitId) recordEvent(db, actor, 'page.moved', p.visit_id, details);
      syncReceivedDocuments(db, p.file_sha256, actor);
      filed.push({ sha256: p.file_sha256, page: p.page, visitId: m.visitId, trackingNumber: m.trackingNumber });
    }
    return filed;
  });
}
