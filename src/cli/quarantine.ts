/**
 * `huifang quarantine` — every page (or whole file) that ingest could not place, with its
 * reason and date, and where its stored original is. Re-assign one with huifang pages move.
 */
import { quarantinedPages } from '../store/pages.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

export const quarantineCommand = defineCommand<Record<string, never>>({
  command: 'quarantine',
  builder: (y) => y,
  run: async ({ args, io, workspace }) => {
    const ws = workspace();
    const entries = quarantinedPages(ws.register).map((p) => ({
      path: p.sourcePath,
      sha256: p.fileSha256,
      page: p.page === 0 ? null : p.page,
      reason: p.reason ?? '',
      ruleId: p.ruleId,
      date: p.updatedAt,
      stored: ws.files.pathOf(p.fileSha256),
      crop: p.cropSha256 ? ws.files.pathOf(p.cropSha256) : null,
    }));
    report(io, args.json, { quarantined: entries }, () =>
      entries.length
        ? [
            ...entries.map(
              (e) =>
                `${e.date}  ${e.path}, ${e.page === null ? 'whole file' : `page ${e.page}`} (${e.sha256.slice(0, 12)}): ${e.reason}`,
            ),
            `${entries.length} in quarantine. Re-assign with: huifang pages move --file SHA256 --page N --visit ID --kind KIND`,
          ]
        : ['Quarantine is empty.'],
    );
    return EXIT_OK;
  },
});
