/**
 * Exit codes and where a command writes: the little that `huifang --help` needs too, kept
 * apart from the workspace so that answering help loads no database.
 */

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_CRASH = 3;

/** Where a command writes: standard output and error, swappable in tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when standard error is a terminal (progress is shown only then). */
  interactive: boolean;
  /** Personal data shown in full (`--reveal`, allowed by `mayReveal`); masked otherwise. */
  reveal?: boolean;
  /** Writes to standard error as it is, no newline added (progress lines); default process.stderr. */
  errRaw?: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  interactive: Boolean(process.stderr.isTTY),
  errRaw: (t) => process.stderr.write(t),
};
