/**
 * The one send-as rule (docs/sender-authority.md) on every way in: the spoofs an attacker would try
 * are refused in each dialect's own words with nothing queued or delivered, the legitimate sends
 * (own address, delegated address, application permission) are delivered and DKIM-signed for the
 * From domain, and unauthenticated SMTP mail claiming a local domain is refused unless it comes from
 * a trusted network, where it is screened as inbound mail and never signed.
 */
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, createMimecastKeys } from '../src/auth/identity.js';
import { setUserPassword } from '../src/auth/passwords.js';
import { generateDkimKey } from '../src/mime/dkim-keys.js';
import type { Gateway } from '../src/gateway.js';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';
import { startInboundEnv, type InboundEnv } from './helpers/inbound-env.js';
import { mcPost } from './helpers/mimecast-client.js';

const DOMAINS = { MAILGATE_LOCAL_DOMAINS: 'example.test,corp.test' };
const PASSWORD = 'correct horse battery';

async function addSigningKeys(gateway: Gateway): Promise<void> {
  for (const domain of ['example.test', 'corp.test']) {
    const key = generateDkimKey('ed25519-sha256');
    await gateway.store.putDkimKey({
      domain,
      selector: 's1',
      algorithm: 'ed25519-sha256',
      privateKeyEnc: gateway.secrets.seal(key.privateKeyPem),
      publicKey: key.publicKey,
      createdAt: Date.now(),
    });
  }
}

/** The `d=` of every DKIM-Signature in the header block. */
function signingDomains(raw: Buffer): string[] {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  return unfolded
    .split(/\r?\n/)
    .filter((line) => /^dkim-signature:/i.test(line))
    .map((line) => /\bd=([^;\s]+)/.exec(line)?.[1] ?? '');
}

function mime(headers: string[], body = 'Quarterly numbers attached.'): Buffer {
  return Buffer.from([...headers, 'Subject: numbers', `Date: ${new Date().toUTCString()}`, '', body, ''].join('\r\n'));
}

function smtpClient(port: number, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    name: 'client.pass.test',
    tls: { rejectUnauthorized: false },
    ...(auth ? { auth } : {}),
  } as never);
}

async function smtpRefusal(send: Promise<unknown>): Promise<{ responseCode?: number; response?: string }> {
  const error = await send.then(
    () => undefined,
    (e: unknown) => e as { responseCode?: number; response?: string },
  );
  expect(error, 'the SMTP transaction should have been refused').toBeDefined();
  return error as { responseCode?: number; response?: string };
}

describe('SMTP: unauthenticated mail claiming a local domain (no trusted networks)', () => {
  let env: InboundEnv;

  beforeAll(async () => {
    env = await startInboundEnv(DOMAINS);
    await addSigningKeys(env.gw.server.gateway);
    const { store } = env.gw.server.gateway;
    await addUser(store, { email: 'alice@example.test' });
    const bob = await addUser(store, { email: 'bob@example.test' });
    await setUserPassword(store, bob.id, PASSWORD);
    await store.addDelegation(bob.id, 'team@corp.test');
    await addUser(store, { email: 'ceo@corp.test' });
  });
  afterAll(async () => env?.stop());

  it('refuses a local envelope sender at RCPT with 550 5.7.1; nothing is queued or delivered', async () => {
    const before = await env.gw.countRows('messages');
    const error = await smtpRefusal(
      smtpClient(env.gw.server.smtpPort).sendMail({
        envelope: { from: 'ceo@corp.test', to: ['alice@example.test'] },
        raw: mime(['From: CEO <ceo@corp.test>', 'To: alice@example.test']),
      }),
    );
    expect(error.responseCode).toBe(550);
    expect(error.response).toMatch(/^550 5\.7\.1 /);
    expect(await env.gw.countRows('messages')).toBe(before);
    expect(env.sink.messages).toHaveLength(0);
  });

  it('refuses an outside envelope sender whose header From claims a local domain at DATA with 550 5.7.1', async () => {
    const before = await env.gw.countRows('messages');
    for (const headers of [
      ['From: CEO <ceo@corp.test>'],
      ['From: Someone <someone@pass.test>', 'Sender: ceo@corp.test'],
      ['From: someone@pass.test, ceo@corp.test'],
    ]) {
      const error = await smtpRefusal(
        smtpClient(env.gw.server.smtpPort).sendMail({
          envelope: { from: 'someone@pass.test', to: ['alice@example.test'] },
          raw: mime([...headers, 'To: alice@example.test']),
        }),
      );
      expect(error.response).toMatch(/^550 5\.7\.1 /);
    }
    expect(await env.gw.countRows('messages')).toBe(before);
    expect(env.sink.messages).toHaveLength(0);
  });

  it('still accepts outside mail that claims no local domain, unsigned', async () => {
    const info = (await smtpClient(env.gw.server.smtpPort).sendMail({
      envelope: { from: 'someone@pass.test', to: ['alice@example.test'] },
      raw: mime(['From: Someone <someone@pass.test>', 'To: alice@example.test']),
    })) as { response: string };
    const id = /queued as (\S+)/.exec(info.response)?.[1] as string;
    const { store } = env.gw.server.gateway;
    const message = await store.getMessage(id);
    expect(message?.route).toBe('inbound');
    expect(signingDomains(await store.blobs.get(message?.blobKey as string))).toEqual([]);
  });

  it('an authenticated user may not put someone else in From or Sender; nothing is queued or relayed', async () => {
    const before = await env.gw.countRows('messages');
    const auth = { user: 'bob@example.test', pass: PASSWORD };
    for (const headers of [
      ['From: CEO <ceo@corp.test>'],
      ['From: bob@example.test', 'From: ceo@corp.test'],
      ['From: bob@example.test, ceo@corp.test'],
      ['From: bob@example.test', 'Sender: ceo@corp.test'],
    ]) {
      const error = await smtpRefusal(
        smtpClient(env.gw.server.smtpPort, auth).sendMail({
          envelope: { from: 'bob@example.test', to: ['reader@remote.test'] },
          raw: mime([...headers, 'To: reader@remote.test']),
        }),
      );
      expect(error.responseCode).toBe(550);
      expect(error.response).toMatch(/^550 5\.7\.1 /);
    }
    // The envelope alone is refused at MAIL FROM.
    const envelope = await smtpRefusal(
      smtpClient(env.gw.server.smtpPort, auth).sendMail({
        envelope: { from: 'ceo@corp.test', to: ['reader@remote.test'] },
        raw: mime(['From: bob@example.test', 'To: reader@remote.test']),
      }),
    );
    expect(envelope.response).toMatch(/^550 5\.7\.1 /);
    expect(await env.gw.countRows('messages')).toBe(before);
    expect(env.sink.messages).toHaveLength(0);
  });

  it('an authenticated user sending as a delegated address is relayed and signed for the From domain only', async () => {
    await smtpClient(env.gw.server.smtpPort, { user: 'bob@example.test', pass: PASSWORD }).sendMail({
      envelope: { from: 'bob@example.test', to: ['reader@remote.test'] },
      raw: mime(['From: Team <team@corp.test>', 'Sender: bob@example.test', 'Reply-To: anyone@elsewhere.test', 'To: reader@remote.test']),
    });
    const [delivered] = await env.sink.waitForMessages(1);
    expect(signingDomains(delivered?.raw as Buffer)).toEqual(['corp.test']);
  });
});

