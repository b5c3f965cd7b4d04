/**
 * The messages between the register's PostgreSQL connection (`postgres.ts`) and its thread
 * (`postgres-worker.ts`), and the states of the shared flag the caller sleeps on.
 */
import type pg from 'pg';

export type PgRequest =
  | { op: 'connect'; config: pg.ClientConfig }
  | { op: 'query'; text: string; values: unknown[]; name?: string }
  | { op: 'exec'; text: string }
  | { op: 'close' };

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

export const FLAG_RUNNING = 0;
export const FLAG_ANSWERED = 1;
export const FLAG_ENDED = 2;
