/**
 * Fuzzing every reader of outside input with mutated and random inputs (fast-check, a
 * bounded number of runs each): customer lists (CSV, XLSX), staff rosters, e-mails, scans
 * (JPEG, PNG, TIFF, PDF), bundles (verify), retention policies and DOCX templates. Each run
 * must succeed or refuse cleanly with the reader's typed refusal (InputError, EmlError, a
 * page failure, HostileZipError/UnreadableZipError); anything else is a crash and fails the
 * property. No reader may write anything: the fuzzing folder holds only what the test wrote.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/domain/messages.ts';
import { readCustomerList } from '../src/input/customer-list.ts';
import { readStaffRoster } from '../src/input/staff-roster.ts';
import { EmlError, parseEml } from '../src/mail/parse.ts';
import { readScanFile } from '../src/scan/read-pool.ts';
import { verifyBundle } from '../src/archive/verify-bundle.ts';
import { HostileZipError, UnreadableZipError } from '../src/archive/zip-reader.ts';
import { loadRetentionPolicy } from '../src/archive/retention.ts';
import { loadDocxTemplate } from '../src/render/templates.ts';
import { readConfigFile } from '../src/store/workspace.ts';
import { main } from '../src/cli/main.ts';
import { makeFixture } from './archive-fixture.ts';
import { formScan, imagePdfOf, seedWorkspace, tiffOf } from './ingest-helpers.ts';
import { importTestRoster } from './roster-fixture.ts';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'huifang-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files the test itself wrote into the fuzzing folder: nothing else may appear. */
const written = new Set<string>();
let n = 0;
function input(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, bytes);
  written.add(path);
  return path;
}

/** A few edits to a file's bytes: flips, insertions, deletions, a cut, a splice of random bytes. */
const edits = fc.array(
  fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    op: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'splice'),
    byte: fc.integer({ min: 0, max: 255 }),
    bytes: fc.uint8Array({ maxLength: 64 }),
  }),
  { minLength: 1, maxLength: 6 },
);

function mutate(base: Buffer, list: { at: number; op: string; byte: number; bytes: Uint8Array }[]): Buffer {
  let b = Buffer.from(base);
  for (const e of list) {
    const i = Math.min(b.length, Math.floor(e.at * b.length));
    if (e.op === 'flip' && i < b.length) b[i] = b[i]! ^ (1 << (e.byte % 8));
    else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([e.byte]), b.subarray(i)]);
    else if (e.op === 'delete') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    else if (e.op === 'truncate') b = b.subarray(0, i);
    else b = Buffer.concat([b.subarray(0, i), Buffer.from(e.bytes), b.subarray(i)]);
  }
  return b;
}

/** Runs a reader: its value, or its refusal when the refusal is one of `refusals`; anything else fails. */
async function cleanly(
  run: () => Promise<unknown> | unknown,
  refusals: (new (...a: never[]) => Error)[],
): Promise<void> {
  try {
    await run();
  } catch (e) {
    const clean = refusals.some((R) => e instanceof R);
    if (!clean) throw new Error(`crashed instead of refusing: ${(e as Error)?.stack ?? String(e)}`);
    expect((e as Error).message.length).toBeLessThan(4000);
  }
}

/** Mutated copies of `base` and random bytes, each read by `read`. */
function fuzz(
  name: string,
  base: () => Buffer,
  read: (path: string) => Promise<unknown> | unknown,
  refusals: (new (...a: never[]) => Error)[],
  numRuns: number,
): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      fc.oneof(
        { weight: 4, arbitrary: edits.map((e) => mutate(base(), e)) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((u) => Buffer.from(u)) },
      ),
      async (bytes) => {
        await cleanly(() => read(input(name, bytes)), refusals);
      },
    ),
    { numRuns },
  );
}

describe('tabular inputs', () => {
  const csv = () => readFileSync(join(ROOT, 'samples', 'customers.csv'));
  it(
    'customer lists (CSV) succeed or refuse with InputError',
    () => fuzz('list.csv', csv, (p) => readCustomerList(p, { today: '2026-11-28' }), [InputError], 300),
    120_000,
  );

  it(
    'customer lists (CSV) of random text refuse with InputError',
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 12 }), { maxLength: 6 }),
          async (rows) => {
            const text = [
              '客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期',
              ...rows.map((r) => r.join(',')),
            ].join('\n');
            await cleanly(() => readCustomerList(input('random.csv', text), { today: '2026-11-28' }), [InputError]);
          },
        ),
        { numRuns: 150 },
      ),
    120_000,
  );

  const xlsx = () => readFileSync(join(ROOT, 'samples', 'customers.xlsx'));
  it(
    'customer lists (XLSX) succeed or refuse with InputError',
    () => fuzz('list.xlsx', xlsx, (p) => readCustomerList(p, { today: '2026-11-28' }), [InputError], 100),
    180_000,
  );

  const staff = () => readFileSync(join(ROOT, 'samples', 'staff.csv'));
  it(
    'staff rosters succeed or refuse with InputError',
    () => fuzz('staff.csv', staff, (p) => readStaffRoster(p), [InputError], 200),
    120_000,
  );
});

