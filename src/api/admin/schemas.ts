/**
 * JSON Schema building blocks of the admin API's routes. Every route declares params, querystring,
 * body and responses with these, so @fastify/swagger documents it (openapi.ts) and Fastify
 * validates requests; a validation failure answers the admin error body (validationError below).
 */
import type { FastifySchema } from 'fastify';
import { MailgateError } from '../../core/errors.js';

export type Schema = Record<string, unknown>;

export const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
export const num = (description?: string): Schema => ({ type: 'number', ...(description ? { description } : {}) });
export const int = (description?: string): Schema => ({ type: 'integer', ...(description ? { description } : {}) });
export const bool: Schema = { type: 'boolean' };
export const epochMs = (description = 'epoch milliseconds'): Schema => ({ type: 'integer', description });
export const isoDate = (description?: string): Schema => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) });
export const strings: Schema = { type: 'array', items: { type: 'string' } };
export const list = (items: Schema): Schema => ({ type: 'array', items });
export const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });

/** `schema` or null. */
export function nullable(schema: Schema): Schema {
  return { anyOf: [schema, { type: 'null' }] };
}

/** An object with these properties; `required` lists the ones always present. */
export function obj(properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, required: [...required] };
}

/** An object whose keys vary (vendor facts, event details): documented as open. */
export const openObject = (description: string): Schema => ({ type: 'object', additionalProperties: true, description });

/** The admin error body every failure answers (plugin.ts adminError). */
export const errorBody: Schema = {
  type: 'object',
  properties: { error: obj({ code: str('stable error code'), message: str(), field: str('the request field at fault') }, ['code', 'message']) },
  required: ['error'],
};

/** The success responses of a route plus the error body for every 4xx and 5xx status. */
export function responses(ok: Record<number, Schema | null>): Record<string, Schema> {
  const documented: Record<string, Schema> = {};
  for (const [status, schema] of Object.entries(ok)) documented[status] = schema ?? { type: 'null', description: 'No content' };
  return { ...documented, '4xx': errorBody, '5xx': errorBody };
}

/** Path parameters, all strings. */
export function params(...names: string[]): Schema {
  return obj(Object.fromEntries(names.map((name) => [name, str()])));
}

export type RouteSchema = FastifySchema & { summary: string; tags: string[] };

interface ValidationFailure {
  validation?: Array<{ keyword: string; instancePath: string; params: Record<string, unknown>; message?: string }>;
  validationContext?: string;
}

/** A Fastify validation failure as the admin error: the field at fault, required / type / value. */
export function validationError(error: unknown): MailgateError | undefined {
  const first = (error as ValidationFailure).validation?.[0];
  if (!first) return undefined;
  const path = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (first.keyword === 'required') {
    const field = [path, String(first.params.missingProperty)].filter(Boolean).join('.');
    return new MailgateError('field_required', `${field} is required`, field);
  }
  const field = path || (error as ValidationFailure).validationContext || 'body';
  if (first.keyword === 'type') return new MailgateError('invalid_type', `${field} ${first.message ?? 'has the wrong type'}`, field);
  return new MailgateError('invalid_value', `${field} ${first.message ?? 'is not valid'}`, field);
}
