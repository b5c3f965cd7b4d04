/**
 * The planned visits not started yet, as the customers `huifang letters --plan` and
 * `huifang forms --plan` start: each with its category and due date from the plan, its
 * address and details from the account list the plan was made from. Once the visits are
 * registered, each planned visit is linked to its visit.
 */
import { createHash } from 'node:crypto';
import type { Customer } from '../domain/customer.ts';
import { InputError } from '../domain/messages.ts';
import type { VisitCategory } from '../domain/visit.ts';
import { getPlan, loadAccountsById, markPlannedStarted, plannedVisits } from '../store/planning.ts';
import type { Workspace } from '../store/workspace.ts';

export interface PlanSelection {
  /** Default: the plan made last. */
  planId?: string;
  branch?: string;
  category?: VisitCategory;
}

/** The customers of the selected planned visits, ready for `startVisits({ planned })`. */
export function plannedSource(
  ws: Workspace,
  selection: PlanSelection,
): {
  path: string;
  sha256: string;
  visits: { customer: Customer; category: VisitCategory; dueOn: string }[];
  onRegistered: (visitIds: string[]) => void;
} {
  const plan = getPlan(ws.register, selection.planId ? { planId: selection.planId } : {});
  if (!plan) throw new InputError('No plan has been made; make one first: huifang plan --year YYYY');
  const items = plannedVisits(ws.register, plan.planId, { ...selection, notStarted: true });
  const what = [
    selection.branch && `branch ${selection.branch}`,
    selection.category && `category ${selection.category}`,
  ]
    .filter(Boolean)
    .join(', ');
  if (items.length === 0)
    throw new InputError(
      `Plan ${plan.planId} has no visit left to start${what ? ` for ${what}` : ''}; nothing was written.`,
    );
  const accounts = loadAccountsById(
    ws.register,
    plan.accountsImportId,
    items.map((i) => i.customerId),
  );
  const visits = items.map((i) => {
    const account = accounts.get(i.customerId);
    if (!account)
      throw new Error(
        `Plan ${plan.planId} names a customer missing from its account import ${plan.accountsImportId}; the register is inconsistent.`,
      );
    const {
      status: _s,
      margin: _m,
      assets: _a,
      monthlyTurnover: _t,
      sixMonthReturn: _r,
      indexReturn: _i,
      annualCommission: _c,
      vip: _v,
      ...customer
    } = account;
    return { customer: customer as Customer, category: i.category, dueOn: i.due };
  });
  return {
    path: `plan ${plan.planId}`,
    sha256: createHash('sha256')
      .update(`${plan.planId}\n${items.map((i) => i.seq).join(',')}`)
      .digest('hex'),
    visits,
    onRegistered: (visitIds) =>
      visitIds.forEach((visitId, n) => markPlannedStarted(ws.register, plan.planId, items[n]!.seq, visitId)),
  };
}
