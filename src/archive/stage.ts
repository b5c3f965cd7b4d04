/**
 * The archive stage of the pipeline, for `npm start` and scripts: every branch with visits
 * in a period is archived, each bundle verified, and unpacked beside it so that its
 * index.html can be opened in a browser.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Workspace } from '../store/workspace.ts';
import { branchesOfPeriod } from '../store/bundles.ts';
import { buildBundles, type ArchiveOptions, type BuiltBundle } from './build.ts';
import { extractZip } from './extract.ts';
import { verifyBundle, type VerifyReport } from './verify.ts';

export interface BranchArchive {
  branch: string;
  bundles: BuiltBundle[];
  /** Visits refused because they fail validation (then no bundle was built). */
  refused: string[];
  verified: VerifyReport[];
  /** Absolute paths of each bundle's index.html, unpacked under `<outDir>/unpacked/`. */
  indexHtml: string[];
}

/**
 * Archives every branch that has visits in `period` into `outDir`, verifies each bundle and
 * unpacks it to `<outDir>/unpacked/<bundle id>/`.
 */
export async function archivePeriod(ws: Workspace, opts: Omit<ArchiveOptions, 'branch'> & { unpack?: boolean }): Promise<BranchArchive[]> {
  const out: BranchArchive[] = [];
  for (const branch of branchesOfPeriod(ws.db, opts.period)) {
    const result = await buildBundles(ws, { ...opts, branch });
    const verified: VerifyReport[] = [];
    const indexHtml: string[] = [];
    for (const b of result.bundles) {
      verified.push(await verifyBundle(b.path));
      if (opts.unpack ?? true) {
        const dest = join(opts.outDir, 'unpacked');
        rmSync(join(dest, b.bundleId), { recursive: true, force: true });
        await extractZip(b.path, dest);
        indexHtml.push(join(dest, b.indexHtmlEntry));
      }
    }
    out.push({ branch, bundles: result.bundles, refused: result.refused.filter(() => result.bundles.length === 0).map((r) => r.visitId), verified, indexHtml });
  }
  return out;
}
