/**
 * Workspaces for tests, made as a firm makes one (`huifang init --config samples/firm.json`):
 * commands refuse a folder that is not a workspace.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { WORKSPACE_CONFIG_FILE, type WorkspaceConfig } from '../src/domain/workspace-config.ts';
import { openSql } from '../src/store/migrate.ts';
import { isPostgresAddress, PostgresSql } from '../src/store/postgres.ts';
import { readStaffRoster } from '../src/input/staff-roster.ts';
import { importStaff } from '../src/store/rules.ts';
import { initWorkspace, isWorkspace, openWorkspace, readConfigFile, type Workspace } from '../src/store/workspace.ts';
import { freshRegister } from './postgres-server.ts';

export const SAMPLE_FIRM = join(import.meta.dirname, '..', 'samples', 'firm.json');

/** Whether this run of the suite keeps its registers on PostgreSQL (the `postgres` project). */
export function onPostgres(): boolean {
  return process.env.HUIFANG_TEST_REGISTER === 'postgres' && inject('postgresServer') !== '';
}

/**
 * A workspace configuration for a new test workspace: `config` (default: the sample firm's)
 * with, in the PostgreSQL run, a register of its own on the test server, so that CLI
 * commands run on that workspace use it too.
 */
export function testConfig(config: WorkspaceConfig = readConfigFile(SAMPLE_FIRM)): WorkspaceConfig {
  return onPostgres() ? { ...config, register: freshRegister(inject('postgresServer')) } : config;
}

/** Makes a workspace in `dir` with the sample firm's settings; returns `dir`. */
export function newWorkspace(dir: string, config?: WorkspaceConfig): string {
  initWorkspace(dir, testConfig(config)).close();
  return dir;
}

/** Opens the workspace in `dir`, making it first (with the sample firm's settings) if it is new. */
export function openTestWorkspace(dir: string): Workspace {
  if (!isWorkspace(dir)) return initWorkspace(dir, testConfig());
  return openWorkspace(dir);
}

export const SAMPLE_STAFF = join(import.meta.dirname, '..', 'samples', 'staff.csv');

/**
 * Makes a workspace in `dir` with the sample firm's settings and the sample staff roster
 * (visitor 周敏, reviewer 沈佳怡, clerk 顾文斌, branch head 陈建国 of branch 3101; see
 * samples/staff.csv); returns `dir`.
 */
export async function newStaffedWorkspace(dir: string): Promise<string> {
  const ws = initWorkspace(dir, testConfig());
  try {
    importStaff(ws.register, await readStaffRoster(SAMPLE_STAFF), 'test setup', SAMPLE_STAFF);
  } finally {
    ws.close();
  }
  return dir;
}

/**
 * Copies a workspace folder to `dst`, register included: in the PostgreSQL run the register
 * is not in the folder, so its schema is copied into a fresh one that the copy's
 * huifang.json names (otherwise the copy would share the original's register).
 */
export function copyWorkspace(src: string, dst: string): void {
  cpSync(src, dst, { recursive: true });
  const config = readConfigFile(join(src, WORKSPACE_CONFIG_FILE));
  if (!config.register || !isPostgresAddress(config.register)) return;
  const address = freshRegister(inject('postgresServer'));
  const from = /[?&]schema=([^&#]*)/.exec(config.register)?.[1] ?? 'public';
  const copy = openSql(address) as PostgresSql;
  try {
    copySchema(copy, from, copy.schema);
  } finally {
    copy.close();
  }
  writeFileSync(join(dst, WORKSPACE_CONFIG_FILE), `${JSON.stringify({ ...config, register: address }, null, 2)}\n`);
}

function copySchema(sql: PostgresSql, from: string, to: string): void {
  const tables = sql
    .prepare(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? AND table_name <> 'huifang_schema'",
    )
    .all(from) as { t: string }[];
  sql.transaction(() => {
    sql.exec('SET LOCAL session_replication_role = replica'); // foreign keys are checked where the rows came from
    for (const { t } of tables) sql.exec(`INSERT INTO "${to}"."${t}" SELECT * FROM "${from}"."${t}"`);
    const identities = sql
      .prepare(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = ? AND is_identity = 'YES'",
      )
      .all(to) as { t: string; c: string }[];
    for (const { t, c } of identities)
      sql.exec(
        `SELECT setval(pg_get_serial_sequence('"${to}"."${t}"', '${c}'), COALESCE(MAX("${c}"), 0) + 1, false) FROM "${to}"."${t}"`,
      );
  });
}
