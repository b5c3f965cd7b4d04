import { describe, expect, it } from 'vitest';
import { checkCharacter, findVisitIds, newVisitId, parseVisitId, VISIT_ID_ALPHABET } from '../src/domain/visit-id.ts';

describe('visit ids', () => {
  const ids = Array.from({ length: 200 }, () => newVisitId());

  it('are printed as HF-XXXXX-XXXXX and read back', () => {
    for (const id of ids) {
      expect(id).toMatch(/^HF-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
      expect(parseVisitId(id)).toEqual({ ok: true, visitId: id });
      expect(parseVisitId(id.toLowerCase().replace(/-/g, ' '))).toEqual({ ok: true, visitId: id });
    }
  });

  it('catch every single wrong character', () => {
    for (const id of ids.slice(0, 50)) {
      const compact = id.slice(3).replace('-', '');
      for (let i = 0; i < compact.length; i++) {
        for (const c of VISIT_ID_ALPHABET) {
          if (c === compact[i]) continue;
          const typo = compact.slice(0, i) + c + compact.slice(i + 1);
          expect(parseVisitId(`HF${typo}`).ok, `${id} with ${c} at ${i}`).toBe(false);
        }
      }
    }
  });

  it('catch every swap of adjacent characters, the check character included', () => {
    for (const id of ids) {
      const compact = id.slice(3).replace('-', '');
      for (let i = 0; i + 1 < compact.length; i++) {
        if (compact[i] === compact[i + 1]) continue;
        const swapped = compact.slice(0, i) + compact[i + 1] + compact[i] + compact.slice(i + 2);
        expect(parseVisitId(`HF${swapped}`).ok, `${id} swapped at ${i}`).toBe(false);
      }
    }
  });

  it('read O as 0 and I or L as 1, and say why a bad id is refused', () => {
    const body = '0000011II';
    const id = `HF${body}${checkCharacter(body.replace(/I/g, '1'))}`;
    expect(parseVisitId(id.replace(/0/g, 'O')).ok).toBe(true);
    const bad = parseVisitId('HF-12345');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('10 characters');
  });

  it('are found in free text such as an e-mail subject', () => {
    const id = ids[0]!;
    expect(findVisitIds(`回复：客户回访函（编号 ${id.toLowerCase()}）`)).toEqual([id]);
    expect(findVisitIds('no id here HF-AAAAA-AAAAA')).toEqual([]);
  });
});
