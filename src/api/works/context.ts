/** What every LINE WORKS route module receives, the per-route scope and operation, and request helpers. */
import type { FastifyRequest } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import type { UserRecord } from '../../core/storage/store.js';
import type { WorksCaller, WorksScope } from './auth.js';
import { param } from '../request-params.js';
export { param, query } from '../request-params.js';

declare module 'fastify' {
  interface FastifyRequest {
    worksCaller?: WorksCaller;
    /** The mailbox owner named by `{userId}`. */
    worksUser?: UserRecord;
  }
  interface FastifyContextConfig {
    /** The scope a Works route needs. */
    worksScope?: WorksScope;
    /** The operation's name: the rate limit counts per operation (docs/vendor-apis.md#line-works-api-20). */
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


/** A positive integer path parameter (`mailId`, `attachmentId`); NOT_FOUND otherwise, as no such item can exist. */
export function idParam(request: FastifyRequest, name: string): number {
  const raw = param(request, name);
  if (!/^\d{1,15}$/.test(raw)) throw new MailgateError('not_found', `No item with ${name} '${raw}'`, name);
  return Number(raw);
}
