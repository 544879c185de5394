/**
 * Recipients' own quarantine (docs/quarantine-digest.md), end to end: spam-held mail arrives over
 * real SMTP, the digest is delivered to the recipient's mailbox and parsed with mailparser, and its
 * links are followed over real HTTP(S): GET changes nothing, POST acts once, for that recipient only.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestLinks } from '../src/auth/digest-links.js';
import { DIGEST_SUBJECT_PREFIX } from '../src/services/digest-message.js';
import { digestLinks as digestLinksOf, inboxCopies as inboxCopiesOf, readDigest, sendDigest as sendDigestOf } from './helpers/digest.js';
import { GTUBE, startHeldEnv, type HeldEnv } from './helpers/held-env.js';
import { waitFor } from './helpers/wait-for.js';

let env: HeldEnv['env'];
let sendInbound: HeldEnv['sendInbound'];
let statuses: HeldEnv['statuses'];

const ALICE = 'alice@example.test';
const CAROL = 'carol@example.test';
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

beforeAll(async () => {
  ({ env, sendInbound, statuses } = await startHeldEnv({ MAILGATE_DIGEST_DOMAINS: 'example.test' }));
});

afterAll(async () => {
  await env?.stop();
});

const gateway = () => env.gw.server.gateway;

const inboxCopies = (address: string, messageId: string) => inboxCopiesOf(gateway(), address, messageId);
const digestLinks = (address: string, digestId: string) => digestLinksOf(gateway(), address, digestId);
const sendDigest = (address: string) => sendDigestOf(gateway(), address);

/** Sends from outside over SMTP with an envelope sender that may differ from the header From. */
async function smtpSend(mail: { envelopeFrom: string; from?: string; to: string[]; subject: string }) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: env.gw.server.smtpPort, name: 'client.pass.test', tls: { rejectUnauthorized: false } });
  try {
    return await transport.sendMail({
      envelope: { from: mail.envelopeFrom, to: mail.to },
      from: mail.from ?? mail.envelopeFrom,
      to: mail.to,
      subject: mail.subject,
      text: 'An ordinary note.',
    });
  } finally {
    transport.close();
  }
}

/** The link's path and query on this gateway's HTTP listener (links name MAILGATE_DIGEST_BASE_URL). */
const local = (link: string) => {
  const url = new URL(link);
  return env.gw.url + url.pathname + url.search;
};

const tokenOf = (link: string) => new URL(link).searchParams.get('t') as string;

