/**
 * Who is doing the work, for the record (who moved a page, who confirmed a review item):
 * the `--user` option, else HUIFANG_USER, else the operating-system user.
 */
import { userInfo } from 'node:os';

export function currentActor(explicit?: string): string {
  const given = explicit?.trim() || process.env.HUIFANG_USER?.trim();
  if (given) return given;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}
