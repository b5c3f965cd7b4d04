/**
 * How long a writer waits for the register's write lock, and what people are told when the
 * register cannot be used: busy (another huifang process has held the write lock for longer
 * than a writer waits) or gone (the PostgreSQL server stopped answering). The same on
 * SQLite and PostgreSQL; never a raw SQLITE_BUSY or server message.
 *
 * The wait is 10 s; `HUIFANG_REGISTER_WAIT_MS` sets another (in milliseconds), for a branch
 * network whose clerks would rather wait longer, and for tests that need a short one.
 */
import { InputError } from '../domain/messages.ts';

/** How long a writer waits for the register's write lock before giving up, in milliseconds. */
export const REGISTER_WAIT_MS = 10_000;

/** The wait of this process: `HUIFANG_REGISTER_WAIT_MS` when set, else `REGISTER_WAIT_MS`. */
export function registerWaitMs(): number {
  const given = process.env.HUIFANG_REGISTER_WAIT_MS?.trim();
  if (!given) return REGISTER_WAIT_MS;
  const ms = Number(given);
  if (!/^\d+$/.test(given) || ms < 1 || ms > 3_600_000)
    throw new InputError(
      `HUIFANG_REGISTER_WAIT_MS is ${JSON.stringify(given)}; it is how long a writer waits for the register, in milliseconds: a whole number from 1 to 3600000 (default ${REGISTER_WAIT_MS}).`,
    );
  return ms;
}

/**
 * The register could not be used: busy, or its server gone. Nothing of the change under way
 * was written (the transaction rolled back whole). A refusal for people (exit 2), not a fault.
 */
export class RegisterUnavailableError extends InputError {
  readonly reason: 'busy' | 'gone';
  constructor(reason: 'busy' | 'gone', message: string) {
    super(message);
    this.name = 'RegisterUnavailableError';
    this.reason = reason;
  }
}

const shownSeconds = (ms: number): string => `${ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10} s`;

/** What was not written: everything, or (`wroteBefore`: the command had recorded something already) the change under way. */
const notWritten = (wroteBefore: boolean): string =>
  wroteBefore
    ? 'The change under way was not written (what this command recorded before it is kept)'
    : 'Nothing was written';

/** Another process has held the write lock for the whole wait. */
export function registerBusy(where: string, waitMs: number, wroteBefore: boolean): RegisterUnavailableError {
  return new RegisterUnavailableError(
    'busy',
    `The register is busy: another huifang process has been writing to it for over ${shownSeconds(waitMs)} (${where}). ` +
      `${notWritten(wroteBefore)}; run the command again when it has finished.`,
  );
}

/** The PostgreSQL server stopped answering in the middle of a command. */
export function registerGone(where: string, why: string, wroteBefore: boolean): RegisterUnavailableError {
  return new RegisterUnavailableError(
    'gone',
    `The PostgreSQL register ${where} stopped answering: ${why}. ${notWritten(wroteBefore)}; ` +
      'check that the server is running and reachable, then run the command again.',
  );
}
