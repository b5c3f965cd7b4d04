/**
 * Whether each stored file of the visits being checked can still be had as it was stored:
 * there, and its bytes hashing to its name (fixity). How hard to look is the run's choice:
 *
 * - `all`: hash every file now (`validate --verify-hashes`);
 * - `due` (the default): hash a file only when it was never checked, when its stamp (size,
 *   modification and change times) differs from the one its last check saw, or when that check
 *   is older than the policy's `files.recheckDays`; otherwise its last check stands;
 * - `none`: only look that it is there (`--no-verify-hashes`; what reading commands use).
 *
 * A file written to since its check has another stamp (the change time cannot be set back), so
 * `due` catches every edit at once and silent decay of the disk within `recheckDays`. The checks
 * made are collected for a recording run to keep (`recordFileChecks`).
 */
import { nowIso } from '../env/clock.ts';
import type { FileCheck } from '../store/file-checks.ts';
import type { Workspace } from '../store/workspace.ts';

export type HashMode = 'all' | 'due' | 'none';

/** How many stored files a run found and how it judged them. */
export interface FixityTally {
  /** Hashed now. */
  hashed: number;
  /** Taken from a recent check of the unchanged file. */
  recent: number;
  /** Only seen to be there (`none`). */
  present: number;
  /** Of all of them, those not there or not matching their name. */
  failed: number;
}

const DAY_MS = 86_400_000;

/** How one stored file was judged: what it counts as in the tally, and whether it can be had intact. */
export interface FileJudgement {
  ok: boolean;
  /** `hashed` now, a `recent` check stood, only seen `present`; null: not there (or its stamp unreadable). */
  counted: 'hashed' | 'recent' | 'present' | null;
}

export class Fixity {
  /** The checks made in this run, for a recording run to keep. */
  readonly made: FileCheck[] = [];
  private readonly judged = new Map<string, FileJudgement>();
  /** The run's moment: checks made are dated by it, and `recheckDays` count back from it. */
  readonly now: string;
  private readonly staleBefore: string;

  constructor(
    private readonly ws: Workspace,
    readonly mode: HashMode,
    readonly recheckDays: number,
    now: string = nowIso(),
  ) {
    this.now = now;
    this.staleBefore = new Date(Date.parse(now) - recheckDays * DAY_MS).toISOString();
  }

  /** Whether judging a file looks at its last recorded check (`due`); otherwise `last` may be left out. */
  get usesLastChecks(): boolean {
    return this.mode === 'due';
  }

  /** Whether the stored file can be had intact; `last` is its last recorded check. */
  retrievable(sha256: string, last: FileCheck | undefined): boolean {
    let j = this.judged.get(sha256);
    if (j === undefined) {
      j = this.judge(sha256, last);
      this.judged.set(sha256, j);
    }
    return j.ok;
  }

  /** Each file judged so far, each once, however many visits hold it. */
  get tally(): FixityTally {
    const t: FixityTally = { hashed: 0, recent: 0, present: 0, failed: 0 };
    for (const j of this.judged.values()) {
      if (j.counted) t[j.counted]++;
      if (!j.ok) t.failed++;
    }
    return t;
  }

  /** What this run judged, to hand to another checker of the same run (`absorb`). */
  judgements(): [string, FileJudgement][] {
    return [...this.judged];
  }

  /** Takes the judgements of another thread of the same run; a file judged here already keeps this judgement. */
  absorb(judgements: Iterable<[string, FileJudgement]>): void {
    for (const [sha256, j] of judgements) if (!this.judged.has(sha256)) this.judged.set(sha256, j);
  }

  /** Forgets the checks made so far once they are recorded. */
  recorded(): void {
    this.made.length = 0;
  }

  private judge(sha256: string, last: FileCheck | undefined): FileJudgement {
    if (this.mode === 'none') {
      const there = this.ws.files.stampOf(sha256) !== null;
      return { ok: there, counted: there ? 'present' : null };
    }
    if (this.mode === 'due' && last && last.checkedAt > this.staleBefore) {
      const stamp = this.ws.files.stampOf(sha256);
      if (stamp === null) return { ok: false, counted: null };
      if (stamp === last.stamp) return { ok: last.ok, counted: last.ok ? 'recent' : null };
    }
    return this.hashNow(sha256);
  }

  private hashNow(sha256: string): FileJudgement {
    const found = this.ws.files.checkNow(sha256);
    if (!found) return { ok: false, counted: null };
    this.made.push({ sha256, checkedAt: this.now, stamp: found.stamp, ok: found.ok });
    return { ok: found.ok, counted: 'hashed' };
  }
}
