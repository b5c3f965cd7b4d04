/**
 * `huifang validate [--branch B] [--visit ID…] [--record --user U]` — every visit against the
 * rules: result, evidence per channel and customer kind, open review items, deadline,
 * separation of duties. Lists per visit what is missing or wrong and what to do, and the
 * exceptions (异常) to report to the branch manager. Exit 1 when any visit has an error-level
 * problem.
 *
 * Without `--record` it is a check only and writes nothing (anyone but marketing staff may
 * look). `--record` records results, completion dates, record forms, printouts and exception
 * records in the name of `--user` (or HUIFANG_USER): a reviewer (复核人员), the branch head
 * (营业部负责人) or compliance (合规/稽核) on the staff roster; anyone else is refused (exit 2).
 */
import { maskTail } from '../domain/customer.ts';
import { formatMessage, InputError, message, type Message } from '../domain/messages.ts';
import { VISIT_CHANNEL_LABELS, VISIT_RESULT_LABELS } from '../domain/visit.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { loadPolicy } from '../store/policy.ts';
import type { ValidationReport } from '../rules/validate.ts';
import { validateAll } from '../rules/validate-all.ts';
import { getVisit, visitIdsOf } from '../store/visits.ts';
import { defineCommand, EXIT_OK, EXIT_PROBLEMS, progress, report } from './common.ts';
import { actingPerson, USER_OPTION } from './people.ts';

interface ValidateArgs {
  branch?: string;
  visit?: string[];
  verifyHashes?: boolean;
  user?: string;
  policy?: string;
  record: boolean;
}

