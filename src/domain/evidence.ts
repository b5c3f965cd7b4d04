/**
 * The evidence table (留痕, 第七条; SPEC §1): what each channel must leave behind, per
 * customer kind. This is the one definition of it: `huifang validate` applies it to the
 * register, and `huifang verify` applies it, years later, to a visit's JSON record in an
 * archive bundle. So it works on a plain `VisitEvidenceRecord` and nothing else: pure,
 * no database, no files.
 *
 * | channel         | evidence required                                                        |
 * |-----------------|--------------------------------------------------------------------------|
 * | letter          | returned form signed by the customer or stamped; an institution's form   |
 * |                 | carries its official seal (公章, present and red); envelope; postal receipt |
 * | face-to-face    | form signed or stamped by the customer and signed by the handler (经办人)  |
 * | email           | form filled from the e-mail (answers recorded); printout; original .eml  |
 * | phone           | the call recording, with its checksum, retrievable                       |
 * | e-questionnaire | the exported response (PDF or JSON)                                      |
 */
import type { CustomerKind } from './customer.ts';
import { message, type Message } from './messages.ts';
import { isAsked, questionsFor, type Answers } from './questions.ts';
import type { VisitCategory, VisitChannel, VisitResult } from './visit.ts';

/** A yes/no decision read from a scanned box after review; null: undecided. */
export interface MarkReading {
  present: boolean | null;
  score?: number;
}

/** The seal box also says whether the seal is red (a 公章 is red; a grey scan cannot tell: null). */
export interface SealReading extends MarkReading {
  red?: boolean | null;
}

/** The final readings of a visit's returned record form (after review). */
export interface EvidenceChecks {
  customerSignature?: MarkReading | null;
  handlerSignature?: MarkReading | null;
  seal?: SealReading | null;
}

/** One document of a visit, as the register or a bundle's record lists it. */
export interface EvidenceDocument {
  /** A `DocumentKind` (`form`, `envelope`, `email-printout`, `recording`…). */
  kind: string;
  /** `rendered` (printed by huifang), `received` (came back), `derived` (made from another), `stamped`. */
  role: string;
  sha256: string;
  fileName: string;
  /**
   * Whether the stored file is present and its SHA-256 still verifies. The register sets it
   * by re-hashing the file store; a bundle verifier by checking the bag's payload.
   */
  retrievable: boolean;
  meta?: Record<string, unknown>;
}

/** Everything the evidence table looks at, for one visit. Serialisable: it travels in bundles. */
export interface VisitEvidenceRecord {
  visitId: string;
  category: VisitCategory;
  channel: VisitChannel;
  customerKind: CustomerKind;
  /** The visit's result: a refused or unreachable visit leaves less evidence. */
  result: VisitResult;
  documents: EvidenceDocument[];
  /** Final readings of the returned form; null when no form has been read. */
  checks: EvidenceChecks | null;
  /** Final answers (read from the form, or entered from the e-mail or call). */
  answers: Answers;
  /** Review items still open for this visit; while any is open there is no verdict. */
  openReviewItems: number;
}

/** One row of the table: a requirement, the article it comes from, and its check. */
export interface EvidenceRule {
  /** Stable id, e.g. `evidence/letter-seal`. */
  ruleId: string;
  channel: VisitChannel;
  /** The customer kinds it applies to. */
  customerKinds: readonly CustomerKind[];
  /** What the rules ask for, as a clerk would say it. */
  requirement: string;
  /** Where it comes from. */
  article: string;
  /** Results for which the requirement does not apply (nothing came back to check). */
  notFor: readonly VisitResult[];
  /** Returns the problem, or null when the requirement is met. */
  check(record: VisitEvidenceRecord): Finding | null;
}

/** What a failed check says: the reason, and what the clerk should do. */
export interface Finding {
  reason: string;
  fix: string;
  severity?: 'error' | 'warning';
}

const BOTH: readonly CustomerKind[] = ['individual', 'institution'];
const NOT_FOR_UNANSWERED: readonly VisitResult[] = ['refused', 'unreachable'];

