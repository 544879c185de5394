/**
 * Graph's `followupFlag` (docs/vendor-apis.md#microsoft-graph): `flagStatus` plus three `dateTimeTimeZone` values.
 * Checked and rebuilt before ingest(): the Sent Items copy stores it after the message is
 * accepted, and a failure there must never be the first time a bad flag is noticed.
 */
import { MailgateError } from '../../core/errors.js';
import { isObject, optionalString, type JsonObject } from '../../core/json-fields.js';

const STATUSES = new Map(['notFlagged', 'complete', 'flagged'].map((s) => [s.toLowerCase(), s]));
const DATE_FIELDS = ['startDateTime', 'dueDateTime', 'completedDateTime'] as const;
const KNOWN = new Set<string>(['flagStatus', ...DATE_FIELDS, '@odata.type']);

function dateTimeTimeZone(value: unknown, field: string): JsonObject {
  if (!isObject(value)) throw new MailgateError('invalid_type', `${field} must be a dateTimeTimeZone object`, field);
  const dateTime = optionalString(value, 'dateTime', `${field}.dateTime`);
  const timeZone = optionalString(value, 'timeZone', `${field}.timeZone`);
  if (dateTime === undefined || Number.isNaN(Date.parse(dateTime.endsWith('Z') ? dateTime : `${dateTime}Z`))) {
    throw new MailgateError('invalid_value', `${field}.dateTime must be an ISO 8601 date and time`, `${field}.dateTime`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'dateTime' && key !== 'timeZone') throw new MailgateError('invalid_value', `${field} has no property ${key}`, `${field}.${key}`);
  }
  return { dateTime, ...(timeZone !== undefined ? { timeZone } : {}) };
}

/** The message's flag, rebuilt from its known properties only; undefined when absent or null. */
export function flagOf(message: JsonObject): JsonObject | undefined {
  if (message.flag === undefined || message.flag === null) return undefined;
  const flag = message.flag;
  if (!isObject(flag)) throw new MailgateError('invalid_type', 'flag must be an object', 'flag');
  for (const key of Object.keys(flag)) {
    if (!KNOWN.has(key)) throw new MailgateError('invalid_value', `flag has no property ${key}`, `flag.${key}`);
  }
  const status = optionalString(flag, 'flagStatus', 'flag.flagStatus');
  const canonical = status === undefined ? undefined : STATUSES.get(status.toLowerCase());
  if (status !== undefined && canonical === undefined) {
    throw new MailgateError('invalid_value', 'flag.flagStatus must be notFlagged, complete or flagged', 'flag.flagStatus');
  }
  const rebuilt: JsonObject = canonical === undefined ? {} : { flagStatus: canonical };
  for (const key of DATE_FIELDS) {
    if (flag[key] !== undefined && flag[key] !== null) rebuilt[key] = dateTimeTimeZone(flag[key], `flag.${key}`);
  }
  return rebuilt;
}
