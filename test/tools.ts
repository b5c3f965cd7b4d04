/**
 * The one place the tests decide whether an outside tool (qpdf, pdftotext, pdfimages,
 * zbarimg, ImageMagick's convert, unzip, 7z) is installed. A test that needs a missing tool
 * is reported as skipped, with the tool named, never as passed. In CI (`.ci/run` installs
 * every tool) a missing tool is a failure, so that a broken install cannot hide a test.
 */
import { spawnSync } from 'node:child_process';

const found = new Map<string, boolean>();

/** Whether `name` is a command on the PATH. */
export function hasTool(name: string): boolean {
  let present = found.get(name);
  if (present === undefined) {
    present = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
    found.set(name, present);
  }
  return present;
}

/** The reason to skip when one of `names` is missing ("qpdf is not installed"), else undefined. */
export function missingTools(...names: string[]): string | undefined {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return undefined;
  const reason = `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed (.ci/run installs ${missing.length > 1 ? 'them' : 'it'})`;
  if (process.env.CI) throw new Error(`${reason}: in CI every tool must be present`);
  return reason;
}

/** Inside a test: skips it, reported as skipped with the reason, when one of the tools is missing. */
export function needTools(ctx: { skip(condition: boolean, note?: string): void }, ...names: string[]): void {
  const reason = missingTools(...names);
  ctx.skip(reason !== undefined, reason);
}

/** For `it.skipIf(...)` / `describe.skipIf(...)`: whether one of the tools is missing. */
export function lacks(...names: string[]): boolean {
  return missingTools(...names) !== undefined;
}
