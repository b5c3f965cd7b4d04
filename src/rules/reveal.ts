/**
 * Who may see full customer ids and phone numbers (`--reveal`): the roles the permission
 * table (src/domain/people.ts) allows the act `reveal` — compliance (合规/稽核) and branch
 * heads (营业部负责人), as the staff roster in the workspace names their role (岗位). Anyone
 * else, anyone not on the roster, and marketing staff (营销人员) are refused.
 */
import { findPerson, permission } from '../domain/people.ts';
import type { Register } from '../store/register.ts';
import { listStaff } from '../store/rules.ts';

export type RevealDecision = { ok: true; staffId: string; role: string } | { ok: false; reason: string };

/** Whether `user` (a staff id or a name on the roster) may see personal data in full. */
export function mayReveal(register: Register, user: string): RevealDecision {
  const staff = listStaff(register);
  if (staff.length === 0)
    return {
      ok: false,
      reason: 'no staff roster has been imported, so no one may use --reveal (import one with huifang staff import)',
    };
  const member = findPerson(staff, user);
  const decision = permission(member, 'reveal');
  if (!decision.allowed)
    return { ok: false, reason: member ? decision.reason : `${user} is not on the staff roster; ${decision.reason}` };
  return { ok: true, staffId: member!.staffId, role: member!.role };
}
