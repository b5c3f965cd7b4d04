/**
 * `huifang attach --visit ID --kind KIND <file...>` — adds evidence by hand: a call recording
 * (any audio format, kept as is, with its duration when it can be read), an envelope, a postal
 * receipt, an exported e-questionnaire (PDF or JSON, checked to parse), an .eml (its printout
 * is made), or another document. Every file is checked first; if one is refused nothing is
 * attached (exit 2).
 */
import { formatMessage, invalidParameter, UsageError } from '../domain/messages.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { ATTACHABLE_KINDS, attachEvidence, type AttachableKind } from '../rules/attach.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { getVisit } from '../store/visits.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface AttachArgs {
  visit: string;
  kind: string;
  paths: string[];
  note?: string;
  user?: string;
}

export const attachCommand = defineCommand<AttachArgs>({
  command: 'attach <paths...>',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'the files to attach (kept byte-for-byte)' })
      .option('visit', { type: 'string', demandOption: true, describe: 'the visit id' })
      .option('kind', {
        type: 'string',
        demandOption: true,
        describe: `what the files are: ${ATTACHABLE_KINDS.join(', ')}`,
      })
      .option('note', { type: 'string', describe: 'a note kept with the documents' })
      .option('user', {
        ...USER_OPTION,
        describe: 'who attaches them: 工号 or name on the staff roster (default $HUIFANG_USER)',
      }),
  run: async ({ args, io, workspace }) => {
    if (!(ATTACHABLE_KINDS as readonly string[]).includes(args.kind))
      throw invalidParameter('--kind', `one of ${ATTACHABLE_KINDS.join(', ')}`, args.kind);
    const parsed = parseVisitId(args.visit);
    if (!parsed.ok) throw new UsageError(`--visit: ${parsed.reason}`);
    const ws = workspace();
    if (!getVisit(ws.register, parsed.visitId))
      throw new UsageError(`There is no visit ${parsed.visitId} in the register.`);
    const attached = await attachEvidence(ws, {
      visitId: parsed.visitId,
      kind: args.kind as AttachableKind,
      paths: args.paths,
      actor: actingPerson(ws, args.user, 'attach').staffId,
      ...(args.note ? { note: args.note } : {}),
    });
    report(
      io,
      args.json,
      { visitId: parsed.visitId, attached: attached.map(({ warnings, ...a }) => ({ ...a, warnings })) },
      () => [
        ...attached.flatMap((a) => [
          `attached ${a.path} to ${parsed.visitId} as ${a.kind} (SHA-256 ${a.sha256.slice(0, 16)}…, ${a.size} bytes${typeof a.meta.durationSeconds === 'number' ? `, ${a.meta.durationSeconds} s` : ''})`,
          ...a.warnings.map((w) => `  ${formatMessage({ ...w, place: {} })}`),
        ]),
      ],
    );
    return EXIT_OK;
  },
});
