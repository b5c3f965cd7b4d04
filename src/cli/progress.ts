/**
 * Progress on standard error for the long commands (letters, ingest, simulate, archive,
 * verify): one line, rewritten in place, with the count, the share done, the elapsed time
 * and an estimate of the time left; then one summary line when the work is done. Shown on a
 * terminal only: a run whose standard error is a file or a pipe (a script, CI, `--json`
 * captured by a program) gets nothing, so its output stays clean.
 *
 * @example
 * const bar = startProgress(io, 'rendering letters', { unit: 'letters' });
 * for (const [i, l] of letters.entries()) { render(l); bar.tick(i + 1, letters.length); }
 * bar.finish('66 letters, 1 batch file');
 */
/** Where progress goes: the command's standard error, and whether it is a terminal. */
export interface ProgressIo {
  interactive: boolean;
  errRaw?: (text: string) => void;
}

export interface ProgressOptions {
  /** What is counted, for the line and the summary (`files`, `pages`, `letters`). */
  unit?: string;
  /** Least time between two redraws, in ms (default 200). */
  interval?: number;
  /** The clock (tests). */
  now?: () => number;
}

export interface Progress {
  /** `done` of `total` finished (total may grow, e.g. pages found as files are opened). */
  tick(done: number, total: number, note?: string): void;
  /** Ends the line with a summary (`what` adds to the count, e.g. `2 bundles`). Once only. */
  finish(what?: string): void;
}

const SILENT: Progress = { tick: () => {}, finish: () => {} };

/** `75 s` → `1:15`; under a minute `42 s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The time left at the average pace so far; undefined before anything is done. */
export function estimateLeft(elapsedMs: number, done: number, total: number): number | undefined {
  if (done <= 0 || total <= done) return done >= total && total > 0 ? 0 : undefined;
  return (elapsedMs / done) * (total - done);
}

/** One progress line: `label  12/66  18%  0:07 elapsed, about 0:31 left  (note)`. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, note?: string): string {
  const pct = total > 0 ? `${Math.floor((100 * done) / total)}%` : '';
  const left = estimateLeft(elapsedMs, done, total);
  const eta = left === undefined ? 'estimating time left…' : `about ${formatDuration(left)} left`;
  return `${label}  ${done}/${total}  ${pct}  ${formatDuration(elapsedMs)} elapsed, ${eta}${note ? `  ${note}` : ''}`;
}

/** Starts a progress line for `label`; silent unless standard error is a terminal. */
export function startProgress(io: ProgressIo, label: string, options: ProgressOptions = {}): Progress {
  if (!io.interactive) return SILENT;
  const write = io.errRaw ?? ((t: string) => process.stderr.write(t));
  const now = options.now ?? Date.now;
  const interval = options.interval ?? 200;
  const started = now();
  let last = -Infinity;
  let width = 0;
  let state = { done: 0, total: 0 };
  let finished = false;
  const draw = (text: string, end: string) => {
    // a progress line is cut to the terminal's width (a wrapped line cannot be rewritten); the summary is not
    const cols = process.stderr.columns ?? 100;
    const shown = !end && text.length > cols - 1 ? text.slice(0, cols - 2) + '…' : text;
    write(`\r${shown}${' '.repeat(Math.max(0, width - shown.length))}${end}`);
    width = end ? 0 : shown.length;
  };
  return {
    tick(done, total, note) {
      if (finished) return;
      state = { done, total };
      const t = now();
      if (done < total && t - last < interval) return;
      last = t;
      draw(progressLine(label, done, total, t - started, note), '');
    },
    finish(what) {
      if (finished) return;
      finished = true;
      const unit = options.unit ? ` ${options.unit}` : '';
      draw(`${label}: ${state.done}${unit}${what ? `, ${what}` : ''} in ${formatDuration(now() - started)}`, '\n');
    },
  };
}
