import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { makeFixture, type Fixture } from './archive-fixture.ts';
import { craftZip } from './zip-craft.ts';
import { importTestRoster } from './roster-fixture.ts';
import { writeFileSync } from 'node:fs';

function cli() {
  const lines: string[] = [];
  const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), interactive: false };
  return { io, lines, json: () => JSON.parse(lines.join('')) };
}

describe('archive, keys, extract and report on the command line', () => {
  let f: Fixture;
  let ws: string;
  beforeAll(() => {
    process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
    f = makeFixture();
    ws = join(f.dir, 'ws');
    importTestRoster(f.ws);
    f.ws.close();
  });
  afterAll(() => delete process.env.HUIFANG_NOW);

  it('refuses invalid visits with exit 1 and names them, then archives, signs, verifies with the key and unpacks', async () => {
    const archiveAsClerk = [
      'archive',
      '--workspace',
      ws,
      '--branch',
      '3101',
      '--period',
      '2026-05',
      '--out',
      join(f.dir, 'b'),
      '--json',
      '--user',
      '赵六',
    ];
    // Archiving seals recorded verdicts only: before anyone records them, every visit is refused.
    let c = cli();
    expect(await main(archiveAsClerk, c.io)).toBe(1);
    const before = c.json();
    expect(before.bundles).toEqual([]);
    const first = before.refused.find((r: any) => r.visitId === f.valid[0]);
    expect(first.problems).toContainEqual(
      expect.objectContaining({ ruleId: 'result/not-recorded', severity: 'error' }),
    );
    // a clerk may not record verdicts; a reviewer may
    c = cli();
    expect(await main(['validate', '--workspace', ws, '--record', '--user', '赵六'], c.io)).toBe(2);
    expect(c.lines.join('\n')).toContain('may not record verdicts');
    expect(
      await main(['validate', '--workspace', ws, '--record', '--user', '王五', '--no-verify-hashes'], cli().io),
    ).toBe(1);
    c = cli();
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
          join(f.dir, 'b'),
          '--json',
          '--user',
          '赵六',
        ],
        c.io,
      ),
    ).toBe(1);
    expect(c.json()).toMatchObject({ bundles: [], refused: [{ visitId: f.invalid[0] }] });
    c = cli();
    expect(await main(['keys', 'create', '--out', join(f.dir, 'keys'), '--json'], c.io)).toBe(0);
    const keys = c.json();
    expect(readFileSync(keys.privateKey, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(keys.fingerprint).toMatch(/^SHA256:[0-9a-f]{64}$/);
    c = cli();
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
          join(f.dir, 'b'),
          '--include-invalid',
          '--sign',
          keys.privateKey,
          '--user',
          '赵六',
        ],
        c.io,
      ),
    ).toBe(0);
    expect(c.lines.join('\n')).toContain('1 INVALID visit(s) included');
    const zip = join(f.dir, 'b', 'huifang-3101-2026-05.zip');
    c = cli();
    expect(await main(['verify', zip, '--key', keys.publicKey], c.io)).toBe(0);
    expect(c.lines.join('\n')).toMatch(
      /· huifang-signature\.txt: Signature: valid, by the key given \(.*\)\. \[huifang\/signature\]/,
    );
    c = cli();
    expect(await main(['archive', 'extract', zip, '--out', join(f.dir, 'bags'), '--json'], c.io)).toBe(0);
    const extracted = c.json();
    expect(extracted.indexHtml).toBe(join(f.dir, 'bags', 'huifang-3101-2026-05', 'data', 'index.html'));
    expect(existsSync(extracted.indexHtml)).toBe(true);
    // unpacking again replaces the earlier copy; the copy verifies as a folder
    expect(await main(['archive', 'extract', zip, '--out', join(f.dir, 'bags')], cli().io)).toBe(0);
    expect(await main(['verify', join(f.dir, 'bags', 'huifang-3101-2026-05')], cli().io)).toBe(0);
  });

  it('extract refuses a hostile zip (exit 2) and writes nothing', async () => {
    const evil = join(f.dir, 'evil.zip');
    writeFileSync(evil, craftZip([{ name: 'bag/../../outside.txt', data: Buffer.from('x') }]));
    const c = cli();
    expect(await main(['archive', 'extract', evil, '--out', join(f.dir, 'evil-out')], c.io)).toBe(2);
    expect(c.lines.join('\n')).toMatch(/cannot be unpacked: .*would escape/);
    expect(existsSync(join(f.dir, 'outside.txt'))).toBe(false);
  });

  it('archive due, hold and release; the period report lists bundles and holds', async () => {
    process.env.HUIFANG_NOW = '2029-07-01T02:00:00Z';
    let c = cli();
    expect(await main(['archive', 'due', '--workspace', ws, '--json'], c.io)).toBe(0);
    expect(c.json().bundles).toEqual([join(f.dir, 'b', 'huifang-3101-2026-05.zip')]);
    expect(
      await main(
        [
          'archive',
          'hold',
          'huifang-3101-2026-05',
          '--workspace',
          ws,
          '--reason',
          'court order 2029-88',
          '--user',
          '孙八',
        ],
        cli().io,
      ),
    ).toBe(0);
    c = cli();
    await main(['archive', 'due', '--workspace', ws, '--json'], c.io);
    expect(c.json().bundles).toEqual([]);
    c = cli();
    expect(await main(['report', '--workspace', ws, '--period', '2026-05'], c.io)).toBe(0);
    const text = c.lines.join('\n');
    expect(text).toContain('营业部 3101 上海浦东南路证券营业部 — 2026年5月: 3 visits');
    // retention counts from the visits' completion (evidence in on 2026-06-15), not from the period
    expect(text).toContain(
      'bundle huifang-3101-2026-05: 3 visits, retain until 2029-06-15, includes invalid visits, legal hold: court order 2029-88',
    );
    expect(
      await main(
        ['archive', 'release', 'huifang-3101-2026-05', '--workspace', ws, '--reason', 'case closed', '--user', '钱七'],
        cli().io,
      ),
    ).toBe(0);
    c = cli();
    await main(['archive', 'due', '--workspace', ws, '--json'], c.io);
    expect(c.json().bundles).toHaveLength(1);
    expect(
      await main(['archive', 'hold', 'nope', '--workspace', ws, '--reason', 'x', '--user', '孙八'], cli().io),
    ).toBe(2);
    // a clerk may not place a legal hold (branch head or compliance only), and nothing is recorded
    c = cli();
    expect(
      await main(
        ['archive', 'hold', 'huifang-3101-2026-05', '--workspace', ws, '--reason', 'x', '--user', '赵六'],
        c.io,
      ),
    ).toBe(2);
    expect(c.lines.join('\n')).toContain('may not place or release legal holds');
    process.env.HUIFANG_NOW = '2026-06-15T02:00:00Z';
  });
});
