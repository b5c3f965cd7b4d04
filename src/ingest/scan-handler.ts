/**
 * The default ingest handler: scanned pages (JPEG, PNG, TIFF incl. multi-page and CCITT G4,
 * scanned PDFs). Decodes each page, reads it with the page reader, then assigns the pages
 * to visits in scan order (`ingest-assign.ts`).
 */
import { mailingByTrackingNumber } from '../store/mailings.ts';
import { getCustomer, getVisit } from '../store/visits.ts';
import { sniffFormat, type DecodeLimits, type DecodeOptions } from '../scan/decode.ts';
import { assignPages, QUARANTINE_RULES, type PageFinding } from './assign.ts';
import type { HandledPage, HandlerResult, IngestContext, IngestHandler, StoredInput } from './handlers.ts';
import { findingFromReading } from './reading.ts';
import { readScanFile, type ScanItem } from '../scan/read-pool.ts';
import { WORKING_DPI } from '../scan/read-page.ts';

const SCAN_NAME = /\.(jpe?g|png|tiff?|pdf)$/i;

/** The reader works at 150 dpi: shrinking while decoding makes 300/600 dpi pages several times quicker. */
const decodeOptions = (limits: DecodeLimits): DecodeOptions => ({ targetDpi: WORKING_DPI, ...limits });

/** Stores the pages' and review items' pictures (content-addressed PNG) and keeps their SHA-256 in place of the bytes. */
function storeCrops(ctx: IngestContext, pages: HandledPage[]): void {
  for (const page of pages) {
    if (page.crop) {
      // Only pages a person must place (quarantined, or attached by following) keep a picture of the whole page.
      if (page.visitId === null || page.assignedBy === 'follow')
        page.cropSha256 = ctx.ws.files.putBytes(page.crop).sha256;
      delete page.crop;
    }
    for (const item of page.review ?? []) {
      if (!item.crop) continue;
      item.cropSha256 = ctx.ws.files.putBytes(item.crop).sha256;
      delete item.crop;
    }
  }
}

export const scanHandler: IngestHandler = {
  name: 'scan',
  accepts: ({ name, head }) => sniffFormat(head) !== null || SCAN_NAME.test(name),
  // Decoding and reading the pages touches nothing but the bytes: it may run ahead, on another thread.
  prepare: (env, input) => env.reader.read(input.read(), input.name, decodeOptions(env.limits)),
  async ingest(ctx: IngestContext, input: StoredInput, prepared?: unknown): Promise<HandlerResult> {
    const items =
      (prepared as ScanItem[] | undefined) ?? (await readScanFile(input.read(), input.name, decodeOptions(ctx.limits)));
    const findings: PageFinding[] = [];
    const fileFailures: string[] = [];
    for (const item of items) {
      if (item.type === 'failure') {
        if (item.page === null) fileFailures.push(item.reason);
        else findings.push({ page: item.page, type: 'failed', reason: item.reason });
      } else {
        findings.push(findingFromReading(item.reading, input.name));
      }
      ctx.onPage(findings.length, null);
    }
    const pages = assignPages(findings, {
      follow: ctx.follow,
      visit: (visitId) => {
        const visit = getVisit(ctx.ws.register, visitId);
        const customer = visit && getCustomer(ctx.ws.register, visit.customerId);
        return visit && customer ? { customerKind: customer.kind } : undefined;
      },
      mailing: (trackingNumber) => mailingByTrackingNumber(ctx.ws.register, trackingNumber)?.visitId,
    });
    storeCrops(ctx, pages);
    if (fileFailures.length) {
      pages.unshift({
        page: 0,
        visitId: null,
        kind: null,
        assignedBy: 'none',
        reason: fileFailures.join('; '),
        ruleId: QUARANTINE_RULES.wholeFile,
      });
    }
    return { pageCount: findings.length || null, pages };
  },
};
