/**
 * XLSX and DOCX bombs: a workbook of a few hundred kilobytes whose shared strings expand to
 * 300 MB is refused before it is parsed, by a process that stays far below 400 MB of memory;
 * a part that lies about its size is refused too. The bombs are generated as streams
 * (test/office-bomb.ts), never held in memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/domain/messages.ts';
import { readCustomerList } from '../src/input/customer-list.ts';
import { checkOfficeZip, OfficeZipError } from '../src/input/zip-limits.ts';
import { loadDocxTemplate } from '../src/render/templates.ts';
import { writeZip, xlsxBomb } from './office-bomb.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-bomb-'));
const bomb = join(dir, 'bomb.xlsx');
const small = join(dir, 'small.xlsx');

beforeAll(async () => {
  await xlsxBomb(bomb, 300);
  await xlsxBomb(small, 0.01);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('XLSX bombs', () => {
  it('the generator makes a workbook huifang reads (so the refusal below is about size alone)', async () => {
    const list = await readCustomerList(small, { today: '2026-11-28' });
    expect(list.customers.map((c) => [c.customerId, c.name, c.branchCode])).toEqual([
      ['310100090001', '王示例', '3101'],
    ]);
  });

  it('a 300 MB shared-strings part is refused with a clear reason, the process staying under 400 MB', () => {
    expect(statSync(bomb).size).toBeLessThan(2 * 2 ** 20);
    const script = join(dir, 'read-bomb.mts');
    writeFileSync(
      script,
      `import { readCustomerList } from ${JSON.stringify(resolve('src/input/customer-list.ts'))};
let outcome;
try { await readCustomerList(${JSON.stringify(bomb)}, { today: '2026-11-28' }); outcome = { accepted: true }; }
catch (e) { outcome = { name: e.name, message: e.message, reasons: (e.messages ?? []).map((m) => m.reason) }; }
process.stdout.write(JSON.stringify({ ...outcome, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`,
    );
    // A heap cap so that a regression fails the test instead of taking the machine's memory.
    const child = spawnSync(process.execPath, ['--max-old-space-size=1024', '--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(child.status, child.stderr.slice(-2000)).toBe(0);
    const result = JSON.parse(child.stdout);
    expect(result.name).toBe('InputError');
    expect(result.reasons[0]).toMatch(/xl\/sharedStrings\.xml expands to 30\d MB, more than the 100 MB allowed/);
    console.info(`peak RSS of the refusing process: ${Math.round(result.maxRssMb)} MB`);
    expect(result.maxRssMb).toBeLessThan(400);
  }, 300_000);

  it('a part that expands to more than its declared size is refused', async () => {
    const liar = join(dir, 'liar.xlsx');
    await writeZip(liar, [{ name: 'xl/sharedStrings.xml', chunks: () => [Buffer.alloc(512 * 1024, 0x41)] }]);
    const bytes = readFileSync(liar);
    const cd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(1000, cd + 24); // the central directory now claims 1000 bytes
    expect(() => checkOfficeZip(bytes)).toThrow(OfficeZipError);
    expect(() => checkOfficeZip(bytes)).toThrow(/more than the 1000 bytes it declares/);
  });

  it('a workbook of more parts than any real one is refused before anything is inflated', async () => {
    const many = join(dir, 'many.xlsx');
    await writeZip(
      many,
      Array.from({ length: 1200 }, (_, i) => ({ name: `xl/media/p${i}.xml`, chunks: () => [Buffer.from('x')] })),
    );
    expect(() => checkOfficeZip(readFileSync(many))).toThrow(/1200 parts, more than the 1000/);
  });
});

describe('DOCX template bombs', () => {
  it('a template whose document part expands to 200 MB is refused, naming the template', async () => {
    const docx = join(dir, 'letter.docx');
    const block = Buffer.alloc(2 ** 20, 0x20);
    await writeZip(docx, [{ name: 'word/document.xml', chunks: () => Array.from({ length: 200 }, () => block) }]);
    let error: unknown;
    try {
      loadDocxTemplate(docx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).messages[0]!.reason).toMatch(
      /word\/document\.xml expands to 200 MB, more than the 100 MB allowed/,
    );
  }, 120_000);
});
