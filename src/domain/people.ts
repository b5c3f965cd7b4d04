/**
 * People and what they may do (第四条: 查询、提交、执行回访 by anyone but marketing staff;
 * xx证券细则 第五条: 营业部负责人 first responsible, 专人 for visits, 复核 and 抽检). The staff
 * roster's 岗位 gives each person a role; one table says which roles may do each act. Marketing
 * staff (营销人员, or anyone the roster marks 营销序列) may do nothing in a visit's life. Pure.
 */

export type Role = 'visitor' | 'reviewer' | 'branch-head' | 'compliance' | 'clerk' | 'marketing';

export const ROLE_LABELS: Record<Role, string> = {
  visitor: '回访专员',
  reviewer: '复核人员',
  'branch-head': '营业部负责人',
  compliance: '合规/稽核',
  clerk: '经办人',
  marketing: '营销人员',
};

/** How rosters write each role (岗位). */
const ROLE_NAMES: Record<Role, readonly string[]> = {
  visitor: ['回访专员', '回访人员', 'visitor'],
  reviewer: ['复核人员', '复核专员', '复核岗', 'reviewer'],
  'branch-head': ['营业部负责人', '负责人', '营业部总经理', 'branch head', 'branch-head'],
  compliance: ['合规', '稽核', '合规专员', '稽核人员', '合规/稽核', '合规稽核', 'compliance'],
  clerk: ['经办人', '柜员', '后台人员', 'clerk'],
  marketing: ['营销人员', '客户经理', '经纪人', 'marketing'],
};

/** The acts of a visit's life that are recorded with who did them. */
export type Act =
  | 'start-visits' // letters, forms
  | 'carry-out-visit' // be named the visitor (回访人员)
  | 'ingest'
  | 'attach'
  | 'move-page'
  | 'enter-answers'
  | 'record-outcome'
  | 'log-attempt'
  | 'decide-review-item'
  | 'review-visit' // approve or return a visit (复核); be named its reviewer
  | 'record-verdicts' // validate --record: results, completion dates, record forms, exceptions
  | 'draw-sample' // 抽检
  | 'manage-exception'
  | 'close-exception'
  | 'archive'
  | 'hold-bundle'
  | 'import-staff'
  | 'import-accounts' // the account population and events, for planning
  | 'plan-visits' // huifang plan
  | 'reveal'; // show full customer ids

/** Which roles may do each act. Marketing staff appear nowhere (第四条). */
export const PERMISSIONS: Record<Act, readonly Role[]> = {
  'start-visits': ['visitor', 'clerk', 'branch-head'],
  'carry-out-visit': ['visitor'],
  ingest: ['visitor', 'clerk', 'reviewer'],
  attach: ['visitor', 'clerk'],
  'move-page': ['visitor', 'clerk', 'reviewer'],
  'enter-answers': ['visitor'],
  'record-outcome': ['visitor'],
  'log-attempt': ['visitor', 'clerk'],
  'decide-review-item': ['reviewer'],
  'review-visit': ['reviewer'],
  'record-verdicts': ['reviewer', 'branch-head', 'compliance'],
  'draw-sample': ['reviewer', 'compliance', 'branch-head'],
  'manage-exception': ['branch-head', 'compliance'],
  'close-exception': ['branch-head', 'compliance'],
  archive: ['clerk', 'visitor', 'branch-head', 'compliance'],
  'hold-bundle': ['branch-head', 'compliance'],
  'import-staff': ['branch-head', 'compliance'],
  'import-accounts': ['clerk', 'branch-head', 'compliance'],
  'plan-visits': ['visitor', 'clerk', 'branch-head', 'compliance'],
  reveal: ['compliance', 'branch-head'],
};

export const ACT_LABELS: Record<Act, string> = {
  'start-visits': 'start visits (letters, forms)',
  'carry-out-visit': 'carry out visits (回访人员)',
  ingest: 'ingest returns',
  attach: 'attach evidence',
  'move-page': 'move pages between visits',
  'enter-answers': "enter customers' answers",
  'record-outcome': 'record a refusal or an unreachable customer',
  'log-attempt': 'log contact attempts',
  'decide-review-item': 'decide review items (复核)',
  'review-visit': 'review visits (复核)',
  'record-verdicts': 'record verdicts, completion dates and exceptions (validate --record)',
  'draw-sample': 'draw spot checks (抽检)',
  'manage-exception': 'handle exceptions (异常)',
  'close-exception': 'close exceptions (异常)',
  archive: 'build archive bundles',
  'hold-bundle': 'place or release legal holds',
  'import-staff': 'import the staff roster',
  'import-accounts': 'import the account population or account events',
  'plan-visits': 'plan the visits of a year',
  reveal: 'see full customer ids',
};

