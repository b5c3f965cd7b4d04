/**
 * Separation of duties (相互制衡, 第四条; 中国银河证券细则 第四条: 回访人员应为除营销序列员工以外的
 * 其他人员): the reviewer is never the visitor, the visitor is not marketing staff, and no
 * review item of a visit is decided by its own visitor. Pure: the roster and the people
 * recorded on the visit come in, messages go out.
 */
import { message, type Message, type Place } from '../domain/messages.ts';
import { findPerson } from '../domain/people.ts';

export interface RosterEntry {
  staffId: string;
  name: string;
  role: string;
  isMarketing: boolean;
}

export interface DutiesInput {
  visitId: string;
  /** 回访人员 as recorded on the visit (staff id or name). */
  visitor?: string | undefined;
  /** 复核人员 as recorded on the visit. */
  reviewer?: string | undefined;
  /** The customer's marketing staff member (营销人员), when the customer list names one. */
  customerMarketingStaff?: string | undefined;
  /** Who decided the visit's review items. */
  reviewDecisions: readonly { itemId: number; subject: string; decidedBy: string }[];
  roster: readonly RosterEntry[];
}

const norm = (s: string): string => s.trim().toLowerCase();

/** Finds a person on the roster by staff id, else by name (unique). */
function findOnRoster(roster: readonly RosterEntry[], person: string): RosterEntry | undefined {
  return findPerson(roster, person);
}

/** One identity for a person named by id or by name. */
function identity(roster: readonly RosterEntry[], person: string): string {
  const entry = findOnRoster(roster, person);
  return entry ? `staff:${norm(entry.staffId)}` : `raw:${norm(person)}`;
}

function describe(roster: readonly RosterEntry[], person: string): string {
  const e = findOnRoster(roster, person);
  return e ? `${e.name} (${e.staffId})` : person;
}

/** Checks a visit's people against the rules; messages with rule ids `duties/…`. */
export function checkDuties(input: DutiesInput): Message[] {
  const place = { visitId: input.visitId };
  const visitorMessages = input.visitor
    ? visitorDuties(input, input.visitor, place)
    : [
        message(
          'duties/no-visitor',
          'no visitor (回访人员) is recorded for this visit, so separation of duties cannot be checked',
          place,
          {
            severity: 'warning',
            fix: 'record who carried out the visit when the letters or forms are made (--visitor)',
          },
        ),
      ];
  return [...visitorMessages, ...reviewerDuties(input, place)];
}

/** The visitor: on the roster, not marketing staff, not the customer's marketing staff. */
function visitorStanding(input: DutiesInput, visitor: string, place: Place): Message[] {
  const { roster } = input;
  const out: Message[] = [];
  const entry = findOnRoster(roster, visitor);
  if (roster.length > 0 && !entry) {
    out.push(
      message(
        'duties/visitor-not-on-roster',
        `the visitor ${visitor} is not on the staff roster, so whether they are marketing staff cannot be checked`,
        place,
        {
          severity: 'warning',
          fix: 'add them to the staff roster and import it again (huifang staff import <roster>)',
        },
      ),
    );
  }
  if (entry?.isMarketing) {
    out.push(
      message(
        'duties/visitor-is-marketing',
        `the visitor ${describe(roster, visitor)} is marketing staff (营销序列, role ${entry.role}); marketing staff must not carry out callback visits`,
        place,
        {
          fix: 'have the visit carried out again by back-office staff who are not marketing staff',
        },
      ),
    );
  }
  if (input.customerMarketingStaff && identity(roster, input.customerMarketingStaff) === identity(roster, visitor)) {
    out.push(
      message(
        'duties/visitor-is-customers-marketing-staff',
        `the visitor ${describe(roster, visitor)} is the marketing staff member who brought this customer`,
        place,
        {
          fix: 'have the visit carried out again by someone independent of the customer',
        },
      ),
    );
  }
  return out;
}

/** The visitor's standing, then: not the reviewer, and no review item of their own visit decided by them. */
function visitorDuties(input: DutiesInput, visitor: string, place: Place): Message[] {
  const { roster, reviewer } = input;
  const out = visitorStanding(input, visitor, place);
  if (reviewer && identity(roster, reviewer) === identity(roster, visitor)) {
    out.push(
      message(
        'duties/reviewer-is-visitor',
        `the reviewer (复核人员) ${describe(roster, reviewer)} is also the visitor; a visit must be reviewed by someone else`,
        place,
        {
          fix: 'assign another reviewer and have them review the visit',
        },
      ),
    );
  }
  const byVisitor = input.reviewDecisions.filter((d) => identity(roster, d.decidedBy) === identity(roster, visitor));
  if (byVisitor.length > 0) {
    out.push(
      message(
        'duties/review-by-visitor',
        `${byVisitor.length} review item${byVisitor.length === 1 ? ' was' : 's were'} decided by the visitor ${describe(roster, visitor)} (item${byVisitor.length === 1 ? '' : 's'} ${byVisitor.map((d) => `${d.itemId} ${d.subject}`).join(', ')}); the visitor must not review their own visit`,
        place,
        { fix: 'have another reviewer look at those items again (huifang review)' },
      ),
    );
  }
  return out;
}

/** The reviewer: recorded, and not marketing staff. */
function reviewerDuties(input: DutiesInput, place: Place): Message[] {
  const { roster, reviewer } = input;
  if (!reviewer)
    return [
      message('duties/no-reviewer', 'no reviewer (复核人员) is recorded for this visit', place, {
        severity: 'info',
        fix: 'record the reviewer when the letters or forms are made (--reviewer)',
      }),
    ];
  if (roster.length > 0 && findOnRoster(roster, reviewer)?.isMarketing)
    return [
      message(
        'duties/reviewer-is-marketing',
        `the reviewer ${describe(roster, reviewer)} is marketing staff (营销序列)`,
        place,
        { fix: 'assign a reviewer who is not marketing staff' },
      ),
    ];
  return [];
}
