/**
 * An independent reading of RFC 8493 (BagIt 1.0), applied to a bundle unzipped with
 * `unzip`: code separate from huifang's verifier, with coreutils' sha256sum/sha512sum
 * checking the manifests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles } from '../src/archive/build.ts';
import { createKeyPair, loadSigningKey } from '../src/archive/signing.ts';
import { verifyBundle } from '../src/archive/verify-bundle.ts';
import { validateVisit } from '../src/rules/validate.ts';
import { lacks } from './tools.ts';
import { makeFixture, type Fixture } from './archive-fixture.ts';

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, base) : [relative(base, p)];
  });
}

/** RFC 8493 §2.1.3: only CR, LF and % are percent-encoded in manifest paths. */
const rfcDecode = (s: string) => s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');

/** §2.1.3 and §2.2.1: "checksum" then one or more linear whitespace then the path. */
function readManifest(file: string, hexLength: number): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(0, -1)) {
    const m = new RegExp(`^([0-9a-f]{${hexLength}})[ \\t]+(.+)$`).exec(line);
    expect(m, `manifest line "${line}"`).not.toBeNull();
    const path = rfcDecode(m![2]!);
    expect(out.has(path), `listed twice: ${path}`).toBe(false);
    out.set(path, m![1]!);
  }
  return out;
}

const hashFile = (alg: string, file: string) => createHash(alg).update(readFileSync(file)).digest('hex');

describe.skipIf(lacks('unzip', 'sha256sum', 'sha512sum'))(
  'a bundle read against RFC 8493, independently of huifang verify',
  () => {
    let f: Fixture;
    let top: string;
    let bag: string;
    beforeAll(async () => {
      process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
      f = makeFixture();
      const key = createKeyPair(join(f.dir, 'k'));
      const r = await buildBundles(f.ws, {
        branch: '3101',
        period: '2026-05',
        outDir: join(f.dir, 'out'),
        includeInvalid: true,
        signingKey: loadSigningKey(key.privateKeyPath),
        validate: (id) => validateVisit(f.ws, id, { hashes: 'none' }),
      });
      top = mkdtempSync(join(tmpdir(), 'huifang-rfc-'));
      execFileSync('unzip', ['-q', r.bundles[0]!.path, '-d', top]);
      bag = join(top, readdirSync(top)[0]!);
    });
    afterAll(() => f.ws.close());

    it('unpacks into exactly one top-level folder (the bag), holding bagit.txt and data/', () => {
      expect(readdirSync(top)).toEqual(['huifang-3101-2026-05']);
      expect(statSync(join(bag, 'data')).isDirectory()).toBe(true);
    });

    it('§2.1.1 bagit.txt: exactly the version line and the encoding line', () => {
      expect(readFileSync(join(bag, 'bagit.txt'), 'utf8')).toBe(
        'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n',
      );
    });

    it('§2.2.2 bag-info.txt: label-colon-value lines; Payload-Oxum matches the payload; reserved dates well formed', () => {
      const lines = readFileSync(join(bag, 'bag-info.txt'), 'utf8').split('\n').slice(0, -1);
      const info = new Map<string, string>();
      for (const l of lines) {
        const m = /^([^:\s][^:]*): (.+)$/.exec(l);
        expect(m, `bag-info line "${l}"`).not.toBeNull();
        info.set(m![1]!, m![2]!);
      }
      const payload = walk(join(bag, 'data'));
      const octets = payload.reduce((n, p) => n + statSync(join(bag, 'data', p)).size, 0);
      expect(info.get('Payload-Oxum')).toBe(`${octets}.${payload.length}`);
      expect(info.get('Bagging-Date')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(info.get('External-Identifier')).toBe('huifang-3101-2026-05');
      expect(info.get('Source-Organization')).toBeTruthy();
      // three years from the visits' completion (their evidence came in on 2026-06-15), later than the period's end
      expect(info.get('Huifang-Retain-Until')).toBe('2029-06-15');
    });

    it('§3 complete: every payload file is in every payload manifest, with the right checksum', () => {
      const payload = walk(join(bag, 'data'))
        .map((p) => `data/${p}`)
        .sort();
      for (const [alg, len] of [
        ['sha256', 64],
        ['sha512', 128],
      ] as const) {
        const manifest = readManifest(join(bag, `manifest-${alg}.txt`), len);
        expect([...manifest.keys()].sort()).toEqual(payload);
        for (const [path, sum] of manifest) expect(hashFile(alg, join(bag, path)), path).toBe(sum);
      }
    });

    it('coreutils sha256sum -c and sha512sum -c accept the manifests', () => {
      for (const [tool, file] of [
        ['sha256sum', 'manifest-sha256.txt'],
        ['sha512sum', 'manifest-sha512.txt'],
        ['sha256sum', 'tagmanifest-sha256.txt'],
      ]) {
        const r = spawnSync(tool!, ['--strict', '-c', file!], { cwd: bag });
        expect(r.status, r.stdout.toString() + r.stderr.toString()).toBe(0);
      }
    });

    it('§2.2.1 the tag manifest lists the tag files, never payload files, with the right checksums', () => {
      const tags = readManifest(join(bag, 'tagmanifest-sha256.txt'), 64);
      expect([...tags.keys()].sort()).toEqual([
        'bag-info.txt',
        'bagit.txt',
        'manifest-sha256.txt',
        'manifest-sha512.txt',
      ]);
      for (const [path, sum] of tags) expect(hashFile('sha256', join(bag, path))).toBe(sum);
      // the only tag file outside it is the signature over it (it cannot list itself's signer)
      const tagFiles = readdirSync(bag)
        .filter((n) => n !== 'data')
        .sort();
      expect(tagFiles).toEqual([
        'bag-info.txt',
        'bagit.txt',
        'huifang-signature.txt',
        'manifest-sha256.txt',
        'manifest-sha512.txt',
        'tagmanifest-sha256.txt',
      ]);
    });

    it('file names are NFC, safe and free of CR, LF and %', () => {
      for (const p of walk(bag)) {
        expect(p).toBe(p.normalize('NFC'));
        expect(p).not.toMatch(/[\r\n%\\:*?"<>|]/);
        expect(p.split('/').every((c) => c !== '..' && !c.startsWith('.'))).toBe(true);
      }
    });

    it('index.html is self-contained and every link leads to a file of the bag', () => {
      const html = readFileSync(join(bag, 'data', 'index.html'), 'utf8');
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
      expect(html).not.toMatch(/<link /i);
      const links = [...html.matchAll(/href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));
      expect(links.length).toBeGreaterThanOrEqual(walk(join(bag, 'data')).length - 3);
      for (const l of links) expect(existsSync(join(bag, 'data', l)), l).toBe(true);
      for (const visitId of [...f.valid, ...f.invalid]) expect(html).toContain(visitId);
    });

    it('huifang verify accepts the unzipped bag folder too', async () => {
      const r = await verifyBundle(bag);
      expect(r.ok).toBe(true);
      expect(r.huifang).toBe(true);
      expect(dirname(r.location)).toBe(top);
    });
  },
);