export const validateCommand = defineCommand<ValidateArgs>({
  command: 'validate',
  builder: (y) =>
    y
      .option('branch', { type: 'string', describe: 'only the visits of this branch (营业部 code)' })
      .option('visit', { type: 'string', array: true, describe: 'only these visit ids' })
      .option('verify-hashes', {
        type: 'boolean',
        describe:
          'hash every stored file now (default: only files changed on disk since their last check, or last checked over files.recheckDays ago; --no-verify-hashes: only see that they are there)',
      })
      .option('policy', {
        type: 'string',
        describe: 'the firm policy file, JSON or YAML (default policy.json or policy.yaml in the workspace)',
      })
      .option('record', {
        type: 'boolean',
        default: false,
        describe:
          'record results, completion dates, record forms and exceptions (复核人员, 营业部负责人 or 合规, named with --user); without it nothing is written',
      })
      .option('user', {
        ...USER_OPTION,
        describe: 'with --record: who records, by 工号 or name on the staff roster (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    const ws = workspace();
    const recorder = args.record ? actingPerson(ws, args.user, 'record-verdicts').staffId : undefined;
    let visitIds: string[] | undefined;
    if (args.visit?.length) {
      const problems: Message[] = [];
      visitIds = [];
      for (const typed of args.visit) {
        const parsed = parseVisitId(typed);
        if (!parsed.ok) problems.push(message('validate/bad-visit-id', parsed.reason, { visitId: typed }));
        else if (!getVisit(ws.register, parsed.visitId))
          problems.push(
            message('validate/unknown-visit', `there is no visit ${parsed.visitId} in the register`, {
              visitId: parsed.visitId,
            }),
          );
        else visitIds.push(parsed.visitId);
      }
      if (problems.length)
        throw new InputError(
          problems.length === 1 ? problems[0]!.reason : `${problems.length} visit ids cannot be validated`,
          problems,
        );
    }
    // a branch's visits, read once: to say when it has none, and to validate them
    const ofBranch = args.branch ? visitIdsOf(ws.register, { branchCode: args.branch }) : [];
    if (args.branch && !visitIds) visitIds = ofBranch;
    if (args.branch && ofBranch.length === 0) {
      throw new InputError(
        `There are no visits of branch ${args.branch} in the register; check the branch (营业部) code.`,
        [
          message(
            'validate/unknown-branch',
            `no visits of branch ${args.branch}`,
            {},
            { fix: 'give a branch code that letters or forms registered visits for' },
          ),
        ],
      );
    }
    const tick = progress(io, 'validate: visits');
    const result = await validateAll(ws, {
      ...(recorder ? { actor: recorder } : {}),
      recordResults: recorder !== undefined,
      policy: loadPolicy(ws.dir, args.policy).policy,
      hashes: args.verifyHashes === undefined ? 'due' : args.verifyHashes ? 'all' : 'none',
      ...(args.branch ? { branch: args.branch } : {}),
      ...(visitIds ? { visitIds } : {}),
      onProgress: tick,
    });
    report(io, args.json, { ...jsonOf(result), recorded: recorder !== undefined }, () => [
      ...textOf(result),
      ...(recorder ? [`Recorded by ${recorder}.`] : [CHECK_ONLY]),
    ]);
    return result.ok ? EXIT_OK : EXIT_PROBLEMS;
  },
});

const CHECK_ONLY =
  'A check only: nothing was recorded. To record results, completion dates and exceptions: huifang validate --record --user <复核人员, 营业部负责人 or 合规>';

/** The `--json` document: SPEC §8's `{ok, visits:[{visitId, result, ok, problems}]}` plus exceptions. */
export function jsonOf(r: ValidationReport): object {
  return {
    ok: r.ok,
    visits: r.visits.map((v) => ({
      visitId: v.visitId,
      customerId: v.customerId,
      branch: v.branchCode,
      category: v.category,
      channel: v.channel,
      dueOn: v.dueOn,
      result: v.result,
      ok: v.ok,
      problems: v.problems,
      approved: v.approved,
      completion: v.completion,
      ...(v.decision.findings.length ? { findings: v.decision.findings } : {}),
      ...(v.decision.failedAnswers.length ? { failedAnswers: v.decision.failedAnswers } : {}),
      ...(v.decision.missing.length ? { missingAnswers: v.decision.missing.map((m) => m.questionId) } : {}),
    })),
    exceptions: r.exceptions,
    problems: r.problems,
    summary: summaryOf(r),
    files: r.files,
  };
}

/** How the stored files were checked: what a person relies on when a visit says its evidence is there. */
function filesLine(f: ValidationReport['files']): string {
  const failed = `${f.failed} missing${f.mode === 'none' ? '' : ' or altered'}`;
  if (f.mode === 'none') return `Stored files: ${f.present} there, not hashed (--no-verify-hashes); ${failed}.`;
  const recent =
    f.mode === 'due'
      ? `, ${f.recent} unchanged since a check in the last ${f.recheckDays} days (files.recheckDays)`
      : '';
  return `Stored files: ${f.hashed} hashed now${recent}; ${failed}.`;
}

function summaryOf(r: ValidationReport): Record<string, number> {
  const count = (f: (v: ValidationReport['visits'][number]) => boolean) => r.visits.filter(f).length;
  return {
    visits: r.visits.length,
    ok: count((v) => v.ok),
    withProblems: count((v) => !v.ok),
    passed: count((v) => v.result === 'passed'),
    failed: count((v) => v.result === 'failed'),
    refused: count((v) => v.result === 'refused'),
    unreachable: count((v) => v.result === 'unreachable'),
    pending: count((v) => v.result === 'pending'),
    overdue: count((v) => v.problems.some((m) => m.ruleId === 'deadline/overdue')),
    completedLate: count((v) => v.completion?.late === true),
    notReviewed: count((v) => !v.approved),
  };
}

function textOf(r: ValidationReport): string[] {
  const lines: string[] = [];
  for (const m of r.problems) lines.push(formatMessage(m));
  for (const v of r.visits) {
    const shown = v.problems.filter((m) => m.severity !== 'info');
    const mark = v.ok ? (shown.length ? '!' : '✓') : '✗';
    lines.push(
      `${mark} ${v.visitId}  customer ${maskTail(v.customerId)}  ${VISIT_CHANNEL_LABELS[v.channel]}  ${VISIT_RESULT_LABELS[v.result]} (${v.result})  due ${v.dueOn}`,
    );
    for (const m of shown) lines.push(`    ${formatMessage({ ...m, place: {} })}`);
  }
  if (r.exceptions.length) {
    lines.push(
      '',
      `异常 — ${r.exceptions.length} exception${r.exceptions.length === 1 ? '' : 's'} for the branch head (第三十八条; huifang exception list):`,
    );
    for (const e of r.exceptions) {
      const rec = e.record;
      const state = rec
        ? rec.status === 'open'
          ? `#${rec.exceptionId} open since ${rec.openedAt.slice(0, 10)}, owner ${rec.owner ?? '(none)'}`
          : `#${rec.exceptionId} closed by ${rec.closedBy}`
        : 'not recorded';
      lines.push(
        `  ${e.visitId}  ${e.branchName} (${e.branchCode})  customer ${maskTail(e.customerId)}  ${e.triggers.join(', ')}  [${state}]`,
      );
      for (const f of e.failedAnswers)
        lines.push(`    ${f.questionId} = ${f.actual}, compliant answer ${f.expected} (${f.rule})`);
    }
  }
  const s = summaryOf(r);
  lines.push(
    '',
    filesLine(r.files),
    `${s.visits} visit${s.visits === 1 ? '' : 's'}: ${s.ok} ok, ${s.withProblems} with problems; passed ${s.passed}, failed ${s.failed}, refused ${s.refused}, unreachable ${s.unreachable}, pending ${s.pending}; overdue ${s.overdue}, completed late ${s.completedLate}; awaiting a reviewer's approval ${s.notReviewed}`,
  );
  return lines;
}
