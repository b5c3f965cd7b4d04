/**
 * How planning output shows a customer id: the one place plan and coverage output mask ids
 * (logs and reports never print a full 资金账号).
 */
import { maskTail } from '../domain/customer.ts';

export function shownCustomerId(customerId: string): string {
  return maskTail(customerId);
}