function received(record: VisitEvidenceRecord, kind: string): EvidenceDocument[] {
  return record.documents.filter((d) => d.kind === kind && (d.role === 'received' || d.role === 'derived'));
}

function hasDocument(record: VisitEvidenceRecord, kind: string, what: string, fix: string): Finding | null {
  return received(record, kind).length > 0 ? null : { reason: `${what} is missing`, fix };
}

/** Whether a signature or seal box is decided as present, absent, or not yet decided. */
function markState(m: MarkReading | null | undefined): 'present' | 'absent' | 'undecided' | 'unread' {
  if (!m) return 'unread';
  if (m.present === true) return 'present';
  if (m.present === false) return 'absent';
  return 'undecided';
}

const INGEST_FORM = 'scan the returned record form and run `huifang ingest <scan>`';
const REVIEW = 'confirm it with `huifang review`';

function customerSignedOrStamped(record: VisitEvidenceRecord, channelName: string): Finding | null {
  if (received(record, 'form').length === 0) return null; // reported by the form rule
  const signature = markState(record.checks?.customerSignature);
  const seal = markState(record.checks?.seal);
  if (signature === 'present' || seal === 'present') return null;
  if (signature === 'undecided' || seal === 'undecided') {
    return {
      reason: `whether the ${channelName} form is signed or stamped by the customer is not decided yet`,
      fix: REVIEW,
    };
  }
  if (signature === 'unread' && seal === 'unread') {
    return {
      reason: `the ${channelName} form's customer signature and seal boxes have not been read`,
      fix: `re-ingest the scan of the form, or ${REVIEW}`,
    };
  }
  return {
    reason: `the ${channelName} form carries neither the customer's signature nor a seal (客户签名或盖章)`,
    fix: 'return the form to the customer for signature (or stamp), then ingest the signed scan',
  };
}

