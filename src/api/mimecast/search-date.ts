/**
 * Dates in Mimecast API bodies (message-finder `start`/`end`, response dates): ISO 8601 with a
 * numeric zone, written `2011-12-03T10:15:30+0000` (docs/vendor-apis.md#mimecast-api-10). Clients built on other
 * ISO formatters send `Z`, `+00:00` or fractions of a second, so those parse too.
 */
import { MailgateError } from '../../core/errors.js';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parses a Mimecast body date to epoch ms; throws `invalid_value` naming `field`. */
export function parseMimecastDate(value: unknown, field: string): number {
  if (typeof value !== 'string') throw new MailgateError('invalid_type', `${field} must be a date string`, field);
  const m = ISO.exec(value.trim());
  const bad = () => new MailgateError('invalid_value', `${field} must be a date like 2011-12-03T10:15:30+0000, got "${value.slice(0, 40)}"`, field);
  if (!m) throw bad();
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) throw bad();
  const local = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  if (new Date(local).getUTCDate() !== day) throw bad();
  if (zone.toUpperCase() === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetHours = Number(digits.slice(0, 2));
  const offsetMinutes = Number(digits.slice(2));
  if (offsetHours > 23 || offsetMinutes > 59) throw bad();
  return local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/** Formats epoch ms the way Mimecast writes dates (`2011-12-03T10:15:30+0000`); '' for no date. */
export function formatMimecastDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}
