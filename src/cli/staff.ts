/**
 * `huifang staff import <roster>` / `huifang staff list` — the staff roster (员工名单) used
 * for separation of duties (第四条): who is marketing staff (营销序列), who reviews.
 */
import { UsageError } from '../domain/messages.ts';
import { readStaffRoster } from '../input/staff-roster.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { importStaff, listStaff } from '../store/rules.ts';
import { resolve } from 'node:path';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface StaffArgs {
  action: 'import' | 'list';
  roster?: string;
  user?: string;
}

export const staffCommand = defineCommand<StaffArgs>({
  command: 'staff <action> [roster]',
  builder: (y) =>
    y
      .positional('action', {
        choices: ['import', 'list'] as const,
        describe: 'import a roster (CSV or XLSX), or list the staff known',
      })
      .positional('roster', { type: 'string', describe: 'the roster file, for import' })
      .option('user', {
        ...USER_OPTION,
        describe:
          'who imports it: the branch head or compliance on the current roster (not needed for the first import)',
      }),
  run: async ({ args, io, workspace }) => {
    if (args.action === 'import') {
      if (!args.roster) throw new UsageError('Name the roster file: huifang staff import <staff.csv>');
      const path = resolve(args.roster);
      const staff = await readStaffRoster(path); // InputError (exit 2) names every bad row; nothing written
      const ws = workspace();
      // The first roster is imported by whoever sets the workspace up; after that, by the branch head or compliance.
      const first = listStaff(ws.register).length === 0;
      const actor = first
        ? args.user?.trim() || process.env.HUIFANG_USER?.trim() || 'first roster import'
        : actingPerson(ws, args.user, 'import-staff').staffId;
      const counts = importStaff(ws.register, staff, actor, path);
      report(
        io,
        args.json,
        { roster: path, staff: staff.length, ...counts, marketing: staff.filter((s) => s.isMarketing).length },
        () => [
          `imported ${staff.length} staff member${staff.length === 1 ? '' : 's'} from ${path} (${counts.added} new, ${counts.updated} updated; ${staff.filter((s) => s.isMarketing).length} marketing staff)`,
        ],
      );
      return EXIT_OK;
    }
    const staff = listStaff(workspace().register);
    report(io, args.json, { staff }, () =>
      staff.map(
        (s) =>
          `${s.staffId.padEnd(10)} ${s.name}  ${s.role}${s.isMarketing ? '  营销序列 (marketing)' : ''}${s.branchCode ? `  ${s.branchCode}` : ''}`,
      ),
    );
    return EXIT_OK;
  },
});
