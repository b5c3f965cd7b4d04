/**
 * Workspaces for tests, made as a firm makes one (`huifang init --config samples/firm.json`):
 * commands refuse a folder that is not a workspace.
 */
import { join } from 'node:path';
import { readStaffRoster } from '../src/input/staff-roster.ts';
import { importStaff } from '../src/store/rules.ts';
import { initWorkspace, isWorkspace, openWorkspace, readConfigFile, type Workspace } from '../src/store/workspace.ts';

export const SAMPLE_FIRM = join(import.meta.dirname, '..', 'samples', 'firm.json');

/** Makes a workspace in `dir` with the sample firm's settings; returns `dir`. */
export function newWorkspace(dir: string): string {
  initWorkspace(dir, readConfigFile(SAMPLE_FIRM)).close();
  return dir;
}

/** Opens the workspace in `dir`, making it first (with the sample firm's settings) if it is new. */
export function openTestWorkspace(dir: string): Workspace {
  if (!isWorkspace(dir)) return initWorkspace(dir, readConfigFile(SAMPLE_FIRM));
  return openWorkspace(dir);
}

export const SAMPLE_STAFF = join(import.meta.dirname, '..', 'samples', 'staff.csv');

/**
 * Makes a workspace in `dir` with the sample firm's settings and the sample staff roster
 * (visitor 周敏, reviewer 沈佳怡, clerk 顾文斌, branch head 陈建国 of branch 3101; see
 * samples/staff.csv); returns `dir`.
 */
export async function newStaffedWorkspace(dir: string): Promise<string> {
  const ws = initWorkspace(dir, readConfigFile(SAMPLE_FIRM));
  try {
    importStaff(ws.register, await readStaffRoster(SAMPLE_STAFF), 'test setup', SAMPLE_STAFF);
  } finally {
    ws.close();
  }
  return dir;
}
