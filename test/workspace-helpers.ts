/**
 * Workspaces for tests, made as a firm makes one (`huifang init --config samples/firm.json`):
 * commands refuse a folder that is not a workspace.
 */
import { join } from 'node:path';
import { inject } from 'vitest';
import type { WorkspaceConfig } from '../src/domain/workspace-config.ts';
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
