/**
 * Recipients' own quarantine links (docs/quarantine-digest.md): `GET /quarantine/confirm?t=…` only
 * shows what the link would do, so a link scanner fetching every URL changes nothing; the page's
 * form POSTs the token back, and only that acts. No sign-in: the signed one-time token is the
 * recipient's authority, for that one action on their own mail.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Gateway } from '../../gateway.js';
import { acceptFormBodies, formOf } from '../oauth-form.js';
import { confirmPage, donePage, failurePage, refusedPage, TOKEN_FIELD } from './pages.js';

const tokenSchema = { type: 'object', properties: { [TOKEN_FIELD]: { type: 'string' } } } as const;

export async function quarantinePlugin(app: FastifyInstance, options: { gateway: Gateway }): Promise<void> {
  const { digestActions, log } = options.gateway;
  acceptFormBodies(app);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log.error({ err: error }, 'quarantine link failed');
    return failurePage(reply, status);
  });

  app.get('/quarantine/confirm', { schema: { querystring: tokenSchema } }, async (request, reply) => {
    const token = (request.query as Record<string, string | undefined>)[TOKEN_FIELD];
    if (!token) return refusedPage(reply, 'missing');
    const inspected = await digestActions.inspect(token);
    return inspected.ok ? confirmPage(reply, token, inspected.about) : refusedPage(reply, inspected.problem);
  });

  app.post('/quarantine/confirm', async (request, reply) => {
    const token = formOf(request)[TOKEN_FIELD];
    if (!token) return refusedPage(reply, 'missing');
    const performed = await digestActions.perform(token);
    return performed.ok ? donePage(reply, performed.link.action, performed.result) : refusedPage(reply, performed.problem);
  });
}
