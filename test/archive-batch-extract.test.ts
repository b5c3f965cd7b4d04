/**
 * Batch scans in bundles: one received TIFF (CCITT G4) and one received PDF each hold the
 * pages of two letter visits of two branches. Each branch's bundle must carry only its own
 * visits' pages — as extracts whose page images are identical to the original's — name the
 * original in the visit's record, stay byte-identical across builds, and pass verify.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PDFDocument } from '@cantoo/pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles, type ArchiveOptions, type BuiltBundle } from '../src/archive/build.ts';
import type { ArchivedVisitRecord } from '../src/archive/record.ts';
import { verifyBundle } from '../src/archive/verify-bundle.ts';
import { questionsFor } from '../src/domain/questions.ts';
import type { DocumentKind } from '../src/domain/visit.ts';
import { validateVisit } from '../src/rules/validate.ts';
import { beginIngestFile, finishIngestFile } from '../src/store/ingest.ts';
import { movePage, type NewPage } from '../src/store/pages.ts';
import { documentsOf, insertVisit, upsertCustomer } from '../src/store/visits.ts';
import { recordVisitReview } from '../src/store/visit-reviews.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { openTestWorkspace } from './workspace-helpers.ts';
import { stampPdf } from '../src/stamp/stamp.ts';
import { customer, visitIdFor } from './archive-fixture.ts';
import { lacks } from './tools.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const DPI = 100;
const W = Math.round((210 * DPI) / 25.4);
const H = Math.round((297 * DPI) / 25.4);

/** A distinct page: bars and a disc whose places encode `n`, in black (or colour). */
function pageSvg(n: number, colour = '#000'): Buffer {
  const bars = Array.from(
    { length: 6 },
    (_, i) =>
      `<rect x="${60 + i * 110}" y="${80 + ((n * 37 + i * 53) % 300)}" width="${40 + ((n * 13 + i * 7) % 60)}" height="${120 + ((n * 29 + i) % 200)}" fill="${colour}"/>`,
  ).join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${bars}<circle cx="${150 + n * 40}" cy="${700 + (n % 5) * 60}" r="${50 + n * 3}" fill="${colour}"/></svg>`,
  );
}

/** Hash of a page image's pixels, grey (what a bilevel page is). */
async function greyHash(input: Buffer, page?: number): Promise<string> {
  const { data, info } = await sharp(input, page === undefined ? {} : { page, pages: 1 })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return `${info.width}x${info.height}:${sha(data)}`;
}

/**
 * One hash per image of a PDF, in page order: JPEG images by their bytes as stored (pdfimages
 * -all writes them unchanged), the others by their decoded grey pixels.
 */
async function pdfImageHashes(pdf: string, dir: string): Promise<string[]> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('pdfimages', ['-all', pdf, join(dir, 'img')]);
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const bytes = readFileSync(join(dir, f));
    out.push(f.endsWith('.jpg') ? `jpeg:${sha(bytes)}` : await greyHash(bytes));
  }
  return out;
}

function passingAnswers(): Record<string, string> {
  return Object.fromEntries(
    questionsFor('new-account')
      .filter((q) => q.type === 'choice' || (q.type === 'yes-no' && !q.askedWhen))
      .map((q) => [q.id, q.type === 'choice' ? 'satisfied' : (q.pass ?? 'no')]),
  );
}

const FORM_READING = {
  answers: passingAnswers(),
  checks: {
    customerSignature: { present: true, score: 0.95 },
    handlerSignature: { present: false, score: 0.02 },
    seal: { present: false, score: 0.01, red: null },
  },
};

/** Records a stored file and its pages as ingest does (pages → received documents with meta.pages). */
function recordIngest(
  ws: Workspace,
  bytes: Buffer,
  fileName: string,
  pages: { visitId: string; kind: DocumentKind; reading?: boolean }[],
): string {
  const { sha256, size } = ws.files.putBytes(bytes);
  beginIngestFile(ws.register, {
    sha256,
    size,
    fileName,
    sourcePath: `/scans/${fileName}`,
    handler: 'scan',
    actor: 'clerk',
  });
  const newPages: NewPage[] = pages.map((p, i) => ({
    page: i + 1,
    visitId: p.visitId,
    kind: p.kind,
    assignedBy: 'qr',
    reading: p.reading ? FORM_READING : {},
  }));
  finishIngestFile(ws.register, { sha256, actor: 'clerk', pageCount: pages.length, pages: newPages, reviewItems: [] });
  return sha256;
}

describe.skipIf(lacks('convert', 'pdfimages', 'unzip'))(
  'batch scans holding pages of several visits and branches',
  () => {
    let dir: string;
    let ws: Workspace;
    const A1 = visitIdFor(101); // branch 3101, pages in the TIFF batch
    const B1 = visitIdFor(102); // branch 3102, pages in the TIFF batch
    const A2 = visitIdFor(103); // branch 3101, pages in the PDF batch
    const B2 = visitIdFor(104); // branch 3102, pages in the PDF batch
    const A3 = visitIdFor(105); // branch 3101, a file of its own
    let tiff: Buffer;
    let pdf: Buffer;
    let own: Buffer;
    let tiffSha: string;
    let pdfSha: string;
    let ownSha: string;
    /** Hash of each page of each original, by visit (in scan order). */
    const pagesOf = new Map<string, string[]>();
    let opts: (branch: string, out: string, extra?: Partial<ArchiveOptions>) => ArchiveOptions;
    const built = new Map<string, BuiltBundle>();

    beforeAll(async () => {
      process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
      dir = mkdtempSync(join(tmpdir(), 'huifang-batch-'));
      ws = openTestWorkspace(join(dir, 'ws'));
      for (const [visitId, n, branch] of [
        [A1, 1, '3101'],
        [B1, 2, '3102'],
        [A2, 3, '3101'],
        [B2, 4, '3102'],
        [A3, 5, '3101'],
      ] as const) {
        const c = {
          ...customer(`${branch}0000010${n}`, 'individual', branch),
          branchName: branch === '3101' ? '上海浦东南路证券营业部' : '北京金融街证券营业部',
        };
        upsertCustomer(ws.register, c);
        insertVisit(
          ws.register,
          {
            visitId,
            customerId: c.customerId,
            category: 'new-account',
            channel: 'letter',
            visitor: '李四',
            reviewer: '王五',
            createdOn: '2026-05-12',
            dueOn: '2026-06-11',
            result: 'pending',
          },
          'clerk',
        );
      }
      const work = join(dir, 'pages');
      mkdirSync(work);
      // TIFF batch (CCITT G4): A1's form is two sheets with one of B1's between them.
      const tiffPlan: { visitId: string; kind: DocumentKind; reading?: boolean }[] = [
        { visitId: A1, kind: 'form', reading: true },
        { visitId: B1, kind: 'form', reading: true },
        { visitId: A1, kind: 'form' },
        { visitId: A1, kind: 'envelope' },
        { visitId: B1, kind: 'envelope' },
        { visitId: B1, kind: 'postal-receipt' },
        { visitId: A1, kind: 'postal-receipt' },
      ];
      const pngs = await Promise.all(
        tiffPlan.map(async (_, i) => {
          const p = join(work, `t${i + 1}.png`);
          await sharp(pageSvg(i + 1))
            .greyscale()
            .withMetadata({ density: DPI })
            .png()
            .toFile(p);
          return p;
        }),
      );
      execFileSync('convert', [
        ...pngs,
        '-threshold',
        '50%',
        '-compress',
        'Group4',
        '-units',
        'PixelsPerInch',
        '-density',
        String(DPI),
        join(work, 'batch.tif'),
      ]);
      tiff = readFileSync(join(work, 'batch.tif'));
      tiffSha = recordIngest(ws, tiff, 'batch 0612.tif', tiffPlan);
      for (let i = 0; i < tiffPlan.length; i++) {
        const v = tiffPlan[i]!.visitId;
        pagesOf.set(v, [...(pagesOf.get(v) ?? []), await greyHash(tiff, i)]);
      }
      // PDF batch: one colour JPEG a page, as scanners write them.
      const pdfPlan: { visitId: string; kind: DocumentKind; reading?: boolean }[] = [
        { visitId: A2, kind: 'form', reading: true },
        { visitId: A2, kind: 'envelope' },
        { visitId: A2, kind: 'postal-receipt' },
        { visitId: B2, kind: 'form', reading: true },
        { visitId: B2, kind: 'envelope' },
        { visitId: B2, kind: 'postal-receipt' },
      ];
      const doc = await PDFDocument.create();
      for (let i = 0; i < pdfPlan.length; i++) {
        const jpg = await doc.embedJpg(
          await sharp(pageSvg(20 + i, '#1a3a9a'))
            .jpeg({ quality: 80 })
            .toBuffer(),
        );
        doc.addPage([595.28, 841.89]).drawImage(jpg, { x: 0, y: 0, width: 595.28, height: 841.89 });
      }
      pdf = Buffer.from(await doc.save());
      pdfSha = recordIngest(ws, pdf, 'stack-0613.pdf', pdfPlan);
      writeFileSync(join(work, 'stack.pdf'), pdf);
      const pdfHashes = await pdfImageHashes(join(work, 'stack.pdf'), join(work, 'stack-img'));
      pdfPlan.forEach((p, i) => pagesOf.set(p.visitId, [...(pagesOf.get(p.visitId) ?? []), pdfHashes[i]!]));
      // A3's own scan: every page is A3's, so it is archived as it is.
      const ownPngs = await Promise.all(
        [40, 41, 42].map(async (n) => {
          const p = join(work, `o${n}.png`);
          await sharp(pageSvg(n)).greyscale().png().toFile(p);
          return p;
        }),
      );
      execFileSync('convert', [
        ...ownPngs,
        '-threshold',
        '50%',
        '-compress',
        'Group4',
        '-units',
        'PixelsPerInch',
        '-density',
        String(DPI),
        join(work, 'own.tif'),
      ]);
      own = readFileSync(join(work, 'own.tif'));
      ownSha = recordIngest(ws, own, 'a3.tif', [
        { visitId: A3, kind: 'form', reading: true },
        { visitId: A3, kind: 'envelope' },
        { visitId: A3, kind: 'postal-receipt' },
      ]);
      for (let i = 0; i < 3; i++) pagesOf.set(A3, [...(pagesOf.get(A3) ?? []), await greyHash(own, i)]);

      // 复核: a reviewer other than the visitor approves each visit once its pages are in.
      for (const v of [A1, B1, A2, B2, A3])
        recordVisitReview(ws.register, v, 'approve', 'form, envelope and receipt checked', '王五');
      opts = (branch, out, extra = {}) => ({
        branch,
        period: '2026-05',
        outDir: join(dir, out),
        validate: (id) => validateVisit(ws, id, { hashes: 'none' }),
        stamp: async (bytes, meta) => (await stampPdf(bytes, meta)).pdf,
        ...extra,
      });
      for (const branch of ['3101', '3102']) {
        const r = await buildBundles(ws, opts(branch, 'out'));
        expect(r.refused).toEqual([]);
        expect(r.bundles).toHaveLength(1);
        built.set(branch, r.bundles[0]!);
      }
    }, 120_000);
    afterAll(() => ws?.close());

    /** Unzips a bundle; returns its folder's data/ path and every payload file (relative to data/). */
    function unpack(b: BuiltBundle, where: string): { data: string; files: string[] } {
      const to = join(dir, where);
      rmSync(to, { recursive: true, force: true });
      execFileSync('unzip', ['-q', b.path, '-d', to]);
      const data = join(to, b.bundleId, 'data');
      const files: string[] = [];
      const walk = (d: string, rel: string) => {
        for (const e of readdirSync(d).sort()) {
          if (statSync(join(d, e)).isDirectory()) walk(join(d, e), `${rel}${e}/`);
          else files.push(`${rel}${e}`);
        }
      };
      walk(data, '');
      return { data, files };
    }

    /** Hashes of every page image in a bundle's scans (PDFs, stamped copies included, and TIFFs). */
    async function pageHashesIn(b: BuiltBundle, where: string): Promise<Map<string, string[]>> {
      const { data, files } = unpack(b, where);
      const out = new Map<string, string[]>();
      let k = 0;
      for (const f of files) {
        const full = join(data, f);
        if (f.endsWith('.pdf')) out.set(f, await pdfImageHashes(full, join(dir, `${where}-img-${k++}`)));
        else if (/\.tiff?$/.test(f)) {
          const pages = (await sharp(full).metadata()).pages ?? 1;
          const hs: string[] = [];
          for (let i = 0; i < pages; i++) hs.push(await greyHash(readFileSync(full), i));
          out.set(f, hs);
        }
      }
      return out;
    }

    it("keeps every other visit's pages out of each branch's bundle", async () => {
      for (const [branch, mine, theirs] of [
        ['3101', [A1, A2, A3], [B1, B2]],
        ['3102', [B1, B2], [A1, A2, A3]],
      ] as const) {
        const b = built.get(branch)!;
        const found = await pageHashesIn(b, `u${branch}`);
        const all = new Set([...found.values()].flat());
        const mineSet = new Set(mine.flatMap((v) => pagesOf.get(v)!));
        const theirsSet = new Set(theirs.flatMap((v) => pagesOf.get(v)!));
        for (const h of all) {
          expect(theirsSet.has(h), `bundle ${branch} holds a page of another branch's visit`).toBe(false);
          expect(mineSet.has(h)).toBe(true);
        }
        for (const h of mineSet) expect(all.has(h)).toBe(true); // every page of its own visits is there
        const manifest = execFileSync('unzip', ['-p', b.path, `${b.bundleId}/manifest-sha256.txt`]).toString('utf8');
        expect(manifest).not.toContain(tiffSha);
        expect(manifest).not.toContain(pdfSha);
        // and page counts: A1's extracts hold 2 + 1 + 1 pages, B1's 1 + 1 + 1
        const counts = [...found.entries()]
          .filter(([f]) => f.includes('/received/') && f.includes('batch_0612'))
          .map(([f, h]) => [f.split('/').pop(), h.length]);
        expect(counts).toEqual(
          branch === '3101'
            ? [
                ['envelope-batch_0612.pages-4.pdf', 1],
                ['form-batch_0612.pages-1_3.pdf', 2],
                ['postal-receipt-batch_0612.pages-7.pdf', 1],
              ]
            : [
                ['envelope-batch_0612.pages-5.pdf', 1],
                ['form-batch_0612.pages-2.pdf', 1],
                ['postal-receipt-batch_0612.pages-6.pdf', 1],
              ],
        );
      }
    }, 60_000);

    it("extracts hold the original's pages pixel for pixel, in scan order, bilevel pages as 1-bit", async () => {
      const { data } = unpack(built.get('3101')!, 'px');
      const form = join(data, A1, 'received', 'form-batch_0612.pages-1_3.pdf');
      expect(await pdfImageHashes(form, join(dir, 'px-form'))).toEqual([
        await greyHash(tiff, 0),
        await greyHash(tiff, 2),
      ]);
      expect(execFileSync('pdfimages', ['-list', form]).toString('utf8')).toMatch(/gray\s+1\s+1\s/);
      const pdfForm = join(data, A2, 'received', 'form-stack-0613.pages-1.pdf');
      expect(await pdfImageHashes(pdfForm, join(dir, 'px-pdf'))).toEqual([pagesOf.get(A2)![0]]);
      // A3's own file is archived byte for byte
      expect(sha(readFileSync(join(data, A3, 'received', 'form-a3.tif')))).toBe(ownSha);
      // the extracts' pages keep the scan's physical size (A4 at 100 dpi)
      const info = execFileSync('pdfinfo', [form]).toString('utf8');
      expect(info).toMatch(/Pages:\s+2/);
      expect(info).toMatch(/Page size:\s+595\.\d+ x 841\.\d+ pts/);
    }, 60_000);

    it('names the original in the record and the index, and counts the extract as the form', () => {
      const b = built.get('3101')!;
      const record = JSON.parse(
        execFileSync('unzip', ['-p', b.path, `${b.bundleId}/data/${A1}/record.json`]).toString('utf8'),
      ) as ArchivedVisitRecord;
      const form = record.files.find((f) => f.kind === 'form' && f.role === 'derived')!;
      expect(form.role).toBe('derived');
      expect(form.path).toBe(`${A1}/received/form-batch_0612.pages-1_3.pdf`);
      expect(form.extractOf).toEqual({
        sha256: tiffSha,
        originalName: 'batch 0612.tif',
        size: tiff.length,
        pageCount: 7,
        pages: [1, 3],
      });
      expect(form.meta).toMatchObject({ extractOf: tiffSha, pages: [1, 3] });
      expect(form.sourceSha256).toBe(tiffSha);
      expect(record.files.some((f) => f.sha256 === tiffSha)).toBe(false);
      expect(record.evidence.documents.some((d) => d.sha256 === tiffSha)).toBe(false);
      expect(
        record.evidence.documents.filter((d) => d.kind === 'form' && d.role !== 'stamped').map((d) => d.sha256),
      ).toEqual([form.sha256]);
      // the extract is what gets stamped, never the whole batch
      expect(
        record.files
          .filter((f) => f.role === 'stamped')
          .map((f) => f.sourceSha256)
          .sort(),
      ).toEqual(
        record.files
          .filter((f) => f.extractOf)
          .map((f) => f.sha256)
          .sort(),
      );
      expect(record.valid).toBe(true);
      const index = JSON.parse(execFileSync('unzip', ['-p', b.path, `${b.bundleId}/data/index.json`]).toString('utf8'));
      const entry = index.visits
        .find((v: { visitId: string }) => v.visitId === A1)
        .files.find((f: { kind: string }) => f.kind === 'form');
      expect(entry.extractOf.sha256).toBe(tiffSha);
      const csv = execFileSync('unzip', ['-p', b.path, `${b.bundleId}/data/index.csv`]).toString('utf8');
      expect(csv).toContain(`pages 1, 3 of 7 of batch 0612.tif (SHA-256 ${tiffSha}`);
      const html = execFileSync('unzip', ['-p', b.path, `${b.bundleId}/data/index.html`]).toString('utf8');
      expect(html).toContain(tiffSha);
    });

    it('verify passes on both bundles', async () => {
      for (const b of built.values()) {
        const report = await verifyBundle(b.path);
        expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
        expect(report.ok).toBe(true);
      }
    }, 60_000);

    it('builds byte-identical bundles again, reusing the extracts', async () => {
      const before = documentsOf(ws.register, A1)
        .filter((d) => d.role === 'derived')
        .map((d) => d.documentId);
      expect(before).toHaveLength(3);
      for (const branch of ['3101', '3102']) {
        const again = await buildBundles(ws, opts(branch, 'again'));
        expect(readFileSync(again.bundles[0]!.path).equals(readFileSync(built.get(branch)!.path))).toBe(true);
      }
      expect(
        documentsOf(ws.register, A1)
          .filter((d) => d.role === 'derived')
          .map((d) => d.documentId),
      ).toEqual(before);
    }, 60_000);

    it('a page moved to another visit leaves the old extract out of both the register and the bundle', async () => {
      // page 3 (A1's second form sheet) turns out to be B1's
      movePage(ws.register, { sha256: tiffSha, page: 3, visitId: B1, kind: 'attachment', actor: 'clerk' });
      const a = (await buildBundles(ws, opts('3101', 'moved'))).bundles[0]!;
      const b = (await buildBundles(ws, opts('3102', 'moved'))).bundles[0]!;
      const page3 = await greyHash(tiff, 2);
      expect([...(await pageHashesIn(a, 'mv-a')).values()].flat()).not.toContain(page3);
      expect([...(await pageHashesIn(b, 'mv-b')).values()].flat()).toContain(page3);
      const forms = documentsOf(ws.register, A1).filter((d) => d.role === 'derived' && d.kind === 'form');
      expect(forms.map((d) => d.meta.pages)).toEqual([[1]]);
      expect((await verifyBundle(a.path)).ok).toBe(true);
      expect((await verifyBundle(b.path)).ok).toBe(true);
    }, 90_000);
  },
);
