/**
 * Interoperability of rendered letters with the tools a back office and its auditors use
 * (installed by .ci/run): qpdf finds the files sound, pdftotext returns the Chinese text,
 * and zbarimg decodes the QR codes of a page rasterised by pdftoppm at 150 dpi.
 * Where a tool is missing the test is skipped, naming it (test/tools.ts) — except in CI, where it fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePagePayload } from '../src/layout/qr-payload.ts';
import { LetterRenderer } from '../src/render/renderer.ts';
import { makeCustomer, makeVisit, SENDER } from './render-helpers.ts';
import { needTools } from './tools.ts';

describe('a rendered letter, read by other tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huifang-interop-'));
  const pdf = join(dir, 'letter.pdf');
  const visit = makeVisit({ category: 'key' });
  const customer = makeCustomer({ name: '上海青岚示例投资管理有限公司', kind: 'institution', contactPerson: '钱立群' });
  let pageCount = 0;

  beforeAll(async () => {
    const renderer = await LetterRenderer.create({ sender: SENDER });
    const letter = await renderer.letter({ visit, customer });
    pageCount = letter.pageCount;
    writeFileSync(pdf, letter.bytes);
  });

  it('passes qpdf --check', (ctx) => {
    needTools(ctx, 'qpdf');
    const r = spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('No syntax or stream encoding errors');
    expect(r.status).toBe(0);
  });

  it('gives its Chinese text to pdftotext', (ctx) => {
    needTools(ctx, 'pdftotext');
    const text = spawnSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, '');
    expect(text).toContain('客户回访函');
    expect(text).toContain('客户回访记录表');
    expect(text).toContain('上海青岚示例投资管理有限公司');
    expect(text).toContain(visit.visitId);
  });

  it('has QR codes that zbarimg decodes on every page rasterised by pdftoppm -r 150', (ctx) => {
    needTools(ctx, 'pdftoppm', 'zbarimg');
    expect(spawnSync('pdftoppm', ['-r', '150', '-png', pdf, join(dir, 'page')]).status).toBe(0);
    const pages = readdirSync(dir)
      .filter((f) => f.startsWith('page') && f.endsWith('.png'))
      .sort();
    expect(pages).toHaveLength(pageCount);
    pages.forEach((png, i) => {
      const r = spawnSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', join(dir, png)], {
        encoding: 'utf8',
      });
      const payloads = r.stdout.trim().split('\n').filter(Boolean);
      expect(payloads.length, `${png}: ${r.stderr}`).toBe(2);
      for (const text of payloads) {
        const decoded = decodePagePayload(text);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) {
          expect(decoded.payload.visitId).toBe(visit.visitId);
          // The last page is the return envelope's face: a document of its own, 1/1.
          const envelope = i + 1 === pageCount;
          expect(decoded.payload.kind).toBe(envelope ? 'envelope' : i + 2 === pageCount ? 'form' : 'letter');
          expect(decoded.payload.page).toBe(envelope ? 1 : i + 1);
          expect(decoded.payload.pageCount).toBe(envelope ? 1 : pageCount - 1);
        }
      }
    });
  });
});
