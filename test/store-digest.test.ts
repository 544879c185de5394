/**
 * The quarantine digest's store side with several stores on one database, as several gateway
 * processes have: each recipient gets one scheduled digest per period, and a link acts once.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createDigestLinks } from '../src/auth/digest-links.js';
import { newId } from '../src/core/ids.js';
import type { Submission } from '../src/core/message.js';
import type { NewMessage } from '../src/core/ports.js';
import { createQuarantineDigest, RECIPIENT_RELEASABLE_REASONS } from '../src/services/quarantine-digest.js';
import { backends, sharedStoresPerTest } from './helpers/backends.js';

const T0 = 1_800_000_000_000;
const DAY = 86_400_000;

function heldSpam(to: string): NewMessage {
  const id = newId(T0);
  const reasonId = RECIPIENT_RELEASABLE_REASONS[0] as string;
  return {
    id,
    internetMessageId: `<${id}@gw.test>`,
    source: 'smtp',
    route: 'inbound',
    userId: null,
    mailFrom: 'spam@remote.test',
    fromHeader: 'spam@remote.test',
    subject: `spam for ${to}`,
    size: 10,
    blobKey: id,
    receivedAt: T0,
    expiresAt: T0 + DAY,
    meta: { spamInfo: { spamScore: 12.5 } },
    recipients: [{ id: newId(T0), address: to, domain: 'example.test', kind: 'to', transport: 'local', status: 'held', nextAttemptAt: T0 }],
    events: [],
    hold: {
      decision: { policyId: 'p', policyInfo: 'Spam', reason: 'spam', reasonId, reasonCode: reasonId.toLowerCase(), heldGroup: 'admin' },
      hasAttachments: false,
      toAddress: to,
      heldAt: T0,
      expiresAt: T0 + DAY,
    },
  };
}

const shared = sharedStoresPerTest();

describe.each(backends)('quarantine digest store: $name', (backend) => {
  it('sends each recipient one scheduled digest per period when several processes run the pass at once', async () => {
    const stores = await shared(backend, 3);
    const recipients = ['a@example.test', 'b@example.test', 'c@example.test', 'd@example.test'];
    for (const to of recipients) await stores[0]!.acceptMessage(heldSpam(to));
    const queued: Submission[] = [];
    let now = T0;
    const digests = stores.map((store) =>
      createQuarantineDigest({
        store,
        links: createDigestLinks(Buffer.alloc(32, 1)),
        async ingest(submission) {
          queued.push(submission);
          return { id: newId(), internetMessageId: '<x@gw.test>', date: '', route: 'internal', recipients: [], raw: Buffer.alloc(0) };
        },
        clock: { now: () => now },
        log: pino({ level: 'silent' }),
        config: { digestDomains: ['example.test'], digestIntervalSeconds: 86_400, digestLinkLifetimeSeconds: 3600, digestBaseUrl: 'https://gw.test' },
      }),
    );
    const sent = (await Promise.all(digests.map((d) => d.runOnce()))).flat();
    expect(sent.map((d) => d.recipient).sort()).toEqual(recipients);
    expect(queued.map((s) => s.envelope?.rcptTo).sort()).toEqual(recipients.map((r) => [r]));
    // Same period: nothing more; next period: each recipient again, once.
    expect((await Promise.all(digests.map((d) => d.runOnce()))).flat()).toEqual([]);
    now = T0 + DAY;
    expect((await Promise.all(digests.map((d) => d.runOnce()))).flat()).toHaveLength(recipients.length);
    // Two periods on, the first period's claims are gone; the second's remain.
    now = T0 + 2 * DAY;
    await digests[0]!.runOnce();
    expect(await stores[0]!.claimDigest('a@example.test', Math.floor(T0 / DAY), now)).toBe(true);
    expect(await stores[0]!.claimDigest('a@example.test', Math.floor(T0 / DAY) + 2, now)).toBe(false);
  });

  it('lets a link act once however many processes use it at the same moment; a token given back acts again, expired ones are pruned', async () => {
    const stores = await shared(backend, 3);
    const wins = await Promise.all(stores.map((store) => store.useDigestLink('token-1', T0, T0 + DAY)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await stores[1]!.digestLinkUsed('token-1')).toBe(true);
    await stores[2]!.forgetDigestLink('token-1');
    expect(await stores[0]!.useDigestLink('token-1', T0, T0 + DAY)).toBe(true);
    await stores[0]!.useDigestLink('token-2', T0, T0 + 10);
    expect(await stores[0]!.pruneDigestRecords(T0 + 11, 0)).toBe(1);
    expect(await stores[0]!.digestLinkUsed('token-2')).toBe(false);
  });
});
