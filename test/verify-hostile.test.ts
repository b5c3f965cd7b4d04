/**
 * Hostile zips, crafted byte by byte, are refused before anything is read or extracted,
 * each with a reason a person understands.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '../src/archive/verify.ts';
import { HostileZipError } from '../src/archive/zip-reader.ts';
import { main } from '../src/cli/main.ts';
import { craftOverlap, craftZip, type CraftEntry } from './zip-craft.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-hostile-'));
let n = 0;
function write(bytes: Buffer): string {
  const file = join(dir, `z${++n}.zip`);
  writeFileSync(file, bytes);
  return file;
}

const bagit = { name: 'bag/bagit.txt', data: Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n') };
const withBag = (...entries: CraftEntry[]) => craftZip([bagit, ...entries]);

async function refusal(bytes: Buffer, limits?: Parameters<typeof verifyBundle>[1]): Promise<HostileZipError> {
  try {
    await verifyBundle(write(bytes), limits);
  } catch (e) {
    if (e instanceof HostileZipError) return e;
    throw e;
  }
  throw new Error('the zip was not refused');
}

describe('hostile zips are refused with a clear reason', () => {
  const cases: [string, () => Buffer, RegExp, string?][] = [
    [
      'a path with ..',
      () => withBag({ name: 'bag/data/../../evil.txt', data: Buffer.from('x') }),
      /contains "\.\." and would escape/,
      'bag/data/../../evil.txt',
    ],
    [
      'an absolute path',
      () => withBag({ name: '/etc/cron.d/evil', data: Buffer.from('x') }),
      /absolute path/,
      '/etc/cron.d/evil',
    ],
    ['a backslash path', () => withBag({ name: 'bag\\..\\evil.txt', data: Buffer.from('x') }), /backslash/],
    ['a drive letter', () => withBag({ name: 'C:/Windows/evil.txt', data: Buffer.from('x') }), /drive letter/],
    [
      'a symbolic link',
      () => withBag({ name: 'bag/data/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }),
      /symbolic link/,
      'bag/data/link',
    ],
    [
      'a duplicate name',
      () =>
        withBag({ name: 'bag/data/a.txt', data: Buffer.from('1') }, { name: 'bag/data/a.txt', data: Buffer.from('2') }),
      /appears twice/,
      'bag/data/a.txt',
    ],
    [
      'names equal after NFC',
      () =>
        withBag(
          { name: 'bag/data/caf\u00e9.txt', data: Buffer.from('1') },
          { name: 'bag/data/cafe\u0301.txt', data: Buffer.from('2') },
        ),
      /collides .* after Unicode normalisation and case folding/,
    ],
    [
      'names equal after case folding',
      () =>
        withBag(
          { name: 'bag/data/Report.PDF', data: Buffer.from('1') },
          { name: 'bag/data/report.pdf', data: Buffer.from('2') },
        ),
      /collides with "bag\/data\/Report\.PDF"/,
    ],
    ['overlapping entries', () => craftOverlap(), /overlaps the entry "bag\/data\/inner\.txt"/, 'bag/data/outer.bin'],
    [
      'local and central sizes that disagree',
      () => withBag({ name: 'bag/data/a.txt', data: Buffer.from('hello world'), deflate: true, localSize: 5 }),
      /sizes disagree/,
      'bag/data/a.txt',
    ],
    [
      'a stored entry whose sizes disagree',
      () => withBag({ name: 'bag/data/a.txt', data: Buffer.from('hello'), centralSize: 5000 }),
      /stored entry declares/,
      'bag/data/a.txt',
    ],
    [
      'an extreme compression ratio (bomb)',
      () => withBag({ name: 'bag/data/zeros.bin', data: Buffer.alloc(24 * 2 ** 20), deflate: true }),
      /expands \d+-fold .*zip bomb/,
      'bag/data/zeros.bin',
    ],
  ];
  for (const [what, make, reason, entry] of cases) {
    it(`refuses ${what}`, async () => {
      const e = await refusal(make());
      expect(e.reason).toMatch(reason);
      if (entry) expect(e.entry).toBe(entry);
    });
  }

  it('refuses an absurd total uncompressed size', async () => {
    const e = await refusal(
      withBag(
        { name: 'bag/data/a.bin', data: Buffer.alloc(4000, 1) },
        { name: 'bag/data/b.bin', data: Buffer.alloc(4000, 2) },
      ),
      { limits: { maxTotalBytes: 6000, maxRatio: 200, maxEntries: 1000 } },
    );
    expect(e.reason).toMatch(/more than 6000 bytes in total uncompressed: a zip bomb/);
  });

  it('reports data whose real size differs from the declared one, naming the entry', async () => {
    const data = Buffer.from('short');
    const md5 = createHash('md5').update(data).digest('hex');
    const zip = craftZip([
      bagit,
      { name: 'bag/manifest-md5.txt', data: Buffer.from(`${md5}  data/a.txt\n`) },
      { name: 'bag/data/a.txt', data, deflate: true },
    ]);
    // make both headers claim 6 bytes while the deflated data holds 5
    const localSizeAt = zip.indexOf(Buffer.from('bag/data/a.txt')) - 30 + 22;
    zip.writeUInt32LE(6, localSizeAt);
    const cd = zip.readUInt32LE(zip.length - 22 + 16);
    const centralAt = zip.indexOf(Buffer.from('bag/data/a.txt'), cd) - 46 + 24;
    zip.writeUInt32LE(6, centralAt);
    const r = await verifyBundle(write(zip));
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(
      expect.objectContaining({ place: { entry: 'data/a.txt' }, ruleId: 'bag/damaged' }),
    );
  });

  it('tells a damaged stored entry (its CRC-32 fails) from a changed file, for large and small entries', async () => {
    // 1.5 MB: several chunks through the hashing threads; 5 bytes: one.
    const big = Buffer.alloc(1_500_000, 7);
    const small = Buffer.from('small');
    const sum = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const manifest = {
      name: 'bag/manifest-sha256.txt',
      data: Buffer.from(`${sum(big)}  data/big.bin\n${sum(small)}  data/small.txt\n`),
    };
    const zip = craftZip([
      bagit,
      manifest,
      { name: 'bag/data/big.bin', data: big },
      { name: 'bag/data/small.txt', data: small },
    ]);
    const intact = await verifyBundle(write(zip));
    expect(intact.problems.filter((p) => p.severity === 'error')).toEqual([]);
    // flip a byte inside each entry's stored data, leaving the CRCs as they were
    const damaged = Buffer.from(zip);
    damaged[damaged.indexOf(Buffer.from('bag/data/big.bin')) + 16 + 1_000_000]! ^= 0xff;
    damaged[damaged.indexOf(Buffer.from('bag/data/small.txt')) + 18 + 2]! ^= 0xff;
    const r = await verifyBundle(write(damaged));
    expect(r.ok).toBe(false);
    for (const path of ['data/big.bin', 'data/small.txt']) {
      expect(r.problems).toContainEqual(
        expect.objectContaining({
          place: { entry: path },
          ruleId: 'bag/damaged',
          reason: expect.stringMatching(/CRC-32/),
        }),
      );
      expect(r.problems.filter((p) => p.place.entry === path && p.ruleId === 'bag/checksum')).toEqual([]);
    }
  });

  it('the CLI exits 2 with the reason, in text and JSON, and extracts nothing', async () => {
    const file = write(withBag({ name: 'bag/../../evil.txt', data: Buffer.from('x') }));
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), interactive: false };
    expect(await main(['verify', file, '--json'], io)).toBe(2);
    const json = JSON.parse(out.join(''));
    expect(json).toMatchObject({ ok: false, refused: true });
    expect(json.problems[0]).toMatchObject({ place: { entry: 'bag/../../evil.txt' }, ruleId: 'zip/hostile' });
    expect(json.problems[0].reason).toMatch(/^refused: the name contains "\.\."/);
    out.length = 0;
    expect(await main(['verify', file], io)).toBe(2);
    expect(out.join('\n')).toMatch(/refused, nothing was extracted/);
    expect(readdirSync(dir).filter((f) => f.includes('evil'))).toEqual([]);
  });

  it('a file that is not a zip is unusable (exit 2), not a crash', async () => {
    const file = join(dir, 'not.zip');
    writeFileSync(file, 'this is not a zip at all, just text that is long enough');
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), interactive: false };
    expect(await main(['verify', file], io)).toBe(2);
    expect(out.join('\n')).toMatch(/not a zip file/);
  });
});
