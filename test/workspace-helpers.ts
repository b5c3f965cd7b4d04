/**
 * Workspaces for tests, made as a firm makes one (`huifang init --config samples/firm.json`):
 * commands refuse a folder that is not a workspace.
 */
import { join } from 'node:path';
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
