/**
 * Personal data in what huifang prints: customer ids (资金账号/客户号) and phone numbers are
 * shown by their last four characters only, in text and in `--json` alike (SPEC §7), unless
 * a person whose role allows it asked for them with `--reveal`. Pure.
 */
import { maskTail } from './customer.ts';

/** The keys whose values are personal identifiers, wherever they occur in a JSON document. */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'customerId',
  'customer_id',
  'phone',
  'mobile',
  'contactPhone',
]);

/**
 * A copy of a JSON-ready value with every personal identifier masked (`********8001`).
 *
 * @example maskPersonalData({ visits: [{ customerId: '310100018001' }] }) // { visits: [{ customerId: '********8001' }] }
 */
export function maskPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalData);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value; // dates and the like
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      PERSONAL_KEYS.has(key) && (typeof v === 'string' || typeof v === 'number')
        ? maskTail(String(v))
        : maskPersonalData(v);
  }
  return out;
}
