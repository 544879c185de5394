import { describe, expect, it } from 'vitest';
import { formatMimecastDate, parseMimecastDate } from './search-date.js';

describe('Mimecast body dates', () => {
  it.each([
    ['2011-12-03T10:15:30+0000', Date.UTC(2011, 11, 3, 10, 15, 30)],
    ['2011-12-03T10:15:30Z', Date.UTC(2011, 11, 3, 10, 15, 30)],
    ['2011-12-03T12:15:30+02:00', Date.UTC(2011, 11, 3, 10, 15, 30)],
    ['2011-12-03T05:15:30-0500', Date.UTC(2011, 11, 3, 10, 15, 30)],
    ['2011-12-03T10:15:30.250+0000', Date.UTC(2011, 11, 3, 10, 15, 30, 250)],
    ['2011-12-03', Date.UTC(2011, 11, 3)],
  ])('parses %s', (text, ms) => {
    expect(parseMimecastDate(text, 'start')).toBe(ms);
  });

  it.each(['yesterday', '2011-13-03T10:15:30+0000', '2011-02-30T10:15:30+0000', '2011-12-03T25:00:00+0000', '03/12/2011', ''])(
    'refuses %j with invalid_value naming the field',
    (text) => {
      expect(() => parseMimecastDate(text, 'end')).toThrow(expect.objectContaining({ code: 'invalid_value', field: 'end' }));
    },
  );

  it('refuses a non-string as invalid_type', () => {
    expect(() => parseMimecastDate(12, 'start')).toThrow(expect.objectContaining({ code: 'invalid_type', field: 'start' }));
  });

  it('formats as the vendor writes dates and round-trips', () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5);
    expect(formatMimecastDate(ms)).toBe('2024-01-02T03:04:05+0000');
    expect(parseMimecastDate(formatMimecastDate(ms), 'x')).toBe(ms);
    expect(formatMimecastDate(null)).toBe('');
  });
});
