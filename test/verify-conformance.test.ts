/**
 * The Library of Congress BagIt conformance suite (bagit-conformance-suite: v0.93 to v1.0,
 * valid / invalid / warning / linux-only / windows-only), each case rebuilt here from its
 * description: the bag is written into a temporary folder and `verify` must judge it as the
 * suite does — valid bags pass, invalid ones fail for the reason the case is about, warning
 * bags pass with a warning that names what is odd. Plus the holey bag with its files not
 * fetched yet, which is reported incomplete.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle, type VerifyReport } from '../src/archive/verify.ts';

type Bytes = Buffer | string;
const hex = (alg: string, b: Bytes) => createHash(alg).update(b).digest('hex');
const bytesOf = (b: Bytes) => (typeof b === 'string' ? Buffer.from(b) : b);

interface CaseBag {
  version: string;
  encoding?: string;
  /** Payload files by path (`data/...`). */
  payload?: Record<string, Bytes>;
  /** bag-info.txt text (encoded with the tag-file encoding); null for none. */
  info?: string | null;
  infoName?: string;
  algorithms?: string[];
  /** Manifest lines as written, per algorithm, instead of the computed ones. */
  manifestLines?: Record<string, string[]>;
  fetch?: string;
  /** Tag files besides the standard ones. */
  extraTags?: Record<string, Bytes>;
  tagManifest?: boolean;
  /** Runs last, on the written folder: the damage a case is about. */
  damage?: (dir: string) => void;
  bagitTxt?: Bytes;
  eol?: string;
}

const FOUR_FILES = {
  'data/bare-filename': 'bare filename\n',
  'data/text-file.txt': 'text file, the second payload file\n',
};
const FIVE_FILES = {
  'data/dir1/test3.txt': 'test3',
  'data/dir2/dir3/test5.txt': 'test5',
  'data/dir2/test4.txt': 'test4',
  'data/test1.txt': 'test1',
  'data/test2.txt': 'test2',
};

/** Writes a bag as bagit-python (and the suite's makers) would, then applies the case's damage. */
function writeBag(dir: string, c: CaseBag): string {
  const encoding = c.encoding ?? 'UTF-8';
  const eol = c.eol ?? '\n';
  const payload = c.payload ?? FOUR_FILES;
  const put = (p: string, b: Bytes) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), b);
  };
  const tag = (text: string) => iconv.encode(text, encoding, { addBOM: /^utf-?16$/i.test(encoding) });
  const tags: Record<string, Buffer> = {};
  tags['bagit.txt'] = bytesOf(
    c.bagitTxt ?? `BagIt-Version: ${c.version}${eol}Tag-File-Character-Encoding: ${encoding}${eol}`,
  );
  const octets = Object.values(payload).reduce((n, b) => n + bytesOf(b).length, 0);
  const info =
    c.info === undefined
      ? `Bag-Software-Agent: a rebuilt suite case${eol}Bagging-Date: 2017-01-26${eol}Payload-Oxum: ${octets}.${Object.keys(payload).length}${eol}`
      : c.info;
  if (info !== null) tags[c.infoName ?? 'bag-info.txt'] = tag(info);
  for (const alg of c.algorithms ?? ['md5']) {
    const lines = c.manifestLines?.[alg] ?? Object.entries(payload).map(([p, b]) => `${hex(alg, bytesOf(b))}  ${p}`);
    tags[`manifest-${alg}.txt`] = tag(lines.map((l) => l + eol).join(''));
  }
  if (c.fetch !== undefined) tags['fetch.txt'] = tag(c.fetch);
  Object.assign(tags, Object.fromEntries(Object.entries(c.extraTags ?? {}).map(([p, b]) => [p, bytesOf(b)])));
  for (const [p, b] of Object.entries(payload)) put(p, b);
  for (const [p, b] of Object.entries(tags)) put(p, b);
  if (c.tagManifest ?? true) {
    for (const alg of c.algorithms ?? ['md5'])
      put(
        `tagmanifest-${alg}.txt`,
        tag(
          Object.entries(tags)
            .map(([p, b]) => `${hex(alg, b)} ${p}${eol}`)
            .join(''),
        ),
      );
  }
  c.damage?.(dir);
  return dir;
}

