/** What every Graph route module receives, the per-route permission, and the request helpers they share. */
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions, RouteHandlerMethod } from 'fastify';
import { MailgateError } from '../../core/errors.js';
import type { Gateway } from '../../gateway.js';
import type { GraphCaller, GraphPermission } from './auth.js';
import type { GraphThrottle } from './throttle.js';
import type { Mailbox } from './translate.js';
export { param, query } from '../request-params.js';


declare module 'fastify' {
  interface FastifyRequest {
    graphCaller?: GraphCaller;
    graphMailbox?: Mailbox;
  }
  interface FastifyContextConfig {
    /** The Graph permission a route needs; `none` for upload URLs, which are their own credential. */
    graphPermission?: GraphPermission | 'none';
  }
}

export interface GraphContext {
  gateway: Gateway;
  /** The per app+mailbox throttle; upload URLs, which skip the plugin's auth hook, admit through it themselves. */
  throttle: GraphThrottle;
}

/** The mailbox the request acts for: the signed-in user (`/me`) or `/users/{id}`. */
export function mailboxOf(request: FastifyRequest): Mailbox {
  if (!request.graphMailbox) throw new MailgateError('auth_missing', 'Access token is empty.');
  return request.graphMailbox;
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** Registers a mailbox route under both `/me{path}` and `/users/{id | userPrincipalName}{path}`. */
export function mailboxRoute(
  app: FastifyInstance,
  method: Method,
  path: string,
  options: RouteShorthandOptions & { config: { graphPermission: GraphPermission } },
  handler: RouteHandlerMethod,
): void {
  app[method](`/me${path}`, options, handler);
  app[method](`/users/:userId${path}`, options, handler);
}

