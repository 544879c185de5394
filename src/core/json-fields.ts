/**
 * Typed reads of untrusted JSON request items, shared by the HTTP dialects. Each failure is a
 * MailgateError naming the field by the caller's wire path.
 */
import { MailgateError } from './errors.js';
import { assertJsonDepth } from './json-depth.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(item: JsonObject, key: string, field: string): string | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new MailgateError('invalid_type', `${field} must be a string`, field);
  return value;
}

export function requiredString(item: JsonObject, key: string, field: string): string {
  const value = optionalString(item, key, field);
  if (value === undefined) throw new MailgateError('field_required', `${field} is required`, field);
  return value;
}

export function objectAt(item: JsonObject, key: string, field: string): JsonObject | undefined {
  const value = item[key];
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new MailgateError('invalid_type', `${field} must be an object`, field);
  return value;
}

export function arrayAt(item: JsonObject, key: string, field: string): unknown[] {
  const value = item[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MailgateError('invalid_type', `${field} must be an array`, field);
  return value;
}

/** Parses request bytes as a JSON object; `malformed_request` when they are not one. */
export function parseJsonObject(body: unknown): JsonObject {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  assertJsonDepth(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MailgateError('malformed_request', 'The request body is not valid JSON');
  }
  if (!isObject(parsed)) throw new MailgateError('malformed_request', 'The request body must be a JSON object');
  return parsed;
}

/** A boolean, `null` meaning absent; clients also send the strings "true" and "false". */
export function optionalBoolean(item: JsonObject, key: string, field: string): boolean | undefined {
  const value = item[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new MailgateError('invalid_type', `${field} must be a boolean`, field);
}
