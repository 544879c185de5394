import { describe, expect, it } from 'vitest';
import { parseMcDate } from './mc-date.js';

const T = Date.UTC(2026, 10, 7, 10, 0, 0); // Sat, 7 Nov 2026 10:00:00 UTC
const SEED = Date.UTC(2015, 10, 24, 12, 50, 11); // the seed page's example

describe('parseMcDate', () => {
  it.each([
    // What real clients print for one instant. Python and Java strings were produced by running them;
    // Go has no toolchain here, so its strings follow the RFC1123/RFC1123Z layouts by hand.
    ['seed page example', 'Tue, 24 Nov 2015 12:50:11 UTC', SEED],
    ['Python strftime("%a, %d %b %Y %H:%M:%S") + " UTC"', 'Sat, 07 Nov 2026 10:00:00 UTC', T],
    ['PowerShell ToString("ddd, dd MMM yyyy HH:mm:ss UTC")', 'Sat, 07 Nov 2026 10:00:00 UTC', T],
    ['C# ToString("R")', 'Sat, 07 Nov 2026 10:00:00 GMT', T],
    ['Ruby Time#httpdate / JS toUTCString', 'Sat, 07 Nov 2026 10:00:00 GMT', T],
    ['Java EEE, d MMM yyyy HH:mm:ss z in UTC', 'Sat, 7 Nov 2026 10:00:00 UTC', T],
    ['Java ... z in GMT', 'Sat, 7 Nov 2026 10:00:00 GMT', T],
    ['Java ... z in Europe/Berlin', 'Sat, 7 Nov 2026 11:00:00 CET', T],
    ['Java ... z in America/New_York', 'Sat, 7 Nov 2026 05:00:00 EST', T],
    ['Java ... z in Asia/Kolkata', 'Sat, 7 Nov 2026 15:30:00 IST', T],
    ['Java ... z in Asia/Tokyo', 'Sat, 7 Nov 2026 19:00:00 JST', T],
    ['Java ... z in Australia/Sydney', 'Sat, 7 Nov 2026 21:00:00 AEDT', T],
    ['Java ... z in Asia/Dubai', 'Sat, 7 Nov 2026 14:00:00 GST', T],
    ['Java DateTimeFormatter.RFC_1123_DATE_TIME in UTC', 'Sat, 7 Nov 2026 10:00:00 GMT', T],
    ['Java RFC_1123_DATE_TIME in Asia/Kolkata', 'Sat, 7 Nov 2026 15:30:00 +0530', T],
    ['Go time.RFC1123 in UTC', 'Sat, 07 Nov 2026 10:00:00 UTC', T],
    ['Go time.RFC1123 in Europe/Berlin', 'Sat, 07 Nov 2026 11:00:00 CET', T],
    ['Go time.RFC1123 in America/Los_Angeles', 'Sat, 07 Nov 2026 02:00:00 PST', T],
    ['Go time.RFC1123 in Asia/Dubai (tzdata has no letters)', 'Sat, 07 Nov 2026 14:00:00 +04', T],
    ['Go time.RFC1123Z in Europe/Berlin', 'Sat, 07 Nov 2026 11:00:00 +0100', T],
    ['Go time.RFC1123Z in Asia/Kolkata', 'Sat, 07 Nov 2026 15:30:00 +0530', T],
    ['negative half-hour offset', 'Sat, 07 Nov 2026 04:30:00 -0530', T],
    ['offset with a colon', 'Sat, 07 Nov 2026 04:30:00 -05:30', T],
    ['Java GMT+hh:mm for zones without a name', 'Sat, 7 Nov 2026 15:30:00 GMT+05:30', T],
    ['UT and Z', 'Sat, 07 Nov 2026 10:00:00 UT', T],
    ['military Z', 'Sat, 07 Nov 2026 10:00:00 Z', T],
    ['RFC 5322 -0000', 'Sat, 07 Nov 2026 10:00:00 -0000', T],
    ['US daylight zone', 'Tue, 24 Nov 2015 06:50:11 CST', SEED],
    ['British Summer Time', 'Sun, 07 Jun 2026 11:00:00 BST', Date.UTC(2026, 5, 7, 10)],
    ['Central European Summer Time', 'Sun, 07 Jun 2026 12:00:00 CEST', Date.UTC(2026, 5, 7, 10)],
    ['without the weekday', '7 Nov 2026 10:00:00 UTC', T],
    ['lower-case names', 'sat, 07 nov 2026 10:00:00 utc', T],
    ['upper-case names', 'SAT, 07 NOV 2026 10:00:00 GMT', T],
    ['full weekday and month names', 'Saturday, 7 November 2026 10:00:00 UTC', T],
    ['no comma after the weekday', 'Sat 07 Nov 2026 10:00:00 UTC', T],
    ['extra spaces', '  Sat,  7  Nov  2026  10:00:00  UTC ', T],
    ['seconds omitted (RFC 5322 allows it)', 'Sat, 07 Nov 2026 10:00 UTC', T],
    ['a wrong weekday is ignored', 'Mon, 07 Nov 2026 10:00:00 UTC', T],
    ['leap second', 'Wed, 31 Dec 2025 23:59:60 UTC', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['29 February in a leap year', 'Thu, 29 Feb 2024 00:00:00 UTC', Date.UTC(2024, 1, 29)],
  ])('accepts %s: %s', (_label, text, expected) => {
    expect(parseMcDate(text)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['ISO 8601', '2026-11-07T10:00:00Z'],
    ['epoch seconds', '1794045600'],
    ['no zone', 'Sat, 07 Nov 2026 10:00:00'],
    ['unknown zone', 'Sat, 07 Nov 2026 10:00:00 XYZ'],
    ['unknown month', 'Sat, 07 Nox 2026 10:00:00 UTC'],
    ['not a weekday', 'Sax, 07 Nov 2026 10:00:00 UTC'],
    ['two-digit year', 'Sat, 07 Nov 26 10:00:00 UTC'],
    ['RFC 850', 'Saturday, 07-Nov-26 10:00:00 GMT'],
    ['asctime', 'Sat Nov  7 10:00:00 2026'],
    ['31 November', 'Tue, 31 Nov 2026 10:00:00 UTC'],
    ['29 February in a common year', 'Sun, 29 Feb 2026 10:00:00 UTC'],
    ['day 0', 'Sat, 0 Nov 2026 10:00:00 UTC'],
    ['hour 24', 'Sat, 07 Nov 2026 24:00:00 UTC'],
    ['minute 60', 'Sat, 07 Nov 2026 10:60:00 UTC'],
    ['second 61', 'Sat, 07 Nov 2026 10:00:61 UTC'],
    ['offset hours 24', 'Sat, 07 Nov 2026 10:00:00 +2400'],
    ['offset minutes 60', 'Sat, 07 Nov 2026 10:00:00 +0160'],
    ['ambiguous 3-digit offset', 'Sat, 07 Nov 2026 10:00:00 +530'],
    ['trailing garbage', 'Sat, 07 Nov 2026 10:00:00 UTC extra'],
    ['prototype key as zone', 'Sat, 07 Nov 2026 10:00:00 constructor'],
  ])('rejects %s: %j', (_label, text) => {
    expect(parseMcDate(text)).toBeUndefined();
  });
});
