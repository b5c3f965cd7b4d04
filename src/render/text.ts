/**
 * Line breaking for Chinese and mixed text: break opportunities from Unicode's line
 * breaking algorithm (UAX #14, the `linebreak` package), plus the Chinese typesetting rule
 * (避头尾): no line starts with closing punctuation and none ends with opening punctuation.
 * Widths come from the caller's measure (the font's real advance widths). Pure functions.
 */
import LineBreaker from 'linebreak';

/** Characters that must not start a line (行首禁则). */
export const CLOSING_PUNCTUATION = new Set(
  Array.from('，。、；：！？）」』》〉】〕〗〙〛”’．…‥·・％〃々〞︰,.;:!?)]}%'),
);
/** Characters that must not end a line (行尾禁则). */
export const OPENING_PUNCTUATION = new Set(Array.from('（「『《〈【〔〖〘〚“‘〝([{'));

export interface WrappedLine {
  text: string;
  /** Width of the text as measured (trailing spaces left out). */
  width: number;
  /** Whether the line ends its paragraph (a newline or the end of the text): not to be justified. */
  last: boolean;
}

export interface WrapOptions {
  /** Width available to every line, in the unit `measure` returns. */
  width: number;
  /** Width of the first line when it differs (a hanging or first-line indent). */
  firstLineWidth?: number;
  /** Width of one character (a code point). */
  measure: (char: string) => number;
  /** Stop after this many lines (the caller refuses a text with more): keeps a huge text cheap. */
  maxLines?: number;
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';
const isNewline = (ch: string | undefined): boolean => ch === '\n' || ch === '\r';

/**
 * Wraps a text into lines no wider than `width`. Newlines force a break. A line breaks
 * only where UAX #14 allows it, moving a character to the next line where the Chinese rule
 * requires; a word longer than a line is cut between characters, and only a line made of
 * one character and the closing punctuation after it may run past the width.
 */
export function wrapText(text: string, options: WrapOptions): WrappedLine[] {
  const chars = Array.from(text);
  const n = chars.length;
  if (n === 0) return [];
  const widths = chars.map((c) => (isNewline(c) ? 0 : options.measure(c)));
  // The common case of a field value or short line: it fits whole, no break to look for.
  const whole = wholeLine(text, chars, widths, options.firstLineWidth ?? options.width);
  if (whole) return [whole];
  // Widths of every run from prefix sums, so that wrapping stays linear in the text's length.
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + widths[i]!;
  const t: Paragraph = { chars, n, prefix, ...breakOpportunities(text, chars) };

  const lines: WrappedLine[] = [];
  let start = 0;
  let ci = 0; // index into candidates
  const maxLines = options.maxLines ?? Infinity;
  while (start < n && lines.length < maxLines) {
    const limit = lines.length === 0 ? (options.firstLineWidth ?? options.width) : options.width;
    while (ci < t.candidates.length && t.candidates[ci]! <= start) ci++;
    let { best, bestK, required } = lastFittingBreak(t, start, ci, limit);
    if (best === -1) best = cutBetweenCharacters(t, start, limit);
    if (!required && best < n && forbidden(t, best)) best = allowedBreakNear(t, start, best, bestK);
    let end = best;
    while (end > start && (isSpace(chars[end - 1]) || isNewline(chars[end - 1]))) end--;
    const endsParagraph = best >= n || isNewline(chars[best - 1]);
    lines.push({ text: chars.slice(start, end).join(''), width: visibleWidth(t, start, best), last: endsParagraph });
    start = best;
    if (!endsParagraph) while (start < n && isSpace(chars[start])) start++;
  }
  return lines;
}

/** A text being wrapped: its characters, prefix sums of their widths, and where UAX #14 lets it break. */
interface Paragraph {
  chars: string[];
  n: number;
  prefix: Float64Array;
  /** Break opportunities, code point position → whether the break is required. */
  allowed: Map<number, boolean>;
  /** The opportunities' positions in order. */
  candidates: number[];
}

/** The text as one line when it has no newline and fits whole; else undefined. */
function wholeLine(text: string, chars: string[], widths: number[], limit: number): WrappedLine | undefined {
  if (text.includes('\n') || text.includes('\r')) return undefined;
  let total = 0;
  for (const w of widths) total += w;
  let end = chars.length;
  while (end > 0 && isSpace(chars[end - 1])) end--;
  let visible = 0;
  for (let i = 0; i < end; i++) visible += widths[i]!;
  return total <= limit ? { text: chars.slice(0, end).join(''), width: visible, last: true } : undefined;
}

/** UAX #14's break opportunities (the `linebreak` package), at code point positions. */
function breakOpportunities(text: string, chars: string[]): Pick<Paragraph, 'allowed' | 'candidates'> {
  // UTF-16 positions from linebreak → code point positions.
  const cpAt = new Int32Array(text.length + 1);
  let u = 0;
  chars.forEach((c, i) => {
    cpAt[u] = i;
    u += c.length;
  });
  cpAt[u] = chars.length;
  const allowed = new Map<number, boolean>(); // cp position → required
  const breaker = new LineBreaker(text);
  for (let b = breaker.nextBreak(); b; b = breaker.nextBreak()) allowed.set(cpAt[b.position]!, b.required);
  return { allowed, candidates: [...allowed.keys()].sort((a, b) => a - b) };
}

/** Width of chars [from, to) without trailing spaces and newlines. */
function visibleWidth({ chars, prefix }: Paragraph, from: number, to: number): number {
  let end = to;
  while (end > from && (isSpace(chars[end - 1]) || isNewline(chars[end - 1]))) end--;
  return prefix[end]! - prefix[from]!;
}

/** Whether breaking at `p` would start a line with closing or end one with opening punctuation. */
function forbidden({ chars, n }: Paragraph, p: number): boolean {
  if (p <= 0 || p >= n) return false;
  let after = p;
  while (after < n && isSpace(chars[after])) after++;
  let before = p - 1;
  while (before > 0 && isSpace(chars[before])) before--;
  return CLOSING_PUNCTUATION.has(chars[after]!) || OPENING_PUNCTUATION.has(chars[before]!);
}

/** The last opportunity from candidate `ci` on whose line fits (or the first required one); -1 when none fits. */
function lastFittingBreak(
  t: Paragraph,
  start: number,
  ci: number,
  limit: number,
): { best: number; bestK: number; required: boolean } {
  let best = -1;
  let bestK = -1;
  for (let k = ci; k < t.candidates.length; k++) {
    const b = t.candidates[k]!;
    if (visibleWidth(t, start, b) > limit) break;
    best = b;
    bestK = k;
    if (t.allowed.get(b)) return { best, bestK, required: true };
  }
  return { best, bestK, required: false };
}

/** Not even the first opportunity fits: cut between characters, as late as the width allows. */
function cutBetweenCharacters(t: Paragraph, start: number, limit: number): number {
  let best = start + 1;
  while (best < t.n && !isNewline(t.chars[best]) && visibleWidth(t, start, best + 1) <= limit) best++;
  return best;
}

/** A break near the forbidden `best` that keeps the Chinese rule. */
function allowedBreakNear(t: Paragraph, start: number, best: number, bestK: number): number {
  // Push: an earlier UAX #14 opportunity, then an earlier character boundary.
  for (let k = bestK - 1; k >= 0 && t.candidates[k]! > start; k--) {
    if (!forbidden(t, t.candidates[k]!)) return t.candidates[k]!;
  }
  for (let q = best - 1; q > start; q--) {
    if (!forbidden(t, q)) return q;
  }
  // Pull: keep the punctuation on this line (hanging past the width) when nothing can be pushed.
  let moved = best;
  while (moved < t.n && forbidden(t, moved)) moved++;
  return moved;
}

/** Checks the Chinese line rule on wrapped lines: the first offending line's index, or -1. */
export function firstForbiddenLine(lines: readonly string[]): number {
  return lines.findIndex((line, i) => {
    const first = Array.from(line)[0];
    const last = Array.from(line).at(-1);
    return (
      (i > 0 && first !== undefined && CLOSING_PUNCTUATION.has(first)) ||
      (i < lines.length - 1 && last !== undefined && OPENING_PUNCTUATION.has(last))
    );
  });
}
