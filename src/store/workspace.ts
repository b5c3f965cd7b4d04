/**
 * A workspace: the folder that holds the register and the stored files
 * (default `./huifang-workspace`, or `--workspace`, or HUIFANG_WORKSPACE).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileStore } from './files.ts';
import { openRegister, type Db } from './register.ts';

export const DEFAULT_WORKSPACE = 'huifang-workspace';

export interface Workspace {
  /** Absolute path of the workspace folder. */
  dir: string;
  db: Db;
  files: FileStore;
  close(): void;
}

export function workspacePath(option?: string): string {
  return resolve(option ?? process.env.HUIFANG_WORKSPACE ?? DEFAULT_WORKSPACE);
}

export function openWorkspace(dir: string): Workspace {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const db = openRegister(join(abs, 'register.sqlite'));
  const files = new FileStore(join(abs, 'files'));
  return {
    dir: abs,
    db,
    files,
    close: () => db.close(),
  };
}
