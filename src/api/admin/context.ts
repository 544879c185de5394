/** What every admin API route module receives, and the caller the auth hook established. */
import type { FastifyRequest } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import type { UserRecord } from '../../core/storage/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    adminCaller?: UserRecord;
  }
  interface FastifyContextConfig {
    /** Admin routes other than by permission: signing in (no caller yet), or any signed-in caller (the session itself). */
    access?: 'sign-in' | 'any-caller';
  }
}

export interface AdminContext {
  gateway: Gateway;
}

/** The authenticated administrator. */
export function adminCallerOf(request: FastifyRequest): UserRecord {
  if (!request.adminCaller) throw new MailgateError('auth_missing');
  return request.adminCaller;
}
