/**
 * Postal tracking numbers (邮件号码) in the UPU S10 form that China Post gives registered
 * letters (挂号信) and EMS: two letters for the service, eight serial digits, a check digit
 * and the two-letter country, e.g. `RR473124829CN` or `EA012345673CN`.
 *
 * The check digit is computed from the serial with the weights 8 6 4 2 3 5 9 7: the sum
 * modulo 11, subtracted from 11; 10 gives 0 and 11 gives 5 (UPU standard S10).
 */

export const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const;

/** The S10 check digit of an eight-digit serial. */
export function s10CheckDigit(serial: string): number {
  if (!/^\d{8}$/.test(serial))
    throw new RangeError(`Expected eight digits for an S10 serial but received ${JSON.stringify(serial)}`);
  const sum = [...serial].reduce((s, d, i) => s + Number(d) * S10_WEIGHTS[i]!, 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 0 : c === 11 ? 5 : c;
}

export type TrackingParse = { ok: true; trackingNumber: string } | { ok: false; reason: string };

/**
 * Reads a tracking number as typed or scanned: spaces and dashes dropped, letters upper
 * case; refuses anything that is not S10 or whose check digit does not hold.
 */
export function parseTrackingNumber(text: string): TrackingParse {
  const t = text.replace(/[\s-]/g, '').toUpperCase();
  const m = /^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$/.exec(t);
  if (!m)
    return {
      ok: false,
      reason: `"${text.trim()}" is not a postal tracking number of the form XX123456785CN (two letters, nine digits, two letters)`,
    };
  const expected = s10CheckDigit(m[2]!);
  if (Number(m[3]) !== expected) {
    return {
      ok: false,
      reason: `the check digit of "${t}" does not hold (the ninth digit should be ${expected}, not ${m[3]}): a digit was mistyped or misread`,
    };
  }
  return { ok: true, trackingNumber: t };
}

/** A valid tracking number from a service code, serial and country, e.g. for the simulator. */
export function makeTrackingNumber(service: string, serial: number, country = 'CN'): string {
  const s = String(serial).padStart(8, '0');
  return `${service}${s}${s10CheckDigit(s)}${country}`;
}
