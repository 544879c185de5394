/**
 * The inbound SMTP listener end to end: real clients (nodemailer, swaks) against the real
 * listener, SPF/DKIM/DMARC/ARC and DNSBL answered by a real DNS server (dnsmasq) on loopback,
 * results checked in the stored message (seed 003 `spamInfo`, `recipientMetaInfo` facts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/identity.js';
import { setUserPassword } from '../src/auth/passwords.js';
import type { SpamInfo } from '../src/core/spam-info.js';
import { startInboundEnv, type InboundEnv } from './helpers/inbound-env.js';
import { missingTools, titled } from './helpers/tools.js';

const run = promisify(execFile);
let env: InboundEnv;
let alice: { id: string };

beforeAll(async () => {
  env = await startInboundEnv();
  const { store } = env.gw.server.gateway;
  alice = await addUser(store, { email: 'alice@example.test' });
  const bob = await addUser(store, { email: 'bob@example.test' });
  await setUserPassword(store, bob.id, 'correct horse battery');
  await store.putDnsblZone({ zone: 'bl.test', kind: 'ip', weight: 6, createdAt: Date.now() });
  await store.putDnsblZone({ zone: 'dbl.test', kind: 'domain', weight: 6, createdAt: Date.now() });
});

afterAll(async () => {
  await env?.stop();
});

function client(options: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: env.gw.server.smtpPort,
    secure: false,
    name: 'client.pass.test',
    tls: { rejectUnauthorized: false },
    ...options,
  } as never);
}

function message(from: string, subject: string, body = 'Hello there, this is an ordinary note.\r\n'): Buffer {
  return Buffer.from(
    [`From: Sender <${from}>`, 'To: alice@example.test', `Subject: ${subject}`, `Date: ${new Date().toUTCString()}`, `Message-ID: <${Math.random()}@x.test>`, '', body].join('\r\n'),
  );
}

async function sendRaw(from: string, raw: Buffer, options: Record<string, unknown> = {}): Promise<string> {
  const info = (await client(options).sendMail({ envelope: { from, to: ['alice@example.test'] }, raw })) as { response: string };
  const id = /queued as (\S+)/.exec(info.response)?.[1];
  expect(id).toBeTruthy();
  return id as string;
}

async function stored(id: string) {
  const { store } = env.gw.server.gateway;
  const msg = await store.getMessage(id);
  expect(msg).toBeDefined();
  return { msg: msg!, spam: msg!.meta.spamInfo as SpamInfo, recipients: await store.listRecipients(id), events: await store.listEvents(id) };
}

describe('SMTP listener with nodemailer', () => {
  it('accepts DKIM-signed mail from an SPF-permitted host over STARTTLS, records the checks and the connection, and delivers it', async () => {
    const settled = env.gw.nextSettlement((s) => s.status === 'delivered');
    const id = await sendRaw('news@pass.test', await env.signPass(message('news@pass.test', 'Quarterly numbers')), { requireTLS: true });
    const { msg, spam, events } = await stored(id);
    const detail = spam.spamProcessingDetail;
    expect(detail.spf).toMatchObject({ allow: true });
    expect(detail.spf.info).toMatch(/spf=pass/);
    expect(detail.dkim.info).toMatch(/dkim=pass/);
    expect(detail.dmarc.info).toMatch(/dmarc=pass/);
    expect(detail.rbl.allow).toBe(true);
    expect(spam.spamScore).toBeLessThan(5);
    expect(detail.verdict.decision).toBe('clean');
    expect(msg.route).toBe('inbound');
    const connection = msg.meta.connection as Record<string, unknown>;
    expect(connection).toMatchObject({ remoteIp: expect.stringContaining('127.0.0.1'), helo: 'client.pass.test', greeting: '220 gateway.test ESMTP mailgate' });
    expect(connection.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(connection.tlsCipher).toBeTruthy();
    expect(connection.transmissionSize).toBeGreaterThan(100);
    expect(Number(connection.transmissionEnd)).toBeGreaterThanOrEqual(Number(connection.transmissionStart));
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['received', 'scanned', 'queued']));
    expect((await settled).messageId).toBe(id);
    const raw = (await env.gw.server.gateway.store.blobs.get(msg.blobKey)).toString();
    expect(raw).toMatch(/^Received: from client\.pass\.test \((\S+ )?\[127\.0\.0\.1\]\)/m);
    expect(raw).toMatch(/Authentication-Results: gateway\.test;[\s\S]*dkim=pass/);
  });

  it('fails DKIM for a signed message whose body was changed after signing', async () => {
    const signed = (await env.signPass(message('news@pass.test', 'tampered'))).toString().replace('ordinary note', 'altered note');
    const id = await sendRaw('news@pass.test', Buffer.from(signed));
    const { spam } = await stored(id);
    expect(spam.spamProcessingDetail.dkim).toMatchObject({ allow: false });
    // mailauth words a body-hash mismatch as neutral, with the reason.
    expect(spam.spamProcessingDetail.dkim.info).toMatch(/dkim=(fail|neutral) \(body hash did not verify\)/);
    expect(spam.spamProcessingDetail.symbolGroups.map((g) => g.name)).toContain('DKIM_INVALID');
  });

  it('marks SPF none and DMARC none for a domain without records', async () => {
    const id = await sendRaw('someone@none.test', message('someone@none.test', 'no records here'));
    const { spam } = await stored(id);
    expect(spam.spamProcessingDetail.spf.info).toMatch(/spf=none/);
    expect(spam.spamProcessingDetail.dkim.info).toMatch(/dkim=none/);
    expect(spam.spamProcessingDetail.dmarc.info).toMatch(/dmarc=none/);
    expect(spam.spamProcessingDetail.dmarc.allow).toBe(true);
  });

  it('holds mail failing SPF under DMARC p=quarantine (score above the moderate threshold)', async () => {
    const id = await sendRaw('ceo@quar.test', message('ceo@quar.test', 'Invoice attached'));
    const { spam, recipients, events } = await stored(id);
    expect(spam.spamProcessingDetail.spf).toMatchObject({ allow: false });
    expect(spam.spamProcessingDetail.dmarc).toMatchObject({ allow: false });
    expect(spam.spamProcessingDetail.dmarc.info).toMatch(/dmarc=fail/);
    expect(spam.spamProcessingDetail.verdict.categories.map((c) => c.name)).toContain('authentication');
    expect(recipients.map((r) => r.status)).toEqual(['held']);
    expect(events.find((e) => e.kind === 'held')?.detail).toMatchObject({ reasonId: 'MESSAGE_HOLD_APPLIED_SPAM_SIGNATURE_POLICY' });
  });

  it('verifies an ARC chain sealed by an intermediary whose key is in DNS', async () => {
    const original = message('list@none.test', 'forwarded by a list');
    const sealed = await env.sealArc(original, 'mx.arc.test; spf=pass smtp.mailfrom=list@none.test');
    const id = await sendRaw('list@none.test', sealed);
    const { msg } = await stored(id);
    const raw = (await env.gw.server.gateway.store.blobs.get(msg.blobKey)).toString();
    expect(raw).toMatch(/arc=pass/);
  });

  it('lists a client IP found in the DNSBL zone and holds its mail', async () => {
    const id = await sendRaw('news@pass.test', message('news@pass.test', 'from a listed host'), { localAddress: '127.0.0.2' });
    const { spam, recipients } = await stored(id);
    expect(spam.spamProcessingDetail.rbl.allow).toBe(false);
    expect(spam.spamProcessingDetail.rbl.info).toContain('2.0.0.127.bl.test');
    expect(recipients[0]?.status).toBe('held');
  });

  it('lists a sender domain found in the domain DNSBL zone', async () => {
    const id = await sendRaw('promo@listed.test', message('promo@listed.test', 'domain listed'));
    const { spam } = await stored(id);
    expect(spam.spamProcessingDetail.rbl.allow).toBe(false);
    expect(spam.spamProcessingDetail.rbl.info).toContain('listed.test.dbl.test');
  });

  it('scores the GTUBE string as certain spam and holds it', async () => {
    const id = await sendRaw('news@pass.test', message('news@pass.test', 'test', 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n'));
    const { spam, recipients } = await stored(id);
    expect(spam.spamScore).toBeGreaterThanOrEqual(1000);
    expect(spam.spamProcessingDetail.verdict).toMatchObject({ decision: 'spam', risk: 'high' });
    expect(recipients[0]?.status).toBe('held');
  });

  it('refuses an unknown local mailbox at RCPT and relaying for unauthenticated clients', async () => {
    await expect(client().sendMail({ envelope: { from: 'a@pass.test', to: ['nobody@example.test'] }, raw: message('a@pass.test', 'x') })).rejects.toMatchObject({
      responseCode: 550,
    });
    await expect(client().sendMail({ envelope: { from: 'a@pass.test', to: ['someone@remote.test'] }, raw: message('a@pass.test', 'x') })).rejects.toMatchObject({
      responseCode: 554,
      response: expect.stringMatching(/Relay access denied/),
    });
  });

  it('lets an authenticated local user relay through the outbound path, and refuses bad passwords and AUTH without TLS', async () => {
    const before = env.sink.messages.length;
    const info = (await client({ auth: { user: 'bob@example.test', pass: 'correct horse battery' }, requireTLS: true }).sendMail({
      from: 'bob@example.test',
      to: 'carol@remote.test',
      subject: 'submitted over SMTP',
      text: 'hi',
    })) as { response: string };
    expect(info.response).toMatch(/queued as/);
    const [arrived] = (await env.sink.waitForMessages(before + 1)).slice(before);
    expect(arrived?.rcptTo).toEqual(['carol@remote.test']);
    expect(arrived?.raw.toString()).toMatch(/with ESMTPSA/);
    await expect(client({ auth: { user: 'bob@example.test', pass: 'wrong password' }, requireTLS: true }).verify()).rejects.toMatchObject({ responseCode: 535 });
    await expect(client({ auth: { user: 'bob@example.test', pass: 'correct horse battery' }, ignoreTLS: true }).verify()).rejects.toThrow();
    await expect(
      client({ auth: { user: 'bob@example.test', pass: 'correct horse battery' }, requireTLS: true }).sendMail({ from: 'alice@example.test', to: 'x@remote.test', text: 'x' }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });
});

describe.skipIf(missingTools(['swaks']).length > 0)(titled('SMTP listener with swaks', missingTools(['swaks'])), () => {
  it('accepts a message from swaks with pipelining, and holds it when SPF fails under DMARC p=reject', async () => {
    const { stdout } = await run('swaks', [
      '--server', `127.0.0.1:${env.gw.server.smtpPort}`,
      '--helo', 'mail.fail.test',
      '--from', 'boss@fail.test',
      '--to', 'alice@example.test',
      '--header', 'Subject: urgent wire',
      '--body', 'please pay',
      '--pipeline',
    ]);
    expect(stdout).toMatch(/PIPELINING/);
    const id = /queued as (\S+)/.exec(stdout)?.[1];
    expect(id).toBeTruthy();
    const { spam, recipients } = await stored(id as string);
    expect(spam.spamProcessingDetail.spf.info).toMatch(/spf=fail/);
    expect(spam.spamProcessingDetail.dmarc).toMatchObject({ allow: false });
    expect(recipients[0]?.status).toBe('held');
  });

  it('upgrades with STARTTLS and advertises 8BITMIME and SMTPUTF8', async () => {
    const { stdout } = await run('swaks', [
      '--server', `127.0.0.1:${env.gw.server.smtpPort}`,
      '--from', 'news@pass.test', '--to', 'alice@example.test', '--tls', '--body', 'over tls',
    ]);
    expect(stdout).toMatch(/8BITMIME/);
    expect(stdout).toMatch(/SMTPUTF8/);
    expect(stdout).toMatch(/TLS started/);
    expect(stdout).toMatch(/250 2\.0\.0 Ok: queued as/);
  });

  it('keeps mailbox delivery for clean mail (the message reaches the local inbox)', async () => {
    const id = await sendRaw('news@pass.test', await env.signPass(message('news@pass.test', 'for the inbox')));
    const settled = await env.gw.nextSettlement((s) => s.messageId === id).catch(async () => undefined);
    const recipients = await env.gw.server.gateway.store.listRecipients(id);
    expect(settled?.status ?? recipients[0]?.status).toBe('delivered');
    expect(alice.id).toBeTruthy();
  });
});
