/**
 * `huifang accounts import <accounts.csv|xlsx> [--as-of DATE]` and `huifang events import
 * <events.csv>`: the account population and the account events that planning works from.
 * Each import is dated (the day the export describes) and kept: the file in the workspace's
 * store under its SHA-256, the import in the register. A file with any problem is refused
 * whole (exit 2), every problem named by row and column.
 */
import { resolve } from 'node:path';
import { importAccounts, importEvents } from '../plan/run.ts';
import { actingPerson, USER_OPTION } from './people.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface ImportArgs {
  action: 'import';
  file: string;
  asOf?: string;
  user?: string;
}

function importCommand(what: 'accounts' | 'events'): ReturnType<typeof defineCommand<ImportArgs>> {
  return defineCommand<ImportArgs>({
    command: `${what} <action> <file>`,
    builder: (y) =>
      y
        .positional('action', { choices: ['import'] as const, describe: 'import a file' })
        .positional('file', {
          type: 'string',
          describe: `the ${what === 'accounts' ? 'account list' : 'event list'}`,
          demandOption: true,
        })
        .option('as-of', { type: 'string', describe: 'the day the export describes, YYYY-MM-DD (default today)' })
        .option('user', {
          ...USER_OPTION,
          describe: 'who imports it: 工号 or name on the staff roster (default $HUIFANG_USER)',
        }),
    run: async ({ args, io, workspace }) => {
      const ws = workspace();
      const options = {
        actor: actingPerson(ws, args.user, 'import-accounts').staffId,
        ...(args.asOf !== undefined ? { asOf: args.asOf } : {}),
      };
      const r =
        what === 'accounts'
          ? await importAccounts(ws, resolve(args.file), options)
          : await importEvents(ws, resolve(args.file), options);
      report(
        io,
        args.json,
        {
          import: r.importId,
          path: r.path,
          sha256: r.sha256,
          format: r.format,
          asOf: r.asOf,
          [what]: r.rows,
          ...(r.added !== undefined ? { added: r.added } : {}),
        },
        () => [
          what === 'accounts'
            ? `imported ${r.rows} accounts as of ${r.asOf} from ${r.path} (import ${r.importId}, ${r.format}, sha256 ${r.sha256.slice(0, 16)}…)`
            : `imported ${r.rows} events from ${r.path} (${r.added} new; import ${r.importId}, sha256 ${r.sha256.slice(0, 16)}…)`,
        ],
      );
      return EXIT_OK;
    },
  });
}

export const accountsCommand = importCommand('accounts');
export const eventsCommand = importCommand('events');
