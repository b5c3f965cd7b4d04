/**
 * The register's write lock, alike on SQLite and PostgreSQL (this file runs in both
 * projects): a writer waits for it a bounded time (HUIFANG_REGISTER_WAIT_MS, shortened here),
 * then gives up with one message for people, nothing written; a PostgreSQL server that goes
 * away mid-command is named, never a hang; and a long account import checks and stages its
 * rows without the lock, so that the other clerks' writes go on meanwhile.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readAccounts } from '../src/input/accounts.ts';
import {
  beginAccountImport,
  listImports,
  loadPlanningAccounts,
  type AccountImportWriter,
} from '../src/store/planning.ts';
import { RegisterUnavailableError } from '../src/store/register-wait.ts';
import { importStaff, listStaff, type StaffRecord } from '../src/store/rules.ts';
import { sqlOf } from '../src/store/sql.ts';
import { openWorkspace, type Workspace } from '../src/store/workspace.ts';
import { writeAccountsCsv } from './accounts-file.ts';
import { BIN } from './ingest-helpers.ts';
import { newStaffedWorkspace, onPostgres } from './workspace-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-register-lock-'));
const savedWait = process.env.HUIFANG_REGISTER_WAIT_MS;
const opened: Workspace[] = [];

afterEach(() => {
  for (const ws of opened.splice(0)) ws.close();
  if (savedWait === undefined) delete process.env.HUIFANG_REGISTER_WAIT_MS;
  else process.env.HUIFANG_REGISTER_WAIT_MS = savedWait;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens the workspace again: a connection of its own, as another clerk's process has. */
function connect(ws: string, waitMs?: number): Workspace {
  if (waitMs !== undefined) process.env.HUIFANG_REGISTER_WAIT_MS = String(waitMs);
  const w = openWorkspace(ws);
  opened.push(w);
  return w;
}

const NEWCOMER: StaffRecord = {
  staffId: 'S310199',
  name: '林新',
  role: '回访专员',
  isMarketing: false,
  branchCode: '3101',
};
const staffIds = (w: Workspace): string[] => listStaff(w.register).map((s) => s.staffId);

/** What no message for people may show: the databases' own words. */
const RAW_WORDS = /SQLITE_BUSY|database is locked|lock timeout|canceling statement|55P03|pg_advisory/i;

describe('a writer waits for the register a bounded time, then says so', () => {
  let ws: string;
  beforeAll(async () => {
    ws = await newStaffedWorkspace(join(dir, 'busy'));
  });

  it('gives up with the message for people while another connection holds the lock; nothing is written; once free, the same write goes in', () => {
    const holder = connect(ws);
    const other = connect(ws, 300);
    let refused: unknown;
    sqlOf(holder.register).transaction(() => {
      try {
        importStaff(other.register, [NEWCOMER], 'test', 'roster');
      } catch (e) {
        refused = e;
      }
    });
    expect(refused).toBeInstanceOf(RegisterUnavailableError);
    const message = (refused as Error).message;
    expect(message).toContain('The register is busy: another huifang process has been writing to it for over 0.3 s');
    expect(message).toContain('Nothing was written; run the command again when it has finished.');
    expect(message).not.toMatch(RAW_WORDS);
    expect(staffIds(other)).not.toContain(NEWCOMER.staffId);
    importStaff(other.register, [NEWCOMER], 'test', 'roster');
    expect(staffIds(holder)).toContain(NEWCOMER.staffId);
    // Once the connection has recorded something, the message keeps it apart from what was not written.
    let again: unknown;
    sqlOf(holder.register).transaction(() => {
      try {
        importStaff(other.register, [{ ...NEWCOMER, name: '林新新' }], 'test', 'roster');
      } catch (e) {
        again = e;
      }
    });
    expect((again as Error).message).toContain(
      'The change under way was not written (what this command recorded before it is kept); run the command again',
    );
    expect(listStaff(holder.register).find((s) => s.staffId === NEWCOMER.staffId)?.name).toBe('林新');
  });

  it('`huifang staff import` in another process exits 2 with that message while the lock is held, and the roster is unchanged', () => {
    const roster = join(dir, 'roster-more.csv');
    writeFileSync(
      roster,
      `${readFileSync(join(import.meta.dirname, '..', 'samples', 'staff.csv'), 'utf8')}S310198,杜远,回访专员,否,3101\n`,
    );
    const holder = connect(ws);
    const before = staffIds(holder);
    let run: ReturnType<typeof spawnSync> | undefined;
    sqlOf(holder.register).transaction(() => {
      run = spawnSync(process.execPath, [BIN, 'staff', 'import', roster, '--workspace', ws], {
        encoding: 'utf8',
        env: { ...process.env, HUIFANG_USER: '陈建国', HUIFANG_REGISTER_WAIT_MS: '300' },
      });
    });
    expect(run!.stderr).toContain(
      'huifang: The register is busy: another huifang process has been writing to it for over 0.3 s',
    );
    expect(run!.stderr).toContain('Nothing was written');
    expect(run!.stderr).not.toMatch(RAW_WORDS);
    expect(run!.stderr).not.toContain('crashed');
    expect(run!.status).toBe(2);
    expect(staffIds(holder)).toEqual(before);
  });

  it('refuses a wait that is not a number of milliseconds, naming the variable', () => {
    process.env.HUIFANG_REGISTER_WAIT_MS = '10s';
    expect(() => openWorkspace(ws).close()).toThrow(/HUIFANG_REGISTER_WAIT_MS is "10s"/);
  });
});

