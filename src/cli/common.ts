/**
 * What every command shares: the workspace and --json options, output that is either
 * text for people or one JSON document for scripts, and exit codes
 * (0 success, 1 work done and problems found, 2 bad usage or bad input, 3 huifang itself
 * failed: a crash, reported as one, never as bad input).
 */
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { formatMessage, InputError, systemErrorSentence, UsageError, type Message } from '../domain/messages.ts';
import { maskPersonalData } from '../domain/personal-data.ts';
import { mayReveal } from '../rules/reveal.ts';
import { givenUser } from './people.ts';
import { recordEvent } from '../store/register.ts';
import { listStaff } from '../store/rules.ts';
import { findPerson, roleOf } from '../domain/people.ts';
import { openWorkspace, workspacePath, type Workspace } from '../store/workspace.ts';
import { startProgress } from './progress.ts';

export { EXIT_BAD_INPUT, EXIT_CRASH, EXIT_OK, EXIT_PROBLEMS, processIo, type Io } from './io.ts';
import type { Io } from './io.ts';
import { EXIT_BAD_INPUT, EXIT_CRASH } from './io.ts';

/**
 * Errors that refuse what the user gave (a file, a key, an option) in the user's words, by
 * class name (so that this module loads none of the stages). Anything else is a crash.
 */
const REFUSALS = new Set([
  'InputError',
  'UsageError',
  'EmlError',
  'StampError',
  'TextFitError',
  'CsvSyntaxError',
  'EncodingError',
  'ZipLimitError',
  'UnknownVisitError',
  'SchemaTooNewError',
  'HostileZipError',
  'UnreadableZipError',
]);

/** Where to report a crash. */
const REPORT_CRASH =
  "This is a fault in huifang, not in your input. Please report it to the huifang maintainers (the project's issue tracker), with the command line and what `HUIFANG_DEBUG=1 huifang …` prints.";

/** Whether an error refuses the user's input or surroundings (exit 2) rather than being a fault in huifang (exit 3). */
function isRefusal(e: Error): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  // The operating system refused: a missing file, no permission, a full disk.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && (e as NodeJS.ErrnoException).syscall) return true;
  return REFUSALS.has(e.name);
}

export interface GlobalOptions {
  workspace?: string;
  /** The stored files' folder for this run, over the workspace's setting. */
  files?: string;
  /** The register's address for this run (a PostgreSQL URL or a SQLite file), over the workspace's setting. */
  register?: string;
  json: boolean;
  /** Show full customer ids and phone numbers in --json (compliance and branch heads only). */
  reveal?: boolean;
  user?: string;
}

export interface CommandContext<A> {
  args: A & GlobalOptions;
  io: Io;
  /** Opens the workspace once, on first use; closed when the command ends. */
  workspace(): Workspace;
  /** Runs another huifang command line in this process (the demo's steps), as `main` does. */
  huifang: RunHuifang;
}

/** Runs a whole huifang command line; `main` gives itself to every command it runs. */
export type RunHuifang = (argv: string[], io: Io) => Promise<number>;

export interface CommandModule<A = Record<string, unknown>> {
  command: string;
  builder: (y: Argv) => Argv;
  run: (ctx: CommandContext<A>) => Promise<number>;
}

export function defineCommand<A>(m: CommandModule<A>): CommandModule<A> {
  return m;
}

/** Prints the result as one JSON document (with --json) or as text lines. */
export function report(io: Io, json: boolean, value: unknown, text: () => string[]): void {
  if (json) io.out(JSON.stringify(io.reveal ? value : maskPersonalData(value), null, 2));
  else for (const line of text()) io.out(line);
}

