/**
 * Visits (回访): what is asked of whom, by which channel, and what came of it.
 */
import type { VisitId } from './visit-id.ts';

/** 回访项目 */
export type VisitCategory =
  | 'new-account' // 新开客户
  | 'existing' // 存量客户
  | 'key' // 重点客户
  | 'special' // 特殊客户
  | 'advisory' // 投资顾问/签约客户
  | 'departed-staff' // 离职人员客户
  | 'ib'; // IB客户

export const VISIT_CATEGORIES: readonly VisitCategory[] = [
  'new-account',
  'existing',
  'key',
  'special',
  'advisory',
  'departed-staff',
  'ib',
];

export const VISIT_CATEGORY_LABELS: Record<VisitCategory, string> = {
  'new-account': '新开客户回访',
  existing: '存量客户回访',
  key: '重点客户回访',
  special: '特殊客户回访',
  advisory: '投资顾问/签约客户回访',
  'departed-staff': '离职人员客户回访',
  ib: 'IB客户营销关系回访',
};

/** 回访形式 */
export type VisitChannel = 'letter' | 'face-to-face' | 'phone' | 'email' | 'e-questionnaire';

export const VISIT_CHANNELS: readonly VisitChannel[] = ['letter', 'face-to-face', 'phone', 'email', 'e-questionnaire'];

export const VISIT_CHANNEL_LABELS: Record<VisitChannel, string> = {
  letter: '书面信函',
  'face-to-face': '面谈',
  phone: '电话',
  email: '电子邮件',
  'e-questionnaire': '电子问卷',
};

/** 回访结果 (第四十二条). `pending` until decided. */
export type VisitResult = 'pending' | 'passed' | 'failed' | 'refused' | 'unreachable';

export const VISIT_RESULT_LABELS: Record<VisitResult, string> = {
  pending: '待定',
  passed: '回访通过',
  failed: '回访不通过',
  refused: '拒绝回访',
  unreachable: '回访不可达',
};

export interface Visit {
  visitId: VisitId;
  customerId: string;
  category: VisitCategory;
  channel: VisitChannel;
  /** 回访人员 */
  visitor?: string;
  /** 复核人员 */
  reviewer?: string;
  /** ISO date the visit was started (documents rendered). */
  createdOn: string;
  /** ISO date by which the visit must be completed. */
  dueOn: string;
  result: VisitResult;
  /** The run (batch of letters or forms) that created it. */
  runId?: string;
}

/** Document kinds that huifang prints or receives; they appear in QR payloads and in bundles. */
export type DocumentKind =
  | 'letter' // 回访函 (the letter pages)
  | 'form' // 客户回访记录表
  | 'envelope' // 信封
  | 'postal-receipt' // 邮局回执
  | 'email' // the original .eml
  | 'email-printout' // 电子邮件打印件
  | 'recording' // 录音
  | 'e-questionnaire' // 电子问卷
  | 'attachment'; // anything else attached by hand

export const DOCUMENT_KINDS: readonly DocumentKind[] = [
  'letter',
  'form',
  'envelope',
  'postal-receipt',
  'email',
  'email-printout',
  'recording',
  'e-questionnaire',
  'attachment',
];
