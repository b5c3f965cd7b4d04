/**
 * Loads the firm policy of a workspace, in one place: `policy.json` or `policy.yaml` (`.yml`)
 * in the workspace folder, or the file huifang.json's `policy` key names (or a file named with
 * `--policy`), checked whole — a policy with any problem is refused
 * (exit 2), every problem naming its key. Without a file, the defaults of the 细则 apply.
 * The SHA-256 of the policy's bytes is recorded in every bundle built under it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, message } from '../domain/messages.ts';
import { defaultPolicy, readPolicy, type Policy } from '../domain/policy-sections.ts';
import { isYamlPolicy, parseYamlPolicy, withLines } from './policy-yaml.ts';
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

/** Reads and checks a policy file, JSON or YAML by its name. @throws InputError naming the file and every bad key (and, in YAML, its line) */
export function loadPolicyFile(file: string): LoadedPolicy {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`Cannot read the policy file ${path}: ${(e as Error).message}`);
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const yaml = isYamlPolicy(path) ? parseYamlPolicy(text, path) : undefined;
  const { policy, problems } = readPolicy(yaml ? yaml.raw : parseJson(text, path), path);
  if (problems.length)
    throw new InputError(
      `The policy file ${path} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was done`,
      yaml ? withLines(problems, yaml) : problems,
    );
  return { policy, sha256: createHash('sha256').update(bytes).digest('hex'), path };
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
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
}

/** The names a workspace's policy file may have when huifang.json names none other. */
export const POLICY_FILES = [POLICY_FILE, 'policy.yaml', 'policy.yml'] as const;

/** The policy file in the workspace: the one huifang.json names, else whichever of POLICY_FILES exists (more than one is refused). */
export function workspacePolicyPath(workspaceDir: string): string | null {
  const named = readWorkspaceConfig(workspaceDir).policy;
  const at = (name: string) => (isAbsolute(name) ? name : join(workspaceDir, name));
  if (named !== POLICY_FILE) return existsSync(at(named)) ? at(named) : null;
  const found = POLICY_FILES.map(at).filter((p) => existsSync(p));
  if (found.length > 1)
    throw new InputError(
      `The workspace has ${found.length} policy files (${found.join(', ')}); keep one, or name the one in force in huifang.json ("policy": "…")`,
    );
  return found[0] ?? null;
}

/** The workspace's policy: `--policy FILE`, else its policy file (policy.json, policy.yaml or the one huifang.json names), else the defaults. */
export function loadPolicy(workspaceDir: string, file?: string): LoadedPolicy {
  if (file) return loadPolicyFile(file);
  const inWorkspace = workspacePolicyPath(workspaceDir);
  if (inWorkspace) return loadPolicyFile(inWorkspace);
  return {
    policy: defaultPolicy(),
    sha256: createHash('sha256').update(defaultPolicyBytes()).digest('hex'),
    path: null,
  };
}
