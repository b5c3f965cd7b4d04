/**
 * From the page reader's `PageReading` to what ingest records: the page's finding (coded
 * with its visit, or without a code), the reading as kept in the register, and the review
 * items in the queue's terms (`answer:<question>`, `customerSignature`, `handlerSignature`,
 * `seal`, `seal.red`, `visit`).
 */
import { questionsFor } from '../domain/questions.ts';
import { VISIT_CATEGORIES, type VisitCategory } from '../domain/visit.ts';
import type { RecordedReading } from '../store/pages.ts';
import type { PageFinding, ReaderReviewItem } from './assign.ts';
import type { PageReading } from '../scan/read-page.ts';

/** The register's copy of a reading: plain JSON, scores kept. */
function recordedReading(r: PageReading): RecordedReading {
  const recorded: RecordedReading = {
    payload: r.payload ? { ...r.payload } : null,
    answers: { ...r.answers },
    answerScores: { ...r.answerScores },
    colour: !r.grey,
    notes: [...r.problems],
    dpi: r.dpi,
    quarterTurns: r.quarterTurns,
    alignment: r.alignment,
    questions: r.questions,
  };
  if (r.trackingNumbers?.length) recorded.trackingNumbers = [...r.trackingNumbers];
  if (r.checks) {
    const c = r.checks;
    recorded.checks = {
      customerSignature: { present: c.customerSignature.present, score: c.customerSignature.score },
      handlerSignature: { present: c.handlerSignature.present, score: c.handlerSignature.score },
      seal: { present: c.seal.present, score: c.seal.score, red: c.seal.red },
    };
    // A blank-looking seal box on a black-and-white scan: the seal may have dropped out.
    if (c.seal.lostInBilevel) recorded.sealLostInBilevel = true;
  }
  return recorded;
}

function categoryOfLayout(layout: string): VisitCategory | undefined {
  const m = /^form\.([a-z-]+)\.v\d+$/.exec(layout);
  return m && (VISIT_CATEGORIES as readonly string[]).includes(m[1]!) ? (m[1] as VisitCategory) : undefined;
}

/** The reader's review items in the queue's subjects, each with the machine's value and score. */
function reviewItemsOf(r: PageReading): ReaderReviewItem[] {
  const items: ReaderReviewItem[] = [];
  const cropOf = (rawSubject: string): Uint8Array | undefined =>
    (r.crops?.find((c) => c.subject === rawSubject) ?? r.crops?.find((c) => c.subject === 'page'))?.png;
  const add = (item: ReaderReviewItem, rawSubject = item.subject) => {
    const crop = cropOf(rawSubject);
    if (!items.some((i) => i.subject === item.subject)) items.push(crop ? { ...item, crop } : item);
  };
  const pageReasons: string[] = [];
  for (const raw of r.review) {
    const q = r.questions[raw.subject];
    if (q) {
      add(
        { subject: `answer:${raw.subject}`, machineValue: q.answer, score: q.score, reason: raw.reason },
        raw.subject,
      );
    } else if (raw.subject === 'customerSignature' || raw.subject === 'handlerSignature') {
      const c = r.checks?.[raw.subject];
      add({ subject: raw.subject, machineValue: c?.present ?? null, score: c?.score ?? null, reason: raw.reason });
    } else if (raw.subject === 'seal') {
      const s = r.checks?.seal;
      add({ subject: 'seal', machineValue: s?.present ?? null, score: s?.score ?? null, reason: raw.reason });
    } else if (raw.subject === 'seal.red') {
      // Unsure of the colour: the machine made no decision (null), its score says how red.
      const s = r.checks?.seal;
      add({ subject: 'seal.red', machineValue: s?.red ?? null, score: s?.redScore ?? null, reason: raw.reason });
    } else if (raw.subject === 'page' || raw.subject === 'qr') {
      pageReasons.push(raw.reason);
    } else {
      add({ subject: raw.subject, machineValue: null, score: null, reason: raw.reason });
    }
  }
  // A form page that could not be read at all: every value goes to a reviewer, one item
  // each, so that the queue — not a guess — completes the visit's readings.
  if (pageReasons.length && r.payload?.kind === 'form' && !r.checks) {
    const category = categoryOfLayout(r.payload.layout);
    const why = `the page could not be read by machine (${pageReasons.join('; ')}); read it from the paper`;
    for (const q of category ? questionsFor(category) : [])
      add({ subject: `answer:${q.id}`, machineValue: null, score: null, reason: why });
    for (const s of ['customerSignature', 'seal', 'handlerSignature'] as const)
      add({ subject: s, machineValue: null, score: null, reason: why });
    if (!category) add({ subject: 'page', machineValue: null, score: null, reason: why });
  }
  return items;
}

/** Coded (identified by its QR code) or uncoded, with what a person should know. */
export function findingFromReading(r: PageReading, _fileName: string): PageFinding {
  const reading = recordedReading(r);
  const pageCrop = r.crops?.find((c) => c.subject === 'page')?.png;
  if (r.identified && r.payload) {
    return {
      page: r.page,
      type: 'coded',
      visitId: r.payload.visitId,
      kind: r.payload.kind,
      reading,
      review: reviewItemsOf(r),
      ...(pageCrop ? { pageCrop } : {}),
    };
  }
  // Not identified. A code was seen but is unusable (foreign, or the two disagree): that
  // doubt travels with the page; no code at all is an ordinary envelope or receipt.
  if (r.qrFound > 0) {
    const why =
      r.problems.join('; ') || r.review.map((i) => i.reason).join('; ') || 'a QR code was found but not understood';
    return { page: r.page, type: 'uncoded', unreadableCode: why, reading, ...(pageCrop ? { pageCrop } : {}) };
  }
  return {
    page: r.page,
    type: 'uncoded',
    reading,
    ...(r.trackingNumbers?.length ? { trackingNumbers: [...r.trackingNumbers] } : {}),
    ...(pageCrop ? { pageCrop } : {}),
  };
}
