/**
 * Reading on worker threads gives exactly what reading on this thread gives, page by page,
 * including a page that cannot be decoded.
 */
import { describe, expect, it } from 'vitest';
import { openScanReader, readScanFile } from '../src/scan/read-pool.ts';
import { syntheticScan } from './scan-synthetic.ts';

describe('openScanReader', () => {
  it('reads files on two threads exactly as on this thread', async () => {
    const a = await syntheticScan({ fill: { ticks: { 'na.opened-in-person': 'yes', satisfaction: 'neutral' }, customerSignature: true } }, { dpi: 150 });
    const b = await syntheticScan({ visitId: 'HF-FN8T5-RFGHC', fill: { ticks: { 'na.opened-in-person': 'no' } } }, { dpi: 200, upsideDown: true, jpeg: 70 });
    const broken = a.subarray(0, 2000);
    const files = [a, b, broken];
    const here = await Promise.all(files.map((f, i) => readScanFile(f, `f${i}`, { targetDpi: 150 })));
    const reader = openScanReader(2);
    try {
      const there = await Promise.all(files.map((f, i) => reader.read(f, `f${i}`, { targetDpi: 150 })));
      expect(there).toEqual(here);
    } finally {
      await reader.close();
    }
    const [first] = here[0]!;
    expect(first).toMatchObject({ type: 'reading', reading: { identified: true, answers: { 'na.opened-in-person': 'yes', satisfaction: 'neutral' } } });
    expect(here[1]![0]).toMatchObject({ type: 'reading', reading: { rotated180: true, answers: { 'na.opened-in-person': 'no' } } });
    expect(here[2]![0]).toMatchObject({ type: 'failure' });
  }, 120_000);
});
