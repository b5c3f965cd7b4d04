import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles, type ArchiveOptions } from '../src/archive/build.ts';
import { createKeyPair, loadSigningKey, loadPublicKey } from '../src/archive/signing.ts';
import { HUIFANG_PROFILE } from '../src/archive/huifang-checks.ts';
import { verifyBag } from '../src/archive/verify.ts';
import { verifyBundle } from '../src/archive/verify-bundle.ts';
import { validateVisit } from '../src/rules/validate.ts';
import { dueBundles, listBundles, placeHold, releaseHolds } from '../src/store/bundles.ts';
import { addPhoneVisit, makeFixture, type Fixture } from './archive-fixture.ts';
import { addDays } from '../src/domain/deadlines.ts';
import { importTestRoster } from './roster-fixture.ts';
import { main } from '../src/cli/main.ts';
import { lacks } from './tools.ts';

describe('archive bundles', () => {
  let f: Fixture;
  let opts: (out: string, extra?: Partial<ArchiveOptions>) => ArchiveOptions;
  beforeAll(() => {
    process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
    f = makeFixture();
    opts = (out, extra = {}) => ({
      branch: '3101',
      period: '2026-05',
      outDir: join(f.dir, out),
      validate: (id) => validateVisit(f.ws, id, { hashes: 'none' }),
      ...extra,
    });
  });
  afterAll(() => f.ws.close());

  it('refuses a period with a visit that fails validation, and writes nothing', async () => {
    const r = await buildBundles(f.ws, opts('refused'));
    expect(r.bundles).toEqual([]);
    expect(r.refused.map((x) => x.visitId)).toEqual(f.invalid);
    expect(r.refused[0]!.problems.map((m) => m.ruleId)).toContain('evidence/letter-form');
    expect(existsSync(join(f.dir, 'refused'))).toBe(false);
  });

  it.skipIf(lacks('unzip'))(
    'with --include-invalid archives them and says so in bag-info, the index and the records',
    async () => {
      const r = await buildBundles(f.ws, opts('a', { includeInvalid: true }));
      expect(r.bundles).toHaveLength(1);
      const b = r.bundles[0]!;
      expect(b.invalidVisitIds).toEqual(f.invalid);
      const info = execFileSync('unzip', ['-p', b.path, 'huifang-3101-2026-05/bag-info.txt']).toString('utf8');
      expect(info).toContain(
        `Huifang-Includes-Invalid: 1 visit(s) failed validation and were archived with --include-invalid: ${f.invalid[0]}`,
      );
      const index = JSON.parse(
        execFileSync('unzip', ['-p', b.path, 'huifang-3101-2026-05/data/index.json']).toString('utf8'),
      );
      expect(index.includesInvalid).toBe(true);
      expect(index.visits.find((v: { visitId: string }) => v.visitId === f.invalid[0]).valid).toBe(false);
      const html = execFileSync('unzip', ['-p', b.path, 'huifang-3101-2026-05/data/index.html']).toString('utf8');
      expect(html).toContain('failed validation');
      const report = await verifyBundle(b.path);
      expect(report.ok).toBe(true);
      expect(report.problems.filter((p) => p.severity === 'warning').map((p) => p.place.entry)).toContain(
        `data/${f.invalid[0]}/record.json`,
      );
    },
  );

  it("is checked under BagIt alone by the generic verifier, and under huifang's profile when verify is given it", async () => {
    const built = await buildBundles(f.ws, opts('profile', { includeInvalid: true }));
    const path = built.bundles[0]!.path;
    const plain = await verifyBag(path);
    expect(plain.ok).toBe(true);
    expect(plain.huifang).toBe(false);
    expect(plain.problems.filter((m) => m.ruleId.startsWith('huifang/'))).toEqual([]);
    const profiled = await verifyBag(path, {}, HUIFANG_PROFILE);
    expect(profiled.huifang).toBe(true);
    // The invalid visit's record is a finding only huifang's checks make.
    expect(profiled.problems.map((m) => m.place.entry)).toContain(`data/${f.invalid[0]}/record.json`);
    expect(plain.problems.map((m) => m.place.entry)).not.toContain(`data/${f.invalid[0]}/record.json`);
  });

  it('builds byte-identical zips from the same inputs', async () => {
    const a = await buildBundles(f.ws, opts('d1', { includeInvalid: true }));
    const b = await buildBundles(f.ws, opts('d2', { includeInvalid: true }));
    expect(readFileSync(a.bundles[0]!.path).equals(readFileSync(b.bundles[0]!.path))).toBe(true);
    expect(a.bundles[0]!.sha256).toBe(b.bundles[0]!.sha256);
  });

  it.skipIf(lacks('unzip'))(
    'keeps original names in the index and writes safe, NFC names without CR, LF or %',
    async () => {
      const r = await buildBundles(f.ws, opts('n', { includeInvalid: true }));
      const names = execFileSync('unzip', ['-Z1', r.bundles[0]!.path]).toString('utf8').trim().split('\n');
      for (const n of names) {
        expect(n).toBe(n.normalize('NFC'));
        expect(n).not.toMatch(/[\r%\\]/);
      }
      const lower = names.map((n) => n.toLowerCase());
      expect(new Set(lower).size).toBe(lower.length);
      const index = JSON.parse(
        execFileSync('unzip', ['-p', r.bundles[0]!.path, 'huifang-3101-2026-05/data/index.json']).toString('utf8'),
      );
      const originals = index.visits.flatMap((v: { files: { originalName: string }[] }) =>
        v.files.map((x) => x.originalName),
      );
      expect(originals).toContain('C:\\scans\\100%\r\n回执 ../扫描.JPG');
    },
  );

  it.skipIf(lacks('unzip'))('stores compressed data and deflates text', async () => {
    const r = await buildBundles(f.ws, opts('m', { includeInvalid: true }));
    const listing = execFileSync('unzip', ['-v', r.bundles[0]!.path]).toString('utf8');
    expect(listing).toMatch(/Stored.*recording-call_1\.mp3/);
    expect(listing).toMatch(/Stored.*扫描\.JPG/);
    expect(listing).toMatch(/Defl:N.*record\.json/);
  });

  it.skipIf(lacks('unzip', '7z'))('is accepted by unzip -t and 7z t', async () => {
    const r = await buildBundles(f.ws, opts('t', { includeInvalid: true }));
    expect(spawnSync('unzip', ['-tq', r.bundles[0]!.path]).status).toBe(0);
    const z = spawnSync('7z', ['t', r.bundles[0]!.path]);
    expect(z.status).toBe(0);
    expect(z.stdout.toString()).toContain('Everything is Ok');
  });

  it.skipIf(lacks('unzip'))(
    'splits a period into a group of bags under the size limit, chained part to part',
    async () => {
      // Phone visits carry their recording and the record form filled from the entered answers (about 120 KB each).
      const r = await buildBundles(f.ws, opts('split', { includeInvalid: true, maxBundleBytes: 200_000 }));
      expect(r.bundles.length).toBeGreaterThan(1);
      const m = r.bundles.length;
      r.bundles.forEach((b, i) => {
        expect(b.size).toBeLessThanOrEqual(200_000);
        expect(b.bundleId).toBe(`huifang-3101-2026-05-${i + 1}`);
        const info = execFileSync('unzip', ['-p', b.path, `${b.bundleId}/bag-info.txt`]).toString('utf8');
        expect(info).toContain('Bag-Group-Identifier: huifang-3101-2026-05\n');
        expect(info).toContain(`Bag-Count: ${i + 1} of ${m}\n`);
        if (i > 0) expect(info).toContain(`Huifang-Previous-Bundle-SHA256: ${r.bundles[i - 1]!.sha256}\n`);
      });
      expect(r.bundles.flatMap((b) => b.visitIds).sort()).toEqual([...f.valid, ...f.invalid].sort());
      for (const b of r.bundles) expect((await verifyBundle(b.path)).ok).toBe(true);
    },
  );

  it("chains the next period to the branch's previous bundle, and verify finds it beside", async () => {
    const first = await buildBundles(f.ws, opts('chain', { includeInvalid: true }));
    addPhoneVisit(f.ws, 40, '2026-06');
    const next = await buildBundles(f.ws, { ...opts('chain'), period: '2026-06' });
    expect(next.bundles[0]!.previousSha256).toBe(first.bundles[0]!.sha256);
    const ok = await verifyBundle(next.bundles[0]!.path);
    expect(ok.ok).toBe(true);
    expect(ok.problems.map((p) => p.reason).join('\n')).toContain('Chain: the previous bundle');
    // any change to the previous bundle breaks the chain
    const prev = readFileSync(first.bundles[0]!.path);
    prev[prev.length - 30] = prev[prev.length - 30]! ^ 1;
    const changed = join(f.dir, 'changed-prev.zip');
    writeFileSync(changed, prev);
    const broken = await verifyBundle(next.bundles[0]!.path, { previous: changed });
    expect(broken.ok).toBe(false);
    expect(broken.problems).toContainEqual(
      expect.objectContaining({ place: { entry: 'bag-info.txt' }, ruleId: 'huifang/chain', severity: 'error' }),
    );
  });

  it.skipIf(lacks('unzip'))('signs the tag manifest; verify checks it with the embedded or the given key', async () => {
    const keys = createKeyPair(join(f.dir, 'keys', 'branch'));
    const other = createKeyPair(join(f.dir, 'keys', 'other'));
    const r = await buildBundles(
      f.ws,
      opts('signed', { includeInvalid: true, signingKey: loadSigningKey(keys.privateKeyPath) }),
    );
    const b = r.bundles[0]!;
    const entries = execFileSync('unzip', ['-Z1', b.path]).toString('utf8');
    expect(entries).toContain('huifang-3101-2026-05/huifang-signature.txt');
    expect((await verifyBundle(b.path, { key: loadPublicKey(keys.publicKeyPath) })).ok).toBe(true);
    const wrong = await verifyBundle(b.path, { key: loadPublicKey(other.publicKeyPath) });
    expect(wrong.ok).toBe(false);
    expect(wrong.problems).toContainEqual(
      expect.objectContaining({
        place: { entry: 'huifang-signature.txt' },
        ruleId: 'huifang/signature',
        severity: 'error',
      }),
    );
    const unsigned = await buildBundles(f.ws, opts('unsigned', { includeInvalid: true }));
    const missing = await verifyBundle(unsigned.bundles[0]!.path, { key: loadPublicKey(keys.publicKeyPath) });
    expect(missing.problems).toContainEqual(
      expect.objectContaining({ place: { entry: 'huifang-signature.txt' }, severity: 'error' }),
    );
  });

  it('records bundles with their retention date; `due` honours legal holds', async () => {
    const all = listBundles(f.ws.register, { branchCode: '3101' });
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((b) => b.retainUntil >= '2029-05-31')).toBe(true);
    expect(dueBundles(f.ws.register, '2026-07-01')).toEqual([]);
    // Retention counts from the visits' completion (their evidence arrived after the period), never from the period.
    const bundle = all.find((b) => b.bundleId === 'huifang-3101-2026-05')!;
    expect(dueBundles(f.ws.register, '2029-06-01').map((b) => b.bundleId)).not.toContain('huifang-3101-2026-05');
    const dayAfter = addDays(bundle.retainUntil, 1);
    const due = dueBundles(f.ws.register, dayAfter);
    expect(due.map((b) => b.bundleId)).toContain('huifang-3101-2026-05');
    placeHold(f.ws.register, 'huifang-3101-2026-05', 'CSRC inquiry 2029-17', 'legal');
    expect(dueBundles(f.ws.register, dayAfter).map((b) => b.bundleId)).not.toContain('huifang-3101-2026-05');
    releaseHolds(f.ws.register, 'huifang-3101-2026-05', 'closed', 'legal');
    expect(dueBundles(f.ws.register, dayAfter).map((b) => b.bundleId)).toContain('huifang-3101-2026-05');
  });

  it('the CLI prints {"bundles":[…]} and verify {"ok","problems"}; retention below 3 years is refused', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), interactive: false };
    const ws = join(f.dir, 'ws');
    importTestRoster(f.ws);
    f.ws.close();
    const code = await main(
      [
        'archive',
        '--workspace',
        ws,
        '--branch',
        '3101',
        '--period',
        '2026-05',
        '--out',
        join(f.dir, 'cli'),
        '--include-invalid',
        '--json',
        '--no-stamp',
        '--user',
        '赵六',
      ],
      io,
    );
    expect(code).toBe(0);
    const result = JSON.parse(out.join(''));
    expect(result.bundles).toEqual([join(f.dir, 'cli', 'huifang-3101-2026-05.zip')]);
    out.length = 0;
    expect(await main(['verify', result.bundles[0], '--json'], io)).toBe(0);
    const v = JSON.parse(out.join(''));
    expect(v.ok).toBe(true);
    // every finding is a domain message: place, rule id, severity; what was checked comes as infos
    expect(v.problems.filter((m: { severity: string }) => m.severity === 'error')).toEqual([]);
    expect(v.problems).toContainEqual(
      expect.objectContaining({ ruleId: 'huifang/retention', severity: 'info', place: { entry: 'bag-info.txt' } }),
    );
    expect(v.notes).toBeUndefined();
    out.length = 0;
    writeFileSync(join(f.dir, 'short.json'), JSON.stringify({ defaultYears: 2 }));
    expect(
      await main(
        [
          'archive',
          '--workspace',
          ws,
          '--branch',
          '3101',
          '--period',
          '2026-05',
          '--out',
          join(f.dir, 'cli2'),
          '--retention',
          join(f.dir, 'short.json'),
          '--user',
          '赵六',
        ],
        io,
      ),
    ).toBe(2);
    expect(out.join('\n')).toContain('below the minimum of 3 years');
    f.ws = (await import('../src/store/workspace.ts')).openWorkspace(ws);
  });
});
