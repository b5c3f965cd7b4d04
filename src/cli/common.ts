/**
 * What every command shares: the workspace and --json options, output that is either
 * text for people or one JSON document for scripts, and exit codes
 * (0 success, 1 work done and problems found, 2 bad usage or bad input).
 */
import type { Argv } from 'yargs';
import { formatMessage, InputError, UsageError, type Message } from '../domain/messages.ts';
import { maskPersonalData } from '../domain/personal-data.ts';
import { mayReveal } from '../rules/reveal.ts';
import { currentActor } from '../scan/ingest-actor.ts';
import { recordEvent } from '../store/register.ts';
import { openWorkspace, workspacePath, type Workspace } from '../store/workspace.ts';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_BAD_INPUT = 2;

export interface GlobalOptions {
  workspace?: string;
  json: boolean;
  /** Show full customer ids and phone numbers in --json (compliance and branch heads only). */
  reveal?: boolean;
  user?: string;
}

/** Where a command writes: standard output and error, swappable in tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when standard error is a terminal (progress is shown only then). */
  interactive: boolean;
  /** Personal data shown in full (`--reveal`, allowed by `mayReveal`); masked otherwise. */
  reveal?: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  interactive: Boolean(process.stderr.isTTY),
};

export interface CommandContext<A> {
  args: A & GlobalOptions;
  io: Io;
  /** Opens the workspace once, on first use; closed when the command ends. */
  workspace(): Workspace;
}

export interface CommandModule<A = Record<string, unknown>> {
  command: string;
  describe: string;
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
export async function runCommand<A>(m: CommandModule<A>, args: A & GlobalOptions, io: Io): Promise<number> {
  let ws: Workspace | undefined;
  const ctx: { -readonly [K in keyof CommandContext<A>]: CommandContext<A>[K] } = {
    args,
    io,
    workspace: () => (ws ??= openWorkspace(workspacePath(args.workspace))),
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

/** `--reveal`: allowed only for the roles `mayReveal` names (UsageError, exit 2, otherwise); recorded in the register. */
function revealing(io: Io, ws: Workspace, user: string | undefined, json: boolean): Io {
  const actor = currentActor(user);
  const decision = mayReveal(ws.db, actor);
  if (!decision.ok) throw new UsageError(`--reveal refused: ${decision.reason}`);
  if (!json) io.err('huifang: --reveal shows full customer ids and phone numbers in --json output only; text output stays masked');
  recordEvent(ws.db, actor, 'personal-data.revealed', null, { staffId: decision.staffId, role: decision.role, command: process.argv.slice(2, 3).join(' ') });
  return { ...io, reveal: true };
}

export function reportFailure(io: Io, json: boolean, e: unknown): number {
  if (e instanceof InputError || e instanceof UsageError) {
    const messages: Message[] = e instanceof InputError ? e.messages : [];
    if (json) io.out(JSON.stringify({ error: e.message, problems: io.reveal ? messages : maskPersonalData(messages) }, null, 2));
    else {
      io.err(`huifang: ${e.message}`);
      for (const m of messages) io.err(`  ${formatMessage(m)}`);
    }
    return EXIT_BAD_INPUT;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (json) io.out(JSON.stringify({ error: err.message }, null, 2));
  io.err(`huifang: ${err.message}`);
  if (process.env.HUIFANG_DEBUG) io.err(err.stack ?? '');
  return EXIT_BAD_INPUT;
}

/** Progress on a terminal only; one line, rewritten. */
export function progress(io: Io, label: string): (done: number, total: number) => void {
  if (!io.interactive) return () => {};
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 200) return;
    last = now;
    process.stderr.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`);
  };
}