describe('SMTP: a trusted network may use a local domain without AUTH', () => {
  let env: InboundEnv;

  beforeAll(async () => {
    env = await startInboundEnv({ ...DOMAINS, MAILGATE_SMTP_TRUSTED_NETWORKS: '10.0.0.0/8, 127.0.0.0/8' });
    await addSigningKeys(env.gw.server.gateway);
    await addUser(env.gw.server.gateway.store, { email: 'alice@example.test' });
  });
  afterAll(async () => env?.stop());

  it('accepts it, screens it in full as inbound mail and never signs it', async () => {
    const info = (await smtpClient(env.gw.server.smtpPort).sendMail({
      envelope: { from: 'ceo@corp.test', to: ['alice@example.test'] },
      raw: mime(['From: CEO <ceo@corp.test>', 'To: alice@example.test']),
    })) as { response: string };
    const id = /queued as (\S+)/.exec(info.response)?.[1] as string;
    const { store } = env.gw.server.gateway;
    const message = await store.getMessage(id);
    expect(message?.route).toBe('inbound');
    const raw = await store.blobs.get(message?.blobKey as string);
    expect(signingDomains(raw)).toEqual([]);
    // Screened like mail from anywhere: SPF/DKIM/DMARC results are recorded and stamped.
    expect(raw.toString('utf8')).toMatch(/^Authentication-Results: gateway\.test;/m);
    const events = await store.listEvents(id);
    expect(events.map((e) => e.kind)).toContain('scanned');
  });
});

