/**
 * The workspace's configuration (`huifang.json` in the workspace folder): everything a firm
 * sets for itself, so that nothing a firm must change lives inside the program's folders.
 *
 *     {
 *       "sender": { "companyName": "…", "department": "…", "address": "…", "postcode": "200120",
 *                   "phone": "…", "serviceHotline": "95500", "replyDays": 15, "logo": "logo.png" },
 *       "files": "files",
 *       "policy": "policy.json",
 *       "register": "postgres://clerk@db.example/huifang?schema=branch310"
 *     }
 *
 * Pure: the file is read by `store/workspace.ts`; this module says what a valid one holds.
 */
import { message, type Message } from './messages.ts';

export const WORKSPACE_CONFIG_FILE = 'huifang.json';

/** The sender block: who mails the letters and where they come back to. */
export interface Sender {
  companyName: string;
  department: string;
  address: string;
  postcode: string;
  phone: string;
  serviceHotline: string;
  /** Days the customer is asked to reply within. */
  replyDays: number;
  /**
   * The firm's logo (PNG or JPEG) printed at the top left of every letter: a path relative
   * to the workspace or absolute, made absolute when the workspace is opened.
   */
  logo?: string;
}

export interface WorkspaceConfig {
  /** The sender block of letters and return envelopes; missing until the firm fills it in. */
  sender?: Sender;
  /** Where stored files live: a folder, relative to the workspace or absolute (shared by clerks). */
  files: string;
  /** The firm's policy file, relative to the workspace or absolute. */
  policy: string;
  /**
   * Where the register is: a PostgreSQL URL (`postgres://…`, shared by clerks) or a SQLite
   * file relative to the workspace or absolute; default the workspace's `register.sqlite`.
   */
  register?: string;
}

export const DEFAULT_WORKSPACE_CONFIG: WorkspaceConfig = { files: 'files', policy: 'policy.json' };

const SENDER_TEXT_KEYS = ['companyName', 'department', 'address', 'phone', 'serviceHotline'] as const;
const MAX_TEXT = 200;

/** Checks a parsed `huifang.json`; every problem names its key. */
export function parseWorkspaceConfig(raw: unknown, file: string): { config: WorkspaceConfig; messages: Message[] } {
  const messages: Message[] = [];
  const problem = (key: string, text: string, fix: string): void => {
    messages.push(message(`config/${key.split('.').pop()}`, `${key}: ${text}`, { file }, { fix }));
  };
  const config: WorkspaceConfig = { ...DEFAULT_WORKSPACE_CONFIG };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem('(top)', 'the file must hold one JSON object', 'see docs/workspace.md for the keys');
    return { config, messages };
  }
  const known = new Set(['sender', 'files', 'policy', 'register']);
  for (const key of Object.keys(raw))
    if (!known.has(key)) problem(key, 'is not a key huifang knows', `use only ${[...known].join(', ')}`);
  const r = raw as Record<string, unknown>;
  for (const key of ['files', 'policy'] as const) {
    if (r[key] === undefined) continue;
    if (typeof r[key] === 'string' && r[key] !== '' && !(r[key] as string).includes('\0'))
      config[key] = r[key] as string;
    else problem(key, 'must be a path (text)', `give a folder or file path for "${key}"`);
  }
  if (r.register !== undefined) {
    if (typeof r.register === 'string' && r.register.trim() !== '' && !r.register.includes('\0'))
      config.register = r.register;
    else
      problem(
        'register',
        'must be a PostgreSQL URL or a file path (text)',
        'e.g. "postgres://clerk@db/huifang?schema=branch310"',
      );
  }
  if (r.sender !== undefined) {
    const sender = parseSender(r.sender, problem);
    if (sender) config.sender = sender;
  }
  return { config, messages };
}

function parseSender(raw: unknown, problem: (key: string, text: string, fix: string) => void): Sender | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem('sender', 'must be an object with the sender block', 'see docs/workspace.md');
    return undefined;
  }
  const s = raw as Record<string, unknown>;
  let ok = true;
  for (const key of SENDER_TEXT_KEYS) {
    const v = s[key];
    if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_TEXT) {
      problem(`sender.${key}`, `must be text of 1 to ${MAX_TEXT} characters`, `fill in your firm's ${key}`);
      ok = false;
    }
  }
  if (typeof s.postcode !== 'string' || !/^\d{6}$/.test(s.postcode)) {
    problem('sender.postcode', 'must be six digits', 'give the return address postcode, e.g. "200120"');
    ok = false;
  }
  if (!Number.isInteger(s.replyDays) || (s.replyDays as number) < 1 || (s.replyDays as number) > 90) {
    problem('sender.replyDays', 'must be a whole number of days from 1 to 90', 'e.g. 15');
    ok = false;
  }
  if (
    s.logo !== undefined &&
    (typeof s.logo !== 'string' || s.logo.trim() === '' || s.logo.includes('\0') || s.logo.length > 1000)
  ) {
    problem('sender.logo', 'must be the path of a PNG or JPEG file', 'e.g. "logo.png" in the workspace folder');
    ok = false;
  }
  for (const key of Object.keys(s)) {
    if (![...SENDER_TEXT_KEYS, 'postcode', 'replyDays', 'logo'].includes(key))
      problem(`sender.${key}`, 'is not a key huifang knows', 'remove it');
  }
  return ok ? (s as unknown as Sender) : undefined;
}
