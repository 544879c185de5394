/**
 * Tracking of mail received over SMTP: a real client (nodemailer, STARTTLS) hands messages to the
 * gateway's listener; get-message-info shows the receiving connection, the scan result and the
 * hold policy, and the audit of who released or rejected a held message; search finds them by
 * sender IP and route.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';

const root = path.resolve(import.meta.dirname, '..');
const schema = JSON.parse(readFileSync(path.join(root, 'test/fixtures/mimecast/get-message-info.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let gw: TestGateway;
let tracker: MimecastKeys;

async function smtpSend(from: string, subject: string): Promise<string> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: gw.server.smtpPort,
    secure: false,
    requireTLS: true,
    name: 'client.outside.test',
    tls: { rejectUnauthorized: false },
  });
  try {
    const info = await transport.sendMail({ from, to: 'reader@example.test', subject, text: `sent by ${from}` });
    // The listener answers "250 2.0.0 Ok: queued as <id>".
    const id = /queued as (\S+)/.exec(info.response)?.[1];
    expect(id).toBeTruthy();
    replies.set(id as string, info.response);
    return id as string;
  } finally {
    transport.close();
  }
}

async function info(id: string): Promise<Item> {
  const res = await mcPost(gw.url, tracker, '/api/message-finder/get-message-info', JSON.stringify({ data: [{ id }] }));
  expect(res.body.fail).toEqual([]);
  expect(validate(res.body), JSON.stringify(validate.errors)).toBe(true);
  return res.body.data[0] as Item;
}

/** Waits (bounded, on settlement events) until the recipient reaches a status. */
async function recipientStatus(id: string, wanted: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [r] = await gw.server.gateway.store.listRecipients(id);
    if (r?.status === wanted) return;
    if (Date.now() > deadline) throw new Error(`recipient of ${id} is ${r?.status}, not ${wanted}`);
    await new Promise<void>((resolve) => {
      const done = () => {
        gw.server.gateway.events.off('settled', done);
        resolve();
      };
      gw.server.gateway.events.on('settled', done);
      setTimeout(done, 200).unref();
    });
  }
}

const ids = { ok: '', held: '', rejected: '' };
/** What the listener answered to each message's DATA, as the client saw it. */
const replies = new Map<string, string>();

beforeAll(async () => {
  // Nothing answers DNS on this port: SPF/DKIM/DMARC and blocklists come back as temporary errors, quickly.
  gw = await startTestGateway({ MAILGATE_DNS_SERVERS: '127.0.0.1:9' });
  await gw.user('reader@example.test');
  tracker = await gw.user('tracker@example.test', ['tracking']);
  await gw.server.gateway.store.putPolicy(
    {
      id: 'hold-outside',
      name: 'Hold listed outside senders',
      kind: 'sender',
      enabled: true,
      routes: ['inbound'],
      heldGroup: 'admin',
      position: 1,
      params: { addresses: ['held@outside.test', 'reject@outside.test'] },
    },
    Date.now(),
  );
  ids.ok = await smtpSend('ok@outside.test', 'inbound: plain');
  ids.held = await smtpSend('held@outside.test', 'inbound: held then released');
  ids.rejected = await smtpSend('reject@outside.test', 'inbound: held then rejected');
  await recipientStatus(ids.ok, 'delivered');
}, 60_000);

afterAll(async () => {
  await gw?.stop();
});

