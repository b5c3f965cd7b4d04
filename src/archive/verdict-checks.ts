/**
 * What `verify` checks of the verdicts a bundle carries: the firm policy's SHA-256 in
 * bag-info.txt and in every record alike, no visit archived as valid without a reviewer's
 * approval by someone other than its visitor, retention counted from the visit's completion
 * (never from its start), and the exceptions still open when the bundle was made.
 */
import { retentionDate } from '../domain/deadlines.ts';
import { BAG_INFO_TXT, infoValue } from './bagit.ts';
import { RECORD_FILE } from './names.ts';
import type { ArchivedVisitRecord } from './record.ts';
import type { VerifyJob } from './verify-job.ts';

export const POLICY_LABEL = 'Huifang-Policy-SHA256';

export function verdictChecks(
  info: Parameters<typeof infoValue>[0],
  records: ReadonlyMap<string, ArchivedVisitRecord>,
  job: VerifyJob,
): void {
  const policy = infoValue(info, POLICY_LABEL);
  if (policy !== undefined && !/^[0-9a-f]{64}$/.test(policy))
    job.error(BAG_INFO_TXT, `${POLICY_LABEL} "${policy}" is not a SHA-256`, 'huifang/policy');
  const open: string[] = [];
  for (const [visitId, r] of records) {
    const path = `data/${visitId}/${RECORD_FILE}`;
    if (r.policySha256 !== undefined && (r.policySha256 ?? undefined) !== policy) {
      job.error(
        path,
        `the record was validated under policy ${r.policySha256 ?? '(none)'}, bag-info.txt says ${policy ?? '(none)'}`,
        'huifang/policy',
      );
    }
    if (r.valid === true && r.visitReviews !== undefined) {
      const latest = (r.visitReviews as { decision?: string; reviewer?: string }[]).at(-1);
      if (latest?.decision !== 'approve')
        job.error(path, `visit ${visitId} is marked valid but no reviewer (复核人员) approved it`, 'huifang/review');
      else if (r.visit.visitor && latest.reviewer === r.visit.visitor)
        job.error(path, `visit ${visitId} was approved by its own visitor ${latest.reviewer}`, 'huifang/review');
    }
    const completed = r.completion?.completedOn;
    if (
      completed &&
      r.retention?.retainUntil &&
      r.retention.retainUntil < retentionDate(completed, r.retention.years)
    ) {
      job.error(
        path,
        `visit ${visitId} is kept until ${r.retention.retainUntil}, less than ${r.retention.years} years after its completion on ${completed} (第三十九条)`,
        'huifang/retention',
      );
    }
    if (r.completion?.late)
      job.note(
        `Visit ${visitId} was completed late: ${r.completion.completedOn}, due ${r.completion.dueOn}.`,
        'huifang/completion',
        path,
      );
    if (r.exception?.status === 'open') open.push(`#${r.exception.exceptionId} ${visitId}`);
  }
  if (open.length)
    job.note(
      `${open.length} exception(s) were still open when the bundle was made: ${open.join(', ')}`,
      'huifang/exceptions',
    );
}
