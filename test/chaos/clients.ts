/**
 * The chaos load's clients: one sender with credentials for every way in, and a `send` that puts a
 * message with a unique id (its Subject) through Mimecast, Graph, LINE WORKS or SMTP, as each
 * dialect's real clients do, answering whether the gateway said it took the message (2xx / 250).
 */
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { addUser, createMimecastKeys, type MimecastKeys } from '../../src/auth/identity.js';
import { createOAuthClient } from '../../src/auth/oauth-clients.js';
import { setUserPassword } from '../../src/auth/passwords.js';
import type { SecretBox } from '../../src/auth/secret-box.js';
import { tenantIdFor } from '../../src/auth/tenant.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { CLI_CLIENT_ID, issueWorksUserTokens } from '../../src/api/works/auth.js';
import { systemClock } from '../../src/core/ports.js';
import type { Store } from '../../src/core/storage/store.js';
import { mcPost } from '../helpers/mimecast-client.js';

export const DIALECTS = ['mimecast', 'graph', 'works', 'smtp'] as const;
export type Dialect = (typeof DIALECTS)[number];

export const HOSTNAME = 'gateway.test';
export const SENDER = 'chaos-sender@example.test';
/**
 * A recipient of its own per message: an injected 550 puts its address on the suppression list
 * (docs/bounces.md), which must not refuse the other messages of the run.
 */
export function recipientFor(id: string): string {
  return `reader.${id}@remote.test`;
}
const PASSWORD = 'chaos horse battery staple';

/** Credentials stored in the gateway's database before it starts. */
export interface Accounts {
  keys: MimecastKeys;
  graphApp: { clientId: string; clientSecret: string };
  worksToken: string;
}

export async function provisionAccounts(store: Store, secrets: SecretBox): Promise<Accounts> {
  const user = await addUser(store, { email: SENDER, roles: ['user'] });
  await setUserPassword(store, user.id, PASSWORD);
  const keys = await createMimecastKeys(store, secrets, { email: SENDER });
  const graphApp = await createOAuthClient(store, { name: 'chaos load', permissions: ['Mail.Send'] });
  const works = await issueWorksUserTokens(
    { tokens: createTokenService({ store, secrets, clock: systemClock }), store, hostname: HOSTNAME, now: Date.now() },
    { user, clientId: CLI_CLIENT_ID, scopes: ['mail'], withRefreshToken: false },
  );
  return { keys, graphApp: { clientId: graphApp.clientId, clientSecret: graphApp.clientSecret }, worksToken: works.access_token };
}

/** What the gateway answered: `accepted` only for a 2xx or a 250. */
export interface Answer {
  accepted: boolean;
  status: number;
  headers?: Headers;
  body: string;
}

/** One gateway's listeners, as a client sees them. */
export interface Target {
  url: string;
  smtpPort: number;
}

export interface LoadClient {
  send(dialect: Dialect, id: string): Promise<Answer>;
  close(): void;
}

async function graphToken(url: string, app: Accounts['graphApp']): Promise<string> {
  const res = await fetch(`${url}/${tenantIdFor(HOSTNAME)}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`graph token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

async function answerOf(res: Response): Promise<Answer> {
  return { accepted: res.status >= 200 && res.status < 300, status: res.status, headers: res.headers, body: await res.text() };
}

/** Clients for one gateway; a Graph token is fetched on first use (tokens outlive restarts: keys are in the database). */
export function loadClient(target: Target, accounts: Accounts): LoadClient {
  let graph: Promise<string> | undefined;
  // Pooled like a submitting MTA: STARTTLS and AUTH once per connection, not per message.
  const smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: target.smtpPort,
    pool: true,
    maxConnections: 2,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: SENDER, pass: PASSWORD },
  } as SMTPPool.Options);
  const json = (token: string) => ({ Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });

  async function sendOne(dialect: Dialect, id: string): Promise<Answer> {
    if (dialect === 'mimecast') {
      const body = { data: [{ to: [{ emailAddress: recipientFor(id) }], subject: id, plainBody: { content: `body of ${id}` } }] };
      const res = await mcPost(target.url, accounts.keys, '/api/email/send-email', JSON.stringify(body));
      return { accepted: res.status === 200 && res.body.fail.length === 0, status: res.status, headers: res.headers, body: JSON.stringify(res.body) };
    }
    if (dialect === 'graph') {
      const token = await (graph ??= graphToken(target.url, accounts.graphApp));
      const message = { subject: id, body: { contentType: 'Text', content: `body of ${id}` }, toRecipients: [{ emailAddress: { address: recipientFor(id) } }] };
      const res = await fetch(`${target.url}/v1.0/users/${SENDER}/sendMail`, { method: 'POST', headers: json(token), body: JSON.stringify({ message, saveToSentItems: false }) });
      return answerOf(res);
    }
    if (dialect === 'works') {
      const body = { to: recipientFor(id), subject: id, body: `body of ${id}`, contentType: 'text', isSaveSentMail: false };
      return answerOf(await fetch(`${target.url}/works/v1.0/users/me/mail`, { method: 'POST', headers: json(accounts.worksToken), body: JSON.stringify(body) }));
    }
    try {
      const info = await smtp.sendMail({ from: SENDER, to: recipientFor(id), subject: id, text: `body of ${id}` });
      return { accepted: /^250\b/.test(info.response), status: 250, body: info.response };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // No reply code: the connection failed, as a fetch would throw.
      if (code === undefined) throw error;
      return { accepted: false, status: code, body: (error as { response?: string }).response ?? String(error) };
    }
  }

  return { send: sendOne, close: () => smtp.close() };
}

/** The chaos id a delivered message carries in its Subject, or undefined. */
export function idOf(raw: Buffer): string | undefined {
  return /^Subject: (chaos-[\w-]+)/im.exec(raw.toString('latin1'))?.[1];
}