describe('e-mails', () => {
  const emails = readdirSync(join(ROOT, 'samples', 'emails')).filter((f) => f.endsWith('.eml'));
  for (const eml of emails.slice(0, 3)) {
    it(
      `${eml} mutated: parsed or refused with EmlError`,
      () =>
        fuzz(
          'mail.eml',
          () => readFileSync(join(ROOT, 'samples', 'emails', eml)),
          async (p) => parseEml(readFileSync(p), 'mail.eml'),
          [EmlError],
          100,
        ),
      120_000,
    );
  }
});

describe('scans', () => {
  const bases: Record<string, Buffer> = {};
  beforeAll(async () => {
    const { ws, visitIds } = seedWorkspace(join(dir, 'scan-ws'), [{}]);
    ws.close();
    const page = await formScan(visitIds[0]!, undefined, { jpeg: 70 });
    const small = await sharp(page).resize({ width: 620 }).jpeg({ quality: 60 }).toBuffer();
    bases.jpeg = small;
    bases.png = await sharp(small).png().toBuffer();
    bases.tiff = await tiffOf([small, small]);
    bases.pdf = await imagePdfOf([small]);
  }, 120_000);

  it('a PDF that is only its header line is named as a failure, not a crash (found by the fuzzing below)', async () => {
    const items = await readScanFile(Buffer.from('%PDF-1.7'), 'scan.pdf', { targetDpi: 100, maxPages: 4 });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.type === 'failure')).toBe(true);
  });

  for (const format of ['jpeg', 'png', 'tiff', 'pdf']) {
    it(
      `${format} scans mutated: every page read or named as a failure, nothing thrown`,
      () =>
        fuzz(
          `scan.${format}`,
          () => bases[format]!,
          async (p) => {
            const items = await readScanFile(readFileSync(p), `scan.${format}`, { targetDpi: 100, maxPages: 4 });
            for (const item of items) if (item.type === 'failure') expect(item.reason.length).toBeLessThan(4000);
          },
          [],
          25,
        ),
      300_000,
    );
  }
});

describe('bundles, policies and templates', () => {
  let bundle: Buffer;
  beforeAll(async () => {
    const f = makeFixture();
    importTestRoster(f.ws); // 赵六, a clerk (经办人), builds the bundle
    f.ws.close();
    const saved = process.env.HUIFANG_NOW;
    process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
    const io = { out: () => {}, err: () => {}, interactive: false };
    const code = await main(
      [
        'archive',
        '--workspace',
        join(f.dir, 'ws'),
        '--branch',
        '3101',
        '--period',
        '2026-05',
        '--out',
        join(f.dir, 'b'),
        '--include-invalid',
        '--no-stamp',
        '--user',
        '赵六',
      ],
      io,
    );
    if (saved === undefined) delete process.env.HUIFANG_NOW;
    else process.env.HUIFANG_NOW = saved;
    expect(code).toBe(0);
    bundle = readFileSync(join(f.dir, 'b', 'huifang-3101-2026-05.zip'));
    rmSync(f.dir, { recursive: true, force: true });
  }, 120_000);

  it(
    'verify reports on a mutated bundle, or refuses it as hostile or unreadable',
    () =>
      fuzz(
        'bundle.zip',
        () => bundle,
        async (p) => {
          const r = await verifyBundle(p);
          expect(typeof r.ok).toBe('boolean');
        },
        [HostileZipError, UnreadableZipError],
        100,
      ),
    240_000,
  );

  it('retention policies succeed or refuse with InputError', () =>
    fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({ defaultYears: fc.jsonValue(), byRecordCategory: fc.dictionary(fc.string(), fc.jsonValue()) }),
        ),
        fc.boolean(),
        async (value, garble) => {
          const text = JSON.stringify(value) ?? 'null';
          const path = input('retention.json', garble ? text.slice(0, Math.floor(text.length / 2)) : text);
          await cleanly(() => loadRetentionPolicy(path), [InputError]);
        },
      ),
      { numRuns: 200 },
    ));

  it("the workspace's settings (huifang.json with its sender block) succeed or refuse with InputError", () =>
    fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            { companyName: fc.jsonValue(), postcode: fc.jsonValue(), replyDays: fc.jsonValue() },
            { requiredKeys: [] },
          ),
        ),
        fc.boolean(),
        async (value, garble) => {
          const base = JSON.parse(readFileSync(join(ROOT, 'samples', 'firm.json'), 'utf8')) as { sender: object };
          const sender =
            typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...base.sender, ...value } : value;
          const text = JSON.stringify({ ...base, sender }) ?? 'null';
          const path = input('huifang.json', garble ? text.slice(0, Math.floor(text.length / 2)) : text);
          await cleanly(() => {
            const config = readConfigFile(path);
            expect(typeof config.sender?.companyName).toBe('string');
            expect(Number.isInteger(config.sender?.replyDays)).toBe(true);
          }, [InputError]);
        },
      ),
      { numRuns: 200 },
    ));

  it(
    'DOCX templates mutated: loaded or refused with InputError',
    () =>
      fuzz(
        'letter.docx',
        () => readFileSync(join(ROOT, 'templates', 'letter.docx')),
        (p) => loadDocxTemplate(p),
        [InputError],
        80,
      ),
    180_000,
  );
});

describe('no reader writes', () => {
  it('the fuzzing folder holds only what the tests wrote', () => {
    const found = readdirSync(dir)
      .map((f) => join(dir, f))
      .filter((p) => !p.endsWith('scan-ws'));
    expect(found.filter((p) => !written.has(p))).toEqual([]);
  });
});
