/**
 * Batch print files and whole runs: order, duplex padding, file splitting, the PDF read
 * back page by page, and the same documents whether rendered on worker threads or not.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rasterizePdf } from '../src/formats/rasterize.ts';
import { type Batch, buildBatches, buildBatchesFromPdfs, duplexSequence } from '../src/render/batch.ts';
import { renderAll } from '../src/render/render-all.ts';
import { type DocumentInput, LetterRenderer, type RenderedDocument } from '../src/render/renderer.ts';
import { darkFraction, makeCustomer, makeVisit, pageTexts, SENDER } from './render-helpers.ts';
import { A4, rect } from '../src/layout/page.ts';
import { needTools } from './tools.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-batch-'));

/** Seven customers over three branches, postcodes deliberately out of order. */
const inputs: DocumentInput[] = [
  ['3102', '200002', 'individual'],
  ['3101', '200120', 'individual'],
  ['3101', '200001', 'institution'],
  ['1101', '100022', 'individual'],
  ['3102', '200001', 'individual'],
  ['3101', '200001', 'individual'],
  ['1101', '100001', 'institution'],
].map(([branchCode, postcode, kind], i) => ({
  visit: makeVisit({ category: i % 2 ? 'existing' : 'new-account' }),
  customer: makeCustomer({
    customerId: `C${i}`,
    branchCode: branchCode!,
    postcode: postcode!,
    kind: kind as 'individual',
    name: kind === 'institution' ? `上海第${i}资产管理有限公司` : `王${'一二三四五六七'[i]}`,
    contactPerson: '李娜',
  }),
}));

let rendered: RenderedDocument[];
let built: Batch[];

beforeAll(async () => {
  const renderer = await LetterRenderer.create({ sender: SENDER });
  rendered = inputs.map((input) => renderer.renderLetter(input));
  built = buildBatches(
    rendered.map((r, i) => ({
      visitId: r.visitId,
      branchCode: inputs[i]!.customer.branchCode,
      postcode: inputs[i]!.customer.postcode,
      pageCount: r.pageCount,
      document: r.document,
    })),
    { maxLettersPerBatch: 3 },
  );
});

const expectedOrder = (): string[] =>
  inputs
    .map((input) => input)
    .sort(
      (a, b) =>
        a.customer.branchCode.localeCompare(b.customer.branchCode) ||
        a.customer.postcode.localeCompare(b.customer.postcode) ||
        a.visit.visitId.localeCompare(b.visit.visitId),
    )
    .map((input) => input.visit.visitId);

describe('duplexSequence', () => {
  it('gives the record form a sheet of its own and every letter an even page count', () => {
    expect(duplexSequence(3, true)).toEqual([0, 1, 2, null]);
    expect(duplexSequence(2, true)).toEqual([0, null, 1, null]);
    expect(duplexSequence(4, true)).toEqual([0, 1, 2, null, 3, null]);
    expect(duplexSequence(1, true)).toEqual([0, null]);
    expect(duplexSequence(3, false)).toEqual([0, 1, 2, null]);
    expect(duplexSequence(2, false)).toEqual([0, 1]);
  });
});

