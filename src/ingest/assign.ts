/**
 * Which visit each page of a scanned file belongs to — pure, no I/O.
 *
 * - A page whose QR code names a visit in the register goes to that visit, as the kind the
 *   code names (form, letter). Its pages of one visit and kind make one document.
 * - A page whose QR code names a visit the register does not know goes to quarantine
 *   (it cannot be attached to nothing; once the visit exists, a clerk moves it).
 * - A page without a QR code whose barcode holds the tracking number of a mailed letter
 *   (`huifang mailing import`) is that visit's `postal-receipt`.
 * - A page without a QR code that follows a page with one belongs to that visit as an
 *   `attachment` (the envelope, the postal receipt), in scan order — unless following is
 *   off. If the page looks as if it carries a code that could not be read, or a page before
 *   it could not be decoded, it is attached all the same and a review item asks a person
 *   to confirm the visit.
 * - A page that cannot be decoded, or has no code and nothing to follow, goes to
 *   quarantine with its reason. Nothing is dropped: every page comes out once.
 */
import type { CustomerKind } from '../domain/customer.ts';
import type { DocumentKind } from '../domain/visit.ts';
import type { RecordedReading } from '../store/pages.ts';
import type { HandledPage } from './handlers.ts';

/** A review item as the page reader raises it (the page and visit are added here). */
export interface ReaderReviewItem {
  subject: string;
  machineValue: string | boolean | null;
  score: number | null;
  reason: string;
  /** A picture (PNG) of what is in doubt; ingest stores it and keeps its SHA-256. */
  crop?: Uint8Array;
}

/** What was found on one page, before it is assigned. */
export type PageFinding =
  | { page: number; type: 'failed'; reason: string }
  | {
      page: number;
      type: 'coded';
      visitId: string;
      kind: DocumentKind;
      reading: RecordedReading;
      review: ReaderReviewItem[];
      pageCrop?: Uint8Array;
    }
  | {
      page: number;
      type: 'uncoded';
      /** Set when something like a QR code is on the page but could not be decoded. */
      unreadableCode?: string;
      reading?: RecordedReading;
      /** Postal tracking numbers read from the page's barcodes (a postal receipt). */
      trackingNumbers?: string[];
      /** A picture of the whole page (PNG), for whoever classifies it. */
      pageCrop?: Uint8Array;
    };

export interface VisitFacts {
  customerKind: CustomerKind;
}

export interface AssignOptions {
  follow: boolean;
  /** The visit's facts, or undefined when the register does not know the visit. */
  visit: (visitId: string) => VisitFacts | undefined;
  /** The visit a mailed letter's tracking number belongs to (`huifang mailing import`), if known. */
  mailing?: (trackingNumber: string) => string | undefined;
}

/** Rule ids of quarantine reasons (they appear in `huifang quarantine --json`). */
export const QUARANTINE_RULES = {
  unreadable: 'ingest/unreadable-page',
  unknownVisit: 'ingest/unknown-visit',
  noCode: 'ingest/no-qr-code',
  followsUnknown: 'ingest/follows-unknown-visit',
  wholeFile: 'ingest/unreadable-file',
  unsupported: 'ingest/unsupported-file',
} as const;

/** A page without a code that cannot follow a visit: quarantined with the reason (no code, or an unreadable one, by default). */
function unplaced(f: Extract<PageFinding, { type: 'uncoded' }>, reason: string, ruleId?: string): HandledPage {
  return {
    page: f.page,
    visitId: null,
    kind: null,
    assignedBy: 'none',
    reading: f.reading ?? null,
    reason,
    ruleId: ruleId ?? (f.unreadableCode ? QUARANTINE_RULES.unreadable : QUARANTINE_RULES.noCode),
    ...(f.pageCrop ? { crop: f.pageCrop } : {}),
  };
}

/** The page as its visit's postal receipt, when one of its barcodes is a recorded tracking number of a known visit. */
function receiptOf(f: Extract<PageFinding, { type: 'uncoded' }>, options: AssignOptions): HandledPage | undefined {
  if (!options.mailing || !f.trackingNumbers?.length) return undefined;
  const visits = [...new Set(f.trackingNumbers.flatMap((t) => options.mailing!(t) ?? []))].filter((v) =>
    options.visit(v),
  );
  if (visits.length !== 1) return undefined;
  // Assigned by the barcode: 'handler' (the register's word for "by what the page says, not by its QR code").
  return {
    page: f.page,
    visitId: visits[0]!,
    kind: 'postal-receipt',
    assignedBy: 'handler',
    reading: { ...(f.reading ?? {}), identifiedBy: 'barcode' },
    review: [],
  };
}

/** Assigns every page in scan order (see the module comment). */
export function assignPages(findings: readonly PageFinding[], options: AssignOptions): HandledPage[] {
  const out: HandledPage[] = [];
  const trail: Trail = { anchor: undefined, gapSinceAnchor: [] };
  for (const f of findings) {
    if (f.type === 'failed') {
      out.push({
        page: f.page,
        visitId: null,
        kind: null,
        assignedBy: 'none',
        reason: f.reason,
        ruleId: QUARANTINE_RULES.unreadable,
      });
      if (trail.anchor) trail.gapSinceAnchor.push(f.page);
    } else if (f.type === 'coded') out.push(codedPage(f, options, trail));
    else out.push(uncodedPage(f, options, trail));
  }
  return out;
}

/** What the pages before tell the next page without a code. */
interface Trail {
  /** The last page with a code: its visit (null when unknown to the register) and page. */
  anchor: { visitId: string; known: boolean; page: number } | undefined;
  /** Pages since the anchor that could not be decoded (they may have been another visit's). */
  gapSinceAnchor: number[];
}