/** Runs a command with the shared error handling: people get a sentence, scripts a JSON error. */
export async function runCommand<A>(
  m: CommandModule<A>,
  args: A & GlobalOptions,
  io: Io,
  huifang: RunHuifang,
): Promise<number> {
  let ws: Workspace | undefined;
  const ctx: { -readonly [K in keyof CommandContext<A>]: CommandContext<A>[K] } = {
    args,
    io,
    workspace: () => {
      if (ws) return ws;
      ws = openWorkspace(workspacePath(args.workspace), {
        mustExist: true,
        files: filesFolder(args.files),
        ...(args.register ? { register: args.register } : {}),
      });
      refuseMarketingStaff(ws, args.user);
      return ws;
    },
    huifang,
  };
  try {
    if (args.reveal) ctx.io = io = revealing(io, ctx.workspace(), args.user, args.json);
    return await m.run(ctx);
  } catch (e) {
    return reportFailure(io, args.json, e);
  } finally {
    ws?.close();
  }
}

/** The stored files' folder named for this run (`--files`, or $HUIFANG_FILES), absolute; none when neither. */
export function filesFolder(option: string | undefined): string | undefined {
  const named = option ?? process.env.HUIFANG_FILES;
  return named ? resolve(named) : undefined;
}

/**
 * Marketing staff (营销人员) take no part in any step of a visit, looking up included (第四条:
 * 查询、提交、执行): a command run in the name of one is refused before it reads the register.
 */
function refuseMarketingStaff(ws: Workspace, user: string | undefined): void {
  const given = user?.trim() || process.env.HUIFANG_USER?.trim();
  if (!given) return;
  const person = findPerson(listStaff(ws.register), given);
  if (person && roleOf(person) === 'marketing') {
    throw new UsageError(
      `${person.name} (${person.staffId}) is marketing staff (营销人员); marketing staff take no part in any step of a callback visit, looking up included (第四条).`,
    );
  }
}

/** `--reveal`: allowed only for the roles `mayReveal` names (UsageError, exit 2, otherwise); recorded in the register. */
function revealing(io: Io, ws: Workspace, user: string | undefined, json: boolean): Io {
  const actor = givenUser(user);
  const decision = mayReveal(ws.register, actor);
  if (!decision.ok) throw new UsageError(`--reveal refused: ${decision.reason}`);
  if (!json)
    io.err(
      'huifang: --reveal shows full customer ids and phone numbers in --json output only; text output stays masked',
    );
  recordEvent(ws.register, actor, 'personal-data.revealed', null, {
    staffId: decision.staffId,
    role: decision.role,
    command: process.argv.slice(2, 3).join(' '),
  });
  return { ...io, reveal: true };
}

export function reportFailure(io: Io, json: boolean, e: unknown): number {
  if (e instanceof InputError || e instanceof UsageError) {
    const messages: Message[] = e instanceof InputError ? e.messages : [];
    if (json)
      io.out(
        JSON.stringify({ error: e.message, problems: io.reveal ? messages : maskPersonalData(messages) }, null, 2),
      );
    else {
      io.err(`huifang: ${e.message}`);
      for (const m of messages) io.err(`  ${formatMessage(m)}`);
    }
    return EXIT_BAD_INPUT;
  }
  const system = systemErrorSentence(e);
  if (system) {
    if (json) io.out(JSON.stringify({ error: system }, null, 2));
    io.err(`huifang: ${system}`);
    return EXIT_BAD_INPUT;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const refusal = isRefusal(err);
  if (json)
    io.out(JSON.stringify(refusal ? { error: err.message } : { crash: err.message, report: REPORT_CRASH }, null, 2));
  io.err(refusal ? `huifang: ${err.message}` : `huifang crashed: ${err.message}\n${REPORT_CRASH}`);
  if (process.env.HUIFANG_DEBUG) io.err(err.stack ?? '');
  return refusal ? EXIT_BAD_INPUT : EXIT_CRASH;
}

/**
 * Progress on a terminal only (see ./progress.ts): one line with the time left, rewritten,
 * and a summary line once `done` reaches `total`.
 */
export function progress(io: Io, label: string, unit?: string): (done: number, total: number) => void {
  const bar = startProgress(io, label, unit ? { unit } : {});
  return (done, total) => {
    bar.tick(done, total);
    if (done >= total) bar.finish();
  };
}