describe('buildBatches', () => {
  it('orders letters by branch, then postcode, then visit id, at most N a file', () => {
    expect(built.map((b) => b.visitIds.length)).toEqual([3, 3, 1]);
    expect(built.flatMap((b) => b.visitIds)).toEqual(expectedOrder());
  });

  it('prints each letter on an even number of pages, the form on its own sheet, in the order listed', async () => {
    const byId = new Map<string, RenderedDocument>(rendered.map((r) => [r.visitId, r]));
    for (const batch of built) {
      const texts = await pageTexts(batch.bytes);
      expect(texts).toHaveLength(batch.pageCount);
      let at = 0;
      for (const visitId of batch.visitIds) {
        const doc = byId.get(visitId)!;
        const sequence = duplexSequence(doc.pageCount, true, true);
        expect(sequence.length % 2).toBe(0);
        const letterPages = doc.pageCount - 1; // the last page is the return envelope's face
        sequence.forEach((index, k) => {
          const text = texts[at + k]!;
          if (index === null) expect(text, `padding page after ${visitId}`).toBe('');
          else if (index === letterPages) expect(text, `${visitId} envelope`).toContain(`${visitId}回邮信封`);
          else expect(text, `${visitId} page ${index + 1}`).toContain(`${visitId}${index + 1}/${letterPages}`);
        });
        // The envelope face starts a sheet of its own, after the form's sheet.
        expect((at + sequence.indexOf(letterPages)) % 2).toBe(0);
        // The form starts a sheet: an odd page of the file (1-based).
        const formAt = at + sequence.indexOf(letterPages - 1);
        expect(formAt % 2).toBe(0);
        expect(texts[formAt]).toContain('客户回访记录表');
        at += sequence.length;
      }
      expect(at).toBe(batch.pageCount);
    }
  });

  it('padding pages are blank paper: no marks, no codes', async () => {
    const batch = built[0]!;
    const texts = await pageTexts(batch.bytes);
    const blank = texts.findIndex((t) => t === '') + 1;
    const [page] = await rasterizePdf(batch.bytes, { pages: [blank], dpi: 50 });
    expect(darkFraction(page!, rect(0, 0, A4.width, A4.height), 250)).toBe(0);
  });

  it('shares fonts across the letters of a file instead of repeating them', () => {
    const total = rendered.reduce((sum, r) => sum + r.bytes.length, 0);
    const batchTotal = built.reduce((sum, b) => sum + b.bytes.length, 0);
    expect(batchTotal).toBeLessThan(total * 0.8);
  });

  it('writes files qpdf accepts', (ctx) => {
    needTools(ctx, 'qpdf');
    built.forEach((batch, i) => {
      const path = join(dir, `batch-${i}.pdf`);
      writeFileSync(path, batch.bytes);
      expect(execFileSync('qpdf', ['--check', path], { encoding: 'utf8' })).toContain(
        'No syntax or stream encoding errors found',
      );
    });
  });

  it('refuses a batch size that is not a positive whole number', () => {
    expect(() => buildBatches([], { maxLettersPerBatch: 0 })).toThrow(
      'Expected a positive whole number for maxLettersPerBatch but received 0.',
    );
  });

  it('can batch plain PDF bytes too (pdf-lib), padding each letter to an even count', async () => {
    const fromPdfs = await buildBatchesFromPdfs(
      rendered.slice(0, 2).map((r, i) => ({
        visitId: r.visitId,
        branchCode: inputs[i]!.customer.branchCode,
        postcode: inputs[i]!.customer.postcode,
        pageCount: r.pageCount,
        bytes: r.bytes,
      })),
    );
    expect(fromPdfs).toHaveLength(1);
    const even = (n: number): number => n + (n % 2);
    expect(fromPdfs[0]!.pageCount).toBe(even(rendered[0]!.pageCount) + even(rendered[1]!.pageCount));
    expect((await pageTexts(fromPdfs[0]!.bytes)).join('')).toContain('客户回访记录表');
  });
});

describe('renderAll', () => {
  it('renders on worker threads the very same files as in this thread, and streams the batches', async () => {
    const seen = new Map<string, Uint8Array>();
    const streamed: Batch[] = [];
    const result = await renderAll(inputs, {
      sender: SENDER,
      workers: 2,
      chunkSize: 2,
      onRendered: (doc) => {
        seen.set(doc.visitId, doc.bytes);
      },
      batch: { maxLettersPerBatch: 3, onBatch: (batch) => void streamed.push(batch) },
    });
    expect(result.map((r) => r.visitId)).toEqual(inputs.map((i) => i.visit.visitId));
    for (const r of rendered)
      expect(Buffer.from(seen.get(r.visitId)!).equals(Buffer.from(r.bytes)), r.visitId).toBe(true);
    expect(streamed.map((b) => b.visitIds)).toEqual(built.map((b) => b.visitIds));
    streamed.forEach((b, i) => expect(Buffer.from(b.bytes).equals(Buffer.from(built[i]!.bytes))).toBe(true));
  });

  it('reports a document that cannot be rendered, from a worker thread, naming the visit', async () => {
    const bad = { visit: makeVisit(), customer: makeCustomer({ address: '很长的地址'.repeat(60) }) };
    await expect(renderAll([...inputs.slice(0, 3), bad], { sender: SENDER, workers: 2, chunkSize: 1 })).rejects.toThrow(
      bad.visit.visitId,
    );
  });
});
