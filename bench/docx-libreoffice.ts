/**
 * The usual alternative to huifang's own PDF letters: render each letter as DOCX with
 * docxtemplater, then convert it to PDF with LibreOffice headless. Measured two ways:
 * one `soffice --convert-to pdf` process converting a whole folder, and one process per
 * letter (what a naive script does). Skips, with the reason, when soffice is not installed.
 *
 *     node --import tsx bench/docx-libreoffice.ts [letters=30] [outDir]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Customer } from '../src/domain/customer.ts';
import type { Visit, VisitCategory } from '../src/domain/visit.ts';
import { VISIT_CATEGORIES } from '../src/domain/visit.ts';
import { renderLetterDocx } from '../src/render/docx.ts';
import { templateData, type Sender } from '../src/render/template-data.ts';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../src/render/templates.ts';

export interface LibreOfficeMeasurement {
  letters: number;
  /** DOCX rendering alone (docxtemplater), per letter. */
  docxMsPerLetter: number;
  /** DOCX + one soffice process converting the whole folder, per letter. */
  msPerLetter: number;
  /** DOCX + one soffice process per letter, per letter (measured on at most `perFileLetters`). */
  perFileMsPerLetter: number;
  perFileLetters: number;
  pdfPages: number;
  soffice: string;
}

function findSoffice(): string | undefined {
  for (const name of ['soffice', 'libreoffice']) {
    const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return `${name} (${probe.stdout.trim()})`;
  }
  return undefined;
}

function sampleData(n: number) {
  const sender = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples', 'firm.json'), 'utf8')) as { sender: Sender })
    .sender;
  return Array.from({ length: n }, (_, i) => {
    const category = VISIT_CATEGORIES[i % VISIT_CATEGORIES.length] as VisitCategory;
    const visit = {
      visitId: `HF26-BENCH-${String(i).padStart(5, '0')}`,
      customerId: `3101${String(i).padStart(6, '0')}`,
      category,
      channel: 'letter',
      createdOn: '2026-11-28',
      dueOn: '2026-12-28',
      result: 'pending',
    } as Visit;
    const customer: Customer = {
      customerId: visit.customerId,
      name: i % 5 === 0 ? `上海长河${i}号投资管理有限公司` : `客户${i}`,
      kind: i % 5 === 0 ? 'institution' : 'individual',
      branchCode: '3101',
      branchName: '上海浦东南路证券营业部',
      address: `上海市浦东新区浦东南路${100 + i}号`,
      postcode: '200120',
      phone: '13800000000',
      email: 'bench@example.cn',
      openedOn: '2026-11-02',
    };
    return templateData(visit, customer, sender);
  });
}

function soffice(args: string[]): void {
  const name = findSoffice()?.split(' ')[0] ?? 'soffice';
  const run = spawnSync(name, ['--headless', '--norestore', '--nolockcheck', ...args], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) throw new Error(`soffice failed (${run.status}): ${run.stderr || run.stdout}`);
}

function pdfPages(dir: string): number {
  let pages = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.pdf'))) {
    const info = spawnSync('pdfinfo', [join(dir, f)], { encoding: 'utf8' });
    const m = /Pages:\s+(\d+)/.exec(info.stdout ?? '');
    if (m) pages += Number(m[1]);
  }
  return pages;
}

/**
 * Renders `letters` DOCX letters and converts them to PDF with LibreOffice, both ways.
 * The per-file way runs on at most 10 letters (it is slow); its figure is per letter.
 */
export async function measureLibreOffice(
  options: { letters?: number; outDir?: string } = {},
): Promise<LibreOfficeMeasurement | { skipped: string }> {
  const found = findSoffice();
  if (!found)
    return {
      skipped: 'LibreOffice (soffice) is not installed; apt-get install -y libreoffice-writer-nogui fonts-noto-cjk',
    };
  const letters = options.letters ?? 30;
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'huifang-lo-'));
  const docxDir = join(outDir, 'docx');
  const pdfDir = join(outDir, 'pdf');
  const singleDir = join(outDir, 'pdf-single');
  for (const d of [docxDir, pdfDir, singleDir]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  // A private LibreOffice profile, so a user's running instance is neither used nor disturbed.
  const profile = `-env:UserInstallation=file://${join(outDir, 'lo-profile')}`;
  soffice([
    profile,
    '--convert-to',
    'pdf',
    '--outdir',
    join(outDir, 'warmup'),
    join(PROJECT_ROOT, 'templates', 'form.docx'),
  ]); // first start creates the profile

  const data = sampleData(letters);
  const t0 = performance.now();
  const files = data.map((d) => {
    const path = join(docxDir, `${d.visitId}.docx`);
    writeFileSync(path, renderLetterDocx(d, { pageCount: 3 }));
    return path;
  });
  const docxMs = performance.now() - t0;

  const t1 = performance.now();
  soffice([profile, '--convert-to', 'pdf', '--outdir', pdfDir, ...files]);
  const folderMs = performance.now() - t1;

  const perFileLetters = Math.min(letters, 10);
  const t2 = performance.now();
  for (const file of files.slice(0, perFileLetters))
    soffice([profile, '--convert-to', 'pdf', '--outdir', singleDir, file]);
  const perFileMs = performance.now() - t2;

  return {
    letters,
    docxMsPerLetter: docxMs / letters,
    msPerLetter: (docxMs + folderMs) / letters,
    perFileMsPerLetter: docxMs / letters + perFileMs / perFileLetters,
    perFileLetters,
    pdfPages: pdfPages(pdfDir),
    soffice: found,
  };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const letters = Number(process.argv[2] ?? 30);
  const result = await measureLibreOffice({ letters, ...(process.argv[3] ? { outDir: process.argv[3] } : {}) });
  if ('skipped' in result) console.log(`skipped: ${result.skipped}`);
  else
    console.log(
      [
        `LibreOffice: ${result.soffice}`,
        `${result.letters} letters, ${result.pdfPages} PDF pages`,
        `docxtemplater alone:               ${result.docxMsPerLetter.toFixed(1)} ms/letter`,
        `docx + one soffice for the folder: ${result.msPerLetter.toFixed(1)} ms/letter`,
        `docx + one soffice per letter:     ${result.perFileMsPerLetter.toFixed(1)} ms/letter (${result.perFileLetters} letters)`,
      ].join('\n'),
    );
}
