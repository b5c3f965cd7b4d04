/**
 * Shared fixtures for the template tests: a visit, a customer, the shipped sender block.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Customer } from '../src/domain/customer.ts';
import { InputError } from '../src/domain/messages.ts';
import type { Visit, VisitCategory } from '../src/domain/visit.ts';
import { PROJECT_ROOT } from '../src/render/templates.ts';
import { templateData, type Sender, type TemplateData } from '../src/render/template-data.ts';

export const sender = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples', 'firm.json'), 'utf8')) as { sender: Sender }
).sender;

export function visitOf(category: VisitCategory = 'new-account', visitId = 'HF26-7K3M-Q9'): Visit {
  return {
    visitId,
    customerId: '3101000123',
    category,
    channel: 'letter',
    createdOn: '2026-11-28',
    dueOn: '2026-12-28',
    result: 'pending',
  } as Visit;
}

export const individual: Customer = {
  customerId: '3101000123',
  name: '王晓明',
  kind: 'individual',
  branchCode: '3101',
  branchName: '上海浦东南路证券营业部',
  address: '上海市浦东新区浦东南路1085号8楼',
  postcode: '200120',
  phone: '13812345678',
  email: 'wxm@example.cn',
  openedOn: '2026-11-02',
};

export const institution: Customer = {
  ...individual,
  customerId: '3101000456',
  name: '上海长河投资管理有限公司',
  kind: 'institution',
  contactPerson: '李静',
};

export function dataFor(category: VisitCategory = 'new-account', customer: Customer = individual): TemplateData {
  return templateData(visitOf(category), customer, sender);
}

/** The InputError a template refusal throws; fails the test when nothing, or something else, is thrown. */
export function refusal(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}