type CodedFinding = Extract<PageFinding, { type: 'coded' }>;
type UncodedFinding = Extract<PageFinding, { type: 'uncoded' }>;

/** A page with a QR code: its visit's (when the register knows it), and the new anchor. */
function codedPage(f: CodedFinding, options: AssignOptions, trail: Trail): HandledPage {
  const facts = options.visit(f.visitId);
  trail.anchor = { visitId: f.visitId, known: Boolean(facts), page: f.page };
  trail.gapSinceAnchor = [];
  if (!facts) {
    return {
      page: f.page,
      visitId: null,
      kind: null,
      assignedBy: 'none',
      reading: f.reading,
      reason: `its QR code names visit ${f.visitId}, which is not in this workspace's register; create the visit (huifang letters / forms) or move the page with huifang pages move`,
      ruleId: QUARANTINE_RULES.unknownVisit,
      ...(f.pageCrop ? { crop: f.pageCrop } : {}),
    };
  }
  const review = [...f.review, ...sealReview(f, facts)];
  return { page: f.page, visitId: f.visitId, kind: f.kind, assignedBy: 'qr', reading: f.reading, review };
}

/** An institution's form whose seal the machine cannot settle (its colour, or on a black-and-white scan its presence). */
function sealReview(f: CodedFinding, facts: VisitFacts): ReaderReviewItem[] {
  const review: ReaderReviewItem[] = [];
  const seal = f.reading.checks?.seal;
  const sealMayBeThere = seal !== undefined && seal.present !== false;
  if (
    f.kind === 'form' &&
    facts.customerKind === 'institution' &&
    sealMayBeThere &&
    seal.red === null &&
    !f.review.some((r) => r.subject === 'seal.red')
  ) {
    review.push({
      subject: 'seal.red',
      machineValue: null,
      score: null,
      reason:
        f.reading.sealLostInBilevel === true
          ? 'black-and-white scan with an empty-looking seal box: thresholding can drop a red seal entirely, and an institution must stamp its red official seal (公章); look at the paper form'
          : f.reading.colour === false
            ? 'grey scan: an institution must stamp its red official seal (公章), and a grey scan cannot show red; look at the paper form'
            : 'the machine cannot tell whether the seal is red; an institution must stamp its red official seal (公章)',
    });
  }
  if (
    f.kind === 'form' &&
    facts.customerKind === 'institution' &&
    f.reading.sealLostInBilevel === true &&
    seal?.present === null &&
    !f.review.some((r) => r.subject === 'seal')
  ) {
    // The seal's presence is as undecided as its colour: a reviewer settles both.
    review.push({
      subject: 'seal',
      machineValue: null,
      score: seal.score,
      reason:
        'black-and-white scan: the seal box looks empty, but thresholding can drop a red seal; an institution must stamp its official seal (公章); look at the paper form',
    });
  }
  return review;
}

/** A page without a QR code: a postal receipt by its barcode, else it follows the anchor, else quarantine. */
function uncodedPage(f: UncodedFinding, options: AssignOptions, trail: Trail): HandledPage {
  const receipt = receiptOf(f, options);
  if (receipt) {
    trail.anchor = { visitId: receipt.visitId!, known: true, page: f.page };
    trail.gapSinceAnchor = [];
    return receipt;
  }
  const { anchor } = trail;
  if (!options.follow) {
    return unplaced(
      f,
      f.unreadableCode
        ? `its QR code could not be read (${f.unreadableCode}), and following is off (--no-follow)`
        : 'it has no QR code, and following is off (--no-follow); move it to its visit with huifang pages move',
    );
  }
  if (!anchor) {
    return unplaced(
      f,
      f.unreadableCode
        ? `its QR code could not be read (${f.unreadableCode}), and no page before it in the file has one to follow`
        : 'it has no QR code, and no page before it in the file has one to follow; move it to its visit with huifang pages move',
    );
  }
  if (!anchor.known) {
    return unplaced(
      f,
      `it has no QR code and follows page ${anchor.page}, whose visit ${anchor.visitId} is not in the register`,
      QUARANTINE_RULES.followsUnknown,
    );
  }
  return followingPage(f, anchor, trail.gapSinceAnchor);
}

/** The page as an attachment of the anchor's visit; a review item when a code or a page between could not be read. */
function followingPage(
  f: UncodedFinding,
  anchor: NonNullable<Trail['anchor']>,
  gapSinceAnchor: readonly number[],
): HandledPage {
  const review: ReaderReviewItem[] = [];
  const doubts: string[] = [];
  if (f.unreadableCode) doubts.push(`a QR code on it could not be read (${f.unreadableCode})`);
  if (gapSinceAnchor.length)
    doubts.push(`page${gapSinceAnchor.length > 1 ? 's' : ''} ${gapSinceAnchor.join(', ')} between could not be read`);
  if (doubts.length) {
    review.push({
      subject: 'visit',
      machineValue: anchor.visitId,
      score: null,
      reason: `attached to visit ${anchor.visitId} because it follows page ${anchor.page}, but ${doubts.join(' and ')}; confirm, or correct with the right visit id`,
      ...(f.pageCrop ? { crop: f.pageCrop } : {}),
    });
  }
  return {
    page: f.page,
    visitId: anchor.visitId,
    kind: 'attachment',
    assignedBy: 'follow',
    reading: f.reading ?? null,
    review,
    ...(f.pageCrop ? { crop: f.pageCrop } : {}),
  };
}
