/**
 * Mutations of a signed, chained bundle: one byte flipped, a file renamed, added or removed,
 * in many places (payload, records, index, manifests, bag-info, bagit.txt, the signature).
 * Verify must catch every one and name the file.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles } from '../src/archive/build.ts';
import { createKeyPair, loadPublicKey, loadSigningKey } from '../src/archive/signing.ts';
import { verifyBundle, type VerifyReport } from '../src/archive/verify-bundle.ts';
import { HostileZipError, UnreadableZipError } from '../src/archive/zip-reader.ts';
import { validateVisit } from '../src/rules/validate.ts';
import { addPhoneVisit, makeFixture, type Fixture } from './archive-fixture.ts';

const BAG = 'huifang-3101-2026-06';

interface Mutation {
  what: string;
  /** Changes the unpacked bag folder. */
  apply: (bag: string) => void;
  /** Paths verify must name (in a problem's path or its text). */
  names: string[];
}

function flip(file: string, at = 0.5): void {
  const b = readFileSync(file);
  const i = Math.min(b.length - 1, Math.floor(b.length * at));
  b[i] = b[i]! ^ 0x01;
  writeFileSync(file, b);
}

function named(r: VerifyReport, path: string): boolean {
  return r.problems.some((p) => p.severity === 'error' && (p.place.entry === path || p.reason.includes(path)));
}

