/**
 * The default ingest handler: scanned pages (JPEG, PNG, TIFF incl. multi-page and CCITT G4,
 * scanned PDFs). Decodes each page, reads it with the page reader, then assigns the pages
 * to visits in scan order (`ingest-assign.ts`).
 */
import { getCustomer, getVisit } from '../store/visits.ts';
import { decodePages, isPageFailure, sniffFormat } from './decode.ts';
import { assignPages, QUARANTINE_RULES, type PageFinding } from './ingest-assign.ts';
import type { HandlerResult, IngestContext, IngestHandler, StoredInput } from './ingest-handlers.ts';
import { findingOf } from './ingest-reading.ts';

const SCAN_NAME = /\.(jpe?g|png|tiff?|pdf)$/i;

/** Test hook: wait this long after each page, so a test can kill a run mid-file. */
function testPause(): Promise<void> {
  const ms = Number(process.env.HUIFANG_TEST_SLOW_PAGE_MS ?? 0);
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export const scanHandler: IngestHandler = {
  name: 'scan',
  accepts: ({ name, head }) => sniffFormat(head) !== null || SCAN_NAME.test(name),
  async ingest(ctx: IngestContext, input: StoredInput): Promise<HandlerResult> {
    const findings: PageFinding[] = [];
    const fileFailures: string[] = [];
    for await (const p of decodePages(input.read(), input.name, ctx.limits)) {
      if (isPageFailure(p)) {
        if (p.page === null) fileFailures.push(p.reason);
        else findings.push({ page: p.page, type: 'failed', reason: p.reason });
      } else {
        findings.push(await findingOf(p, input.name));
      }
      ctx.onPage(findings.length, null);
      await testPause();
    }
    const pages = assignPages(findings, {
      follow: ctx.follow,
      visit: (visitId) => {
        const visit = getVisit(ctx.ws.db, visitId);
        const customer = visit && getCustomer(ctx.ws.db, visit.customerId);
        return visit && customer ? { customerKind: customer.kind } : undefined;
      },
    });
    if (fileFailures.length) {
      pages.unshift({ page: 0, visitId: null, kind: null, assignedBy: 'none', reason: fileFailures.join('; '), ruleId: QUARANTINE_RULES.wholeFile });
    }
    return { pageCount: findings.length || null, pages };
  },
};
