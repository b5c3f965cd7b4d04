/**
 * `huifang mailing import <list>` — records the postal tracking number (UPU S10, check
 * digit verified) each mailed letter went under, from the post office's bulk-mailing list
 * or a list typed by staff (CSV or XLSX: 回访编号 or 客户号, and 邮件号码). A scanned
 * 挂号信/EMS receipt whose barcode carries one of these numbers is then filed as that
 * visit's postal receipt by itself. A list with any bad row records nothing (exit 2).
 */
import { InputError } from '../domain/messages.ts';
import { readMailingList } from '../input/mailing-list.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { fileWaitingReceipts, recordMailings } from '../store/mailings.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface MailingArgs {
  action: 'import';
  list: string;
  user?: string;
}

export const mailingCommand = defineCommand<MailingArgs>({
  command: 'mailing <action> <list>',
  builder: (y) =>
    y
      .positional('action', { choices: ['import'] as const, describe: 'import a mailing list' })
      .positional('list', {
        type: 'string',
        describe: 'CSV or XLSX: 回访编号 or 客户号, and 邮件号码 (e.g. RR473124829CN)',
      })
      .option('user', {
        ...USER_OPTION,
        describe: 'who records it: 工号 or name on the staff roster (default $HUIFANG_USER)',
      })
      .example('$0 mailing import 大宗邮件清单-1128.xlsx', 'record the post office list of 28 November'),
  run: async ({ args, io, workspace }) => {
    const list = await readMailingList(args.list);
    const ws = workspace();
    const actor = actingPerson(ws, args.user, 'ingest').staffId;
    const { recorded, unchanged, problems } = recordMailings(
      ws.register,
      list.rows.map((r) => ({
        trackingNumber: r.trackingNumber,
        file: list.path,
        row: r.row,
        ...(r.visitId ? { visitId: r.visitId } : {}),
        ...(r.customerId ? { customerId: r.customerId } : {}),
      })),
      actor,
    );
    if (problems.length) {
      throw new InputError(
        `the mailing list ${list.path} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; no tracking number was recorded`,
        problems,
      );
    }
    // Receipts scanned before their number was listed find their visit now.
    const filed = fileWaitingReceipts(ws.register, recorded, actor);
    const json = (m: { trackingNumber: string; visitId: string; source: string }) => ({
      trackingNumber: m.trackingNumber,
      visitId: m.visitId,
      source: m.source,
    });
    report(
      io,
      args.json,
      {
        list: list.path,
        recorded: recorded.map(json),
        unchanged: unchanged.map(json),
        receiptsFiled: filed.map((f) => ({ ...f, page: f.page })),
      },
      () => [
        ...recorded.map((m) => `${m.trackingNumber} → ${m.visitId}`),
        ...filed.map(
          (f) =>
            `receipt ${f.sha256.slice(0, 12)}:${f.page} (${f.trackingNumber}) filed as ${f.visitId}'s postal receipt`,
        ),
        `${recorded.length} tracking number${recorded.length === 1 ? '' : 's'} recorded${unchanged.length ? `, ${unchanged.length} already known` : ''} from ${list.path}${filed.length ? `; ${filed.length} receipt${filed.length === 1 ? '' : 's'} already scanned filed` : ''}.`,
      ],
    );
    return EXIT_OK;
  },
});
