/**
 * A workspace: the folder that holds the register, the stored files and the firm's
 * configuration (`huifang.json`); default `./huifang-workspace`, or `--workspace`, or
 * HUIFANG_WORKSPACE. `huifang init` makes one; every other command refuses a folder that is
 * not one, rather than creating an empty workspace and answering "0 visits".
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, message, systemErrorWords } from '../domain/messages.ts';
import {
  DEFAULT_WORKSPACE_CONFIG,
  parseWorkspaceConfig,
  WORKSPACE_CONFIG_FILE,
  type WorkspaceConfig,
} from '../domain/workspace-config.ts';
import { writeFileAtomicSync } from './atomic.ts';
import { FileStore } from './files.ts';
import { connectEarly, isPostgresAddress } from './postgres.ts';
import { openRegister, type Register } from './register.ts';
import { sqlOf } from './sql.ts';

export const DEFAULT_WORKSPACE = 'huifang-workspace';
const REGISTER_FILE = 'register.sqlite';

export interface Workspace {
  /** Absolute path of the workspace folder. */
  dir: string;
  /** The register (登记簿), sealed: pass it to the store's functions. */
  register: Register;
  /** Where the register is, as opened: a file's path or a PostgreSQL address (what another thread opens it by). */
  registerAddress: string;
  files: FileStore;
  /** The firm's settings from `huifang.json` (defaults where it is silent or absent). */
  config: WorkspaceConfig;
  close(): void;
}

export interface OpenWorkspaceOptions {
  /** Refuse a folder that is not a workspace yet (what commands do); default: create it. */
  mustExist?: boolean;
  /** The stored files' folder (absolute), over the one `huifang.json` names. */
  files?: string;
  /** The register's address (`--register`): before $HUIFANG_REGISTER and huifang.json's `register`. */
  register?: string;
}

/**
 * Where a workspace's register is: `--register`, else $HUIFANG_REGISTER, else `register` in
 * huifang.json, else the workspace's own SQLite file. A file path is taken from the workspace.
 */
export function registerAddress(dir: string, config: WorkspaceConfig, option?: string): string {
  const address = option || process.env.HUIFANG_REGISTER || config.register;
  if (!address) return join(dir, REGISTER_FILE);
  return isPostgresAddress(address) || isAbsolute(address) ? address : join(dir, address);
}

export function workspacePath(option?: string): string {
  return resolve(option ?? process.env.HUIFANG_WORKSPACE ?? DEFAULT_WORKSPACE);
}

/**
 * Begins connecting to the workspace's register when it is on a PostgreSQL server
 * (`connectEarly`), before the command that opens it has loaded. Nothing is created or checked
 * here: opening the workspace does that, and reports what is amiss.
 */
export function connectRegisterEarly(dir: string, option?: string): void {
  try {
    const abs = resolve(dir);
    if (!isWorkspace(abs)) return;
    const address = registerAddress(abs, readWorkspaceConfig(abs), option);
    if (isPostgresAddress(address)) connectEarly(address);
  } catch {
    // opening the workspace says what is wrong with it
  }
}

export { forgetEarlyConnection } from './postgres.ts';

/** Whether a folder is a workspace: it holds a `huifang.json` or a register. */
export function isWorkspace(dir: string): boolean {
  return existsSync(join(dir, WORKSPACE_CONFIG_FILE)) || existsSync(join(dir, REGISTER_FILE));
}

export function openWorkspace(dir: string, options: OpenWorkspaceOptions = {}): Workspace {
  const abs = resolve(dir);
  if (options.mustExist && !isWorkspace(abs)) {
    throw new InputError(
      `${abs} is not a huifang workspace (it has no ${WORKSPACE_CONFIG_FILE} and no register). ` +
        'Name the right folder with --workspace or $HUIFANG_WORKSPACE, or make a new workspace there with `huifang init ' +
        `${abs}\`.`,
    );
  }
  const config = readWorkspaceConfig(abs);
  mkdirSync(abs, { recursive: true });
  const address = registerAddress(abs, config, options.register);
  const register = openRegister(address);
  const files = new FileStore(options.files ?? (isAbsolute(config.files) ? config.files : join(abs, config.files)));
  return { dir: abs, register, registerAddress: address, files, config, close: () => sqlOf(register).close() };
}

/** The workspace's `huifang.json`, checked; the defaults when the workspace has none. */
export function readWorkspaceConfig(dir: string): WorkspaceConfig {
  const file = join(dir, WORKSPACE_CONFIG_FILE);
  if (!existsSync(file)) return { ...DEFAULT_WORKSPACE_CONFIG };
  const config = checkedConfig(readJson(file), file);
  if (config.sender?.logo)
    config.sender = { ...config.sender, logo: checkedLogo(resolve(dir, config.sender.logo), file) };
  return config;
}

/** Largest logo file accepted: a letterhead logo is a few hundred kilobytes at most. */
const MAX_LOGO_BYTES = 2 * 2 ** 20;

/** The logo's path, once it is known to be a PNG or JPEG file of a sensible size. */
function checkedLogo(path: string, file: string): string {
  const refuse = (what: string): never => {
    throw new InputError(`The workspace configuration ${file} has 1 problem(s).`, [
      message(
        'config/logo',
        `sender.logo: ${path} ${what}`,
        { file },
        { fix: 'name a PNG or JPEG file of at most 2 MB' },
      ),
    ]);
  };
  let head: Buffer;
  try {
    if (statSync(path).size > MAX_LOGO_BYTES) refuse('is larger than 2 MB');
    head = readFileSync(path).subarray(0, 8);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return refuse(`cannot be read: ${systemErrorWords(e)}`);
  }
  const png = head.equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const jpeg = head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
  if (!png && !jpeg) refuse('is neither a PNG nor a JPEG image');
  return path;
}

/** Reads and checks a configuration file given by the user (`huifang init --config FILE`). */
export function readConfigFile(file: string): WorkspaceConfig {
  return checkedConfig(readJson(resolve(file)), resolve(file));
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`The workspace configuration ${file} cannot be read: ${systemErrorWords(e)}.`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`The workspace configuration ${file} is not valid JSON: ${(e as Error).message}.`);
  }
}

function checkedConfig(raw: unknown, file: string): WorkspaceConfig {
  const { config, messages } = parseWorkspaceConfig(raw, file);
  if (messages.length)
    throw new InputError(`The workspace configuration ${file} has ${messages.length} problem(s).`, messages);
  return config;
}

/**
 * Makes a new workspace in `dir` with the given configuration and an empty register.
 * Refuses a folder that is already a workspace (nothing is overwritten).
 */
export function initWorkspace(dir: string, config: WorkspaceConfig): Workspace {
  const abs = resolve(dir);
  if (isWorkspace(abs)) throw new InputError(`${abs} is already a huifang workspace; nothing was changed.`);
  mkdirSync(abs, { recursive: true });
  writeFileAtomicSync(join(abs, WORKSPACE_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  return openWorkspace(abs);
}
