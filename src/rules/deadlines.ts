/**
 * Deadlines (第十七条, 第三十一条, 证券公司客户回访制度): a visit not complete by its due date
 * is overdue. Pure.
 */
import { addDays } from '../domain/deadlines.ts';
import { message, type Message } from '../domain/messages.ts';

/** Days before the due date from which an incomplete visit is flagged as due soon. */
const DUE_SOON_DAYS = 3;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** An overdue (error) or due-soon (warning) message for an incomplete visit; none for a complete one. */
export function checkDeadline(visitId: string, dueOn: string, today: string, complete: boolean): Message[] {
  if (complete) return [];
  const place = { visitId };
  if (today > dueOn) {
    const late = daysBetween(dueOn, today);
    return [
      message(
        'deadline/overdue',
        `the visit was due on ${dueOn} and is ${late} day${late === 1 ? '' : 's'} overdue, still incomplete`,
        place,
        {
          fix: 'complete what is listed for this visit, and report the delay to the branch manager',
          expected: `complete by ${dueOn}`,
          actual: `incomplete on ${today}`,
        },
      ),
    ];
  }
  if (today >= addDays(dueOn, -DUE_SOON_DAYS)) {
    const left = daysBetween(today, dueOn);
    return [
      message(
        'deadline/due-soon',
        `the visit is due on ${dueOn} (${left === 0 ? 'today' : `in ${left} day${left === 1 ? '' : 's'}`}) and is not complete`,
        place,
        { severity: 'warning', fix: 'complete what is listed for this visit before the due date' },
      ),
    ];
  }
  return [];
}
