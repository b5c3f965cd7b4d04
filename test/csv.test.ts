import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsv, restoreFormula, writeCsv } from '../src/formats/csv.ts';

describe('the one CSV writer', () => {
  it('neutralises every spreadsheet formula start (=, +, -, @, tab, CR) with a leading quote', () => {
    const text = writeCsv([
      ['id', 'name'],
      ['=HYPERLINK("http://x.example","click")', '+1'],
      ['-2', '@SUM(A1)'],
      ['\tcmd', '\rx'],
      ['HF-7K3M9-Q2T4X', 'a-b'],
    ]);
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = readCsv(text).map((r) => r.fields);
    expect(
      rows
        .slice(1, 4)
        .flat()
        .every((f) => f.startsWith("'")),
    ).toBe(true);
    expect(rows[4]).toEqual(['HF-7K3M9-Q2T4X', 'a-b']);
    expect(rows[1]![0]).toBe(`'=HYPERLINK("http://x.example","click")`);
  });

  it('writes CRLF, quotes commas, quotes and line breaks, and reads back what it wrote', () => {
    const rows = [['a,b', 'say "hi"', 'two\nlines', '=x', '']];
    const text = writeCsv(rows);
    expect(text).toBe('\uFEFF"a,b","say ""hi""","two\nlines",\'=x,\r\n');
    expect(readCsv(text).map((r) => r.fields.map(restoreFormula))).toEqual(rows);
  });
});

describe('the one CSV reader', () => {
  it('names the row where a quote that is never closed starts', () => {
    expect(() => readCsv('a,b\n1,2\n3,"never\nclosed\n')).toThrow(CsvSyntaxError);
    expect(() => readCsv('a,b\n1,2\n3,"never\nclosed\n')).toThrow(
      'a quoted field that starts in row 3 is never closed',
    );
  });
});
