/** What every LINE WORKS route module receives, the per-route scope and operation, and request helpers. */
import type { FastifyRequest } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import type { UserRecord } from '../../store/store.js';
import type { WorksCaller, WorksScope } from './auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    worksCaller?: WorksCaller;
    /** The mailbox owner named by `{userId}`. */
    worksUser?: UserRecord;
  }
  interface FastifyContextConfig {
    /** The scope a Works route needs. */
    worksScope?: WorksScope;
    /** The operation's name: the rate limit counts per operation (contracts.md §3). */
    worksOperation?: string;
  }
}

export interface WorksContext {
  gateway: Gateway;
}

/** The mailbox owner the request acts for. */
export function worksUserOf(request: FastifyRequest): UserRecord {
  if (!request.worksUser) throw new MailgateError('auth_missing');
  return request.worksUser;
}

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

/** A positive integer path parameter (`mailId`, `attachmentId`); NOT_FOUND otherwise, as no such item can exist. */
export function idParam(request: FastifyRequest, name: string): number {
  const raw = param(request, name);
  if (!/^\d{1,15}$/.test(raw)) throw new MailgateError('not_found', `No item with ${name} '${raw}'`, name);
  return Number(raw);
}
