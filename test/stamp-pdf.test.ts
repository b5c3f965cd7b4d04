import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFRawStream } from '@cantoo/pdf-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { FOOTER_BAND } from '../src/layout/page.ts';
import { parseEml } from '../src/mail/parse.ts';
import { renderEmailPrintout } from '../src/mail/printout-pdf.ts';
import { rasterizePdf, type RasterPage } from '../src/formats/rasterize.ts';
import { stampVisitDocument } from '../src/stamp/stamp-document.ts';
import { stampPdf, StampError, type StampOptions } from '../src/stamp/stamp.ts';
import { readHuifangXmp } from '../src/stamp/xmp.ts';
import { sha256Of } from '../src/store/files.ts';
import { addDocument, documentsOf } from '../src/store/visits.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { addVisit, customer, tempWorkspace, textPdf } from './rules-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-stamp-'));
const has = (tool: string) => spawnSync(tool, ['--version']).error === undefined;
const QPDF = has('qpdf');
const PDFINFO = spawnSync('pdfinfo', ['-v']).error === undefined;

function tmp(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const OPTIONS: StampOptions = {
  visitId: 'HF-7K3M9-Q2T4X',
  customerId: '310100018014',
  kind: 'email-printout',
  sourceSha256: 'ab'.repeat(32),
  archiveRef: '3101-2026-11/HF-7K3M9-Q2T4X/02',
  date: '2026-12-01T00:00:00Z',
};

async function printout(): Promise<Uint8Array> {
  const bytes = readFileSync(join(import.meta.dirname, '..', 'samples', 'emails', '01-gbk-zhao-wenbo.eml'));
  return renderEmailPrintout(await parseEml(bytes, 'a.eml'), {
    visitId: OPTIONS.visitId,
    sourceSha256: sha256Of(bytes),
  }).pdf;
}

const dark = (r: RasterPage, i: number) => r.data[i]! < 160 || r.data[i + 1]! < 160 || r.data[i + 2]! < 160;

/** Pixels that were ink before stamping and are different after (covered content). */
function coveredInk(before: RasterPage, after: RasterPage): number {
  let n = 0;
  for (let i = 0; i < before.data.length; i += 4) {
    if (dark(before, i) && Math.abs(before.data[i]! - after.data[i]!) > 40) n++;
  }
  return n;
}
/** Pixels that became ink in a band (mm from the top). */
function newInk(before: RasterPage, after: RasterPage, fromMm: number, toMm: number): number {
  const px = before.dpi / 25.4;
  let n = 0;
  for (let y = Math.floor(fromMm * px); y < Math.min(before.height, Math.ceil(toMm * px)); y++) {
    for (let x = 0; x < before.width; x++) {
      const i = (y * before.width + x) * 4;
      if (!dark(before, i) && dark(after, i)) n++;
    }
  }
  return n;
}

describe('stamping PDFs for the archive', () => {
  it('writes the Info keys pdfinfo shows, and XMP that pdfinfo -meta and an XMP reader find; qpdf --check passes', async () => {
    const src = await printout();
    const { pdf } = await stampPdf(src, OPTIONS);
    const path = tmp('stamped.pdf', pdf);
    if (QPDF)
      expect(execFileSync('qpdf', ['--check', path]).toString()).toContain('No syntax or stream encoding errors found');
    if (PDFINFO) {
      const info = execFileSync('pdfinfo', ['-custom', path]).toString('utf8');
      expect(info).toMatch(/HuifangVisitId:\s*HF-7K3M9-Q2T4X/);
      expect(info).toMatch(/HuifangCustomerId:\s*310100018014/);
      expect(info).toMatch(/HuifangDocumentKind:\s*email-printout/);
      expect(info).toMatch(new RegExp(`HuifangSourceSha256:\\s*${'ab'.repeat(32)}`));
      expect(info).toMatch(/HuifangArchiveRef:\s*3101-2026-11\/HF-7K3M9-Q2T4X\/02/);
      expect(info).toMatch(/Title:\s*email-printout HF-7K3M9-Q2T4X/);
      expect(info).toMatch(/Subject:\s*回访 HF-7K3M9-Q2T4X 客户 310100018014/);
      expect(info).toMatch(/Keywords:\s*huifang; HF-7K3M9-Q2T4X/);
      const meta = execFileSync('pdfinfo', ['-meta', path]).toString('utf8');
      expect(readHuifangXmp(meta)).toEqual({
        VisitId: 'HF-7K3M9-Q2T4X',
        CustomerId: '310100018014',
        DocumentKind: 'email-printout',
        SourceSha256: 'ab'.repeat(32),
        ArchiveRef: '3101-2026-11/HF-7K3M9-Q2T4X/02',
      });
      expect(meta).toContain('<dc:identifier>3101-2026-11/HF-7K3M9-Q2T4X/02</dc:identifier>');
      expect(meta).toContain('<xmp:ModifyDate>2026-12-01T00:00:00.000Z</xmp:ModifyDate>');
    }
    if (has('exiftool')) {
      const x = execFileSync('exiftool', ['-XMP-huifang:all', '-s', path]).toString();
      expect(x).toContain('HF-7K3M9-Q2T4X');
    }
    // Independently of the tools: the catalog's /Metadata stream is XMP with the huifang namespace.
    const doc = await PDFDocument.load(pdf);
    const stream = doc.context.lookup(doc.catalog.get(PDFName.of('Metadata'))) as PDFRawStream;
    expect(stream.dict.get(PDFName.of('Subtype'))).toEqual(PDFName.of('XML'));
    const xml = Buffer.from(stream.contents).toString('utf8');
    expect(xml).toMatch(/^<\?xpacket begin="\uFEFF"/);
    expect(readHuifangXmp(xml).VisitId).toBe('HF-7K3M9-Q2T4X');
  });

  it('is deterministic and never modifies its input', async () => {
    const src = await printout();
    const copy = Buffer.from(src);
    const a = await stampPdf(src, OPTIONS);
    const b = await stampPdf(src, OPTIONS);
    expect(Buffer.from(a.pdf).equals(Buffer.from(b.pdf))).toBe(true);
    expect(Buffer.from(src).equals(copy)).toBe(true);
    const other = await stampPdf(src, { ...OPTIONS, archiveRef: '3101-2026-11/HF-7K3M9-Q2T4X/03' });
    expect(Buffer.from(other.pdf).equals(Buffer.from(a.pdf))).toBe(false);
  });

  it('huifang pages: the footer goes in FOOTER_BAND, reads back, and covers nothing', async () => {
    const src = await printout();
    const { pdf, footers } = await stampPdf(src, OPTIONS);
    expect(footers).toEqual([{ page: 1, placement: 'footer-band' }]);
    const [before] = await rasterizePdf(src, { dpi: 100 });
    const [after] = await rasterizePdf(pdf, { dpi: 100 });
    expect(coveredInk(before!, after!)).toBe(0);
    expect(newInk(before!, after!, FOOTER_BAND.y, FOOTER_BAND.y + FOOTER_BAND.height)).toBeGreaterThan(100);
    expect(newInk(before!, after!, 0, FOOTER_BAND.y)).toBe(0);
    if (PDFINFO) {
      const text = execFileSync('pdftotext', [tmp('band.pdf', pdf), '-']).toString();
      expect(text).toContain('Archive 3101-2026-11/HF-7K3M9-Q2T4X/02 Page 1/1');
    }
  });

  it("foreign pages (a mail client's printout): the footer goes only where the lowest 8 mm are blank", async () => {
    const src = textPdf(['发件人： 赵文博 <zhao.wenbo1@example.cn>', '主题： 回复']);
    const { pdf, footers } = await stampPdf(src, { ...OPTIONS, kind: 'email-printout' });
    expect(footers).toEqual([{ page: 1, placement: 'bottom-margin' }]);
    const [before] = await rasterizePdf(src, { dpi: 100 });
    const [after] = await rasterizePdf(pdf, { dpi: 100 });
    expect(coveredInk(before!, after!)).toBe(0);
    const heightMm = (before!.height * 25.4) / before!.dpi;
    expect(newInk(before!, after!, heightMm - 8, heightMm)).toBeGreaterThan(20);
    expect(newInk(before!, after!, 0, heightMm - 8)).toBe(0);
  });

  it('a foreign page with content in both margins gets no footer rather than a covered line', async () => {
    const src = textPdf(['发件人： a@example.com', '主题： x'], { bottomLine: '页脚内容，不可覆盖' });
    const { pdf, footers, footerSkipped } = await stampPdf(src, OPTIONS);
    expect(footers).toEqual([{ page: 1, placement: 'none' }]);
    expect(footerSkipped).toEqual([1]);
    const [before] = await rasterizePdf(src, { dpi: 100 });
    const [after] = await rasterizePdf(pdf, { dpi: 100 });
    expect(coveredInk(before!, after!)).toBe(0);
    if (PDFINFO)
      expect(execFileSync('pdfinfo', ['-custom', tmp('skipped.pdf', pdf)]).toString()).toContain('HuifangVisitId');
  });

  it('refuses what it cannot stamp, with the file named', async () => {
    await expect(stampPdf(Buffer.from('not a pdf'), { ...OPTIONS, fileName: 'junk.pdf' })).rejects.toThrow(StampError);
    await expect(stampPdf(Buffer.from('not a pdf'), { ...OPTIONS, fileName: 'junk.pdf' })).rejects.toThrow(
      /^junk\.pdf: /,
    );
    await expect(stampPdf(await printout(), { ...OPTIONS, archiveRef: '档案/1' })).rejects.toThrow(
      'Expected printable ASCII for archiveRef',
    );
  });
});

describe('stamping a visit document keeps the original beside the stamped copy', () => {
  let ws: Workspace;
  afterEach(() => ws?.close());
  it('stores a new stamped document naming its source; the original is untouched', async () => {
    ws = tempWorkspace('huifang-stamp-ws-');
    const visit = addVisit(ws, customer());
    const src = await printout();
    const stored = ws.files.putBytes(src);
    const id = addDocument(ws.register, {
      visitId: visit.visitId,
      kind: 'email-printout',
      role: 'derived',
      sha256: stored.sha256,
      size: stored.size,
      fileName: 'a.printout.pdf',
    });
    const s = await stampVisitDocument(ws, id, { archiveRef: '3101-2026-11/x/01', date: '2026-12-01T00:00:00Z' });
    const docs = documentsOf(ws.register, visit.visitId);
    expect(docs.map((d) => [d.kind, d.role])).toEqual([
      ['email-printout', 'derived'],
      ['email-printout', 'stamped'],
    ]);
    expect(docs[1]).toMatchObject({
      sourceSha256: stored.sha256,
      fileName: 'a.printout.stamped.pdf',
      sha256: s.sha256,
    });
    expect(ws.files.read(stored.sha256).equals(Buffer.from(src))).toBe(true);
    const again = await stampVisitDocument(ws, id, { archiveRef: '3101-2026-11/x/01', date: '2026-12-01T00:00:00Z' });
    expect(again.documentId).toBe(s.documentId);
  });
});