describe('inbound SMTP tracking', () => {
  it('shows the receiving connection, the scan result and the local delivery', async () => {
    const data = await info(ids.ok);
    expect(data.status).toBe('delivered');
    const meta = data.recipientInfo.recipientMetaInfo;
    expect(meta.remoteIp).toBe('127.0.0.1');
    expect(meta.remoteServerGreeting).toBe('client.outside.test');
    expect(meta.encryptionInfo).toMatch(/^TLSv1\.[23] \S+/);
    expect(meta.transmissionSize).toBeGreaterThan(0);
    expect(meta.binaryEmailSize).toBeGreaterThanOrEqual(meta.transmissionSize);
    expect(meta.receiptEvent).toBe('accepted');
    expect(meta.receiptAcknowledgement).toBe(replies.get(ids.ok));
    expect(data.recipientInfo.messageInfo.transmissionInfo).toMatch(/over SMTP with TLSv1\.[23]/);
    expect(data.recipientInfo.messageInfo.fromEnvelope).toBe('ok@outside.test');
    expect(data.spamInfo.spamScore).toEqual(expect.any(Number));
    expect(data.spamInfo.detectionLevel).toBe('moderate');
    expect(Object.keys(data.spamInfo.spamProcessingDetail)).toEqual(expect.arrayContaining(['spf', 'dkim', 'dmarc', 'rbl', 'verdict']));
    expect(meta.spamEvent).toBe(data.spamInfo.spamProcessingDetail.verdict.decision);
    const d = data.deliveredMessage['reader@example.test'];
    expect(d.messageInfo.route).toBe('inbound');
    expect(d.policyInfo).toEqual([]);
    expect(d.deliveryMetaInfo).toMatchObject({ deliveryEvent: 'delivered', receiptAcknowledgement: '250 2.0.0 delivered to reader@example.test' });
  });

  it('shows a held message with its policy, then who released it', async () => {
    const heldNow = await info(ids.held);
    expect(heldNow.status).toBe('held');
    const d = heldNow.deliveredMessage['reader@example.test'];
    expect(d.deliveryMetaInfo.deliveryEvent).toBe('held');
    expect(d.policyInfo).toEqual([{ policyName: 'Hold listed outside senders', policyType: 'Sender', inherited: false }]);

    expect(await gw.server.gateway.held.release(ids.held, 'reviewer@example.test')).toBe('done');
    await recipientStatus(ids.held, 'delivered');
    const released = await info(ids.held);
    expect(released.status).toBe('delivered');
    expect(released.deliveredMessage['reader@example.test'].deliveryMetaInfo.deliveryEvent).toBe('delivered');
    expect(released.retentionInfo.audits).toContainEqual(expect.objectContaining({ type: 'released', user: 'reviewer@example.test' }));
  });

  it('shows a rejected held message with who rejected it and why', async () => {
    expect(await gw.server.gateway.held.reject(ids.rejected, { operator: 'reviewer@example.test', message: 'phishing', notify: false })).toBe('done');
    const data = await info(ids.rejected);
    expect(data.status).toBe('rejected');
    expect(data.deliveredMessage['reader@example.test'].deliveryMetaInfo.deliveryEvent).toBe('rejected');
    expect(data.retentionInfo.audits).toContainEqual(expect.objectContaining({ type: 'rejected', user: 'reviewer@example.test', info: 'Rejected: phishing' }));
    const found = await mcPost(gw.url, tracker, '/api/message-finder/search', JSON.stringify({ data: [{ messageId: (await gw.server.gateway.store.getMessage(ids.rejected))?.internetMessageId }] }));
    expect(found.body.data[0]?.trackedEmails).toEqual([expect.objectContaining({ status: 'rejected', info: 'Rejected by reviewer@example.test: phishing' })]);
  });

  it('finds inbound mail by sender IP and route', async () => {
    const res = await mcPost(gw.url, tracker, '/api/message-finder/search', JSON.stringify({ data: [{ route: 'inbound', advancedTrackAndTraceOptions: { senderIP: '127.0.0.1' } }] }));
    const hits = res.body.data[0]?.trackedEmails as Item[];
    expect(hits.map((t) => t.id).sort()).toEqual([ids.ok, ids.held, ids.rejected].sort());
    expect(hits.every((t) => t.senderIP === '127.0.0.1' && t.route === 'inbound' && t.detectionLevel === 'moderate')).toBe(true);
    const none = await mcPost(gw.url, tracker, '/api/message-finder/search', JSON.stringify({ data: [{ advancedTrackAndTraceOptions: { senderIP: '192.0.2.1' } }] }));
    expect(none.body.data[0]?.trackedEmails).toEqual([]);
  });
});
