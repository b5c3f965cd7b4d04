/**
 * A staff roster for tests that act through the CLI: who may do what is decided by the
 * roster's roles (src/domain/people.ts), so every acting command names one of these people.
 */
import { importStaff, type StaffRecord } from '../src/store/rules.ts';
import type { Workspace } from '../src/store/workspace.ts';

export const TEST_ROSTER: StaffRecord[] = [
  { staffId: 'T001', name: '李四', role: '回访专员', isMarketing: false, branchCode: '3101' },
  { staffId: 'T002', name: '王五', role: '复核人员', isMarketing: false, branchCode: '3101' },
  { staffId: 'T003', name: '赵六', role: '经办人', isMarketing: false, branchCode: '3101' },
  { staffId: 'T004', name: '钱七', role: '营业部负责人', isMarketing: false, branchCode: '3101' },
  { staffId: 'T005', name: '孙八', role: '合规专员', isMarketing: false, branchCode: '3101' },
  { staffId: 'T006', name: '周九', role: '营销人员', isMarketing: true, branchCode: '3101' },
  { staffId: 'T007', name: '吴十', role: '复核人员', isMarketing: false, branchCode: '3101' },
];

/** Imports the test roster into a workspace (as its first roster). */
export function importTestRoster(ws: Workspace): void {
  importStaff(ws.register, TEST_ROSTER, 'test setup', 'test roster');
}
