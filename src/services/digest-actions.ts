/**
 * What a quarantine digest link does (docs/quarantine-digest.md): `inspect` reads a token for the
 * confirmation page and changes nothing; `perform` (the page's POST) marks the token used, then
 * acts for that recipient only, audited under `recipient:<address>` via the digest.
 */
import type { HeldReview } from '../core/held-review.js';
import type { DigestStore } from '../core/storage/digest-store.js';
import type { InboundStore } from '../core/storage/inbound-store.js';
import type { Clock } from '../core/ports.js';
import type { DigestLink, DigestLinks, LinkProblem } from '../auth/digest-links.js';
import type { InboundSettings } from './inbound-settings.js';

/** Why a link does nothing: the token's own problems, or it was used before. */
export type RefusedLink = LinkProblem | 'used';

/** The held message a link is about, as the confirmation page shows it. */
export interface LinkSubject {
  link: DigestLink;
  subject: string;
  from: string;
}

export type Inspection = { ok: true; about: LinkSubject } | { ok: false; problem: RefusedLink };

/** `done`, or the message was no longer held for the recipient (released, rejected, expired, purged). */
export type Performed = { ok: true; link: DigestLink; result: 'done' | 'not_held' } | { ok: false; problem: RefusedLink };

export interface DigestActions {
  inspect(token: string): Promise<Inspection>;
  perform(token: string): Promise<Performed>;
}

export interface DigestActionsDeps {
  store: Pick<DigestStore, 'useDigestLink' | 'forgetDigestLink' | 'digestLinkUsed'> & Pick<InboundStore, 'getHold'>;
  links: DigestLinks;
  held: Pick<HeldReview, 'releaseFor'>;
  settings: Pick<InboundSettings, 'setRecipientSender'>;
  clock: Clock;
}

/** The principal a recipient acts as (tracking events and the audit log name it). */
export const recipientPrincipal = (recipient: string) => `recipient:${recipient}`;

export function createDigestActions(deps: DigestActionsDeps): DigestActions {
  async function act(link: DigestLink): Promise<'done' | 'not_held'> {
    const operator = recipientPrincipal(link.recipient);
    const detail = { via: 'digest', recipient: link.recipient, messageId: link.messageId };
    if (link.action === 'release') {
      const result = await deps.held.releaseFor(link.messageId, link.recipient, operator, detail);
      return result === 'done' ? 'done' : 'not_held';
    }
    await deps.settings.setRecipientSender(link.recipient, link.action === 'block' ? 'blocked' : 'permitted', link.sender, operator, detail);
    return 'done';
  }

  return {
    async inspect(token) {
      const verified = deps.links.verify(token, deps.clock.now());
      if (!verified.ok) return verified;
      const { link } = verified;
      if (await deps.store.digestLinkUsed(link.id)) return { ok: false, problem: 'used' };
      const hold = await deps.store.getHold(link.messageId);
      return { ok: true, about: { link, subject: hold?.subject ?? '', from: hold?.fromHeader || link.sender } };
    },
    async perform(token) {
      const verified = deps.links.verify(token, deps.clock.now());
      if (!verified.ok) return verified;
      const { link } = verified;
      if (!(await deps.store.useDigestLink(link.id, deps.clock.now(), link.expiresAt))) return { ok: false, problem: 'used' };
      try {
        return { ok: true, link, result: await act(link) };
      } catch (error) {
        // The recipient did nothing wrong (e.g. the database was briefly away): the link stays usable.
        await deps.store.forgetDigestLink(link.id);
        throw error;
      }
    },
  };
}
