/**
 * Parses the `x-mc-date` header. Clients build it with whatever their platform offers
 * (Python strftime + " UTC", C# "R", Java `EEE, d MMM yyyy HH:mm:ss z`, Go time.RFC1123), so
 * every RFC 1123 variant they produce must be accepted. Parsed explicitly: Date.parse is
 * implementation-defined for these strings.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const WEEKDAYS = new Set([
  'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
]);

/**
 * Zone abbreviations in minutes east of UTC. RFC 5322 §4.3 fixes UT/GMT and the eight North
 * American ones; the rest are what Go (tzdata) and Java print for common zones. Where an
 * abbreviation is ambiguous we pick the reading most clients mean: CST is US Central (RFC 5322),
 * IST is India, BST is British Summer Time, GST is Gulf (Java's name for Asia/Dubai).
 */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  brt: -180, art: -180,
  bst: 60, ist: 330, west: 60, cet: 60, cest: 120, met: 60, mest: 120, wat: 60,
  eet: 120, eest: 180, sast: 120, cat: 120, eat: 180, msk: 180,
  gst: 240, pkt: 300, npt: 345, wib: 420, ict: 420, hkt: 480, sgt: 480, awst: 480,
  jst: 540, kst: 540, acst: 570, acdt: 630, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

// [weekday[,]] d[d] month yyyy h[h]:mm[:ss] zone
const PATTERN =
  /^\s*(?:([a-z]+)\s*(?:,\s*|\s+))?(\d{1,2})\s+([a-z]+)\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(\S+)\s*$/i;

/** Parses an `x-mc-date` value to epoch milliseconds; undefined when it is not an RFC 1123-style date. */
export function parseMcDate(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [, weekday, dayText, monthText, yearText, hourText, minuteText, secondText, zoneText] = match;
  // The weekday is only checked for being a weekday name: correct clients always agree with the
  // date, and a mismatch would reject a request whose signature still verifies.
  if (weekday !== undefined && !WEEKDAYS.has(weekday.toLowerCase())) return undefined;
  const monthName = (monthText ?? '').toLowerCase();
  const month = monthName.length === 3 ? MONTHS.indexOf(monthName) : FULL_MONTHS.indexOf(monthName);
  const offset = zoneOffset(zoneText ?? '');
  if (month < 0 || offset === undefined) return undefined;

  const day = Number(dayText);
  const year = Number(yearText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  // A leap second (:60) is a real RFC 1123 value; fold it into the last second of the minute.
  const second = Math.min(Number(secondText ?? '0'), 59);
  if (year < 1000 || hour > 23 || minute > 59 || Number(secondText ?? '0') > 60) return undefined;

  const local = Date.UTC(year, month, day, hour, minute, second);
  // Date.UTC rolls 31 Feb into March; such a date is invalid, not a later one.
  if (new Date(local).getUTCDate() !== day) return undefined;
  return local - offset * 60_000;
}

/** Minutes east of UTC for `+0100`, `-05:30`, `+04`, `GMT+5`, `UTC-03:00` or a known abbreviation. */
function zoneOffset(zone: string): number | undefined {
  const numeric = /^(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone);
  if (numeric) {
    const [, sign, hoursText, minutesText] = numeric;
    const hours = Number(hoursText);
    const minutes = Number(minutesText ?? '0');
    // A bare 3-4 digit run like "+530" is ambiguous; only hh, hhmm and hh:mm are accepted.
    if ((hoursText ?? '').length === 1 && minutesText !== undefined && !zone.includes(':')) return undefined;
    if (hours > 23 || minutes > 59) return undefined;
    return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return Object.hasOwn(ZONES, zone.toLowerCase()) ? ZONES[zone.toLowerCase()] : undefined;
}
