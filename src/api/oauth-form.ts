/**
 * What the three OAuth token endpoints (Graph's, LINE WORKS', Mimecast API 2.0's) share: the
 * form-encoded body (RFC 6749 4.4.2), required parameters, client credentials in the body or as
 * HTTP Basic (2.3.1), and failures as RFC 6749 5.2's `{error, error_description}`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GuessRefused } from '../auth/guess-guard.js';
import { MailgateError } from '../core/errors.js';
import { oauthAnswer } from './oauth-errors.js';
import { asMailgateError } from './fastify-errors.js';

export type OAuthForm = Record<string, string | undefined>;

/** Token requests are small forms; whatever the Content-Type says, the body is read as one. */
export function acceptFormBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
}

/** The request's form (an empty one when there was no body). */
export function formOf(request: FastifyRequest): OAuthForm {
  return (request.body ?? {}) as OAuthForm;
}

/** A required parameter; an absent or empty one is `field_required` with `message`. */
export function formField(form: OAuthForm, name: string, message = `The parameter '${name}' is required`): string {
  const value = form[name];
  if (value === undefined || value === '') throw new MailgateError('field_required', message, name);
  return value;
}

/** RFC 6749 2.3.1: client credentials in the body or as HTTP Basic (which servers must accept). */
export function clientCredentials(
  request: FastifyRequest,
  form: OAuthForm,
  field: (form: OAuthForm, name: string) => string = formField,
): { id: string; secret: string | undefined } {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  return { id: field(form, 'client_id'), secret: form.client_secret };
}

/** An error handler answering RFC 6749 5.2's body; `label` names the endpoint in the log of unexpected failures. */
export function oauthErrorHandler(label: string): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const failure = asMailgateError(error);
    if (failure.code === 'internal') request.log.error({ err: error }, `${label} failed`);
    const oauth = oauthAnswer(failure);
    if (failure instanceof GuessRefused) void reply.header('Retry-After', String(failure.retryAfterSeconds));
    void reply.code(oauth.status).header('Cache-Control', 'no-store').send({ error: oauth.error, error_description: failure.message });
  };
}
