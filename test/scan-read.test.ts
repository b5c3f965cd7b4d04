/**
 * The page reader on synthetic scans drawn from the layout geometry: identification,
 * alignment under skew/shift/scale, ticks, signatures and seals read back.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePages, isPageFailure, type DecodedPage } from '../src/scan/decode.ts';
import { loadQrDecoder } from '../src/scan/qr.ts';
import { readPage, type PageReading } from '../src/scan/read-page.ts';
import { SAMPLE_VISIT_ID, syntheticScan, type Degradation, type SyntheticPageOptions } from './scan-synthetic.ts';

async function firstPage(bytes: Uint8Array): Promise<DecodedPage> {
  for await (const p of decodePages(bytes, 'test')) {
    if (isPageFailure(p)) throw new Error(p.reason);
    return p;
  }
  throw new Error('no page');
}

async function scanAndRead(options: SyntheticPageOptions, d: Degradation): Promise<PageReading> {
  return readPage(await firstPage(await syntheticScan(options, d)));
}

const FILLED: SyntheticPageOptions = {
  fill: {
    ticks: {
      'na.opened-in-person': 'yes',
      'na.password-set-personally': 'yes',
      'na.staff-operated-account': 'no',
      'na.brought-by-staff': 'no',
      satisfaction: 'satisfied',
    },
    customerSignature: true,
    seal: true,
  },
};

beforeAll(async () => {
  await loadQrDecoder();
});

describe('identification', () => {
  it('reads the visit from a page right side up', async () => {
    const r = await scanAndRead({}, { dpi: 200 });
    expect(r.identified).toBe(true);
    expect(r.payload).toEqual({
      visitId: SAMPLE_VISIT_ID,
      kind: 'form',
      page: 3,
      pageCount: 3,
      layout: 'form.new-account.v1',
    });
    expect(r.qrFound).toBe(2);
    expect(r.rotated180).toBe(false);
  });

  it('turns an upside-down page and reads the same boxes', async () => {
    const r = await scanAndRead(FILLED, { dpi: 200, upsideDown: true, skew: 1.5 });
    expect(r.rotated180).toBe(true);
    expect(r.answers['na.opened-in-person']).toBe('yes');
    expect(r.answers['na.staff-operated-account']).toBe('no');
    expect(r.answers.satisfaction).toBe('satisfied');
    expect(r.checks?.customerSignature.present).toBe(true);
    expect(r.checks?.handlerSignature.present).toBe(false);
  });

  it('identifies a page with either code covered', async () => {
    for (const hideQr of ['topRight', 'bottomLeft'] as const) {
      const r = await scanAndRead({ ...FILLED, hideQr }, { dpi: 200, upsideDown: hideQr === 'bottomLeft' });
      expect(r.identified, hideQr).toBe(true);
      expect(r.qrFound).toBe(1);
      expect(r.answers['na.opened-in-person']).toBe('yes');
    }
  });

  it('sends a page without a readable code to review, unread', async () => {
    const r = await scanAndRead({ ...FILLED, hideQr: 'both' }, { dpi: 150 });
    expect(r.identified).toBe(false);
    expect(r.review).toEqual([{ subject: 'qr', reason: 'no QR code could be read on the page' }]);
    expect(r.answers).toEqual({});
  });

  it('identifies letter pages without reading boxes', async () => {
    const r = await scanAndRead({ kind: 'letter' }, { dpi: 150, skew: -2 });
    expect(r.identified).toBe(true);
    expect(r.payload?.kind).toBe('letter');
    expect(r.checks).toBeNull();
  });
});

describe('alignment', () => {
  const cases: [number, number, { x: number; y: number }][] = [
    [150, 5, { x: 3, y: -2 }],
    [300, -5, { x: -4, y: 3 }],
    [600, 3, { x: 2, y: 2 }],
  ];
  for (const [dpi, skew, shift] of cases) {
    it(`aligns a ${dpi} dpi scan skewed ${skew}° and shifted, and reads it`, async () => {
      const r = await scanAndRead(FILLED, { dpi, skew, shift, jpeg: 80, grey: dpi === 600 });
      expect(r.alignment).not.toBeNull();
      expect(r.alignment!.pointsUsed).toBeGreaterThanOrEqual(4);
      expect(r.alignment!.residualMm).toBeLessThan(0.8);
      expect(Math.abs(r.dpi - dpi) / dpi).toBeLessThan(0.02);
      expect(r.answers).toMatchObject({
        'na.opened-in-person': 'yes',
        'na.password-set-personally': 'yes',
        'na.staff-operated-account': 'no',
        'na.discretionary-mandate': null,
        satisfaction: 'satisfied',
      });
      expect(r.review.filter((x) => x.subject !== 'page')).toEqual([]);
    });
  }
});

describe('boxes', () => {
  it('leaves a question with two marks undecided and sends it to review', async () => {
    const r = await scanAndRead({ fill: { ticks: { 'na.risks-disclosed': ['yes', 'no'] } } }, { dpi: 200, jpeg: 85 });
    expect(r.answers['na.risks-disclosed']).toBeNull();
    expect(r.questions['na.risks-disclosed']!.status).toBe('several');
    expect(r.review).toContainEqual({
      subject: 'na.risks-disclosed',
      reason: 'question 5: more than one box is marked (是, 否)',
    });
  });

  it('reads a tick drawn half over the box border as the answer, and its blank twin as blank', async () => {
    const r = await scanAndRead(
      { fill: { strayTicks: { 'na.risks-disclosed': 'no' }, ticks: { satisfaction: 'satisfied' } } },
      { dpi: 200, jpeg: 80, skew: 1.5 },
    );
    expect(r.answers['na.risks-disclosed']).toBe('no');
    expect(r.questions['na.risks-disclosed']!.boxes.yes).toBeLessThan(0.3);
    expect(r.answers.satisfaction).toBe('satisfied');
    expect(r.review).toEqual([]);
  });

  it('reads a blank box with a speck of dust beside its border as blank, not as a doubtful mark', async () => {
    const specks = { 'na.risks-disclosed': 'yes', 'na.knows-staff-name': 'no' };
    for (const d of [{ dpi: 150, jpeg: 85 }, { dpi: 200 }, { dpi: 300, grey: true, jpeg: 80 }] as Degradation[]) {
      const r = await scanAndRead(
        { fill: { specks, ticks: { 'na.risks-disclosed': 'no', satisfaction: 'neutral' } } },
        d,
      );
      expect(r.answers['na.risks-disclosed'], JSON.stringify(d)).toBe('no');
      expect(r.questions['na.risks-disclosed']!.boxes.yes, JSON.stringify(d)).toBeLessThan(0.3);
      expect(r.questions['na.knows-staff-name']!.status, JSON.stringify(d)).toBe('blank');
      expect(r.review, JSON.stringify(d)).toEqual([]);
    }
  });

  it('sends a form on which no question reads as answered to a person, question by question', async () => {
    const r = await scanAndRead({ fill: { customerSignature: true } }, { dpi: 150, jpeg: 70 });
    expect(r.checks?.customerSignature.present).toBe(true);
    expect(Object.values(r.answers).every((a) => a === null)).toBe(true);
    const ids = Object.keys(r.questions);
    expect(ids.length).toBeGreaterThan(5);
    expect(r.review.map((i) => i.subject)).toEqual(ids);
    expect(r.review[0]!.reason).toMatch(/^question 1: no question on this form page reads as answered/);
    // one answered question is enough for the others to be read as blank
    const one = await scanAndRead({ fill: { ticks: { satisfaction: 'neutral' } } }, { dpi: 150, jpeg: 70 });
    expect(one.review).toEqual([]);
    expect(one.answers.satisfaction).toBe('neutral');
  });

  it('never decides a blank signature or seal box "present", even on a dark photocopy', async () => {
    for (const d of [
      { dpi: 150, jpeg: 60, photocopy: 0.9 },
      { dpi: 300, skew: 4, grey: true, jpeg: 50 },
    ] as Degradation[]) {
      const r = await scanAndRead({}, d);
      expect(r.checks?.customerSignature.present, JSON.stringify(d)).toBe(false);
      expect(r.checks?.handlerSignature.present).toBe(false);
      expect(r.checks?.seal.present).toBe(false);
      expect(Object.values(r.answers).every((a) => a === null)).toBe(true);
    }
  });

  it('sees a red seal on a colour scan, no red in a black seal, and leaves red undecided on a grey scan', async () => {
    const colour = await scanAndRead({ fill: { seal: true } }, { dpi: 200, jpeg: 80 });
    expect(colour.grey).toBe(false);
    expect(colour.checks?.seal).toMatchObject({ present: true, red: true });
    const black = await scanAndRead(
      { fill: { seal: true, sealColour: '#222', ticks: { satisfaction: 'neutral' } } },
      { dpi: 200, jpeg: 80 },
    );
    expect(black.grey).toBe(false);
    expect(black.checks?.seal).toMatchObject({ present: true, red: false });
    const grey = await scanAndRead({ fill: { seal: true } }, { dpi: 200, grey: true, jpeg: 80 });
    expect(grey.grey).toBe(true);
    expect(grey.checks?.seal).toMatchObject({ present: true, red: null, redScore: null });
  });
});
