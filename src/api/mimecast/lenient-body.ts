/**
 * Tolerant request-body reading for the Mimecast dialect. Mimecast's own Python samples post
 * `data=str(payload)`, which is a Python dict repr, not JSON; other clients send string booleans,
 * nulls meaning "absent" and snake_case pagination. Everything here is pure and throws
 * MailgateError so the plugin can render the vendor's error shape.
 */
import { MailgateError } from '../../core/errors.js';
import { assertJsonDepth } from '../../core/json-depth.js';
import { parsePythonLiteral } from './python-literal.js';

/** The request envelope after normalisation: `data` is always a list of objects. */
export interface NormalizedRequest {
  data: Record<string, unknown>[];
  meta: { pagination?: { pageSize?: number; pageToken?: string } };
}

/** Parses a request body as JSON, falling back to a Python literal (dict repr); throws malformed_request. */
export function parseLenientBody(text: string): unknown {
  // PowerShell and .NET's Encoding.UTF8 prepend a BOM, which JSON.parse rejects.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') throw new MailgateError('malformed_request', 'The request body is empty');
  // Before JSON.parse: normalizeRequest and the routes walk the result recursively.
  assertJsonDepth(body);
  try {
    return JSON.parse(body);
  } catch {
    // Not JSON: try the Python literal grammar, whose errors say where the body went wrong.
  }
  return parsePythonLiteral(body);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies a value with null-valued keys removed at every depth; array slots keep their position. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined) continue;
    Object.defineProperty(out, key, { value: dropNulls(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Shapes a parsed body into `{data: object[], meta}`; nulls mean absent, snake_case pagination is accepted. */
export function normalizeRequest(value: unknown): NormalizedRequest {
  if (!isPlainObject(value)) {
    throw new MailgateError('malformed_request', 'The request body must be an object with a "data" list');
  }
  const body = dropNulls(value) as Record<string, unknown>;

  const data: Record<string, unknown>[] = [];
  const rawData = body.data;
  if (isPlainObject(rawData)) {
    data.push(rawData);
  } else if (Array.isArray(rawData)) {
    rawData.forEach((item, index) => {
      if (!isPlainObject(item)) throw new MailgateError('invalid_type', 'Each data item must be an object', `data[${index}]`);
      data.push(item);
    });
  } else if (rawData !== undefined) {
    throw new MailgateError('invalid_type', '"data" must be a list of objects', 'data');
  }

  const meta: NormalizedRequest['meta'] = {};
  const rawMeta = body.meta;
  if (rawMeta !== undefined && !isPlainObject(rawMeta)) throw new MailgateError('invalid_type', '"meta" must be an object', 'meta');
  const rawPagination = rawMeta?.pagination;
  if (rawPagination !== undefined) {
    if (!isPlainObject(rawPagination)) {
      throw new MailgateError('invalid_type', '"pagination" must be an object', 'meta.pagination');
    }
    const pagination: NonNullable<NormalizedRequest['meta']['pagination']> = {};
    const pageSize = pageSizeOf(rawPagination.pageSize ?? rawPagination.page_size);
    if (pageSize !== undefined) pagination.pageSize = pageSize;
    const pageToken = pageTokenOf(rawPagination.pageToken ?? rawPagination.page_token);
    if (pageToken !== undefined) pagination.pageToken = pageToken;
    meta.pagination = pagination;
  }
  return { data, meta };
}

function pageSizeOf(raw: unknown): number | undefined {
  const field = 'meta.pagination.pageSize';
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && /^\s*\d+(?:\.0*)?\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number') throw new MailgateError('invalid_type', 'pageSize must be a number', field);
  // Upper limits are the endpoint's business; only nonsense is refused here.
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new MailgateError('invalid_value', 'pageSize must be a whole number of at least 1', field);
  }
  return value;
}

function pageTokenOf(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string') return raw;
  // Loosely typed clients echo a numeric-looking token back as a number.
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  throw new MailgateError('invalid_type', 'pageToken must be a string', 'meta.pagination.pageToken');
}

/** Reads a boolean that clients may send as a string ("false", "True", "1"); absent stays undefined. */
export function coerceBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (word === 'true' || word === '1') return true;
    if (word === 'false' || word === '0') return false;
  }
  if (value === 1) return true;
  if (value === 0) return false;
  throw new MailgateError('invalid_type', `${field} must be true or false`, field);
}
