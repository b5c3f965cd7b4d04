/**
 * Which visit an e-mail belongs to: a visit id in the subject (then the body), else the
 * sender's address as a customer's e-mail address and that customer's open visit (an e-mail
 * visit first), else nobody — and then it goes to review, never away. An e-mail that names a
 * visit but does not come from that customer's registered address is not the customer's
 * reply until a person says so: it goes to review too, the named visit as the candidate.
 */
import { findVisitIds } from '../domain/visit-id.ts';
import type { Visit } from '../domain/visit.ts';
import type { Register } from '../store/register.ts';
import { findCustomersByEmail, getCustomer, getVisit, listVisits } from '../store/visits.ts';

export type MailMatch =
  | { matched: true; visitId: string; by: 'visit-id-subject' | 'visit-id-body' | 'sender-address'; note: string }
  | { matched: false; reason: string; candidates: string[] };

export interface MailForMatching {
  subject: string;
  body: string;
  /** Sender addresses (From, and Reply-To/Sender when known). */
  senders: string[];
}

function existing(register: Register, ids: readonly string[]): string[] {
  return ids.filter((id) => getVisit(register, id) !== undefined);
}

/** Why the senders are not the visit's customer (null when one of them is the customer's registered address). */
function strangerReason(register: Register, visitId: string, senders: readonly string[]): string | null {
  const visit = getVisit(register, visitId);
  const customer = visit && getCustomer(register, visit.customerId);
  const registered = customer?.email.trim().toLowerCase() ?? '';
  const from = [...new Set(senders.map((s) => s.trim().toLowerCase()).filter(Boolean))];
  if (registered && from.includes(registered)) return null;
  return `the sender ${from.join(', ') || '(none)'} is not the customer's registered e-mail address${registered ? '' : ' (the customer list gives none)'}`;
}

/** Matches an e-mail (or a mail client's printout of one) to a visit in the register. */
export function matchMail(register: Register, mail: MailForMatching): MailMatch {
  const unknownIds: string[] = [];
  const byId = matchByVisitId(register, mail, unknownIds);
  if (byId) return byId;
  const idNote = unknownIds.length
    ? `; it names ${[...new Set(unknownIds)].join(', ')}, which no visit in the register has`
    : '';
  return matchBySender(register, mail, idNote);
}

/**
 * The visit named in the subject, else in the body (when the sender is its customer); undefined
 * when neither names a visit of the register. Ids no visit has are added to `unknownIds`.
 */
function matchByVisitId(register: Register, mail: MailForMatching, unknownIds: string[]): MailMatch | undefined {
  for (const [where, text] of [
    ['subject', mail.subject],
    ['body', mail.body],
  ] as const) {
    const ids = findVisitIds(text);
    const known = existing(register, ids);
    unknownIds.push(...ids.filter((id) => !known.includes(id)));
    if (known.length === 1) {
      const stranger = strangerReason(register, known[0]!, mail.senders);
      if (stranger)
        return {
          matched: false,
          reason: `the ${where} names visit ${known[0]}, but ${stranger}; whether it is the customer's reply must be decided by a person`,
          candidates: known,
        };
      return {
        matched: true,
        visitId: known[0]!,
        by: where === 'subject' ? 'visit-id-subject' : 'visit-id-body',
        note: `visit id ${known[0]} in the ${where}`,
      };
    }
    if (known.length > 1)
      return {
        matched: false,
        reason: `the ${where} names ${known.length} visits (${known.join(', ')}); which one the e-mail answers must be decided by a person`,
        candidates: known,
      };
  }
  return undefined;
}

/** The sender's address as a customer's, and that customer's only open visit (an e-mail visit first). */
function matchBySender(register: Register, mail: MailForMatching, idNote: string): MailMatch {
  const senders = [...new Set(mail.senders.map((s) => s.trim().toLowerCase()).filter(Boolean))];
  const customers = senders.flatMap((s) => findCustomersByEmail(register, s));
  if (customers.length === 0) {
    return {
      matched: false,
      reason: `no visit id in the subject or body, and the sender ${senders.join(', ') || '(none)'} is not the e-mail address of any customer${idNote}`,
      candidates: [],
    };
  }
  const visits: Visit[] = customers.flatMap((c) => listVisits(register, { customerId: c.customerId }));
  const open = visits.filter((v) => v.result === 'pending');
  const byEmail = open.filter((v) => v.channel === 'email');
  const pick = byEmail.length > 0 ? byEmail : open;
  const who = customers.map((c) => c.customerId).join(', ');
  if (pick.length === 1) {
    return {
      matched: true,
      visitId: pick[0]!.visitId,
      by: 'sender-address',
      note: `sender ${senders.join(', ')} is customer ${who}, whose only open ${byEmail.length ? 'e-mail ' : ''}visit is ${pick[0]!.visitId}`,
    };
  }
  if (pick.length === 0) {
    return {
      matched: false,
      reason: `the sender is customer ${who}, who has no open visit${idNote}`,
      candidates: visits.map((v) => v.visitId),
    };
  }
  return {
    matched: false,
    reason: `the sender is customer ${who}, who has ${pick.length} open visits (${pick.map((v) => v.visitId).join(', ')}); which one the e-mail answers must be decided by a person${idNote}`,
    candidates: pick.map((v) => v.visitId),
  };
}
