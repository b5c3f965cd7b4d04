/**
 * What a template can say: the one vocabulary of tags that the PDF letter's text
 * template (`templates/letter.txt`) and the Word templates (`templates/*.docx`) may use,
 * and the values a visit gives them. A template that uses a tag outside this vocabulary
 * is refused with the tag named (see `render/templates.ts`), never rendered blank.
 */
import type { Customer } from '../domain/customer.ts';
import { CUSTOMER_KIND_LABELS } from '../domain/customer.ts';
import { questionsFor } from '../domain/questions.ts';
import { VISIT_CATEGORY_LABELS, VISIT_CHANNEL_LABELS, type Visit } from '../domain/visit.ts';

export type { Sender } from '../domain/workspace-config.ts';
import type { Sender } from '../domain/workspace-config.ts';

export interface QuestionData {
  number: number;
  id: string;
  text: string;
  rule: string;
  /** For choices, e.g. `满意 / 一般 / 不满意`; empty for yes/no questions. */
  options: string;
}

/** Every tag a template may use, with what it holds. */
export const TEMPLATE_TAGS = {
  companyName: '公司名称',
  department: '寄件部门',
  senderAddress: '寄件地址',
  senderPostcode: '寄件邮编',
  senderPhone: '联系电话',
  serviceHotline: '客服热线',
  visitId: '回访编号',
  category: '回访项目',
  channel: '回访形式',
  letterDate: '发函日期（2026年11月28日）',
  replyBy: '回寄截止日期',
  dueDate: '回访完成期限',
  customerId: '客户号',
  customerName: '客户名称',
  customerKind: '客户类型（个人/机构）',
  salutation: '称呼（尊敬的…：）',
  contactPerson: '机构联系人',
  branchCode: '营业部代码',
  branchName: '营业部名称',
  address: '通讯地址',
  postcode: '邮编',
  openedOn: '开户日期',
  marketingStaff: '营销人员',
  isInstitution: '是否机构客户（条件段落）',
  questions: '回访问题列表（循环：number, text, rule, options）',
} as const;

export type TemplateTag = keyof typeof TEMPLATE_TAGS;
export const QUESTION_TAGS = ['number', 'id', 'text', 'rule', 'options'] as const;

export type TemplateData = Record<Exclude<TemplateTag, 'questions' | 'isInstitution'>, string> & {
  isInstitution: boolean;
  questions: QuestionData[];
};

/** `2026-11-28` → `2026年11月28日` */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

function addDaysIso(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The values of every tag for one visit's letter or form. */
export function templateData(visit: Visit, customer: Customer, sender: Sender): TemplateData {
  const institution = customer.kind === 'institution';
  return {
    companyName: sender.companyName,
    department: sender.department,
    senderAddress: sender.address,
    senderPostcode: sender.postcode,
    senderPhone: sender.phone,
    serviceHotline: sender.serviceHotline,
    visitId: visit.visitId,
    category: VISIT_CATEGORY_LABELS[visit.category],
    channel: VISIT_CHANNEL_LABELS[visit.channel],
    letterDate: chineseDate(visit.createdOn),
    replyBy: chineseDate(addDaysIso(visit.createdOn, sender.replyDays)),
    dueDate: chineseDate(visit.dueOn),
    customerId: customer.customerId,
    customerName: customer.name,
    customerKind: CUSTOMER_KIND_LABELS[customer.kind],
    salutation: institution ? `尊敬的${customer.name}：` : `尊敬的${customer.name}客户：`,
    contactPerson: customer.contactPerson ?? '',
    branchCode: customer.branchCode,
    branchName: customer.branchName,
    address: customer.address,
    postcode: customer.postcode,
    openedOn: chineseDate(customer.openedOn),
    marketingStaff: customer.marketingStaff ?? '',
    isInstitution: institution,
    questions: questionsFor(visit.category).map((q, i) => ({
      number: i + 1,
      id: q.id,
      text: q.text,
      rule: q.rule,
      options: q.type === 'choice' ? q.options.map((o) => o.label).join(' / ') : '',
    })),
  };
}
