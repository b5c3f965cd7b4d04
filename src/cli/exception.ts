/**
 * `huifang exception list|show|update|close` — exceptions (异常, 第三十八条): what opened each,
 * its owner (the branch head), cause (分析原因), measures (处理措施), escalation level with its
 * times, due date, and closure by a named person. Open ones are listed with their age.
 */
import { maskTail } from '../domain/customer.ts';
import { ageInDays, TRIGGER_LABELS } from '../domain/exceptions.ts';
import { UsageError } from '../domain/messages.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import {
  closeException,
  exceptionOfVisit,
  getException,
  listExceptions,
  updateException,
  type ExceptionChanges,
  type ExceptionRecord,
} from '../store/exceptions.ts';
import { today } from '../env/clock.ts';
import { getCustomer, getVisit } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';
import { actingPerson, personFor, USER_OPTION } from './people.ts';

interface ExceptionArgs {
  action: 'list' | 'show' | 'update' | 'close';
  id?: string;
  status?: 'open' | 'closed' | 'all';
  cause?: string;
  measures?: string;
  level?: number;
  owner?: string;
  due?: string;
  note?: string;
  user?: string;
}

/** An exception by its number or by its visit's id. */
function find(ws: Workspace, id: string | undefined): ExceptionRecord {
  if (!id) throw new UsageError('Name the exception: its number (huifang exception list) or its visit id.');
  if (/^\d+$/.test(id)) {
    const e = getException(ws.register, Number(id));
    if (!e) throw new UsageError(`There is no exception ${id}; huifang exception list lists them.`);
    return e;
  }
  const parsed = parseVisitId(id);
  if (!parsed.ok)
    throw new UsageError(`${JSON.stringify(id)} is neither an exception number nor a visit id: ${parsed.reason}`);
  const e = exceptionOfVisit(ws.register, parsed.visitId);
  if (!e) throw new UsageError(`Visit ${parsed.visitId} has no exception.`);
  return e;
}

function withAge(e: ExceptionRecord, on: string): ExceptionRecord & { ageDays: number | null; overdue: boolean } {
  return {
    ...e,
    ageDays: e.status === 'open' ? ageInDays(e.openedAt, on) : null,
    overdue: e.status === 'open' && on > e.dueOn,
  };
}

function line(ws: Workspace, e: ReturnType<typeof withAge>): string {
  const visit = getVisit(ws.register, e.visitId);
  const customer = visit && getCustomer(ws.register, visit.customerId);
  const state =
    e.status === 'open'
      ? `open ${e.ageDays} day(s)${e.overdue ? `, OVERDUE since ${e.dueOn}` : `, due ${e.dueOn}`}`
      : `closed by ${e.closedBy} at ${e.closedAt}`;
  return `#${e.exceptionId}  ${e.visitId}  branch ${customer?.branchCode ?? '?'}  customer ${customer ? maskTail(customer.customerId) : '?'}  level ${e.level}  owner ${e.owner ?? '(none)'}  ${state}  — ${e.triggers.map((t) => TRIGGER_LABELS[t]).join('; ')}`;
}

function details(e: ReturnType<typeof withAge>): string[] {
  return [
    `  cause (分析原因): ${e.cause ?? '(not yet analysed)'}`,
    `  measures (处理措施): ${e.measures ?? '(none yet)'}`,
    ...(e.closureNote ? [`  closure: ${e.closureNote}`] : []),
    ...e.updates.map((u) => `  ${u.at} ${u.by}: ${JSON.stringify(u.changes)}`),
  ];
}

