/**
 * The clock: one place for "now" and the business day, so that tests and demos can pin
 * them (HUIFANG_NOW, an ISO timestamp).
 */

/** Now as an ISO timestamp; one place so tests and demos can pin it (HUIFANG_NOW). */
export function nowIso(): string {
  const fixed = process.env.HUIFANG_NOW;
  return fixed ? new Date(fixed).toISOString() : new Date().toISOString();
}

/** Today as `YYYY-MM-DD` (UTC+8, the brokerage's business day). */
export function today(): string {
  const now = new Date(nowIso());
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
