/** The quarantine link pages (docs/quarantine-digest.md): small server-rendered HTML, no scripts. */
import type { FastifyReply } from 'fastify';
import type { DigestAction } from '../../auth/digest-links.js';
import { escapeHtml } from '../../core/html-escape.js';
import type { LinkSubject, RefusedLink } from '../../services/digest-actions.js';
import { sendHtmlPage } from '../html-security-headers.js';

/** The form field carrying the token from the confirmation page to its POST. */
export const TOKEN_FIELD = 't';

const BUTTONS: Record<DigestAction, string> = { release: 'Release message', block: 'Block sender', permit: 'Permit sender' };

const REFUSALS: Record<RefusedLink | 'missing', { status: number; text: string }> = {
  missing: { status: 400, text: 'This address is incomplete: open the link from your quarantine digest as it was sent.' },
  malformed: { status: 400, text: 'This link is damaged: open it from your quarantine digest as it was sent.' },
  forged: { status: 403, text: 'This link was not issued by this gateway. Nothing was changed.' },
  expired: { status: 410, text: 'This link has expired. A newer quarantine digest has fresh links.' },
  used: { status: 410, text: 'This link was already used; each link works once. Nothing was changed.' },
};

/** The empty inline icon keeps browsers from asking for /favicon.ico, whose 404 would be a console error. */
function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
  return sendHtmlPage(reply, status, html);
}

function describe(action: DigestAction, about: Pick<LinkSubject, 'subject' | 'from'>, recipient: string): string {
  const message = `the message “${about.subject || '(no subject)'}” from ${about.from}`;
  if (action === 'release') return `Deliver ${message} to ${recipient}.`;
  const which = action === 'block' ? 'Refuse' : 'Never hold as spam';
  return `${which} mail from ${about.from} to ${recipient} (only your own mail is affected).`;
}

/** What the link will do, and the form that does it: nothing happens until the button is pressed. */
export function confirmPage(reply: FastifyReply, token: string, about: LinkSubject): FastifyReply {
  const { link } = about;
  const form = `<form method="post" action="confirm"><input type="hidden" name="${TOKEN_FIELD}" value="${escapeHtml(token)}"><button type="submit">${BUTTONS[link.action]}</button></form>`;
  return page(reply, 200, `${BUTTONS[link.action]}?`, `<p>${escapeHtml(describe(link.action, about, link.recipient))}</p>${form}`);
}

export function donePage(reply: FastifyReply, action: DigestAction, result: 'done' | 'not_held'): FastifyReply {
  if (result === 'not_held') return page(reply, 409, 'Nothing to release', '<p role="alert">This message is no longer held for you: it was already released, rejected or has expired.</p>');
  const text = { release: 'The message is on its way to your mailbox.', block: 'Mail from this sender to you will be refused.', permit: 'Mail from this sender to you will no longer be held as spam.' }[action];
  return page(reply, 200, 'Done', `<p role="status">${escapeHtml(text)}</p>`);
}

export function refusedPage(reply: FastifyReply, problem: RefusedLink | 'missing'): FastifyReply {
  const { status, text } = REFUSALS[problem];
  return page(reply, status, 'Link refused', `<p role="alert">${escapeHtml(text)}</p>`);
}

export function failurePage(reply: FastifyReply, status: number): FastifyReply {
  const text = status >= 500 ? 'Something went wrong on our side; nothing was changed. Try the link again later.' : 'This request could not be read. Nothing was changed.';
  return page(reply, status, 'Request failed', `<p role="alert">${escapeHtml(text)}</p>`);
}
