/**
 * Shared by the ingest and review tests: a workspace with customers and visits in its
 * register (as `letters` would leave it), scanned pages made from the form geometry and
 * degraded like real scans (test/scan-synthetic.ts), and the file formats scanners write
 * (JPEG, PNG, multi-page and CCITT G4 TIFF, image-only PDF, PDF with more than an image).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { PDFDocument, rgb } from '@cantoo/pdf-lib';
import type { CustomerKind } from '../src/domain/customer.ts';
import { newVisitId, type VisitId } from '../src/domain/visit-id.ts';
import type { VisitCategory, VisitChannel } from '../src/domain/visit.ts';
import { insertVisit, upsertCustomer } from '../src/store/visits.ts';
import { importStaff } from '../src/store/rules.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { openTestWorkspace } from './workspace-helpers.ts';
import { encodeImagePdf, encodeMultiPageTiff, type Compression } from '../src/simulate/encode.ts';
import { syntheticScan, type Degradation, type SyntheticFill } from './scan-synthetic.ts';
import { COMPLIANT_NEW_ACCOUNT } from './answer-fixtures.ts';

export const BIN = join(import.meta.dirname, '..', 'bin', 'huifang');

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `huifang-${label}-`));
}

export interface SeedVisit {
  category?: VisitCategory;
  channel?: VisitChannel;
  customerKind?: CustomerKind;
  visitor?: string;
  /** A given visit id (to register the same visits in two workspaces). */
  visitId?: string;
}

/** Opens a new workspace and registers one customer and visit per entry. */
/** The people who act in the ingest tests: clerks ingest and move pages, a reviewer reviews. */
export const INGEST_ROSTER = [
  { staffId: 'li.visitor', name: '李访', role: '回访专员', isMarketing: false },
  { staffId: 'clerk.test', name: '测试经办', role: '经办人', isMarketing: false },
  { staffId: 'zhao.clerk', name: '赵经办', role: '经办人', isMarketing: false },
  { staffId: 'wang.reviewer', name: '王审', role: '复核人员', isMarketing: false },
];

export function seedWorkspace(dir: string, visits: SeedVisit[]): { ws: Workspace; visitIds: string[] } {
  const ws = openTestWorkspace(dir);
  importStaff(ws.register, INGEST_ROSTER, 'test', 'roster');
  const visitIds: string[] = [];
  visits.forEach((v, i) => {
    const customerId = `31010000${String(i + 1).padStart(4, '0')}`;
    upsertCustomer(ws.register, {
      customerId,
      name: v.customerKind === 'institution' ? `上海测试投资有限公司${i + 1}` : `张测试${i + 1}`,
      kind: v.customerKind ?? 'individual',
      branchCode: '3101',
      branchName: '上海浦东南路证券营业部',
      address: '上海市浦东新区浦东南路100号',
      postcode: '200120',
      phone: '13800138000',
      email: `c${i + 1}@example.com`,
      openedOn: '2026-10-20',
    });
    const visitId = (v.visitId as VisitId | undefined) ?? newVisitId();
    insertVisit(
      ws.register,
      {
        visitId,
        customerId,
        category: v.category ?? 'new-account',
        channel: v.channel ?? 'letter',
        visitor: v.visitor ?? 'li.visitor',
        createdOn: '2026-11-01',
        dueOn: '2026-11-20',
        result: 'pending',
      },
      'test',
    );
    visitIds.push(visitId);
  });
  return { ws, visitIds };
}

/** A well-filled new-account form: every question answered, customer signed. */
export const GOOD_FILL: SyntheticFill = {
  ticks: { ...COMPLIANT_NEW_ACCOUNT },
  customerSignature: true,
};

/** A scanned record form of a visit (PNG, or JPEG with `d.jpeg`). */
export function formScan(
  visitId: string,
  fill: SyntheticFill = GOOD_FILL,
  d: Degradation = {},
  category: VisitCategory = 'new-account',
): Promise<Buffer> {
  return syntheticScan({ visitId, category, kind: 'form', fill }, { dpi: 150, ...d });
}

