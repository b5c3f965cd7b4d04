/**
 * The questions a record form (客户回访记录表) asks, by visit category, taken from the
 * 中国银河证券经纪业务客户回访实施细则 (shared/reference/callback-rules-zh.txt).
 *
 * This table is the one definition of the questions: render draws one 是/否 row each,
 * scan reads them back by id, and the result rules (第四十三条) compare the answers with
 * `pass`. A question whose `pass` is null is informational (it never fails a visit).
 */
import type { VisitCategory } from './visit.ts';

export type YesNo = 'yes' | 'no';

export interface YesNoQuestion {
  type: 'yes-no';
  /** Stable id; appears in scans' `answers`, in registers and in bundles. */
  id: string;
  /** Text printed on the form. */
  text: string;
  /** The article and item it comes from, e.g. `第十八条(一)`. */
  rule: string;
  /** The answer a compliant visit gives; null where any answer is acceptable. */
  pass: YesNo | null;
  /** Asked only when another question got the given answer (e.g. customers brought by marketing staff). */
  askedWhen?: { questionId: string; answer: YesNo };
}

export interface ChoiceQuestion {
  type: 'choice';
  id: string;
  text: string;
  rule: string;
  options: readonly { value: string; label: string }[];
}

export type Question = YesNoQuestion | ChoiceQuestion;

/** An answer as read or entered: a yes/no, a choice's value, or null (blank, unreadable). */
export type Answer = YesNo | string | null;
export type Answers = Record<string, Answer>;

export const SATISFACTION: ChoiceQuestion = {
  type: 'choice',
  id: 'satisfaction',
  text: '您对我公司客户服务、研究资讯、营销服务人员、交易环境及通道的总体满意度',
  rule: '第十八条(七)',
  options: [
    { value: 'satisfied', label: '满意' },
    { value: 'neutral', label: '一般' },
    { value: 'dissatisfied', label: '不满意' },
  ],
};

const yn = (
  id: string,
  text: string,
  rule: string,
  pass: YesNo | null,
  askedWhen?: YesNoQuestion['askedWhen'],
): YesNoQuestion =>
  askedWhen ? { type: 'yes-no', id, text, rule, pass, askedWhen } : { type: 'yes-no', id, text, rule, pass };

const BROUGHT_BY_STAFF = { questionId: 'na.brought-by-staff', answer: 'yes' } as const;

