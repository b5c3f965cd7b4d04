/**
 * The messages between the register's PostgreSQL connection (`postgres.ts`) and its thread
 * (`postgres-worker.ts`), and the shared counters the caller sleeps on.
 */
import type pg from 'pg';

/** What the caller asks of the connection. */
export type PgAsk =
  | { op: 'connect'; config: pg.ClientConfig }
  | { op: 'query'; text: string; values: unknown[]; name?: string }
  | { op: 'exec'; text: string }
  | { op: 'close' };

/** A request as posted, numbered by the caller: its answer carries the same number. */
export type PgRequest = PgAsk & { id: number };

export type PgReply =
  | { ok: true; rows: Record<string, unknown>[]; rowCount: number }
  | {
      ok: false;
      message: string;
      code?: string;
      connect?: boolean;
      /** The connection to the server is gone (it ended, or the thread did): nothing more can be asked. */
      lost?: boolean;
    };

/** An answer as the thread posts it: the reply to request `id`. */
export type PgAnswer = PgReply & { id: number };

/**
 * The shared counters (`Int32Array` on a SharedArrayBuffer): at `ANSWERS` how many answers the
 * thread has posted (the caller sleeps while it stays as it was), at `ENDED` 1 once the thread
 * has ended (so a waiting caller never hangs).
 */
export const ANSWERS = 0;
export const ENDED = 1;