/** Sleeps this thread (the connections' own threads go on). */
const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Waits until the server process behind `pid` has ended, and a moment more: the server sends
 * its reason (57P01) before it ends, and the clerk's connection reads it in the meantime, as
 * it would while a clerk's command is busy elsewhere. Without the wait, the next statement
 * can race the reason and find only a broken socket, whose cause nobody can name.
 */
function awaitServerEnded(admin: Workspace, pid: number): void {
  const alive = sqlOf(admin.register).prepare('SELECT count(*) AS n FROM pg_stat_activity WHERE pid = ?');
  for (let tries = 0; (alive.get(pid) as { n: number }).n > 0; tries++) {
    if (tries > 250) throw new Error(`the server process ${pid} did not end within 5 s of pg_terminate_backend`);
    pause(20);
  }
  pause(200);
}

/**
 * Waits (up to `limitMs`) until a server process waits for the register's advisory lock that
 * `holder` holds (other test files share the server: their waits are not this one); returns
 * it, with `copied` 1 when its transaction holds the write lock on `accounts` (that is, it has
 * inserted accounts), 0 otherwise.
 */
function awaitWaitingForLock(watcher: Workspace, holder: number, limitMs: number): { pid: number; copied: number } {
  const waiter = sqlOf(watcher.register).prepare(
    `SELECT a.pid, (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND l.granted
        AND l.relation = 'accounts'::regclass AND l.mode = 'RowExclusiveLock') AS copied
     FROM pg_stat_activity a
     WHERE a.wait_event_type = 'Lock' AND a.wait_event = 'advisory' AND ? = ANY(pg_blocking_pids(a.pid))`,
  );
  for (const until = Date.now() + limitMs; Date.now() < until; pause(50)) {
    const row = waiter.get(holder) as { pid: number; copied: number } | undefined;
    if (row) return row;
  }
  throw new Error(`no process waited for the register's lock within ${limitMs / 1000} s`);
}

