/**
 * Who may see full customer ids and phone numbers (`--reveal`): compliance (合规/稽核) and
 * branch heads (营业部负责人), as the staff roster in the workspace names their role
 * (岗位). Anyone else, anyone not on the roster, and marketing staff (营销人员) are refused.
 */
import type { Db } from '../store/register.ts';
import { listStaff } from '../store/rules.ts';

/** Roles (岗位) whose holders may reveal personal data, matched as a part of the role's text. */
export const REVEAL_ROLES: readonly string[] = ['合规', '稽核', '营业部负责人', 'compliance', 'auditor', 'branch head'];

export type RevealDecision = { ok: true; staffId: string; role: string } | { ok: false; reason: string };

/** Whether `user` (a staff id or a name on the roster) may see personal data in full. */
export function mayReveal(db: Db, user: string): RevealDecision {
  const staff = listStaff(db);
  const member = staff.find((s) => s.staffId === user) ?? staff.find((s) => s.name === user);
  if (!member) {
    return { ok: false, reason: staff.length === 0 ? `no staff roster has been imported, so no one may use --reveal (import one with huifang staff import)` : `${user} is not on the staff roster; only compliance (合规/稽核) and branch heads (营业部负责人) may use --reveal` };
  }
  const role = member.role.toLowerCase();
  if (member.isMarketing || !REVEAL_ROLES.some((r) => role.includes(r.toLowerCase()))) {
    return { ok: false, reason: `${member.name} (${member.staffId}) is ${member.role}${member.isMarketing ? ', marketing staff' : ''}; only compliance (合规/稽核) and branch heads (营业部负责人) may use --reveal` };
  }
  return { ok: true, staffId: member.staffId, role: member.role };
}