describe('verify catches and names every mutation', () => {
  let f: Fixture;
  let zip: string;
  let original: string;
  let pub: string;
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    process.env.HUIFANG_NOW = '2026-07-15T02:00:00Z';
    f = makeFixture();
    const key = createKeyPair(join(f.dir, 'k'));
    pub = key.publicKeyPath;
    const validate = (id: string) => validateVisit(f.ws, id, { hashes: 'none' });
    const out = join(f.dir, 'out');
    await buildBundles(f.ws, { branch: '3101', period: '2026-05', outDir: out, includeInvalid: true, validate });
    v1 = addPhoneVisit(f.ws, 61, '2026-06', 300_000);
    v2 = addPhoneVisit(f.ws, 62, '2026-06', 20_000);
    const r = await buildBundles(f.ws, {
      branch: '3101',
      period: '2026-06',
      outDir: out,
      validate,
      signingKey: loadSigningKey(key.privateKeyPath),
    });
    zip = r.bundles[0]!.path;
    original = mkdtempSync(join(tmpdir(), 'huifang-mut-'));
    execFileSync('unzip', ['-q', zip, '-d', original]);
  });
  afterAll(() => f.ws.close());

  it('the untouched bundle verifies, signature and chain included', async () => {
    const r = await verifyBundle(zip, { key: loadPublicKey(pub) });
    expect(r.problems.filter((p) => p.severity !== 'info')).toEqual([]);
    expect(r.ok).toBe(true);
    const infos = r.problems.map((p) => `${p.ruleId} ${p.reason}`).join('\n');
    expect(infos).toMatch(/huifang\/chain Chain: the previous bundle .*huifang-3101-2026-05\.zip matches/);
    expect(infos).toContain('huifang/signature Signature: valid, by the key given');
  });

  const mutations = (): Mutation[] => {
    const recording1 = `data/${v1}/received/recording-call_61.mp3`;
    const recording2 = `data/${v2}/received/recording-call_62.mp3`;
    const record1 = `data/${v1}/record.json`;
    return [
      { what: 'a byte of a recording', apply: (b) => flip(join(b, recording1)), names: [recording1] },
      { what: 'the first byte of a recording', apply: (b) => flip(join(b, recording2), 0), names: [recording2] },
      { what: 'a byte of a visit record', apply: (b) => flip(join(b, record1), 0.3), names: [record1] },
      { what: 'a byte of index.json', apply: (b) => flip(join(b, 'data/index.json'), 0.7), names: ['data/index.json'] },
      { what: 'a byte of index.csv', apply: (b) => flip(join(b, 'data/index.csv'), 0.9), names: ['data/index.csv'] },
      { what: 'a byte of index.html', apply: (b) => flip(join(b, 'data/index.html'), 0.5), names: ['data/index.html'] },
      {
        what: 'a byte of manifest-sha256.txt',
        apply: (b) => flip(join(b, 'manifest-sha256.txt'), 0.1),
        names: ['manifest-sha256.txt'],
      },
      {
        what: 'a byte of manifest-sha512.txt',
        apply: (b) => flip(join(b, 'manifest-sha512.txt'), 0.6),
        names: ['manifest-sha512.txt'],
      },
      { what: 'a byte of bag-info.txt', apply: (b) => flip(join(b, 'bag-info.txt'), 0.8), names: ['bag-info.txt'] },
      { what: 'a byte of bagit.txt', apply: (b) => flip(join(b, 'bagit.txt'), 0.9), names: ['bagit.txt'] },
      {
        what: 'a byte of tagmanifest-sha256.txt',
        apply: (b) => flip(join(b, 'tagmanifest-sha256.txt'), 0.02),
        names: ['tagmanifest-sha256.txt'],
      },
      {
        what: 'a byte of the signature',
        apply: (b) => flip(join(b, 'huifang-signature.txt'), 0.97),
        names: ['huifang-signature.txt'],
      },
      {
        what: 'the retention date in bag-info, manifests recomputed',
        apply: (b) => {
          const info = join(b, 'bag-info.txt');
          writeFileSync(
            info,
            readFileSync(info, 'utf8').replace(/Huifang-Retain-Until: \d{4}/, 'Huifang-Retain-Until: 2027'),
          );
          execFileSync(
            'sh',
            ['-c', 'sha256sum bag-info.txt bagit.txt manifest-sha256.txt manifest-sha512.txt > tagmanifest-sha256.txt'],
            { cwd: b },
          );
        },
        names: ['bag-info.txt', 'huifang-signature.txt'],
      },
      { what: 'a payload file removed', apply: (b) => rmSync(join(b, recording2)), names: [recording2] },
      { what: 'a visit record removed', apply: (b) => rmSync(join(b, record1)), names: [record1] },
      { what: 'index.csv removed', apply: (b) => rmSync(join(b, 'data/index.csv')), names: ['data/index.csv'] },
      {
        what: 'manifest-sha512.txt removed',
        apply: (b) => rmSync(join(b, 'manifest-sha512.txt')),
        names: ['manifest-sha512.txt'],
      },
      {
        what: 'the signature removed',
        apply: (b) => rmSync(join(b, 'huifang-signature.txt')),
        names: ['huifang-signature.txt'],
      },
      {
        what: 'a payload file added',
        apply: (b) => writeFileSync(join(b, 'data', v1, 'received', 'extra.jpg'), 'x'),
        names: [`data/${v1}/received/extra.jpg`],
      },
      {
        what: 'a file added at data/',
        apply: (b) => writeFileSync(join(b, 'data', 'notes.txt'), 'x'),
        names: ['data/notes.txt'],
      },
      { what: 'a tag file added', apply: (b) => writeFileSync(join(b, 'readme.txt'), 'x'), names: ['readme.txt'] },
      {
        what: 'a recording renamed',
        apply: (b) => renameSync(join(b, recording1), join(b, 'data', v1, 'received', 'renamed.mp3')),
        names: [recording1, `data/${v1}/received/renamed.mp3`],
      },
      {
        what: 'a record moved to another visit folder',
        apply: (b) => renameSync(join(b, record1), join(b, 'data', v2, 'record-2.json')),
        names: [record1, `data/${v2}/record-2.json`],
      },
      {
        what: 'bag-info.txt renamed',
        apply: (b) => renameSync(join(b, 'bag-info.txt'), join(b, 'bag-info.txt.bak')),
        names: ['bag-info.txt', 'bag-info.txt.bak'],
      },
    ];
  };

  it('in the unpacked folder and re-zipped with zip(1)', async () => {
    const key = loadPublicKey(pub);
    const misses: string[] = [];
    for (const m of mutations()) {
      const work = mkdtempSync(join(tmpdir(), 'huifang-mut1-'));
      cpSync(original, work, { recursive: true });
      const bag = join(work, BAG);
      m.apply(bag);
      const zipped = join(work, 'mutated.zip');
      execFileSync('zip', ['-q', '-r', '-X', zipped, BAG], { cwd: work });
      for (const target of [bag, zipped]) {
        const r = await verifyBundle(target, { key });
        if (r.ok) misses.push(`${m.what} (${target.endsWith('.zip') ? 'zip' : 'folder'}): not caught`);
        for (const n of m.names)
          if (!named(r, n))
            misses.push(
              `${m.what} (${target.endsWith('.zip') ? 'zip' : 'folder'}): ${n} not named; problems: ${r.problems.map((p) => `${p.place.entry}: ${p.reason}`).join(' | ')}`,
            );
      }
      rmSync(work, { recursive: true, force: true });
    }
    expect(misses).toEqual([]);
  });

  it('a byte flipped inside any entry of the zip itself is caught and the entry named', async () => {
    const bytes = readFileSync(zip);
    // walk the local headers (independently of the reader) to find each entry's data
    const entries: { name: string; start: number; size: number }[] = [];
    for (let p = 0; bytes.readUInt32LE(p) === 0x04034b50;) {
      const size = bytes.readUInt32LE(p + 18);
      const nameLength = bytes.readUInt16LE(p + 26);
      const extra = bytes.readUInt16LE(p + 28);
      const name = bytes.subarray(p + 30, p + 30 + nameLength).toString('utf8');
      entries.push({ name, start: p + 30 + nameLength + extra, size });
      p += 30 + nameLength + extra + size;
    }
    expect(entries.length).toBeGreaterThan(10);
    const misses: string[] = [];
    for (const e of entries) {
      const copy = Buffer.from(bytes);
      copy[e.start + Math.floor(e.size / 2)] = copy[e.start + Math.floor(e.size / 2)]! ^ 0x10;
      const file = join(f.dir, 'flipped.zip');
      writeFileSync(file, copy);
      const rel = e.name.slice(BAG.length + 1);
      try {
        const r = await verifyBundle(file);
        if (r.ok || !named(r, rel))
          misses.push(
            `${rel}: ${r.ok ? 'not caught' : 'not named: ' + r.problems.map((p) => p.place.entry).join(', ')}`,
          );
      } catch (err) {
        if (!(err instanceof HostileZipError || err instanceof UnreadableZipError)) throw err;
      }
    }
    expect(misses).toEqual([]);
  });

  it('flips in the zip headers and central directory are caught, never accepted', async () => {
    const bytes = readFileSync(zip);
    const cdOffset = bytes.readUInt32LE(bytes.length - 22 + 16);
    // (the "version needed to extract" and the DOS time carry no content: a flip there changes
    // the zip's SHA-256, which the chain catches, but not the bag)
    const positions = [
      0,
      8,
      14,
      18,
      22,
      26,
      30,
      cdOffset,
      cdOffset + 16,
      cdOffset + 20,
      cdOffset + 24,
      cdOffset + 28,
      cdOffset + 42,
      cdOffset + 50,
      bytes.length - 22,
      bytes.length - 12,
      bytes.length - 6,
    ];
    const accepted: number[] = [];
    for (const pos of positions) {
      const copy = Buffer.from(bytes);
      copy[pos] = copy[pos]! ^ 0x01;
      const file = join(f.dir, 'hdr.zip');
      writeFileSync(file, copy);
      try {
        const r = await verifyBundle(file);
        if (r.ok) accepted.push(pos);
      } catch (err) {
        // A refusal is a typed error that names the zip; anything else is a crash, and fails here.
        if (!(err instanceof HostileZipError || err instanceof UnreadableZipError)) throw err;
      }
    }
    expect(accepted, `flips accepted (central directory at ${cdOffset})`).toEqual([]);
  });

  it('lists what it found in a bag folder', () => {
    expect(readdirSync(join(original, BAG)).sort()).toContain('huifang-signature.txt');
  });
});
