/**
 * What a killed run leaves behind: temporary files (`<sha>.<pid>.tmp` in the file store,
 * `.<name>.<pid>.<hex>.tmp` beside an atomic write, `.<bundle>.zip.<pid>.partial` beside a
 * bundle). The process id in the name tells whether its writer still runs: files of a live
 * process (another run, now) are left alone; those of a dead one are removed, and the run
 * that removes them says so.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What a run found of an interrupted run and what it did about it. */
export interface Leftover {
  path: string;
  size: number;
  action: 'removed' | 'adopted' | 'replaced';
  reason: string;
}

/** `<anything>.<pid>.tmp`, `<anything>.<pid>.<8 hex>.tmp`, `<anything>.<pid>.partial`. */
const TEMP_NAME = /\.(\d+)(?:\.[0-9a-f]{8})?\.(tmp|partial)$/;

/** Whether a process with this id runs now (a process of another user counts as running). */
export function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files of dead processes directly in `dir` whose names pass `accept`
 * (all by default). A folder that does not exist has none.
 */
export function removeDeadTempFiles(dir: string, accept: (name: string) => boolean = () => true): Leftover[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: Leftover[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || !accept(name) || processRuns(Number(m[1]))) continue;
    const path = join(dir, name);
    let size = 0;
    try {
      const s = statSync(path);
      if (!s.isFile()) continue;
      size = s.size;
      rmSync(path, { force: true });
    } catch {
      continue; // gone already (another run cleaned it)
    }
    const what = m[2] === 'partial' ? 'an unfinished bundle' : 'a temporary file';
    removed.push({
      path,
      size,
      action: 'removed',
      reason: `${what} of an interrupted run (process ${m[1]}, no longer running)`,
    });
  }
  return removed;
}

/** One line for people: `removed /ws/objects/ab/ab….123.tmp (212 MB): a temporary file of an interrupted run (…)`. */
export function describeLeftover(l: Leftover): string {
  const size = l.size >= 2 ** 20 ? `${(l.size / 2 ** 20).toFixed(0)} MB` : `${l.size} bytes`;
  return `${l.action} ${l.path} (${size}): ${l.reason}`;
}
