/**
 * `huifang policy [show|check] [file]` — the firm policy in force (policy.json or policy.yaml in the
 * workspace, or the defaults of the 细则), each value beside its default and the article the
 * default follows; `check` reads a policy file and names every problem (exit 2), writing nothing.
 */
import { policyCitations } from '../domain/policy-sections.ts';
import { loadPolicy, loadPolicyFile } from '../store/policy.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface PolicyArgs {
  action: 'show' | 'check';
  file?: string;
}

function valueAt(policy: object, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), policy);
}

export const policyCommand = defineCommand<PolicyArgs>({
  command: 'policy [action] [file]',
  builder: (y) =>
    y
      .positional('action', {
        choices: ['show', 'check'] as const,
        default: 'show',
        describe: 'show the policy in force, or check a file',
      })
      .positional('file', {
        type: 'string',
        describe: 'a policy file, JSON or YAML (default: policy.json or policy.yaml in the workspace)',
      }),
  run: async ({ args, io, workspace }) => {
    const loaded = args.file ? loadPolicyFile(args.file) : loadPolicy(workspace().dir);
    const settings = policyCitations().map(([key, c]) => ({
      key,
      value: valueAt(loaded.policy, key),
      default: c.value,
      article: c.article,
      ...(c.note ? { note: c.note } : {}),
    }));
    report(io, args.json, { path: loaded.path, sha256: loaded.sha256, policy: loaded.policy, settings }, () => [
      `policy: ${loaded.path ?? 'built-in defaults (no policy file in the workspace)'}  SHA-256 ${loaded.sha256}`,
      ...settings.map((s) => {
        const same = JSON.stringify(s.value) === JSON.stringify(s.default);
        return `  ${s.key} = ${JSON.stringify(s.value)}${same ? '' : `  (default ${JSON.stringify(s.default)})`}  [${s.article}${s.note ? `: ${s.note}` : ''}]`;
      }),
    ]);
    return EXIT_OK;
  },
});
