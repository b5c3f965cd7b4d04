/**
 * Spot checks (抽检, xx证券细则 第五条): from each visitor's finished visits of a period, a
 * share drawn at random — reproducibly, from a seed that is recorded — plus every visit whose
 * result the policy always has looked at again (by default failed and refused). Pure.
 */
import type { VisitResult } from './visit.ts';

export interface SampleCandidate {
  visitId: string;
  visitor: string;
  result: VisitResult;
}

export interface DrawnVisit extends SampleCandidate {
  reason: 'drawn' | 'always';
}

/** A 32-bit seed from a string (FNV-1a). */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(text)) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small seeded generator, the same numbers for the same seed on every machine. */
export function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Draws the sample: per visitor (in name order), the visits always included, then
 * ceil(rate × the visitor's other finished visits) drawn from the rest. Pending visits are not finished.
 */
export function drawSample(
  candidates: readonly SampleCandidate[],
  options: { rate: number; seed: string; alwaysSample: readonly VisitResult[] },
): DrawnVisit[] {
  const finished = candidates.filter((c) => c.result !== 'pending');
  const visitors = [...new Set(finished.map((c) => c.visitor))].sort();
  const out: DrawnVisit[] = [];
  for (const visitor of visitors) {
    const own = finished.filter((c) => c.visitor === visitor).sort((a, b) => (a.visitId < b.visitId ? -1 : 1));
    const always = own.filter((c) => options.alwaysSample.includes(c.result));
    const rest = own.filter((c) => !options.alwaysSample.includes(c.result));
    const random = generator(seedOf(`${options.seed}\u0000${visitor}`));
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rest[i], rest[j]] = [rest[j]!, rest[i]!];
    }
    const n = Math.min(rest.length, Math.ceil(options.rate * rest.length - 1e-9));
    out.push(
      ...always.map((c) => ({ ...c, reason: 'always' as const })),
      ...rest.slice(0, n).map((c) => ({ ...c, reason: 'drawn' as const })),
    );
  }
  return out;
}
