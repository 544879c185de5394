/**
 * `POST /api/user/get-internal-users`: the users of one domain, paginated (docs/vendor-apis.md,
 * "get-internal-users"). mailgate's users are its mailboxes; delegated send-as addresses are not
 * mailboxes, so every entry is a primary address (`alias: false`).
 */
import type { FastifyInstance } from 'fastify';
import { PERMISSION } from '../../../auth/roles.js';
import { MailgateError, isMailgateError } from '../../../core/errors.js';
import { requestOf, type MimecastContext } from '../context.js';
import { mimecastEnvelope, mimecastFailure } from '../errors.js';
import { offsetOf, pageTokenOf } from '../held.js';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1);

export function getInternalUsersRoute(app: FastifyInstance, { gateway }: MimecastContext): void {
  app.post('/user/get-internal-users', { config: { permission: PERMISSION.directoryRead } }, async (request) => {
    const { data, meta } = requestOf(request);
    const item = data[0] ?? {};
    try {
      const domain = item.domain;
      if (domain === undefined) throw new MailgateError('field_required', 'domain is required', 'domain');
      if (typeof domain !== 'string') throw new MailgateError('invalid_type', 'domain must be a string', 'domain');
      if (domain.trim() === '') throw new MailgateError('field_blank', 'domain is blank', 'domain');
      const wanted = domain.trim().toLowerCase();
      const users = (await gateway.store.listUsers()).filter((u) => domainOf(u.email).toLowerCase() === wanted);
      const offset = offsetOf(meta.pagination?.pageToken);
      const limit = Math.min(meta.pagination?.pageSize ?? DEFAULT_PAGE, MAX_PAGE);
      const page = users.slice(offset, offset + limit);
      const entries = page.map((u) => ({
        emailAddress: u.email,
        name: u.name ?? '',
        alias: false,
        addressType: 'internal',
        domain: domainOf(u.email),
      }));
      const envelope = mimecastEnvelope([{ users: entries, userCount: users.length }], []);
      const next = offset + page.length;
      const pagination = {
        pageSize: page.length,
        totalCount: users.length,
        ...(next < users.length ? { next: pageTokenOf(next) } : {}),
        ...(offset > 0 ? { previous: pageTokenOf(Math.max(0, offset - limit)) } : {}),
      };
      return { ...envelope, meta: { ...envelope.meta, pagination } };
    } catch (error) {
      if (!isMailgateError(error)) throw error;
      return mimecastEnvelope([], [mimecastFailure(error, item)]);
    }
  });
}