const base = mkdtempSync(join(tmpdir(), 'huifang-conformance-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const judge = async (c: CaseBag): Promise<VerifyReport> => verifyBundle(writeBag(join(base, `bag-${++n}`), c));
const errors = (r: VerifyReport) => r.problems.filter((p) => p.severity === 'error');
const warnings = (r: VerifyReport) => r.problems.filter((p) => p.severity === 'warning');
const rulesOf = (ps: VerifyReport['problems']) => ps.map((p) => `${p.place.entry}: ${p.ruleId}`);
const found = (r: VerifyReport) => r.problems.filter((p) => p.severity !== 'info');

const OLD_INFO = (oxum: string) =>
  `Source-Organization: Spengler University\r\nExternal-Description: Uncompressed greyscale TIFF images from the\r\n   Yoshimuri papers collection.\r\nPayload-Oxum: ${oxum}\r\n`;
const DUPLICATE_INFO =
  'Bagging-Date: 2016-02-26\nBagging-Date: 2016-03-10\nContact-Email: cadams@loc.gov\ncontact-name: Chris Adams\nContact-Email: jsca@loc.gov\nCase-Insensitivity-Test: 1\nCASE-INSENSITIVITY-TEST: 2\ncase-insensitivity-test: 3';

const VALID: [string, CaseBag][] = [
  ...['0.93', '0.94', '0.95'].flatMap((v): [string, CaseBag][] => [
    [
      `v${v} basic-bag (package-info.txt)`,
      { version: v, payload: FIVE_FILES, info: OLD_INFO('25.5'), infoName: 'package-info.txt', eol: '\r\n' },
    ],
    [
      `v${v} duplicate-metadata-entries`,
      { version: v, payload: FIVE_FILES, info: `${DUPLICATE_INFO}\n`, infoName: 'package-info.txt' },
    ],
  ]),
  ...['0.96', '0.97'].flatMap((v): [string, CaseBag][] => [
    [`v${v} basic-bag`, { version: v }],
    [`v${v} duplicate-metadata-entries`, { version: v, info: DUPLICATE_INFO }],
    [`v${v} bag-in-a-bag`, { version: v, payload: innerBag(v) }],
    [
      `v${v} bag-with-encoded-names (%7E kept literally before 1.0)`,
      {
        version: v,
        payload: {
          'data/%7Edir2/test4.txt': 'test4',
          'data/%7Etest1.txt': 'test1',
          'data/%test2.txt': 'test2',
          'data/dir1/~test3.txt': 'test3',
        },
      },
    ],
    [
      `v${v} bag-with-escapable-characters`,
      { version: v, payload: { ...FIVE_FILES, 'data/test file with spaces.txt': 'spaces' } },
    ],
    [`v${v} bag-with-space`, { version: v, payload: { 'data/test 1.txt': 'test1', 'data/test2.txt': 'test2' } }],
    [
      `v${v} bag-with-leading-dot-slash-in-manifest`,
      {
        version: v,
        payload: FIVE_FILES,
        manifestLines: {
          md5: Object.entries(FIVE_FILES).map(([p, b]) => `${hex('md5', b)} ${p === 'data/test2.txt' ? './' : ''}${p}`),
        },
      },
    ],
    [
      `v${v} holey-bag (every file fetched)`,
      { version: v, payload: FIVE_FILES, info: OLD_INFO('25.5'), eol: '\r\n', fetch: holeyFetch(FIVE_FILES) },
    ],
  ]),
  [
    'v0.97 ISO-8859-1-encoded-tag-files',
    { version: '0.97', encoding: 'ISO-8859-1', info: 'Contact-Name: José Müller\nSource-Organization: Bibliothèque\n' },
  ],
  [
    'v0.97 UTF-16-encoded-tag-files',
    {
      version: '0.97',
      encoding: 'UTF-16',
      info: 'Contact-Name: Chris Adams\nExternal-Description: tag files in UTF-16 with a byte-order mark\n',
    },
  ],
  ['v0.97 minimal-bag (a bag as payload)', { version: '0.97', payload: innerBag('0.97', 'data/') }],
  [
    'v0.97 uncommon-metadata-separators',
    {
      version: '0.97',
      algorithms: ['sha224'],
      payload: { 'data/README': 'read me\n' },
      info: 'Payload-Oxum: 8.1\nTest-Tag: 1\nTest-Tag:   2\nTest-Tag : 3\nTest-Tag    :   5\n',
    },
  ],
  [
    'v1.0 basicBag (sha512, no bag-info.txt)',
    { version: '1.0', algorithms: ['sha512'], info: null, payload: { 'data/hello.txt': 'hello\n' } },
  ],
];

/** A whole bag inside the payload, under `data/bag/` (or straight in `data/`, as the minimal bag). */
function innerBag(version: string, at = 'data/bag/'): Record<string, Bytes> {
  const inner = `BagIt-Version: ${version}\nTag-File-Character-Encoding: UTF-8\n`;
  const manifest = Object.entries(FOUR_FILES)
    .map(([p, b]) => `${hex('md5', b)}  ${p}\n`)
    .join('');
  return {
    [`${at}bagit.txt`]: inner,
    [`${at}manifest-md5.txt`]: manifest,
    [`${at}tagmanifest-md5.txt`]: `${hex('md5', inner)}  bagit.txt\n${hex('md5', manifest)}  manifest-md5.txt\n`,
    ...Object.fromEntries(Object.entries(FOUR_FILES).map(([p, b]) => [at + p, b])),
  };
}

function holeyFetch(payload: Record<string, Bytes>, length = false): string {
  return Object.entries(payload)
    .map(
      ([p, b]) => `http://localhost:8989/bags/holey-bag/${encodeURI(p)} ${length ? bytesOf(b).length : '-'} ${p}\r\n`,
    )
    .join('');
}

const outsideFetch = (path: string): CaseBag => ({ version: '0.97', fetch: `https://en.wikipedia.org - ${path}\n` });
const outsideManifest = (path: string): CaseBag => ({
  version: '0.97',
  manifestLines: {
    md5: [
      ...Object.entries(FOUR_FILES).map(([p, b]) => `${hex('md5', b)}  ${p}`),
      `3e6ffc4a8a1f38a7094e15d2356d7252  ${path}`,
    ],
  },
});
const readme = { 'data/README': 'This bag lists data/README twice.\n' };
const twice = (version: string, sameHash: boolean): CaseBag => ({
  version,
  algorithms: ['sha256', 'sha512'],
  payload: readme,
  manifestLines: {
    sha256: [
      `${hex('sha256', readme['data/README'])}  data/README`,
      `${sameHash ? hex('sha256', readme['data/README']) : hex('sha256', 'another')}  data/README`,
    ],
  },
});
const write = (p: string, b: Bytes) => (dir: string) => writeFileSync(join(dir, p), b);

/** Invalid cases: the bag and the rule (path: rule) its error must carry. */
const INVALID: [string, CaseBag, string][] = [
  [
    'v0.97 baginfo-missing-encoding',
    { version: '0.97', bagitTxt: 'BagIt-Version: 0.97\n' },
    'bagit.txt: bag/bagit-txt',
  ],
  [
    'v0.97 bom-in-bagit.txt',
    { version: '0.97', bagitTxt: '\ufeffBagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n' },
    'bagit.txt: bag/bagit-txt',
  ],
  [
    'v0.97 corrupt-data-file',
    { version: '0.97', damage: write('data/bare-filename', 'bare filenamX\n') },
    'data/bare-filename: bag/checksum',
  ],
  [
    'v0.97 corrupt-tag-file',
    { version: '0.97', damage: write('bag-info.txt', 'Bagging-Date: 2016-02-27\n') },
    'bag-info.txt: bag/checksum',
  ],
  [
    'v0.97 extra-file-in-bag',
    { version: '0.97', damage: write('data/bar', 'not in any manifest\n') },
    'data/bar: bag/extra',
  ],
  ['v0.97 invalid-version-number', { version: '.97', algorithms: ['sha256', 'sha512'] }, 'bagit.txt: bag/bagit-txt'],
  [
    'v0.97 missing-baginfo (listed in the tag manifest)',
    { version: '0.97', damage: (d) => rmSync(join(d, 'bag-info.txt')) },
    'bag-info.txt: bag/missing',
  ],
  [
    'v0.97 missing-bagit.txt',
    { version: '0.97', damage: (d) => rmSync(join(d, 'bagit.txt')) },
    'bagit.txt: bag/not-a-bag',
  ],
  [
    'v0.97 out-of-scope-file-paths-using-dot-notation',
    outsideManifest('../../../README.md'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 out-of-scope-file-paths-using-dot-notation (escaped dots)',
    outsideManifest('\\.\\./\\.\\./\\.\\./README.md'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 out-of-scope-file-paths-using-dot-notation-for-fetch',
    outsideFetch('../../../README.md'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v0.97 same-filename-listed-twice-with-different-hashes',
    twice('0.97', false),
    'manifest-sha256.txt: bag/manifest-duplicate',
  ],
  [
    'v0.97 linux-only out-of-scope-file-paths-using-absolute-path',
    outsideManifest('/tmp/foo'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 linux-only out-of-scope-file-paths-using-absolute-path-for-fetch',
    outsideFetch('/tmp/test.txt'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v0.97 linux-only out-of-scope-file-paths-using-shortcut',
    outsideManifest('~/foo'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 linux-only out-of-scope-file-paths-using-shortcut-for-fetch',
    outsideFetch('~/test.txt'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v0.97 linux-only out-of-scope-file-paths-using-shortcut-username',
    outsideManifest('~root/foo'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 linux-only out-of-scope-file-paths-using-shortcut-username-for-fetch',
    outsideFetch('~root/foo'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v0.97 windows-only out-of-scope-file-paths-using-absolute-path',
    outsideManifest('C:\\Windows\\System32\\setx.exe'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 windows-only out-of-scope-file-paths-using-absolute-path-for-fetch',
    outsideFetch('C:\\Windows\\System32\\setx.exe'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v0.97 windows-only out-of-scope-file-paths-using-shortcut',
    outsideManifest('%HomeDrive%\\Windows\\System32\\setx.exe'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 windows-only out-of-scope-file-paths-using-shortcut-for-fetch',
    outsideFetch('%HomeDrive%\\Windows\\System32\\setx.exe'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v0.97 windows-only out-of-scope-file-paths-using-unc',
    outsideManifest('\\\\?\\UNC\\server\\Windows\\System32\\setx.exe'),
    'manifest-md5.txt: bag/manifest-path',
  ],
  [
    'v0.97 windows-only out-of-scope-file-paths-using-unc-for-fetch',
    outsideFetch('\\\\?\\UNC\\server\\Windows\\System32\\setx.exe'),
    'fetch.txt: bag/fetch-path',
  ],
  [
    'v1.0 bagit-with-invalid-whitespace',
    { version: '1.0', bagitTxt: 'BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n' },
    'bagit.txt: bag/bagit-txt',
  ],
  [
    'v1.0 notAllManifestsListAllFiles',
    {
      version: '1.0',
      algorithms: ['sha512'],
      info: null,
      payload: { 'data/hello.txt': 'hello\n' },
      damage: write('data/missingFromManifest.txt', 'x'),
    },
    'data/missingFromManifest.txt: bag/extra',
  ],
  [
    'v1.0 same-filename-listed-twice-with-different-hashes',
    twice('1.0', false),
    'manifest-sha256.txt: bag/manifest-duplicate',
  ],
  [
    'v1.0 same-filename-listed-twice-with-the-same-hash',
    twice('1.0', true),
    'manifest-sha256.txt: bag/manifest-duplicate',
  ],
];

const hello = { 'data/hello.txt': 'hello\n' };
const nfc = 'data/N\u00fa\u00f1ez';
const nfd = 'data/Nu\u0301n\u0303ez';
const empty = hex('sha512', '');

/** Warning cases: valid, with a warning carrying this rule. */
const WARNING: [string, CaseBag, string][] = [
  [
    'v0.97 duplicate-file-with-different-case',
    {
      version: '0.97',
      algorithms: ['sha512'],
      payload: hello,
      manifestLines: {
        sha512: [
          `${hex('sha512', hello['data/hello.txt'])}  data/hello.txt`,
          `${hex('sha512', hello['data/hello.txt'])}  data/HELLO.txt`,
        ],
      },
    },
    'manifest-sha512.txt: bag/manifest-duplicate',
  ],
  [
    'v0.97 made-with-md5sum-tools',
    {
      version: '0.97',
      payload: hello,
      manifestLines: { md5: [`${hex('md5', hello['data/hello.txt'])} *data/hello.txt`] },
    },
    'manifest-md5.txt: bag/manifest-style',
  ],
  [
    'v0.97 relative-path',
    {
      version: '0.97',
      algorithms: ['sha512'],
      payload: hello,
      manifestLines: { sha512: [`${hex('sha512', hello['data/hello.txt'])}  ./data/hello.txt`] },
    },
    'manifest-sha512.txt: bag/manifest-style',
  ],
  [
    'v0.96 same-filename-listed-twice-with-different-normalization',
    {
      version: '0.96',
      algorithms: ['sha512'],
      info: null,
      payload: { [nfc]: '' },
      manifestLines: { sha512: [`${empty}  ${nfd}`, `${empty}  ${nfc}`] },
    },
    'manifest-sha512.txt: bag/manifest-duplicate',
  ],
  [
    'v0.97 same-filename-listed-twice-with-the-same-hash',
    twice('0.97', true),
    'manifest-sha256.txt: bag/manifest-duplicate',
  ],
  [
    'v0.97 special-system-files',
    { version: '0.97', algorithms: ['sha512'], payload: { 'data/.DS_Store': '', 'data/Thumbs.db': '' } },
    'data/.DS_Store: bag/system-file',
  ],
];

describe('the BagIt conformance suite, rebuilt', () => {
  it.each(VALID)('valid: %s', async (_name, c) => {
    const r = await judge(c);
    expect(errors(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.version).toBe(c.version);
  });

  it.each(INVALID)('invalid: %s', async (_name, c, rule) => {
    const r = await judge(c);
    expect(r.ok).toBe(false);
    expect(rulesOf(errors(r))).toContain(rule);
  });

  it.each(WARNING)('warning: %s', async (_name, c, rule) => {
    const r = await judge(c);
    expect(errors(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(rulesOf(warnings(r))).toContain(rule);
  });

  it('the same bags without their oddity raise no warning (the warnings are about the oddity)', async () => {
    const r = await judge({ version: '0.97', algorithms: ['sha512'], payload: hello });
    expect(found(r)).toEqual([]);
    const old = await judge({ version: '0.96', algorithms: ['sha512'], info: null, payload: { [nfc]: '' } });
    expect(found(old)).toEqual([]);
  });

  it('the BOM, the fetch path and the duplicate are named in words a person can act on', async () => {
    const bom = await judge(INVALID[1]![1]);
    expect(errors(bom)[0]!.reason).toBe(
      'line 1: begins with a byte-order mark (EF BB BF); bagit.txt must not (RFC 8493 §2.1.1): save it as UTF-8 without BOM',
    );
    const fetch = await judge(outsideFetch('../../../README.md'));
    expect(errors(fetch).map((p) => p.reason)).toEqual([
      'line 1: "../../../README.md": the name contains ".." and would escape the folder it is unpacked into; fetch.txt may only fill in payload files inside the bag',
    ]);
    const norm = await judge(WARNING[3]![1]);
    expect(warnings(norm)[0]!.reason).toBe(
      'lines 1 and 2: "data/Núñez" is listed twice, in two Unicode normalisations (NFD and NFC); on macOS and to most tools they are one file',
    );
  });
});

describe('holey bags: fetch.txt', () => {
  const holey = (damage?: (dir: string) => void, length = false): CaseBag => ({
    version: '0.97',
    payload: FIVE_FILES,
    fetch: holeyFetch(FIVE_FILES, length),
    ...(damage ? { damage } : {}),
  });

  it('files listed in fetch.txt and not fetched yet make the bag incomplete, each named with its URL', async () => {
    const r = await judge(
      holey((d) => {
        rmSync(join(d, 'data/test1.txt'));
        rmSync(join(d, 'data/dir2'), { recursive: true });
      }),
    );
    expect(r.ok).toBe(false);
    expect(rulesOf(errors(r)).sort()).toEqual([
      'data/dir2/dir3/test5.txt: bag/incomplete',
      'data/dir2/test4.txt: bag/incomplete',
      'data/test1.txt: bag/incomplete',
    ]);
    expect(errors(r).find((p) => p.place.entry === 'data/test1.txt')!.reason).toBe(
      'not fetched yet: fetch.txt line 4 lists it at http://localhost:8989/bags/holey-bag/data/test1.txt; the bag is incomplete until it is fetched',
    );
    expect(r.problems).toContainEqual({
      ruleId: 'bag/incomplete',
      severity: 'info',
      reason: 'The bag is incomplete: 3 file(s) listed in fetch.txt are not in it yet',
      place: { entry: 'fetch.txt' },
      fix: 'fetch them, then verify again',
    });
  });

  it('a file removed that fetch.txt does not list is still "removed", not "not fetched"', async () => {
    const r = await judge({
      version: '0.97',
      payload: FIVE_FILES,
      fetch: holeyFetch({ 'data/test2.txt': 'test2' }),
      damage: (d) => rmSync(join(d, 'data/test1.txt')),
    });
    expect(rulesOf(errors(r))).toEqual(['bag-info.txt: bag/oxum', 'data/test1.txt: bag/missing']);
  });

  it('a fetched file whose size disagrees with fetch.txt, and a fetch line no manifest lists, are errors', async () => {
    const r = await judge(holey(write('data/test1.txt', 'test1 grown'), true));
    expect(rulesOf(errors(r))).toContain('data/test1.txt: bag/fetch-length');
    const unlisted = await judge({
      version: '0.97',
      fetch: 'https://example.org/extra data/extra.txt\nhttps://example.org/x - data/extra.txt\n',
    });
    expect(rulesOf(errors(unlisted))).toEqual(['fetch.txt: bag/fetch-line', 'fetch.txt: bag/fetch-path']);
  });

  it.skipIf(!hasZip())(
    'as a zip, the bag is judged the same: fetch.txt pointing outside, and unfetched files',
    async () => {
      const outside = zipOf(writeBag(join(base, 'zip-outside'), outsideFetch('/tmp/test.txt')));
      expect(rulesOf(errors(await verifyBundle(outside)))).toEqual(['fetch.txt: bag/fetch-path']);
      const incomplete = zipOf(
        writeBag(
          join(base, 'zip-holey'),
          holey((d) => rmSync(join(d, 'data/test2.txt'))),
        ),
      );
      expect(rulesOf(errors(await verifyBundle(incomplete)))).toEqual(['data/test2.txt: bag/incomplete']);
    },
  );
});

function hasZip(): boolean {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function zipOf(folder: string): string {
  execFileSync('zip', ['-q', '-r', '-X', `${folder}.zip`, folder.split('/').pop()!], { cwd: dirname(folder) });
  return `${folder}.zip`;
}