describe('Graph: every From and Sender address is checked, for JSON and MIME', () => {
  let f: GraphFixture;
  let call: (path: string, body: unknown, token?: string) => Promise<{ status: number; body: { error?: { code: string } } }>;
  let delegated: string;

  beforeAll(async () => {
    f = await startGraphFixture(DOMAINS);
    await addSigningKeys(f.gw.server.gateway);
    const aliceId = await f.user('alice@example.test', { name: 'Alice' });
    await f.gw.server.gateway.store.addDelegation(aliceId, 'team@corp.test');
    await f.user('ceo@corp.test');
    const app = await f.app(['Mail.Send']);
    delegated = await f.userToken(app, 'alice@example.test');
    const appOnly = await f.appToken(app);
    call = async (path, body, token = delegated) => {
      const mimeBody = typeof body === 'string';
      const res = await fetch(`${f.gw.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token === 'app' ? appOnly : token}`, 'Content-Type': mimeBody ? 'text/plain' : 'application/json' },
        body: mimeBody ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as { error?: { code: string } }) : {} };
    };
  });
  afterAll(async () => f?.stop());

  const to = [{ emailAddress: { address: 'reader@remote.test' } }];
  const b64 = (headers: string[]) => mime([...headers, 'To: reader@remote.test']).toString('base64');

  it('refuses a second From field, a From list and a foreign Sender in MIME with 403 ErrorSendAsDenied; nothing queued', async () => {
    const before = await f.gw.countRows('messages');
    for (const headers of [
      ['From: alice@example.test', 'From: ceo@corp.test'],
      ['From: alice@example.test, CEO <ceo@corp.test>'],
      ['From: alice@example.test', 'Sender: ceo@corp.test'],
      ['From: =?utf-8?q?Alice?= <alice@example.test>', 'Sender: "Group" : ceo@corp.test;'],
    ]) {
      const res = await call('/v1.0/me/sendMail', b64(headers));
      expect(res.status, headers.join(' | ')).toBe(403);
      expect(res.body.error?.code).toBe('ErrorSendAsDenied');
    }
    expect(await f.gw.countRows('messages')).toBe(before);
    expect(f.sink.messages).toHaveLength(0);
  });

  it('refuses a foreign sender property in JSON; Reply-To stays free', async () => {
    const before = await f.gw.countRows('messages');
    const res = await call('/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: to, sender: { emailAddress: { address: 'ceo@corp.test' } } } });
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('ErrorSendAsDenied');
    expect(await f.gw.countRows('messages')).toBe(before);
    const ok = await call('/v1.0/me/sendMail', { message: { subject: 'reply elsewhere', toRecipients: to, replyTo: [{ emailAddress: { address: 'anyone@elsewhere.test' } }] } });
    expect(ok.status).toBe(202);
    const [delivered] = await f.sink.waitForMessages(1);
    expect(signingDomains(delivered?.raw as Buffer)).toEqual(['example.test']);
  });

  it('MIME from a delegated address is delivered and signed for that From domain', async () => {
    const before = f.sink.messages.length;
    const res = await call('/v1.0/me/sendMail', b64(['From: Team <team@corp.test>', 'Sender: alice@example.test']));
    expect(res.status).toBe(202);
    const delivered = (await f.sink.waitForMessages(before + 1))[before];
    expect(signingDomains(delivered?.raw as Buffer)).toEqual(['corp.test']);
  });

  it('an application permission may send as any local mailbox, and only as one', async () => {
    const before = await f.gw.countRows('messages');
    for (const address of ['nobody@corp.test', 'someone@remote.test']) {
      const res = await call('/v1.0/users/alice@example.test/sendMail', { message: { subject: 'x', toRecipients: to, from: { emailAddress: { address } } } }, 'app');
      expect(res.status, address).toBe(403);
      expect(res.body.error?.code).toBe('ErrorSendAsDenied');
    }
    expect(await f.gw.countRows('messages')).toBe(before);
    const sent = f.sink.messages.length;
    const ok = await call('/v1.0/users/alice@example.test/sendMail', { message: { subject: 'as ceo', toRecipients: to, from: { emailAddress: { address: 'ceo@corp.test' } } } }, 'app');
    expect(ok.status).toBe(202);
    const delivered = (await f.sink.waitForMessages(sent + 1))[sent];
    expect(signingDomains(delivered?.raw as Buffer)).toEqual(['corp.test']);
  });

  it('a delegated (user) token may not use the application rule', async () => {
    const before = await f.gw.countRows('messages');
    const res = await call('/v1.0/me/sendMail', { message: { subject: 'x', toRecipients: to, from: { emailAddress: { address: 'ceo@corp.test' } } } });
    expect(res.status).toBe(403);
    expect(await f.gw.countRows('messages')).toBe(before);
  });
});

describe('Mimecast: the key user or a delegated address only', () => {
  let env: InboundEnv;

  beforeAll(async () => {
    env = await startInboundEnv(DOMAINS);
    await addSigningKeys(env.gw.server.gateway);
  });
  afterAll(async () => env?.stop());

  it('refuses another local address per item with err_xdk_operation_forbidden_for_address; signs the delegated send for its domain', async () => {
    const { store, secrets } = env.gw.server.gateway;
    const user = await addUser(store, { email: 'carol@example.test' });
    await store.addDelegation(user.id, 'team@corp.test');
    const keys = await createMimecastKeys(store, secrets, { email: 'carol@example.test' });
    const before = await env.gw.countRows('messages');
    const item = (from: string) => ({ from: { emailAddress: from }, to: [{ emailAddress: 'reader@remote.test' }], subject: 's', plainBody: { content: 'b' } });
    const { body } = await mcPost(env.gw.url, keys, '/api/email/send-email', JSON.stringify({ data: [item('ceo@corp.test'), item('team@corp.test')] }));
    expect(body.fail[0]?.errors[0]?.code).toBe('err_xdk_operation_forbidden_for_address');
    expect(body.data).toHaveLength(1);
    expect(await env.gw.countRows('messages')).toBe(before + 1);
    const [delivered] = await env.sink.waitForMessages(1);
    expect(delivered?.mailFrom).toBe('team@corp.test');
    expect(signingDomains(delivered?.raw as Buffer)).toEqual(['corp.test']);
  });
});
