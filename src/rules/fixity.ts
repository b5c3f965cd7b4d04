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

export class Fixity {
  /** The checks made in this run, for a recording run to keep. */
  readonly made: FileCheck[] = [];
  readonly tally: FixityTally = { hashed: 0, recent: 0, present: 0, failed: 0 };
  private readonly verdicts = new Map<string, boolean>();
  private readonly now: string;
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

  /** Whether the stored file can be had intact; `last` is its last recorded check. */
  retrievable(sha256: string, last: FileCheck | undefined): boolean {
    let ok = this.verdicts.get(sha256);
    if (ok === undefined) {
      ok = this.judge(sha256, last);
      this.verdicts.set(sha256, ok);
      if (!ok) this.tally.failed++;
    }
    return ok;
  }

  /** Forgets the checks made so far once they are recorded. */
  recorded(): void {
    this.made.length = 0;
  }

  private judge(sha256: string, last: FileCheck | undefined): boolean {
    if (this.mode === 'none') {
      const there = this.ws.files.stampOf(sha256) !== null;
      if (there) this.tally.present++;
      return there;
    }
    if (this.mode === 'due' && last && last.checkedAt > this.staleBefore) {
      const stamp = this.ws.files.stampOf(sha256);
      if (stamp === null) return false;
      if (stamp === last.stamp) {
        if (last.ok) this.tally.recent++;
        return last.ok;
      }
    }
    return this.hashNow(sha256);
  }

  private hashNow(sha256: string): boolean {
    const found = this.ws.files.checkNow(sha256);
    if (!found) return false;
    this.tally.hashed++;
    this.made.push({ sha256, checkedAt: this.now, stamp: found.stamp, ok: found.ok });
    return found.ok;
  }
}
