/**
 * What every command shares: the workspace and --json options, output that is either
 * text for people or one JSON document for scripts, and exit codes
 * (0 success, 1 work done and problems found, 2 bad usage or bad input).
 */
import type { Argv } from 'yargs';
import { formatMessage, InputError, UsageError, type Message } from '../domain/messages.ts';
import { openWorkspace, workspacePath, type Workspace } from '../store/workspace.ts';
import { startProgress } from './progress.ts';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_BAD_INPUT = 2;

export interface GlobalOptions {
  workspace?: string;
  json: boolean;
}

/** Where a command writes: standard output and error, swappable in tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when standard error is a terminal (progress is shown only then). */
  interactive: boolean;
  /** Writes to standard error as it is, no newline added (progress lines); default process.stderr. */
  errRaw?: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  interactive: Boolean(process.stderr.isTTY),
  errRaw: (t) => process.stderr.write(t),
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
  if (json) io.out(JSON.stringify(value, null, 2));
  else for (const line of text()) io.out(line);
}

/** Runs a command with the shared error handling: people get a sentence, scripts a JSON error. */
export async function runCommand<A>(m: CommandModule<A>, args: A & GlobalOptions, io: Io): Promise<number> {
  let ws: Workspace | undefined;
  const ctx: CommandContext<A> = {
    args,
    io,
    workspace: () => (ws ??= openWorkspace(workspacePath(args.workspace))),
  };
  try {
    return await m.run(ctx);
  } catch (e) {
    return reportFailure(io, args.json, e);
  } finally {
    ws?.close();
  }
}

export function reportFailure(io: Io, json: boolean, e: unknown): number {
  if (e instanceof InputError || e instanceof UsageError) {
    const messages: Message[] = e instanceof InputError ? e.messages : [];
    if (json) io.out(JSON.stringify({ error: e.message, problems: messages }, null, 2));
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
