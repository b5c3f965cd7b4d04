/**
 * Seeded sampling for plans: the same seed and the same candidates give the same sample,
 * whatever order the export listed them in. Each branch draws from its own stream (derived
 * from the seed and the branch code), so adding a branch to the export does not change the
 * sample of another.
 */
import { createHash } from 'node:crypto';

/** sfc32, seeded from SHA-256 of the seed and a label. */
export function seededStream(seed: string, label: string): () => number {
  const h = createHash('sha256').update(`${seed}\u0000${label}`).digest();
  let a = h.readUInt32LE(0),
    b = h.readUInt32LE(4),
    c = h.readUInt32LE(8),
    d = h.readUInt32LE(12);
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * `count` of `candidates` drawn without replacement (a partial Fisher–Yates shuffle over the
 * candidates sorted by id), in the order drawn. Candidates in `preferred` (sampled by an
 * earlier plan of the year and not visited yet) are drawn first, so that re-planning keeps
 * the customers already on the branch's list.
 */
export function drawSample(
  candidates: readonly string[],
  count: number,
  random: () => number,
  preferred?: ReadonlySet<string>,
): string[] {
  if (preferred && preferred.size > 0) {
    const first = drawSample(
      candidates.filter((c) => preferred.has(c)),
      count,
      random,
    );
    return first.length >= count
      ? first
      : [
          ...first,
          ...drawSample(
            candidates.filter((c) => !preferred.has(c)),
            count - first.length,
            random,
          ),
        ];
  }
  const pool = [...candidates].sort();
  const n = Math.min(count, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, n);
}

/** The smallest whole number of customers that reaches `ratio` of `total` (10 % of 31 is 4). */
export function required(ratio: number, total: number): number {
  return Math.ceil(ratio * total - 1e-9);
}