function confirm(token: string) {
  return fetch(`${env.gw.url}/quarantine/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token }).toString(),
  });
}

describe('quarantine digest', () => {
  it('lists spam-held mail in the digest; GET releases nothing, POST releases once, to that recipient only', async () => {
    const id = await sendInbound({ to: [ALICE, CAROL], subject: 'digest gtube release', text: GTUBE });
    expect(await statuses(id)).toEqual({ [ALICE]: 'held', [CAROL]: 'held' });
    const digest = await digestLinks(ALICE, await sendDigest(ALICE));
    expect(digest.subject).toMatch(new RegExp(`^${DIGEST_SUBJECT_PREFIX} \\d+ held message`));
    const links = digest.links.get('digest gtube release') as Record<string, string>;
    expect(links.Release).toMatch(/^https:\/\/gateway\.test\/quarantine\/confirm\?t=/);

    const page = await fetch(local(links.Release as string));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.text();
    expect(html).toContain('<form method="post" action="confirm">');
    expect(html).toContain('digest gtube release');
    // The HTTPS listener serves the same page; a link scanner fetching both changes nothing.
    expect((await env.gw.tlsFetch(env.gw.httpsUrl + new URL(links.Release as string).pathname + new URL(links.Release as string).search)).status).toBe(200);
    expect(await statuses(id)).toEqual({ [ALICE]: 'held', [CAROL]: 'held' });
    expect(await inboxCopies(ALICE, id)).toEqual([]);

    const delivered = env.gw.nextSettlement((s) => s.messageId === id && s.status === 'delivered');
    const done = await confirm(tokenOf(links.Release as string));
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('on its way');
    await delivered;
    expect(await inboxCopies(ALICE, id)).toHaveLength(1);
    expect(await statuses(id)).toEqual({ [ALICE]: 'delivered', [CAROL]: 'held' });
    expect((await gateway().store.getHold(id))?.status).toBe('held');

    const again = await confirm(tokenOf(links.Release as string));
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already used');
    expect((await fetch(local(links.Release as string))).status).toBe(410);
    expect(await inboxCopies(ALICE, id)).toHaveLength(1);
    expect(await statuses(id)).toEqual({ [ALICE]: 'delivered', [CAROL]: 'held' });

    const events = await gateway().store.listEvents(id);
    expect(events.filter((e) => e.kind === 'released').map((e) => e.detail)).toEqual([
      expect.objectContaining({ operator: `recipient:${ALICE}`, via: 'digest' }),
    ]);
    const audit = await gateway().settings.audit({ actions: ['hold_release'], offset: 0, limit: 100 });
    expect(audit.entries.find((e) => e.target === id)).toMatchObject({ operator: `recipient:${ALICE}`, detail: { via: 'digest', recipient: ALICE } });
  });

  it('refuses tampered, forged, expired and missing tokens with a page, changing nothing', async () => {
    const id = await sendInbound({ subject: 'digest gtube tamper', text: GTUBE });
    const digest = await digestLinks(ALICE, await sendDigest(ALICE));
    const token = tokenOf(digest.links.get('digest gtube tamper')?.Release as string);
    const [payload, signature] = token.split('.') as [string, string];
    // Another character in place of the second-to-last (every bit of it is signature; the last one's are not all).
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.slice(-1);
    const otherPayload = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('"release"', '"permit"')).toString('base64url');
    const forged = createDigestLinks(Buffer.alloc(32, 7)).sign({ action: 'release', messageId: id, recipient: ALICE, sender: 'news@pass.test', expiresAt: Date.now() + 60_000 });
    const expired = createDigestLinks(gateway().secrets.deriveKey('digest links')).sign({
      action: 'release',
      messageId: id,
      recipient: ALICE,
      sender: 'news@pass.test',
      expiresAt: Date.now() - 1,
    });
    const cases: Array<[string, number]> = [
      [`${payload}.${flipped}`, 403],
      [`${otherPayload}.${signature}`, 403],
      [forged.token, 403],
      [expired.token, 410],
      ['not-a-token', 400],
      ['', 400],
    ];
    for (const [bad, status] of cases) {
      const refused = await confirm(bad);
      expect(refused.status, bad).toBe(status);
      expect(await refused.text()).toContain('Link refused');
      expect((await fetch(`${env.gw.url}/quarantine/confirm?t=${encodeURIComponent(bad)}`)).status).toBe(status);
    }
    expect(await statuses(id)).toEqual({ [ALICE]: 'held' });
    expect(await inboxCopies(ALICE, id)).toEqual([]);
  });

  it("a recipient's block refuses or holds that sender's mail for them only; a permit lifts their spam hold only", async () => {
    const spam = await sendInbound({ from: 'bulk@pass.test', subject: 'digest gtube block', text: GTUBE });
    const digest = await digestLinks(ALICE, await sendDigest(ALICE));
    const links = digest.links.get('digest gtube block') as Record<string, string>;
    expect((await confirm(tokenOf(links['Block sender'] as string))).status).toBe(200);
    expect(await gateway().settings.recipientSenders(ALICE)).toContainEqual(expect.objectContaining({ list: 'blocked', pattern: 'bulk@pass.test' }));
    expect(await statuses(spam)).toEqual({ [ALICE]: 'held' });

    // Envelope sender blocked: Alice is refused at RCPT TO, Carol gets the message.
    const before = await env.gw.countRows('messages');
    const both = await smtpSend({ envelopeFrom: 'bulk@pass.test', to: [ALICE, CAROL], subject: 'after the block' });
    expect(both.rejected).toEqual([ALICE]);
    expect(both.rejectedErrors?.[0]?.responseCode).toBe(550);
    const bothId = /queued as (\S+)/.exec(both.response)?.[1] as string;
    await waitFor(async () => (await statuses(bothId))[CAROL] === 'delivered', 'delivery to carol');
    expect(await statuses(bothId)).toEqual({ [CAROL]: 'delivered' });
    // Header From blocked behind another envelope sender: Alice's copy is held, Carol's delivered.
    const header = await smtpSend({ envelopeFrom: 'relay@pass.test', from: 'bulk@pass.test', to: [ALICE, CAROL], subject: 'header from blocked' });
    const headerId = /queued as (\S+)/.exec(header.response)?.[1] as string;
    await waitFor(async () => (await statuses(headerId))[CAROL] === 'delivered', 'delivery to carol');
    expect((await statuses(headerId))[ALICE]).toBe('held');
    expect((await gateway().store.getHold(headerId))?.reasonId).toBe('MESSAGE_HOLD_APPLIED_RECIPIENT_BLOCKED_SENDER');
    expect(await inboxCopies(ALICE, headerId)).toEqual([]);
    // Alice alone: refused at RCPT TO, or at DATA for the header From; nothing queued either way.
    const counted = await env.gw.countRows('messages');
    expect(counted).toBe(before + 2);
    await expect(smtpSend({ envelopeFrom: 'bulk@pass.test', to: [ALICE], subject: 'refused' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(smtpSend({ envelopeFrom: 'relay@pass.test', from: 'bulk@pass.test', to: [ALICE], subject: 'refused' })).rejects.toMatchObject({ responseCode: 550 });
    expect(await env.gw.countRows('messages')).toBe(counted);
    // Another sender still reaches her.
    const other = await sendInbound({ from: 'friend@pass.test', to: [ALICE], subject: 'unaffected' });
    await waitFor(async () => (await statuses(other))[ALICE] === 'delivered', 'delivery of other mail to alice');

    // Permit: Alice's copy of this sender's spam is delivered, Carol's stays held.
    await sendInbound({ from: 'promo@pass.test', subject: 'digest gtube permit', text: GTUBE });
    const second = await digestLinks(ALICE, await sendDigest(ALICE));
    expect((await confirm(tokenOf(second.links.get('digest gtube permit')?.['Permit sender'] as string))).status).toBe(200);
    const permitted = await sendInbound({ from: 'promo@pass.test', to: [ALICE, CAROL], subject: 'permitted spam', text: GTUBE });
    await waitFor(async () => (await statuses(permitted))[ALICE] === 'delivered', 'delivery of permitted spam to alice');
    expect((await statuses(permitted))[CAROL]).toBe('held');
    const audit = await gateway().settings.audit({ actions: ['recipient_sender_set'], offset: 0, limit: 100 });
    expect(audit.entries.map((e) => [e.operator, e.detail.list, e.detail.pattern])).toEqual(
      expect.arrayContaining([
        [`recipient:${ALICE}`, 'blocked', 'bulk@pass.test'],
        [`recipient:${ALICE}`, 'permitted', 'promo@pass.test'],
      ]),
    );
  });

  it('a link for a message an administrator already rejected releases nothing', async () => {
    const id = await sendInbound({ subject: 'digest gtube rejected', text: GTUBE });
    const digest = await digestLinks(ALICE, await sendDigest(ALICE));
    expect(await gateway().held.reject(id, { operator: 'root@example.test', notify: false })).toBe('done');
    const refused = await confirm(tokenOf(digest.links.get('digest gtube rejected')?.Release as string));
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('no longer held');
    expect(await statuses(id)).toEqual({ [ALICE]: 'rejected' });
    expect(await inboxCopies(ALICE, id)).toEqual([]);
  });

  it('the scheduled pass sends each recipient one digest per period, recorded in the store', async () => {
    await sendInbound({ to: [CAROL], subject: 'digest gtube scheduled', text: GTUBE });
    const first = await gateway().digest.runOnce();
    expect(first.map((d) => d.recipient)).toContain(CAROL);
    expect(await gateway().digest.runOnce()).toEqual([]);
    expect(await env.gw.countRows('digest_sends')).toBeGreaterThanOrEqual(1);
    const digest = await digestLinks(CAROL, first.find((d) => d.recipient === CAROL)?.messageId as string);
    expect(digest.links.has('digest gtube scheduled')).toBe(true);
  });

  it('mailgate digest send --recipient queues a digest from the command line', { timeout: 120_000 }, async () => {
    await sendInbound({ to: [CAROL], subject: 'digest gtube cli', text: GTUBE });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'digest', 'send', '--recipient', CAROL], {
      cwd: root,
      env: { ...process.env, ...env.gw.databaseEnv, MAILGATE_DATA_DIR: env.gw.dataDir, MAILGATE_LOCAL_DOMAINS: 'example.test', MAILGATE_DIGEST_DOMAINS: 'example.test', MAILGATE_LOG_LEVEL: 'silent' },
    });
    const sent = (JSON.parse(stdout) as { sent: Array<{ recipient: string; messageId: string }> }).sent;
    expect(sent.map((d) => d.recipient)).toEqual([CAROL]);
    // Queued by another process: on SQLite nothing wakes this gateway's worker at once, so the
    // queued digest itself is read (delivery is the other tests' business).
    const id = sent[0]?.messageId as string;
    expect(await gateway().store.getMessage(id)).toMatchObject({ route: 'internal', mailFrom: 'postmaster@example.test' });
    const digest = await readDigest(await gateway().store.blobs.get(id));
    expect(digest.links.has('digest gtube cli')).toBe(true);
  });
});
