/** Reading path and query parameters the same way in every dialect. */
import type { FastifyRequest } from 'fastify';
import { MailgateError } from '../core/errors.js';

/** A path parameter of the matched route. */
export function param(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name];
  if (value === undefined) throw new MailgateError('field_required', `${name} is missing`, name);
  return value;
}

/** A query parameter, once. */
export function query(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}