function changesOf(ws: Workspace, args: ExceptionArgs, e: ExceptionRecord): ExceptionChanges {
  const c: ExceptionChanges = {};
  if (args.cause !== undefined) c.cause = args.cause.trim();
  if (args.measures !== undefined) c.measures = args.measures.trim();
  if (args.level !== undefined) {
    if (!Number.isInteger(args.level) || args.level < 1 || args.level > 5)
      throw new UsageError(`Expected an escalation level 1–5 for --level but received ${JSON.stringify(args.level)}`);
    c.level = args.level;
  }
  if (args.owner !== undefined) c.owner = personFor(ws, args.owner, 'manage-exception', '--owner').staffId;
  if (args.due !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(args.due))
      throw new UsageError(`Expected a date YYYY-MM-DD for --due but received ${JSON.stringify(args.due)}`);
    c.dueOn = args.due;
  }
  if (Object.keys(c).length === 0)
    throw new UsageError(
      `Say what changes for exception #${e.exceptionId}: --cause, --measures, --level, --owner or --due.`,
    );
  return c;
}

export const exceptionCommand = defineCommand<ExceptionArgs>({
  command: 'exception [action] [id]',
  builder: (y) =>
    y
      .positional('action', {
        choices: ['list', 'show', 'update', 'close'] as const,
        default: 'list',
        describe: 'list, show one, update one, or close one',
      })
      .positional('id', { type: 'string', describe: 'the exception number, or its visit id' })
      .option('status', {
        type: 'string',
        choices: ['open', 'closed', 'all'] as const,
        default: 'all',
        describe: 'with list: which ones',
      })
      .option('cause', { type: 'string', describe: 'with update: the cause found (分析原因)' })
      .option('measures', { type: 'string', describe: 'with update: the measures taken (处理措施)' })
      .option('level', {
        type: 'number',
        describe: 'with update: escalation level (1 branch, 2 branch office, 3 head office …); the time is recorded',
      })
      .option('owner', {
        type: 'string',
        describe: 'with update: a new owner (branch head or compliance, on the roster)',
      })
      .option('due', { type: 'string', describe: 'with update: a new due date YYYY-MM-DD' })
      .option('note', { type: 'string', describe: 'with close: how it was resolved' })
      .option('user', {
        ...USER_OPTION,
        describe: 'who updates or closes it: the branch head or compliance, by 工号 or name (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    const ws = workspace();
    const on = today();
    if (args.action === 'list') {
      const all = listExceptions(ws.register, args.status && args.status !== 'all' ? { status: args.status } : {}).map(
        (e) => withAge(e, on),
      );
      const open = all.filter((e) => e.status === 'open');
      report(
        io,
        args.json,
        { today: on, exceptions: all, open: open.length, overdue: open.filter((e) => e.overdue).length },
        () =>
          all.length
            ? [
                ...all.map((e) => line(ws, e)),
                `${open.length} open (${open.filter((e) => e.overdue).length} overdue), ${all.length - open.length} closed`,
              ]
            : ['No exceptions.'],
      );
      return EXIT_OK;
    }
    const e = find(ws, args.id);
    if (args.action === 'show') {
      const shown = withAge(e, on);
      report(io, args.json, { exception: shown }, () => [line(ws, shown), ...details(shown)]);
      return EXIT_OK;
    }
    if (args.action === 'update') {
      const changes = changesOf(ws, args, e);
      const person = actingPerson(ws, args.user, 'manage-exception');
      const updated = withAge(updateException(ws.register, e.exceptionId, changes, person.staffId), on);
      report(io, args.json, { exception: updated }, () => [line(ws, updated), ...details(updated)]);
      return EXIT_OK;
    }
    if (e.status === 'closed')
      throw new UsageError(`Exception #${e.exceptionId} was already closed by ${e.closedBy} at ${e.closedAt}.`);
    if (!args.note?.trim()) throw new UsageError('Say how the exception was resolved with --note "…".');
    if (!e.cause || !e.measures)
      throw new UsageError(
        `Exception #${e.exceptionId} has no ${!e.cause ? 'cause (分析原因)' : 'measures (处理措施)'} recorded; record them first (第三十八条): huifang exception update ${e.exceptionId} --cause … --measures …`,
      );
    const person = actingPerson(ws, args.user, 'close-exception');
    const closed = withAge(closeException(ws.register, e.exceptionId, args.note.trim(), person.staffId), on);
    report(io, args.json, { exception: closed }, () => [line(ws, closed), ...details(closed)]);
    return EXIT_OK;
  },
});