/** A person as the roster lists them. */
export interface Person {
  staffId: string;
  name: string;
  /** 岗位 as the roster writes it. */
  role: string;
  isMarketing: boolean;
  branchCode?: string;
}

/** Each 岗位 name (lower case) to its role; a name two roles list belongs to the first (validate asks this per visit and person). */
const ROLE_BY_NAME = new Map<string, Role>();
for (const [role, names] of Object.entries(ROLE_NAMES) as [Role, readonly string[]][])
  for (const n of names) if (!ROLE_BY_NAME.has(n.toLowerCase())) ROLE_BY_NAME.set(n.toLowerCase(), role);

/** The role of a roster entry; marketing staff are marketing whatever their 岗位 says. Null when the 岗位 is not one huifang knows. */
export function roleOf(person: Pick<Person, 'role' | 'isMarketing'>): Role | null {
  if (person.isMarketing) return 'marketing';
  return ROLE_BY_NAME.get(person.role.trim().toLowerCase()) ?? null;
}

export type Permission = { allowed: true; role: Role } | { allowed: false; reason: string };

/** Whether a person may do an act, and if not, why (in words for the person refused). */
export function permission(person: Person | undefined, act: Act): Permission {
  if (!person) return { allowed: false, reason: `only people on the staff roster may ${ACT_LABELS[act]}` };
  const role = roleOf(person);
  const who = `${person.name} (${person.staffId}, ${person.role})`;
  if (role === 'marketing')
    return {
      allowed: false,
      reason: `${who} is marketing staff (营销人员); marketing staff take no part in any step of a callback visit (第四条)`,
    };
  if (role === null)
    return {
      allowed: false,
      reason: `${who} has a 岗位 huifang does not know; the roster must say one of ${Object.values(ROLE_LABELS).join(', ')}`,
    };
  const allowed = PERMISSIONS[act];
  if (!allowed.includes(role))
    return {
      allowed: false,
      reason: `${who} may not ${ACT_LABELS[act]}: that is for ${allowed.map((r) => ROLE_LABELS[r]).join(', ')}`,
    };
  return { allowed: true, role };
}

/** Whether a person may do an act. */
export function mayDo(person: Person | undefined, act: Act): boolean {
  return permission(person, act).allowed;
}

const norm = (s: string): string => s.trim().toLowerCase();

/** Finds a person on the roster by staff id (工号), else by name when only one has it. */
export function findPerson<P extends Pick<Person, 'staffId' | 'name'>>(
  roster: readonly P[],
  who: string,
): P | undefined {
  const p = norm(who);
  const index = rosterIndex(roster);
  const byId = index.byId.get(p);
  if (byId) return byId;
  const byName = index.byName.get(p);
  return byName?.length === 1 ? byName[0] : undefined;
}

interface RosterIndex<P> {
  size: number;
  byId: Map<string, P>;
  byName: Map<string, P[]>;
}

/** Each roster's people by normalised staff id (the first wins) and by name, made once per roster. */
const ROSTER_INDEXES = new WeakMap<readonly object[], RosterIndex<unknown>>();

function rosterIndex<P extends Pick<Person, 'staffId' | 'name'>>(roster: readonly P[]): RosterIndex<P> {
  const known = ROSTER_INDEXES.get(roster) as RosterIndex<P> | undefined;
  if (known && known.size === roster.length) return known;
  const index: RosterIndex<P> = { size: roster.length, byId: new Map(), byName: new Map() };
  for (const s of roster) {
    const id = norm(s.staffId);
    if (!index.byId.has(id)) index.byId.set(id, s);
    const name = norm(s.name);
    index.byName.set(name, [...(index.byName.get(name) ?? []), s]);
  }
  ROSTER_INDEXES.set(roster, index as RosterIndex<unknown>);
  return index;
}

/** Whether two recorded names (staff ids or names) are the same person. */
export function samePerson(roster: readonly Pick<Person, 'staffId' | 'name'>[], a: string, b: string): boolean {
  const key = (x: string) => {
    const e = findPerson(roster, x);
    return e ? `staff:${norm(e.staffId)}` : `raw:${norm(x)}`;
  };
  return key(a) === key(b);
}
