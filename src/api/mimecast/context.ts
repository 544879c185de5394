/** What every Mimecast route module receives, and the request helpers they share. */
import type { FastifyRequest } from 'fastify';
import { hasPermission, type Permission } from '../../auth/roles.js';
import { MailgateError, isMailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import type { UserRecord } from '../../core/storage/store.js';
import { mimecastEnvelope, mimecastFailure, type MimecastEnvelope } from './errors.js';
import { bodyText } from './body-text.js';
import { normalizeRequest, parseLenientBody, type NormalizedRequest } from './lenient-body.js';

export interface Caller {
  user: UserRecord;
  /** The rate-limit budget: the access key (1.0) or the API application (2.0) the request came through. */
  budget: string;
  /** Replay protection saw this x-mc-req-id before; only an idempotent route's stored answer may be given. */
  reusedRequestId?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    mimecastCaller?: Caller;
  }
  interface FastifyContextConfig {
    /** The Mimecast permission a route needs (docs/vendor-apis.md#mimecast-api-10); absent = any authorised user. */
    permission?: Permission;
  }
}

export interface MimecastContext {
  gateway: Gateway;
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.mimecastCaller) throw new MailgateError('auth_missing');
  return request.mimecastCaller;
}

export function checkPermission(caller: Caller, permission: Permission | undefined): void {
  if (permission && !hasPermission(caller.user.roles, permission)) {
    throw new MailgateError('forbidden', `This function needs the ${permission} permission`);
  }
}

/** The request envelope of a JSON-ish body (JSON, Python repr, or nothing). */
export function requestOf(request: FastifyRequest): NormalizedRequest {
  const text = Buffer.isBuffer(request.body) ? bodyText(request.body) : '';
  return normalizeRequest(parseLenientBody(text));
}

/**
 * Runs `handle` for each data item as an independent call (docs/vendor-apis.md#mimecast-api-10): its result joins
 * `data`; a MailgateError it throws becomes that item's `fail` entry, rendered by `render`.
 */
export async function eachItem(
  items: readonly Record<string, unknown>[],
  handle: (item: Record<string, unknown>) => Promise<unknown>,
  render: (error: MailgateError) => MailgateError = (error) => error,
): Promise<MimecastEnvelope> {
  if (items.length === 0) throw new MailgateError('field_required', 'data needs at least one item', 'data');
  const ok: unknown[] = [];
  const fail: unknown[] = [];
  for (const item of items) {
    try {
      ok.push(await handle(item));
    } catch (error) {
      if (!isMailgateError(error)) throw error;
      fail.push(mimecastFailure(render(error), item));
    }
  }
  return mimecastEnvelope(ok, fail);
}