/** The evidence table, in the order validate reports it. */
export const EVIDENCE_TABLE: readonly EvidenceRule[] = [
  // 书面信函 — 第七条: 客户回寄的回访记录表必须由客户签名或盖章(机构客户必须加盖公章),邮局的回执和信封作为此记录表的附件。
  {
    ruleId: 'evidence/letter-form',
    channel: 'letter',
    customerKinds: BOTH,
    requirement: 'the record form returned by the customer (客户回寄的回访记录表)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => hasDocument(r, 'form', 'the returned record form (回访记录表)', INGEST_FORM),
  },
  {
    ruleId: 'evidence/letter-signature',
    channel: 'letter',
    customerKinds: BOTH,
    requirement: 'the returned form signed by the customer or stamped (签名或盖章)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => customerSignedOrStamped(r, 'returned'),
  },
  {
    ruleId: 'evidence/letter-seal',
    channel: 'letter',
    customerKinds: ['institution'],
    requirement: "an institution's returned form carries its official seal, in red (机构客户必须加盖公章)",
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => {
      if (received(r, 'form').length === 0) return null;
      const seal = r.checks?.seal;
      const state = markState(seal);
      if (state === 'undecided')
        return {
          reason: "whether the institution's official seal (公章) is on the form is not decided yet",
          fix: REVIEW,
        };
      if (state === 'unread')
        return { reason: "the form's seal box has not been read", fix: `re-ingest the scan of the form, or ${REVIEW}` };
      if (state === 'absent') {
        return {
          reason:
            "the institution's form has no official seal (公章); a signature alone is not enough for an institution",
          fix: 'ask the institution to stamp the form with its official seal and return it, then ingest the scan',
        };
      }
      if (seal?.red === false) {
        return {
          reason:
            'the mark in the seal box is not red: an official seal (公章) is red; it may be a copy or another stamp',
          fix: 'check the paper original; if the seal is genuine, correct it with `huifang review`, else ask for a stamped original',
        };
      }
      if (seal?.red === null || seal?.red === undefined) {
        return {
          reason: 'the seal is present but its colour cannot be decided (grey or black-and-white scan)',
          fix: 'check the paper original for a red seal, or rescan the form in colour',
          severity: 'warning',
        };
      }
      return null;
    },
  },
  {
    ruleId: 'evidence/letter-envelope',
    channel: 'letter',
    customerKinds: BOTH,
    requirement: 'the envelope, as an attachment of the form (信封)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) =>
      hasDocument(
        r,
        'envelope',
        'the envelope (信封)',
        'scan the envelope and ingest it right after the form (or `huifang attach --kind envelope`)',
      ),
  },
  {
    ruleId: 'evidence/letter-postal-receipt',
    channel: 'letter',
    customerKinds: BOTH,
    requirement: 'the postal receipt, as an attachment of the form (邮局的回执)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) =>
      hasDocument(
        r,
        'postal-receipt',
        'the postal receipt (邮局回执)',
        'scan the postal receipt and `huifang attach --kind postal-receipt`',
      ),
  },
  // 面谈 — 第七条: 如实填写《客户回访记录表》并由回访客户及经办人签名或盖章。
  {
    ruleId: 'evidence/face-to-face-form',
    channel: 'face-to-face',
    customerKinds: BOTH,
    requirement: 'the record form filled in at the meeting (客户回访记录表)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => hasDocument(r, 'form', 'the filled-in record form (回访记录表)', INGEST_FORM),
  },
  {
    ruleId: 'evidence/face-to-face-customer-signature',
    channel: 'face-to-face',
    customerKinds: BOTH,
    requirement: 'the form signed or stamped by the customer (回访客户签名或盖章)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => customerSignedOrStamped(r, 'face-to-face'),
  },
  {
    ruleId: 'evidence/face-to-face-handler-signature',
    channel: 'face-to-face',
    customerKinds: BOTH,
    requirement: 'the form signed or stamped by the handling staff member (经办人签名或盖章)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => {
      if (received(r, 'form').length === 0) return null;
      const state = markState(r.checks?.handlerSignature);
      if (state === 'present') return null;
      if (state === 'undecided')
        return { reason: 'whether the handler (经办人) signed the form is not decided yet', fix: REVIEW };
      if (state === 'unread')
        return {
          reason: "the form's handler signature box has not been read",
          fix: `re-ingest the scan of the form, or ${REVIEW}`,
        };
      return {
        reason: 'the form is not signed by the handling staff member (经办人)',
        fix: 'have the handler sign the form, then ingest the signed scan',
      };
    },
  },
  // 电子邮件 — 第七条: 根据电子邮件内容如实填写回访记录表并打印电子邮件的内容作为此记录表的附件。
  {
    ruleId: 'evidence/email-form',
    channel: 'email',
    customerKinds: BOTH,
    requirement: "the record form filled from the e-mail's content (answers recorded)",
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) => {
      const asked = questionsFor(r.category).filter((q) => isAsked(q, r.answers));
      const answered = asked.filter((q) => r.answers[q.id] !== null && r.answers[q.id] !== undefined);
      return answered.length > 0
        ? null
        : {
            reason: "no answers have been recorded from the customer's e-mail",
            fix: `read the e-mail printout and enter the answers: huifang answers --visit ${r.visitId} --set <question>=yes|no ...`,
          };
    },
  },
  {
    ruleId: 'evidence/email-printout',
    channel: 'email',
    customerKinds: BOTH,
    requirement: 'a printout of the e-mail, as the attachment of the form (打印电子邮件的内容作为附件)',
    article: '第七条',
    notFor: ['unreachable'],
    check: (r) =>
      hasDocument(
        r,
        'email-printout',
        "the printout of the customer's e-mail",
        "ingest the .eml file (`huifang ingest reply.eml`), which makes the printout, or ingest the mail client's PDF printout",
      ),
  },
  {
    ruleId: 'evidence/email-original',
    channel: 'email',
    customerKinds: BOTH,
    requirement: 'the original e-mail (.eml) kept beside the printout',
    article: 'SPEC §1',
    notFor: ['unreachable'],
    check: (r) => {
      if (received(r, 'email').length > 0) return null;
      const printouts = received(r, 'email-printout');
      if (printouts.length > 0 && printouts.every((d) => d.role === 'received')) {
        return {
          reason: "only the mail client's PDF printout is kept, not the original e-mail (.eml)",
          fix: 'save the message from the mail client as .eml and `huifang ingest` it',
          severity: 'warning',
        };
      }
      return {
        reason: 'the original e-mail (.eml) is missing',
        fix: "save the customer's message as .eml from the mail client and `huifang ingest` it",
      };
    },
  },
  // 电话 — 第七条: 使用CC系统,若使用其他录音设备需确保录音可以检索和复听。
  {
    ruleId: 'evidence/phone-recording',
    channel: 'phone',
    customerKinds: BOTH,
    requirement: 'the call recording, retrievable, with its checksum (录音可以检索和复听)',
    article: '第七条',
    notFor: ['unreachable'],
    check: (r) => {
      const recordings = received(r, 'recording');
      if (recordings.length === 0) {
        return {
          reason: 'the call recording is missing',
          fix: `export the recording from the call system and \`huifang attach --visit ${r.visitId} --kind recording <file>\``,
        };
      }
      const good = recordings.filter((d) => /^[0-9a-f]{64}$/.test(d.sha256) && d.retrievable);
      if (good.length > 0) return null;
      return {
        reason: `the call recording ${recordings.map((d) => d.fileName).join(', ')} cannot be retrieved: its stored file is missing or no longer matches its SHA-256`,
        fix: 'attach the recording again from the call system',
      };
    },
  },
  // 电子问卷
  {
    ruleId: 'evidence/e-questionnaire-response',
    channel: 'e-questionnaire',
    customerKinds: BOTH,
    requirement: 'the exported questionnaire response (PDF or JSON)',
    article: '第七条',
    notFor: NOT_FOR_UNANSWERED,
    check: (r) =>
      hasDocument(
        r,
        'e-questionnaire',
        'the exported e-questionnaire response',
        `export the response (PDF or JSON) and \`huifang attach --visit ${r.visitId} --kind e-questionnaire <file>\``,
      ),
  },
];