/** A page without a QR code: an envelope or a postal receipt laid on the scanner glass. */
export async function attachmentScan(label: 'envelope' | 'receipt', dpi = 150): Promise<Buffer> {
  const W = Math.round((210 * dpi) / 25.4);
  const H = Math.round((297 * dpi) / 25.4);
  const mm = (x: number) => Math.round((x * dpi) / 25.4);
  const body =
    label === 'envelope'
      ? `<rect x="${mm(10)}" y="${mm(20)}" width="${mm(190)}" height="${mm(95)}" fill="#f3ead8" stroke="#555" stroke-width="2"/>
         <rect x="${mm(165)}" y="${mm(28)}" width="${mm(25)}" height="${mm(30)}" fill="#4a7" />
         <circle cx="${mm(150)}" cy="${mm(45)}" r="${mm(12)}" fill="none" stroke="#333" stroke-width="3"/>
         ${Array.from({ length: 4 }, (_, i) => `<rect x="${mm(30)}" y="${mm(60 + i * 9)}" width="${mm(90 - i * 12)}" height="${mm(4)}" fill="#222"/>`).join('')}`
      : `<rect x="${mm(30)}" y="${mm(30)}" width="${mm(120)}" height="${mm(80)}" fill="#fff8f0" stroke="#a33" stroke-width="2"/>
         ${Array.from({ length: 6 }, (_, i) => `<rect x="${mm(38)}" y="${mm(42 + i * 10)}" width="${mm(70 + (i % 3) * 10)}" height="${mm(3.5)}" fill="#333"/>`).join('')}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).withMetadata({ density: dpi }).png().toBuffer();
}

async function raw(image: Buffer, grey: boolean) {
  const s = grey ? sharp(image).greyscale() : sharp(image).removeAlpha().toColourspace('srgb');
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: (info.channels === 1 ? 1 : 3) as 1 | 3, data };
}

/** A multi-page TIFF as an office scanner writes it (LZW colour, JPEG, or CCITT G4 black-and-white). */
export async function tiffOf(pages: Buffer[], compression: Compression = 'lzw', dpi = 150): Promise<Buffer> {
  const encoded = [];
  for (const p of pages) {
    const bw = compression === 'ccitt-g4';
    let image = await raw(p, bw);
    if (bw) image = { ...image, data: Buffer.from(image.data.map((v) => (v < 160 ? 0 : 255))) };
    encoded.push({ image, dpi, compression, quality: compression === 'jpeg' ? 80 : null });
  }
  return Buffer.from(await encodeMultiPageTiff(encoded));
}

/** An image-only PDF, one JPEG a page, as scanners write them. */
export async function imagePdfOf(pages: Buffer[], dpi = 150): Promise<Buffer> {
  const encoded = [];
  for (const p of pages) encoded.push({ image: await raw(p, false), dpi, compression: 'jpeg' as const, quality: 85 });
  return Buffer.from(await encodeImagePdf(encoded));
}

/** A PDF whose pages are an image plus drawn text and lines (not a single image: rasterized when read). */
export async function mixedPdfOf(pages: Buffer[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (const p of pages) {
    const page = doc.addPage([595.28, 841.89]);
    const png = await doc.embedPng(await sharp(p).png().toBuffer());
    page.drawImage(png, { x: 0, y: 0, width: 595.28, height: 841.89 });
    page.drawLine({ start: { x: 200, y: 420 }, end: { x: 400, y: 420 }, thickness: 0.5, color: rgb(0.6, 0.6, 0.6) });
    page.drawText('scanned 2026-11-28', { x: 200, y: 20, size: 6, color: rgb(0.5, 0.5, 0.5) });
  }
  return Buffer.from(await doc.save());
}

/** Runs the CLI; returns exit code, stdout and stderr. */
export function huifang(
  args: string[],
  env: Record<string, string> = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, HUIFANG_USER: 'clerk.test', ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command in this process (faster than spawning the binary); same result shape as `huifang`. */
export async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { main } = await import('../src/cli/main.ts');
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (t: string) => void out.push(t.endsWith('\n') ? t : t + '\n'),
    err: (t: string) => void err.push(t.endsWith('\n') ? t : t + '\n'),
    interactive: false,
  };
  const status = await main(args, io);
  return { status, stdout: out.join(''), stderr: err.join('') };
}
