/**
 * What a killed run leaves behind: temporary files (`.<name>.@<host>.<pid>.<hex>.tmp` in the
 * file store and beside an atomic write, `.<bundle>.zip.@<host>.<pid>.<hex>.partial` beside a
 * bundle). The host and process id in the name tell whether its writer still runs: a file of
 * this machine's live process (another run, now) is left alone, one of a dead process is
 * removed. A file of another machine sharing the folder cannot be judged by its process id:
 * it is removed only once nobody has written to it for a day. The run that removes one says so.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_TAG } from './atomic.ts';

/** What a run found of an interrupted run and what it did about it. */
export interface Leftover {
  path: string;
  size: number;
  action: 'removed' | 'adopted' | 'replaced';
  reason: string;
}

/** `<anything>.@<host>.<pid>.<8 hex>.tmp|partial`; older names have no `@<host>` and no hex. */
const TEMP_NAME = /\.(?:@([A-Za-z0-9-]+)\.)?(\d+)(?:\.[0-9a-f]{8})?\.(tmp|partial)$/;

/** How long another machine's temporary file must lie untouched before it counts as abandoned. */
const OTHER_HOST_GRACE_MS = 24 * 60 * 60 * 1000;

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
    if (!m || !accept(name)) continue;
    const [, host, pid, suffix] = m;
    const left = removeIfAbandoned(join(dir, name), host ?? HOST_TAG, Number(pid));
    if (!left) continue;
    const what = suffix === 'partial' ? 'an unfinished bundle' : 'a temporary file';
    removed.push({ path: left.path, size: left.size, action: 'removed', reason: `${what} of ${left.whose}` });
  }
  return removed;
}

/** Removes a temporary file whose writer is gone; says whose it was, or null when it is left alone. */
function removeIfAbandoned(
  path: string,
  host: string,
  pid: number,
): { path: string; size: number; whose: string } | null {
  const here = host === HOST_TAG;
  if (here && processRuns(pid)) return null;
  try {
    const s = statSync(path);
    if (!s.isFile()) return null;
    if (!here && Date.now() - s.mtimeMs < OTHER_HOST_GRACE_MS) return null;
    rmSync(path, { force: true });
    const whose = here
      ? `an interrupted run (process ${pid}, no longer running)`
      : `a run on ${host} (process ${pid}) that has not written to it for over a day`;
    return { path, size: s.size, whose };
  } catch {
    return null; // gone already (another run cleaned it)
  }
}

/** One line for people: `removed /ws/objects/ab/ab….123.tmp (212 MB): a temporary file of an interrupted run (…)`. */
export function describeLeftover(l: Leftover): string {
  const size = l.size >= 2 ** 20 ? `${(l.size / 2 ** 20).toFixed(0)} MB` : `${l.size} bytes`;
  return `${l.action} ${l.path} (${size}): ${l.reason}`;
}