describe.skipIf(!onPostgres())('a PostgreSQL server that goes away mid-command', () => {
  it('is named in a message for people at the next statement, without a hang; the unfinished transaction is not kept', async () => {
    const ws = await newStaffedWorkspace(join(dir, 'gone'));
    const clerk = connect(ws);
    const admin = connect(ws);
    const { pid } = sqlOf(clerk.register).prepare('SELECT pg_backend_pid() AS pid').get() as { pid: number };
    let refused: unknown;
    try {
      sqlOf(clerk.register).transaction(() => {
        importStaff(clerk.register, [NEWCOMER], 'test', 'roster');
        sqlOf(admin.register).prepare('SELECT pg_terminate_backend(?)').get(pid);
        awaitServerEnded(admin, pid);
        listStaff(clerk.register);
      });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(RegisterUnavailableError);
    const message = (refused as Error).message;
    expect(message).toMatch(
      /^The PostgreSQL register postgres:\/\/.* stopped answering: the server ended the connection/,
    );
    expect(message).toContain('check that the server is running and reachable, then run the command again');
    expect(message).not.toMatch(/terminating connection|administrator command|57P01/);
    // Every later request is refused at once, in the same words; closing does not wait.
    expect(() => listStaff(clerk.register)).toThrow(/stopped answering: the server ended the connection/);
    clerk.close();
    opened.splice(opened.indexOf(clerk), 1);
    expect(staffIds(admin)).not.toContain(NEWCOMER.staffId);
  });
});

describe('a long account import holds the write lock only for its final copy', () => {
  const ROWS = 20_000;
  let ws: string;
  let csv: string;
  beforeAll(async () => {
    ws = await newStaffedWorkspace(join(dir, 'import'));
    csv = join(dir, 'accounts.csv');
    await writeAccountsCsv(csv, ROWS, { seed: 'lock' });
  });

  /**
   * Reads the file as `huifang accounts import` does, its accounts staged batch by batch;
   * `duringCheck` runs at the first batch. `staged.writer` is the import (to abort once refused).
   */
  async function stageAll(
    importer: Workspace,
    path: string,
    duringCheck: () => void,
    staged: { writer?: AccountImportWriter } = {},
  ): Promise<{ count: number }> {
    let first = true;
    return readAccounts(path, {
      today: '2026-11-30',
      onHead: (head) => {
        staged.writer = beginAccountImport(importer.register, {
          asOf: '2026-11-30',
          sourcePath: head.path,
          sha256: head.sha256,
          size: head.size,
          format: head.format,
          importedBy: 'S310103',
        });
      },
      onAccounts: (accounts) => {
        staged.writer!.add(accounts);
        if (first) duringCheck();
        first = false;
      },
    });
  }

  /** Stages the whole file (`stageAll`) and returns the import, ready to commit. */
  async function importWith(importer: Workspace, path: string, duringCheck: () => void): Promise<AccountImportWriter> {
    const staged: { writer?: AccountImportWriter } = {};
    const list = await stageAll(importer, path, duringCheck, staged);
    expect(list.count).toBe(ROWS);
    return staged.writer!;
  }

  it("lets another clerk's write through while its rows are read and checked; the import then goes in whole", async () => {
    const importer = connect(ws);
    const other = connect(ws, 300);
    const writer = await importWith(importer, csv, () => {
      importStaff(other.register, [NEWCOMER], 'test', 'roster');
      expect(listImports(other.register)).toEqual([]); // staged rows are the importer's alone
    });
    expect(staffIds(other)).toContain(NEWCOMER.staffId);
    const importId = writer.commit();
    const [recorded] = listImports(other.register);
    expect(recorded).toMatchObject({ importId, kind: 'accounts', rowCount: ROWS, importedBy: 'S310103' });
    expect(loadPlanningAccounts(other.register, importId)).toHaveLength(ROWS);
  });

  it.skipIf(!onPostgres())(
    'on PostgreSQL copies its rows while another clerk holds the lock, and waits for the lock only to record the import',
    async () => {
      const holder = connect(ws);
      const watcher = connect(ws);
      const holderPid = (sqlOf(holder.register).prepare('SELECT pg_backend_pid() AS pid').get() as { pid: number }).pid;
      const before = listImports(watcher.register).length;
      const child = spawn(
        process.execPath,
        [BIN, 'accounts', 'import', csv, '--as-of', '2026-11-30', '--workspace', ws, '--json'],
        {
          env: { ...process.env, HUIFANG_USER: '陈建国', HUIFANG_REGISTER_WAIT_MS: '120000' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const ended = new Promise<{ status: number | null; stderr: string }>((resolve) => {
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.stdout.resume();
        child.on('close', (status) => resolve({ status, stderr }));
      });
      let waiting: { pid: number; copied: number } | undefined;
      sqlOf(holder.register).transaction(() => {
        waiting = awaitWaitingForLock(watcher, holderPid, 90_000);
        expect(listImports(watcher.register)).toHaveLength(before); // not kept before its commit
      });
      // By the time it waited for the lock, its rows were in the register's table, uncommitted.
      expect(waiting!.copied).toBe(1);
      const { status, stderr } = await ended;
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const imports = listImports(watcher.register);
      expect(imports).toHaveLength(before + 1);
      expect(loadPlanningAccounts(watcher.register, imports[0]!.importId)).toHaveLength(ROWS);
    },
    120_000,
  );

  it('keeps nothing of an import refused after its rows were staged, and the next import on the connection starts afresh', async () => {
    const importer = connect(ws);
    const bad = join(dir, 'accounts-bad.csv');
    await writeAccountsCsv(bad, ROWS, {
      seed: 'lock-bad',
      edit: (i, fields) => (i === ROWS - 3 ? fields.map((f, col) => (col === 10 ? '冻结' : f)) : fields),
    });
    const imports = listImports(importer.register).length;
    const sha = createHash('sha256').update(readFileSync(csv)).digest('hex');
    const ofGoodFile = (): number => listImports(importer.register).filter((i) => i.sha256 === sha).length;
    const goodBefore = ofGoodFile();
    const staged: { writer?: AccountImportWriter } = {};
    await expect(stageAll(importer, bad, () => {}, staged)).rejects.toThrow(/has 1 problem; no account was read/);
    staged.writer!.abort();
    expect(listImports(importer.register)).toHaveLength(imports);
    const again = await importWith(importer, csv, () => {});
    const importId = again.commit();
    expect(loadPlanningAccounts(importer.register, importId)).toHaveLength(ROWS);
    expect(ofGoodFile()).toBe(goodBefore + 1);
  });
});
