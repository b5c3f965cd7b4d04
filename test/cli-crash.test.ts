import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_CRASH, reportFailure, type Io } from '../src/cli/common.ts';
import { InputError, invalidParameter } from '../src/domain/messages.ts';

function captured(): Io & { text: () => string } {
  let out = '';
  return { out: (t) => (out += t + '\n'), err: (t) => (out += t + '\n'), interactive: false, text: () => out };
}

describe('how a failure is reported', () => {
  it('a fault in huifang is a crash: exit 3, said so, with where to report it', () => {
    const io = captured();
    expect(reportFailure(io, false, new TypeError("Cannot read properties of undefined (reading 'page')"))).toBe(
      EXIT_CRASH,
    );
    expect(io.text()).toMatch(/^huifang crashed: Cannot read properties of undefined/);
    expect(io.text()).toContain('not in your input');
    expect(io.text()).toContain('report it');
  });

  it('with --json a crash is one JSON document naming it a crash', () => {
    const io = captured();
    expect(reportFailure(io, true, new RangeError('offset out of range'))).toBe(EXIT_CRASH);
    const doc = JSON.parse(io.text().split('\nhuifang crashed')[0]!);
    expect(doc).toMatchObject({ crash: 'offset out of range' });
  });

  it('bad input, a bad parameter and a missing file are refusals (exit 2), not crashes', () => {
    let missing: unknown;
    try {
      readFileSync('/nonexistent/customers.csv');
    } catch (e) {
      missing = e;
    }
    for (const e of [
      new InputError('the list has no header'),
      invalidParameter('--period', 'YYYY-MM', '2026-13'),
      missing,
    ]) {
      const io = captured();
      expect(reportFailure(io, false, e)).toBe(EXIT_BAD_INPUT);
      expect(io.text()).not.toContain('crashed');
    }
  });
});
