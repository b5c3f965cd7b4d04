/**
 * Visit ids (回访编号): short, human-typable, with a check character.
 *
 * Form: `HF-XXXXX-XXXXX` — the prefix `HF`, nine body characters and one check character,
 * all from Crockford's base-32 alphabet (no I, L, O, U, so nothing reads as another
 * character). The check character is a Damm check over GF(32): every body character `d`
 * updates the interim `c` as `c ∘ d = α·c ⊕ d`, a totally anti-symmetric quasigroup, so any
 * single wrong character and any swap of two adjacent characters (the check included)
 * leaves a non-zero interim and is caught.
 *
 * Typing is forgiving: case, hyphens and spaces do not matter, and O/I/L are read as 0/1/1.
 */
import { randomBytes } from 'node:crypto';

export const VISIT_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const VISIT_ID_PREFIX = 'HF';
const VISIT_ID_BODY_LENGTH = 9;

/** A visit id in its canonical printed form, e.g. `HF-7K3M9-Q2T4X`. */
export type VisitId = string & { readonly __brand: 'VisitId' };

// GF(32) with the primitive polynomial x^5 + x^2 + 1; α = x (value 2).
function gfTimesAlpha(v: number): number {
  const shifted = v << 1;
  return shifted & 0b100000 ? (shifted ^ 0b100101) & 0b11111 : shifted;
}

function checkInterim(values: readonly number[]): number {
  let interim = 0;
  for (const v of values) interim = gfTimesAlpha(interim) ^ v;
  return interim;
}

function toValues(chars: string): number[] | undefined {
  const values: number[] = [];
  for (const ch of chars) {
    const v = VISIT_ID_ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    values.push(v);
  }
  return values;
}

/** The check character for a body of alphabet characters. */
export function checkCharacter(body: string): string {
  const values = toValues(body);
  if (!values) throw new Error(`Visit id body ${JSON.stringify(body)} has a character outside ${VISIT_ID_ALPHABET}`);
  // Find c with α·interim ⊕ c = 0, i.e. c = α·interim.
  return VISIT_ID_ALPHABET[gfTimesAlpha(checkInterim(values))]!;
}

function format(compact: string): VisitId {
  // compact = body (9) + check (1)
  return `${VISIT_ID_PREFIX}-${compact.slice(0, 5)}-${compact.slice(5)}` as VisitId;
}

/** A new random visit id. `random` may be given for reproducible demos and tests. */
export function newVisitId(random: (n: number) => Uint8Array = randomBytes): VisitId {
  const bytes = random(VISIT_ID_BODY_LENGTH);
  let body = '';
  for (let i = 0; i < VISIT_ID_BODY_LENGTH; i++) body += VISIT_ID_ALPHABET[bytes[i]! & 31];
  return format(body + checkCharacter(body));
}

/** Normalises what a person typed: case, separators, and the look-alikes O→0, I/L→1. */
function compactForm(typed: string): string {
  let s = typed.toUpperCase().replace(/[\s\-_.]/g, '');
  if (s.startsWith(VISIT_ID_PREFIX)) s = s.slice(VISIT_ID_PREFIX.length);
  return s.replace(/O/g, '0').replace(/[IL]/g, '1');
}

export type VisitIdParse = { ok: true; visitId: VisitId } | { ok: false; reason: string };

/** Reads a typed or scanned visit id; says why when it is not one. */
export function parseVisitId(typed: string): VisitIdParse {
  const compact = compactForm(typed);
  if (compact.length !== VISIT_ID_BODY_LENGTH + 1) {
    return {
      ok: false,
      reason: `a visit id has ${VISIT_ID_BODY_LENGTH + 1} characters after "${VISIT_ID_PREFIX}-", "${typed}" has ${compact.length}`,
    };
  }
  const values = toValues(compact);
  if (!values) {
    const bad = [...compact].find((c) => !VISIT_ID_ALPHABET.includes(c));
    return { ok: false, reason: `"${typed}" contains "${bad}", which no visit id uses` };
  }
  if (checkInterim(values) !== 0) {
    return { ok: false, reason: `"${typed}" fails its check character: a character is mistyped or two are swapped` };
  }
  return { ok: true, visitId: format(compact) };
}

/** Finds visit ids in free text such as an e-mail subject. */
export function findVisitIds(text: string): VisitId[] {
  const found = new Set<VisitId>();
  const pattern = /HF[\s\-_]?[0-9A-Z]{5}[\s\-_]?[0-9A-Z]{5}/gi;
  for (const m of text.matchAll(pattern)) {
    const parsed = parseVisitId(m[0]);
    if (parsed.ok) found.add(parsed.visitId);
  }
  return [...found];
}