/** The rows of the table that apply to a channel and customer kind. */
function evidenceRulesFor(channel: VisitChannel, customerKind: CustomerKind): EvidenceRule[] {
  return EVIDENCE_TABLE.filter((rule) => rule.channel === channel && rule.customerKinds.includes(customerKind));
}

/**
 * Checks a visit's evidence against the table, plus what any channel needs: every stored
 * document retrievable, and no review item left open. Returns messages with rule ids such
 * as `evidence/letter-seal`, each placed on the visit and saying what to do.
 */
export function checkEvidence(record: VisitEvidenceRecord): Message[] {
  const place = { visitId: record.visitId };
  const out: Message[] = [];
  for (const rule of evidenceRulesFor(record.channel, record.customerKind)) {
    if (rule.notFor.includes(record.result)) continue;
    const finding = rule.check(record);
    if (finding)
      out.push(
        message(rule.ruleId, finding.reason, place, {
          fix: finding.fix,
          severity: finding.severity ?? 'error',
          expected: `${rule.requirement} (${rule.article})`,
        }),
      );
  }
  for (const d of record.documents) {
    if (!d.retrievable && d.kind !== 'recording') {
      out.push(
        message(
          'evidence/file-missing',
          `the stored file of ${d.kind} document ${d.fileName} is missing or no longer matches its SHA-256 ${d.sha256.slice(0, 12)}…`,
          place,
          {
            fix: 'restore the file from its source (or a bundle) and attach it again',
          },
        ),
      );
    }
  }
  if (record.openReviewItems > 0) {
    out.push(
      message(
        'review/open',
        `${record.openReviewItems} item${record.openReviewItems === 1 ? '' : 's'} of this visit await review; no verdict until they are confirmed`,
        place,
        {
          fix: 'run `huifang review` and confirm or correct them',
        },
      ),
    );
  }
  return out;
}