export const QUESTIONS: Record<VisitCategory, readonly Question[]> = {
  'new-account': [
    yn(
      'na.opened-in-person',
      '您是否本人（或持经公证的授权委托书的代理人）亲自办理开户并签署相关协议？',
      '第十八条(一)',
      'yes',
    ),
    yn('na.password-set-personally', '您的账户初始密码是否由您本人设置？', '第十八条(二)', 'yes'),
    yn('na.staff-operated-account', '营业部或证券从业人员是否曾代您操作账户？', '第十八条(三)', 'no'),
    yn('na.discretionary-mandate', '您是否将账户全权委托他人（含工作人员）决定买卖？', '第十八条(四)', 'no'),
    yn('na.risks-disclosed', '开户时工作人员是否向您提示了证券投资风险？', '第十八条(五)', 'yes'),
    yn('na.brought-by-staff', '您是否经由我公司营销人员介绍开户？', '第十八条(六)', null),
    yn(
      'na.certificate-shown',
      '（营销人员介绍的客户）营销人员是否履行告知义务并向您出示执业证书？',
      '第十八条(八)a',
      'yes',
      BROUGHT_BY_STAFF,
    ),
    yn(
      'na.knows-staff-name',
      '（营销人员介绍的客户）您是否知晓该营销人员的姓名？',
      '第四十三条',
      'yes',
      BROUGHT_BY_STAFF,
    ),
    yn(
      'na.agency-with-staff',
      '（营销人员介绍的客户）您与营销人员之间是否存在代理关系或代客理财约定？',
      '第十八条(八)b',
      'no',
      BROUGHT_BY_STAFF,
    ),
    yn(
      'na.staff-beyond-authority',
      '（营销人员介绍的客户）营销人员是否有超越公司授权的行为（如承诺收益、共担风险）？',
      '第十八条(八)c',
      'no',
      BROUGHT_BY_STAFF,
    ),
    SATISFACTION,
  ],
  existing: [
    yn('ex.details-need-update', '您的基础资料（地址、电话、证件有效期等）是否需要更新？', '第二十一条(一)', null),
    yn('ex.staff-operated-account', '营业部或证券从业人员是否曾代您操作账户？', '第二十一条(二)', 'no'),
    yn('ex.discretionary-mandate', '您是否将账户全权委托他人（含工作人员）决定买卖？', '第二十一条(三)', 'no'),
    yn('ex.risks-disclosed', '工作人员是否向您提示了证券投资风险？', '第二十一条(四)', 'yes'),
    SATISFACTION,
  ],
  key: [
    yn('key.details-need-update', '您的基础资料（地址、电话、证件有效期等）是否需要更新？', '第二十九条(一)', null),
    yn(
      'key.agent-authority-confirmed',
      '如您委托了代理人，代理人办理的事项是否均在您授权范围内？（未委托代理人请选“是”）',
      '第二十九条(二)',
      'yes',
    ),
    yn('key.staff-is-agent', '为您服务的营销人员是否担任您的委托代理人？', '第二十九条(二)', 'no'),
    yn(
      'key.special-business-risks',
      '办理融资融券、正回购、权证等特殊业务时，是否向您提示交易风险并评估与您风险承受能力的匹配？',
      '第二十九条(三)',
      'yes',
    ),
    yn('key.disputes-trading-history', '您对账户的历史交易流水是否有异议？', '第二十九条(四)', 'no'),
    SATISFACTION,
  ],
  special: [
    yn('sp.operated-by-self', '您的账户是否由您本人使用和操作？', '第三十条', 'yes'),
    yn('sp.risks-and-rules-known', '您是否已知悉相关交易风险以及交易所、监管部门的监管要求？', '第三十条', 'yes'),
    yn('sp.details-need-update', '您的身份资料（姓名、证件、职业等）是否有变更需要更新？', '第十三条(四)', null),
    SATISFACTION,
  ],
  advisory: [
    yn(
      'adv.signing-compliant',
      '您签订客户服务协议或投资顾问协议的过程是否合规、内容是否真实有效？',
      '第二十六条(一)',
      'yes',
    ),
    yn(
      'adv.discretionary-or-operated',
      '服务人员或投资顾问是否存在全权委托或代您操作账户的情况？',
      '第二十六条(二)',
      'no',
    ),
    { ...SATISFACTION, text: '您对营业部服务人员或投资顾问所提供服务的满意度', rule: '第二十六条(三)' },
  ],
  'departed-staff': [
    yn('ds.still-operated', '原为您服务的人员离职后，是否仍有他人代您操作账户？', '第六条', 'no'),
    yn('ds.discretionary-mandate', '您是否将账户全权委托他人（含原服务人员）决定买卖？', '第六条', 'no'),
    yn('ds.details-need-update', '您的基础资料（地址、电话、证件有效期等）是否需要更新？', '第二十一条(一)', null),
    SATISFACTION,
  ],
  ib: [
    yn('ib.knows-relationship', '您是否知晓与证券营业部营销人员之间的经纪关系？', '第二十四条(一)', 'yes'),
    yn('ib.guarantee-promised', '营销人员是否向您保证最低收益或承诺共担风险？', '第二十四条(二)', 'no'),
    yn('ib.operated-futures-account', '营销人员是否代您操作期货账户？', '第二十四条(三)', 'no'),
    SATISFACTION,
  ],
};

/** The questions of a category, in printed order. */
export function questionsFor(category: VisitCategory): readonly Question[] {
  return QUESTIONS[category];
}

/** Whether a question is asked given the other answers (conditional questions of 第十八条(八)). */
export function isAsked(question: Question, answers: Answers): boolean {
  if (question.type !== 'yes-no' || !question.askedWhen) return true;
  return answers[question.askedWhen.questionId] === question.askedWhen.answer;
}
