/**
 * Progress on standard error: a line with the time left on a terminal, a summary at the end,
 * and nothing at all when standard error is not a terminal (scripts, CI, --json captured).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { estimateLeft, formatDuration, progressLine, startProgress } from '../src/cli/progress.ts';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PROJECT_ROOT } from '../src/render/templates.ts';
import { newStaffedWorkspace } from './workspace-helpers.ts';

function terminal(): { io: Io; raw: () => string } {
  let raw = '';
  return { io: { out: () => {}, err: () => {}, interactive: true, errRaw: (t) => (raw += t) }, raw: () => raw };
}

describe('progress', () => {
  it('estimates the time left from the pace so far', () => {
    expect(estimateLeft(10_000, 0, 10)).toBeUndefined();
    expect(estimateLeft(10_000, 5, 10)).toBe(10_000);
    expect(estimateLeft(10_000, 10, 10)).toBe(0);
    expect(formatDuration(42_400)).toBe('42 s');
    expect(formatDuration(75_000)).toBe('1:15');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
    expect(progressLine('ingest', 3, 12, 6000)).toBe('ingest  3/12  25%  6 s elapsed, about 18 s left');
    expect(progressLine('ingest', 0, 12, 500)).toContain('estimating time left');
  });

  it('rewrites one line on a terminal and ends with a summary line', () => {
    let t = 0;
    const { io, raw } = terminal();
    const bar = startProgress(io, 'archive 3101 2026-11', { unit: 'visits', now: () => t, interval: 200 });
    t = 1000;
    bar.tick(1, 4);
    t = 1100;
    bar.tick(2, 4); // within the interval: not drawn
    t = 2000;
    bar.tick(3, 4, 'packing');
    t = 4000;
    bar.tick(4, 4);
    bar.finish('1 bundle written');
    const lines = raw().split('\r').filter(Boolean);
    expect(lines[0]).toMatch(/^archive 3101 2026-11 {2}1\/4 {2}25% {2}1 s elapsed, about 3 s left/);
    expect(raw()).not.toContain('2/4');
    expect(lines[1]).toContain('3/4  75%  2 s elapsed, about 1 s left  packing');
    expect(lines.at(-1)).toMatch(/^archive 3101 2026-11: 4 visits, 1 bundle written in 4 s\s*\n$/);
    expect(raw().match(/\n/g)).toHaveLength(1);
  });

  it('writes nothing when standard error is not a terminal', () => {
    let raw = '';
    const bar = startProgress({ interactive: false, errRaw: (t) => (raw += t) }, 'letters');
    bar.tick(1, 2);
    bar.finish();
    expect(raw).toBe('');
  });

  it('keeps a command run by a script clean: JSON alone on stdout, nothing on stderr', async () => {
    const ws = await newStaffedWorkspace(join(mkdtempSync(join(tmpdir(), 'huifang-progress-')), 'ws'));
    let out = '';
    let err = '';
    const io: Io = {
      out: (t) => (out += t + '\n'),
      err: (t) => (err += t + '\n'),
      interactive: false,
      errRaw: (t) => (err += t),
    };
    const code = await main(
      [
        'letters',
        join(PROJECT_ROOT, 'samples', 'customers.csv'),
        '--out',
        join(ws, '..', 'letters'),
        '--workspace',
        ws,
        '--visitor',
        '周敏',
        '--reviewer',
        '沈佳怡',
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(err).toBe('');
    const json = JSON.parse(out);
    expect(json.visits).toHaveLength(66);
    // the print room's figures: every letter printed double-sided, per branch
    const batch = json.printRoom[0];
    expect(batch.pages).toBe(batch.branches.reduce((n: number, b: any) => n + b.pages, 0));
    expect(batch.sheets * 2).toBe(batch.pages);
    expect(batch.branches.map((b: any) => b.branchCode)).toEqual(['1101', '3101', '4403']);
    expect(batch.branches.reduce((n: number, b: any) => n + b.letters, 0)).toBe(66);
  });

  it('shows progress and its summary for a command on a terminal', async () => {
    const ws = await newStaffedWorkspace(join(mkdtempSync(join(tmpdir(), 'huifang-progress-')), 'ws'));
    const { io, raw } = terminal();
    const code = await main(
      [
        'letters',
        join(PROJECT_ROOT, 'samples', 'customers.csv'),
        '--out',
        join(ws, '..', 'letters'),
        '--workspace',
        ws,
        '--visitor',
        '周敏',
        '--reviewer',
        '沈佳怡',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(raw()).toMatch(/rendering letters {2}\d+\/66/);
    expect(raw()).toMatch(/rendering letters: 66 letters in \d+ s *\n/);
  });
});
