/**
 * Who acts, for every command that records an act: `--user` (or HUIFANG_USER) names a person
 * on the staff roster (工号 or name) whose role may do the act (`domain/people.ts`). Anyone
 * else is refused before anything is written (exit 2). There is no default to the login name.
 */
import { UsageError } from '../domain/messages.ts';
import { findPerson, permission, type Act, type Person } from '../domain/people.ts';
import { listStaff } from '../store/rules.ts';
import type { Workspace } from '../store/workspace.ts';

/** The `--user` option every acting command shares. */
export const USER_OPTION = {
  type: 'string',
  describe: 'who does this: 工号 or name on the staff roster (default $HUIFANG_USER)',
} as const;

/** The name given with `--user` or HUIFANG_USER. @throws UsageError when neither is given */
export function givenUser(explicit: string | undefined, option = '--user'): string {
  const given = explicit?.trim() || process.env.HUIFANG_USER?.trim();
  if (!given)
    throw new UsageError(
      `Say who you are with ${option} <工号 or name on the staff roster> (or set HUIFANG_USER); every act is recorded with a named person.`,
    );
  return given;
}

/** Looks a named person up on the roster and checks they may do the act. @throws UsageError */
export function personFor(ws: Workspace, who: string, act: Act, option = '--user'): Person {
  const roster = listStaff(ws.register);
  if (roster.length === 0)
    throw new UsageError(
      `No staff roster has been imported, so ${who} (${option}) cannot be checked; import it first: huifang staff import <staff.csv>`,
    );
  const person = findPerson(roster, who);
  if (!person)
    throw new UsageError(
      `${option} ${who}: there is no such person on the staff roster (give the 工号, or a name only one person has)`,
    );
  const p = permission(person, act);
  if (!p.allowed) throw new UsageError(`${option} ${who}: ${p.reason}. Nothing was recorded.`);
  return person;
}

/** The acting person (`--user` or HUIFANG_USER), checked for the act. @throws UsageError */
export function actingPerson(ws: Workspace, explicit: string | undefined, act: Act): Person {
  return personFor(ws, givenUser(explicit), act);
}
