/**
 * Bags huifang did not make: BagIt 0.97 with an md5 manifest and no tag manifest, a 1.0
 * bag whose tag files are in GBK, with md5 and sha1 manifests and file names that need
 * RFC 8493's percent-encoding — as folders and as zips.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '../src/archive/verify.ts';

const hex = (alg: string, b: Buffer | string) => createHash(alg).update(b).digest('hex');
const enc = (p: string) => p.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

function makeBag(root: string, files: Record<string, Buffer | string>, tags: Record<string, Buffer | string>): string {
  for (const [p, b] of Object.entries({ ...files, ...tags })) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), b);
  }
  return root;
}

function zipFolder(folder: string): string {
  const out = `${folder}.zip`;
  execFileSync('zip', ['-q', '-r', '-X', out, folder.split('/').pop()!], { cwd: dirname(folder) });
  return out;
}

describe('foreign BagIt bags', () => {
  const base = mkdtempSync(join(tmpdir(), 'huifang-foreign-'));

  it('a 0.97 bag with an md5 manifest ("*path" style) and no tag manifest verifies', async () => {
    const payload = { 'data/scan 1.tif': Buffer.from('II*\0 tiff-ish'), 'data/sub/readme.txt': 'hello\n' };
    const manifest = Object.entries(payload)
      .map(([p, b]) => `${hex('md5', b)} *${p}\n`)
      .join('');
    const bag = makeBag(join(base, 'old-bag'), payload, {
      'bagit.txt': 'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n',
      'bag-info.txt': `Source-Organization: Example Library\nPayload-Oxum: ${Object.values(payload).reduce((n, b) => n + Buffer.byteLength(b), 0)}.2\nExternal-Description: a bag made long ago,\n  with a continued line\n`,
      'manifest-md5.txt': manifest,
    });
    for (const target of [bag, zipFolder(bag)]) {
      const r = await verifyBundle(target);
      // valid; the md5sum-style "*" is only remarked on (a warning per line), as the conformance suite asks
      expect(r.problems.map((p) => `${p.severity} ${p.ruleId}`)).toEqual([
        'warning bag/manifest-style',
        'warning bag/manifest-style',
        'info huifang/format',
      ]);
      expect(r.ok).toBe(true);
      expect(r.version).toBe('0.97');
      expect(r.huifang).toBe(false);
      expect(r.problems.at(-1)!.reason).toContain(
        "huifang's checks (index, evidence, retention, chain, signature) skipped",
      );
    }
  });

  it('a 1.0 bag in GBK with md5 and sha1 manifests and percent-encoded names verifies, and a change is named', async () => {
    const payload: Record<string, Buffer> = {
      'data/回访记录.txt': Buffer.from('记录'),
      'data/100%.txt': Buffer.from('percent'),
      'data/two\nlines.txt': Buffer.from('newline in the name'),
    };
    const manifest = (alg: string) =>
      iconv.encode(
        Object.entries(payload)
          .map(([p, b]) => `${hex(alg, b)}  ${enc(p)}\n`)
          .join(''),
        'GBK',
      );
    const tags: Record<string, Buffer | string> = {
      'bagit.txt': 'BagIt-Version: 1.0\nTag-File-Character-Encoding: GBK\n',
      'bag-info.txt': iconv.encode(
        `Source-Organization: 中国某某证券\nPayload-Oxum: ${Object.values(payload).reduce((n, b) => n + b.length, 0)}.3\n`,
        'GBK',
      ),
      'manifest-md5.txt': manifest('md5'),
      'manifest-sha1.txt': manifest('sha1'),
    };
    tags['tagmanifest-md5.txt'] = ['bagit.txt', 'bag-info.txt', 'manifest-md5.txt', 'manifest-sha1.txt']
      .map((t) => `${hex('md5', tags[t]!)}  ${t}\n`)
      .join('');
    const bag = makeBag(join(base, 'gbk-bag'), payload, tags);
    const r = await verifyBundle(bag);
    expect(r.problems.map((p) => p.ruleId)).toEqual(['huifang/format']);
    expect(r.ok).toBe(true);
    writeFileSync(join(bag, 'data/回访记录.txt'), '改过');
    const bad = await verifyBundle(bag);
    expect(bad.ok).toBe(false);
    const wrong = bad.problems.filter((p) => p.severity === 'error');
    expect(wrong.map((p) => p.place.entry)).toEqual(['data/回访记录.txt', 'data/回访记录.txt']);
    expect(wrong[0]!.reason).toMatch(/^changed: its md5 is/);
  });

  it('a bag whose Payload-Oxum, bagit.txt or manifests are wrong says where', async () => {
    const bag = makeBag(
      join(base, 'bad-bag'),
      { 'data/a.txt': 'a' },
      {
        'bagit.txt': 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: line\n',
        'bag-info.txt': 'Payload-Oxum: 2.1\n',
        'manifest-sha256.txt': `${hex('sha256', 'a')}  data/a.txt\n${hex('sha256', 'b')}  ../outside.txt\nnot-a-checksum  data/a.txt\n`,
        'manifest-whirlpool.txt': 'abc  data/a.txt\n',
      },
    );
    const r = await verifyBundle(bag);
    const lines = r.problems.map((p) => `${p.place.entry}: ${p.ruleId}`);
    expect(lines).toContain('bagit.txt: bag/bagit-txt');
    expect(lines).toContain('bag-info.txt: bag/oxum');
    expect(lines).toContain('manifest-sha256.txt: bag/manifest-path');
    expect(lines).toContain('manifest-sha256.txt: bag/manifest-line');
    expect(lines).toContain('manifest-whirlpool.txt: bag/algorithm');
  });

  it('a folder without bagit.txt is not a bag', async () => {
    const r = await verifyBundle(makeBag(join(base, 'no-bag'), { 'data/a.txt': 'a' }, {}));
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ place: { entry: 'bagit.txt' }, ruleId: 'bag/not-a-bag' });
  });
});
