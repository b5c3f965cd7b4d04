/**
 * Reading on worker threads gives exactly what reading on this thread gives, page by page,
 * including a page that cannot be decoded.
 */
import { describe, expect, it } from 'vitest';
import { openScanReader, readScanFile } from '../src/scan/read-pool.ts';
import { syntheticScan } from './scan-synthetic.ts';
import { attachmentScan, imagePdfOf, tiffOf } from './ingest-helpers.ts';

describe('openScanReader', () => {
  it('reads files on two threads exactly as on this thread', async () => {
    const a = await syntheticScan(
      { fill: { ticks: { 'na.opened-in-person': 'yes', satisfaction: 'neutral' }, customerSignature: true } },
      { dpi: 150 },
    );
    const b = await syntheticScan(
      { visitId: 'HF-FN8T5-RFGHC', fill: { ticks: { 'na.opened-in-person': 'no' } } },
      { dpi: 200, upsideDown: true, jpeg: 70 },
    );
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
    expect(first).toMatchObject({
      type: 'reading',
      reading: { identified: true, answers: { 'na.opened-in-person': 'yes', satisfaction: 'neutral' } },
    });
    expect(here[1]![0]).toMatchObject({
      type: 'reading',
      reading: { rotated180: true, answers: { 'na.opened-in-person': 'no' } },
    });
    expect(here[2]![0]).toMatchObject({ type: 'failure' });
  }, 120_000);

  it('reads the pages of one batch on both threads at once, and gives them back in page order', async () => {
    const form = (id: string, answer: 'yes' | 'no'): Promise<Buffer> =>
      syntheticScan({ visitId: id, fill: { ticks: { 'na.opened-in-person': answer } } }, { dpi: 150 });
    const pages = [
      await form('HF-5AFMS-Y38DD', 'yes'),
      await attachmentScan('envelope'),
      await form('HF-FN8T5-RFGHC', 'no'),
      await attachmentScan('receipt'),
      await form('HF-5AFMS-Y38DD', 'no'),
      await attachmentScan('envelope'),
    ];
    const batches = [await tiffOf(pages, 'lzw'), await imagePdfOf(pages)];
    const here = await Promise.all(batches.map((f, i) => readScanFile(f, `b${i}`, { targetDpi: 150 })));
    const reader = openScanReader(2);
    const seen: number[] = [];
    try {
      await Promise.all([0, 1].map((i) => reader.read(pages[0]!, `warm-up ${i}`, { targetDpi: 150 })));
      // One file at a time: both threads must share it for the pages to come back whole.
      for (const [i, f] of batches.entries()) {
        const there = await reader.read(f, `b${i}`, { targetDpi: 150 });
        expect(there).toEqual(here[i]);
        seen.push(there.length);
      }
      // Two warm-up files on one thread each, then each batch shared by both threads.
      expect(reader.stats()).toEqual({ files: 4, threadReads: 6 });
    } finally {
      await reader.close();
    }
    expect(seen).toEqual([6, 6]);
    expect(here[0]!.map((p) => (p.type === 'reading' ? p.reading.identified : null))).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
  }, 120_000);
});
