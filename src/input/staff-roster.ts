/**
 * Staff rosters (员工名单): who may visit, review and handle, and who is marketing staff
 * (营销序列员工), so that separation of duties (相互制衡, 第四条) can be checked: the reviewer
 * is never the visitor, and a visitor is never marketing staff. Same files and the same
 * error style as customer lists (CSV UTF-8/GB18030 or XLSX; refused whole, every problem named).
 */
import { InputError } from '../domain/messages.ts';
import { parseYesNo } from './fields.ts';
import { checkSegment, quoteValue } from '../domain/path-segment.ts';
import { inReadingOrder, rowFields, type RowFields } from './row-fields.ts';
import { matchColumns, readTable, type ColumnSpec } from './table.ts';

export interface StaffMember {
  /** 工号 */
  staffId: string;
  /** 姓名 */
  name: string;
  /** 岗位 as the roster writes it, e.g. 回访专员, 复核人员, 经办人, 营销人员. */
  role: string;
  /** 营销序列: true for marketing staff, who must not visit customers. */
  isMarketing: boolean;
  /** 营业部代码, when the roster gives one. */
  branchCode?: string;
}

type StaffColumn = 'staffId' | 'name' | 'role' | 'isMarketing' | 'branchCode';

/** The columns of a staff roster and the header names accepted (matched as for customer lists). */
const STAFF_COLUMNS: readonly ColumnSpec<StaffColumn>[] = [
  { key: 'staffId', names: ['工号', '员工号', '员工编号', 'staff_id'], required: true },
  { key: 'name', names: ['姓名', '员工姓名', 'name'], required: true },
  { key: 'role', names: ['岗位', '职务', 'role'], required: true },
  { key: 'isMarketing', names: ['是否营销人员', '营销序列', '是否营销序列', 'is_marketing'], required: true },
  { key: 'branchCode', names: ['营业部代码', '营业部编号', 'branch_code'], required: false },
];

/** The longest value each column may hold, in characters (checked before anything else). */
export const STAFF_MAX_LENGTHS: Readonly<Record<StaffColumn, number>> = {
  staffId: 40,
  name: 50,
  role: 50,
  isMarketing: 10,
  branchCode: 16,
};

/** A branch code names folders and bundles: checked against its pattern where it enters. */
function checkedBranch(f: RowFields<StaffColumn>, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const check = checkSegment('branch', value);
  if (check.ok) return check.value;
  f.problem('branchCode', 'bad-branch-code', check.reason, check.fix);
  return undefined;
}

/**
 * Reads a staff roster (CSV or XLSX, like a customer list).
 *
 * @throws InputError listing every problem (exit code 2): `roster/missing-column`,
 *   `roster/empty-field`, `roster/bad-flag` (是否营销人员 not 是/否), `roster/duplicate-staff`, …
 * @example
 * const staff = await readStaffRoster('samples/staff.csv');
 * staff.filter((s) => s.isMarketing).map((s) => s.name);
 */
export async function readStaffRoster(path: string): Promise<StaffMember[]> {
  const table = await readTable(path, { noun: 'staff roster', rulePrefix: 'roster', rowsNoun: 'staff members' });
  const { index, messages } = matchColumns(table, STAFF_COLUMNS, 'roster');
  const staff: StaffMember[] = [];
  const firstRowOf = new Map<string, number>();
  if (!messages.some((m) => m.ruleId === 'roster/missing-column')) {
    for (const row of table.rows) {
      const f = rowFields(table, index, 'roster', messages, row, STAFF_MAX_LENGTHS);
      const staffId = f.requiredText('staffId', '工号');
      const name = f.requiredText('name', '姓名');
      const role = f.requiredText('role', '岗位');
      const isMarketing = f.parsed('isMarketing', parseYesNo, '是否营销人员');
      const branchCode = checkedBranch(f, f.optionalText('branchCode'));
      if (staffId !== undefined) {
        const first = firstRowOf.get(staffId);
        if (first !== undefined) {
          f.problem(
            'staffId',
            'duplicate-staff',
            `staff id ${quoteValue(staffId)} appears twice, in rows ${first} and ${row.row}`,
            `keep one row per staff member; correct row ${row.row} or row ${first}`,
          );
        } else {
          firstRowOf.set(staffId, row.row);
        }
      }
      if (staffId !== undefined && name !== undefined && role !== undefined && isMarketing !== undefined) {
        staff.push({ staffId, name, role, isMarketing, ...(branchCode !== undefined ? { branchCode } : {}) });
      }
    }
  }
  const problems = inReadingOrder(table, messages);
  if (problems.some((m) => m.severity === 'error')) {
    const n = problems.length;
    throw new InputError(
      `the staff roster ${table.path} has ${n} problem${n === 1 ? '' : 's'}; no staff member was read`,
      problems,
    );
  }
  return staff;
}
