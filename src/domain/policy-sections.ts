/**
 * The one place where the policy's sections are assembled. To add a section, define it with
 * `definePolicySection` in its own module, import it here and add it to `POLICY_SECTIONS`:
 * the `Policy` type, the reader, the defaults and `huifang policy show` follow.
 */
import { message, type Message } from './messages.ts';
import {
  citations,
  deadlinesSection,
  exceptionsSection,
  failingSection,
  filesSection,
  reviewSection,
  unreachableSection,
  type Cited,
  type PolicyReader,
} from './policy.ts';
import { planningSection } from './policy-planning.ts';

export const POLICY_SECTIONS = [
  deadlinesSection,
  unreachableSection,
  reviewSection,
  failingSection,
  exceptionsSection,
  filesSection,
  planningSection,
] as const;

type Section = (typeof POLICY_SECTIONS)[number];

/** The whole firm policy: one property per section. */
export type Policy = { [S in Section as S['key']]: ReturnType<S['read']> };

/**
 * Reads a parsed policy file (or `undefined` for none) over the defaults.
 * Returns the policy and every problem, each naming its key in the file.
 */
export function readPolicy(raw: unknown, file: string): { policy: Policy; problems: Message[] } {
  const r: PolicyReader = { file, problems: [] };
  const known: string[] = POLICY_SECTIONS.map((s) => s.key);
  let obj: Record<string, unknown> = {};
  if (raw !== undefined) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      r.problems.push(
        message(
          'policy/bad-value',
          'the policy file must hold one object (a JSON object or a YAML mapping) with a key per section',
          { file },
          { fix: `write {"${known[0]}": {…}, …}`, expected: `an object with ${known.join(', ')}` },
        ),
      );
    } else obj = raw as Record<string, unknown>;
  }
  for (const k of Object.keys(obj)) {
    if (k === '$comment') continue;
    if (!known.includes(k))
      r.problems.push(
        message(
          'policy/unknown-key',
          `${k} is not a section of the policy`,
          { file, column: k },
          { fix: `remove it, or use one of: ${known.join(', ')}` },
        ),
      );
  }
  const policy = Object.fromEntries(POLICY_SECTIONS.map((s) => [s.key, s.read(obj[s.key], r)])) as Policy;
  return { policy, problems: r.problems };
}

/** The policy when the workspace has no policy file: every section's defaults. */
export function defaultPolicy(): Policy {
  return readPolicy(undefined, '(defaults)').policy;
}

/** Every default with its article, as `[section.key…, cited]`. */
export function policyCitations(): [string, Cited<unknown>][] {
  return POLICY_SECTIONS.flatMap((s) => citations(s.cited, s.key));
}
