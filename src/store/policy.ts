/**
 * Loads the firm policy of a workspace, in one place: `policy.json` in the workspace folder
 * (or a file named with `--policy`), checked whole — a policy with any problem is refused
 * (exit 2), every problem naming its key. Without a file, the defaults of the 细则 apply.
 * The SHA-256 of the policy's bytes is recorded in every bundle built under it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, message } from '../domain/messages.ts';
import { defaultPolicy, readPolicy, type Policy } from '../domain/policy-sections.ts';
import { readWorkspaceConfig } from './workspace.ts';

export const POLICY_FILE = 'policy.json';

export interface LoadedPolicy {
  policy: Policy;
  /** SHA-256 of the file's bytes, or of the defaults as JSON when there is no file. */
  sha256: string;
  /** Absolute path of the file, or null for the built-in defaults. */
  path: string | null;
}

/** The built-in defaults as they are hashed when a workspace has no policy file. */
export function defaultPolicyBytes(): Buffer {
  return Buffer.from(JSON.stringify(defaultPolicy(), null, 2) + '\n', 'utf8');
}

/** Reads and checks a policy file. @throws InputError naming the file and every bad key */
export function loadPolicyFile(file: string): LoadedPolicy {
  const path = resolve(file);
  let bytes: Buffer;
  let raw: unknown;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`Cannot read the policy file ${path}: ${(e as Error).message}`);
  }
  try {
    raw = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(`The policy file ${path} is not JSON: ${(e as Error).message}`, [
      message(
        'policy/not-json',
        (e as Error).message,
        { file: path },
        { fix: 'correct the JSON (a comment can go in a "$comment" key)' },
      ),
    ]);
  }
  const { policy, problems } = readPolicy(raw, path);
  if (problems.length)
    throw new InputError(
      `The policy file ${path} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was done`,
      problems,
    );
  return { policy, sha256: createHash('sha256').update(bytes).digest('hex'), path };
}

/** The workspace's policy: `--policy FILE`, else the file its huifang.json names (policy.json), else the defaults. */
export function loadPolicy(workspaceDir: string, file?: string): LoadedPolicy {
  if (file) return loadPolicyFile(file);
  // The workspace's settings (huifang.json) may name the policy file; policy.json by default.
  const named = readWorkspaceConfig(workspaceDir).policy;
  const inWorkspace = isAbsolute(named) ? named : join(workspaceDir, named);
  if (existsSync(inWorkspace)) return loadPolicyFile(inWorkspace);
  return {
    policy: defaultPolicy(),
    sha256: createHash('sha256').update(defaultPolicyBytes()).digest('hex'),
    path: null,
  };
}
