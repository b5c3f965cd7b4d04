import { describe, expect, it } from 'vitest';
import { assignPages, type PageFinding } from '../src/ingest/assign.ts';
import type { RecordedReading } from '../src/store/pages.ts';

const A = 'HF-AAAAA-AAAAA';
const B = 'HF-BBBBB-BBBBB';
const UNKNOWN = 'HF-ZZZZZ-ZZZZZ';

const form = (page: number, visitId: string, reading: RecordedReading = {}): PageFinding => ({
  page,
  type: 'coded',
  visitId,
  kind: 'form',
  reading,
  review: [],
});
const plain = (page: number, unreadableCode?: string): PageFinding =>
  unreadableCode ? { page, type: 'uncoded', unreadableCode } : { page, type: 'uncoded' };
const visits = { [A]: { customerKind: 'individual' as const }, [B]: { customerKind: 'institution' as const } };
const options = (follow = true) => ({ follow, visit: (id: string) => visits[id as keyof typeof visits] });

describe('assigning the pages of a batch', () => {
  it('attaches pages without a code to the visit of the page before, in scan order', () => {
    const pages = assignPages([form(1, A), plain(2), plain(3), form(4, B), plain(5)], options());
    expect(pages.map((p) => [p.page, p.visitId, p.kind, p.assignedBy])).toEqual([
      [1, A, 'form', 'qr'],
      [2, A, 'attachment', 'follow'],
      [3, A, 'attachment', 'follow'],
      [4, B, 'form', 'qr'],
      [5, B, 'attachment', 'follow'],
    ]);
  });

  it('quarantines pages without a code when following is off, and a first page with nothing to follow', () => {
    const off = assignPages([form(1, A), plain(2)], options(false));
    expect(off[1]).toMatchObject({ visitId: null, ruleId: 'ingest/no-qr-code' });
    expect(off[1]!.reason).toContain('--no-follow');
    const first = assignPages([plain(1), form(2, A)], options());
    expect(first[0]).toMatchObject({ visitId: null, ruleId: 'ingest/no-qr-code' });
    expect(first[0]!.reason).toContain('no page before it');
  });

  it('quarantines a page whose visit is unknown, and the pages that follow it', () => {
    const pages = assignPages([form(1, UNKNOWN), plain(2), form(3, A)], options());
    expect(pages[0]).toMatchObject({ visitId: null, ruleId: 'ingest/unknown-visit' });
    expect(pages[0]!.reason).toContain(UNKNOWN);
    expect(pages[1]).toMatchObject({ visitId: null, ruleId: 'ingest/follows-unknown-visit' });
    expect(pages[2]).toMatchObject({ visitId: A, kind: 'form' });
  });

  it('quarantines an undecodable page, and asks a reviewer about the visit of the pages after it', () => {
    const pages = assignPages([form(1, A), { page: 2, type: 'failed', reason: 'truncated' }, plain(3)], options());
    expect(pages[1]).toMatchObject({ visitId: null, reason: 'truncated', ruleId: 'ingest/unreadable-page' });
    expect(pages[2]).toMatchObject({ visitId: A, kind: 'attachment' });
    expect(pages[2]!.review).toEqual([expect.objectContaining({ subject: 'visit', machineValue: A })]);
    expect(pages[2]!.review![0]!.reason).toContain('page 2 between could not be read');
  });

  it('sends a followed page whose own code could not be read to review', () => {
    const pages = assignPages([form(1, A), plain(2, "the page's two QR codes disagree")], options());
    expect(pages[1]).toMatchObject({ visitId: A, assignedBy: 'follow' });
    expect(pages[1]!.review![0]).toMatchObject({ subject: 'visit', machineValue: A });
    expect(pages[1]!.review![0]!.reason).toContain('disagree');
  });

  it("asks whether an institution's seal is red on a grey scan, but not an individual's", () => {
    const grey: RecordedReading = {
      colour: false,
      checks: {
        customerSignature: { present: true, score: 1 },
        handlerSignature: { present: false, score: 0 },
        seal: { present: true, score: 1, red: null },
      },
    };
    const [individual] = assignPages([form(1, A, grey)], options());
    const [institution] = assignPages([form(1, B, grey)], options());
    expect(individual!.review).toEqual([]);
    expect(institution!.review).toEqual([expect.objectContaining({ subject: 'seal.red', machineValue: null })]);
    expect(institution!.review![0]!.reason).toContain('grey scan');
  });

  it("sends an institution's empty-looking seal box on a black-and-white scan to review (presence and colour), never to a verdict", () => {
    const bw: RecordedReading = {
      colour: false,
      sealLostInBilevel: true,
      checks: {
        customerSignature: { present: true, score: 1 },
        handlerSignature: { present: false, score: 0 },
        seal: { present: null, score: 0, red: null },
      },
    };
    const [individual] = assignPages([form(1, A, bw)], options());
    const [institution] = assignPages([form(1, B, bw)], options());
    expect(individual!.review).toEqual([]);
    expect(institution!.review!.map((r) => [r.subject, r.machineValue]).sort()).toEqual([
      ['seal', null],
      ['seal.red', null],
    ]);
    expect(institution!.review!.find((r) => r.subject === 'seal.red')!.reason).toContain('black-and-white');
  });
});
