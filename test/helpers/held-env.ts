/**
 * The world of the hold-policy and held-review tests: a gateway with inbound mail from a real DNS
 * and SMTP setup (inbound-env.ts), Mimecast keys for an admin, a held reviewer, a plain user and an
 * outbound sender, local mailboxes, and the calls those tests make.
 */
import nodemailer from 'nodemailer';
import { expect } from 'vitest';
import { addUser, type MimecastKeys } from '../../src/auth/identity.js';
import { startInboundEnv, type InboundEnv } from './inbound-env.js';
import { mcHeaders, mcPost } from './mimecast-client.js';

export type Item = Record<string, unknown>;

/** SpamAssassin's test string: scores 1000 and so is held by the default spam policy. */
export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

interface Mail {
  from?: string;
  to?: string[];
  subject?: string;
  text?: string;
  attachments?: Array<{ filename: string; content: string }>;
  localAddress?: string;
}

/** `gatewayEnv` adds settings to the gateway's (e.g. MAILGATE_DIGEST_DOMAINS). */
export async function startHeldEnv(gatewayEnv: Record<string, string> = {}) {
  const env: InboundEnv = await startInboundEnv(gatewayEnv);
  const { store } = env.gw.server.gateway;
  const admin: MimecastKeys = await env.gw.user('root@example.test', ['admin']);
  const reviewer: MimecastKeys = await env.gw.user('reviewer@example.test', ['held-reviewer']);
  const plain: MimecastKeys = await env.gw.user('plain@example.test', ['user']);
  const sender: MimecastKeys = await env.gw.user('sender@example.test', ['user']);
  await addUser(store, { email: 'alice@example.test' });
  await addUser(store, { email: 'carol@example.test' });

  async function adminCall(method: string, uri: string, body?: unknown): Promise<{ status: number; body: Item }> {
    const res = await fetch(env.gw.url + uri, {
      method,
      headers: { ...mcHeaders(admin, uri.split('?')[0] as string), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: res.status === 204 ? {} : ((await res.json()) as Item) };
  }

  async function withPolicy<T>(policy: Item, body: (id: string) => Promise<T>): Promise<T> {
    const created = await adminCall('POST', '/admin/api/policies', policy);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    try {
      return await body(id);
    } finally {
      expect((await adminCall('DELETE', `/admin/api/policies/${id}`)).status).toBe(204);
    }
  }


  /** Sends over SMTP from outside; returns the queue id from the 250 reply. */
  async function sendInbound(mail: Mail = {}): Promise<string> {
    const from = mail.from ?? 'news@pass.test';
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: env.gw.server.smtpPort,
      name: 'client.pass.test',
      tls: { rejectUnauthorized: false },
      ...(mail.localAddress ? { localAddress: mail.localAddress } : {}),
    });
    const info = await transport.sendMail({
      from,
      to: mail.to ?? ['alice@example.test'],
      subject: mail.subject ?? 'an ordinary note',
      text: mail.text ?? 'Nothing unusual here.',
      attachments: mail.attachments ?? [],
    });
    return /queued as (\S+)/.exec(info.response)?.[1] as string;
  }

  async function statuses(id: string): Promise<Record<string, string>> {
    const recipients = await env.gw.server.gateway.store.listRecipients(id);
    return Object.fromEntries(recipients.map((r) => [r.address, r.status]));
  }

  async function heldEvent(id: string): Promise<Item | undefined> {
    const events = await env.gw.server.gateway.store.listEvents(id);
    return events.find((e) => e.kind === 'held')?.detail;
  }

  const mc = (keys: MimecastKeys, uri: string, data: unknown[], meta?: unknown) =>
    mcPost(env.gw.url, keys, uri, JSON.stringify({ ...(meta ? { meta } : {}), data }));

  return { env, admin, reviewer, plain, sender, adminCall, withPolicy, sendInbound, statuses, heldEvent, mc };
}

export type HeldEnv = Awaited<ReturnType<typeof startHeldEnv>>;
