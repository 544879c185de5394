/**
 * HTML-only bodies get a text/plain alternative (html-to-text in the composer), for every dialect:
 * Graph `body.contentType: html`, LINE WORKS `contentType: html` (its default) and Mimecast
 * `htmlBody` alone arrive at a real SMTP sink as multipart/alternative whose text part carries the
 * HTML's words, links as `text [url]`. A client that sends both bodies keeps its own text.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthClient } from '../src/auth/oauth-clients.js';
import { tenantIdFor } from '../src/auth/tenant.js';
import type { MimecastKeys } from '../src/auth/identity.js';
import { mcPost } from './helpers/mimecast-client.js';
import { PASSWORD, startWorksFixture, type WorksFixture } from './helpers/works.js';

const ALICE = 'alice@example.test';
const READER = 'reader@remote.test';
const HTML =
  '<html><body><h1>Quarterly numbers</h1><p>Revenue is <b>up</b>: read <a href="https://reports.example.test/q3">the Q3 report</a>.</p>' +
  '<p><img src="cid:chart@example.test" alt="chart">Questions to <a href="https://help.example.test">https://help.example.test</a></p></body></html>';
/** What html-to-text makes of HTML: words kept, the link's address after its text, an address shown once, the image dropped. */
const EXPECTED_TEXT = ['QUARTERLY NUMBERS', '', 'Revenue is up: read the Q3 report [https://reports.example.test/q3].', '', 'Questions to https://help.example.test'].join('\n');

let f: WorksFixture;
let worksToken: string;
let graphToken: string;
let mimecastKeys: MimecastKeys;

beforeAll(async () => {
  f = await startWorksFixture();
  await f.user(ALICE, { name: 'Alice Example' });
  worksToken = await f.token(ALICE);
  mimecastKeys = await f.gw.user('mc-sender@example.test');
  const { store, config } = f.gw.server.gateway;
  const app = await createOAuthClient(store, { name: 'html test', permissions: [] });
  const res = await fetch(`${f.gw.url}/${tenantIdFor(config.hostname)}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: app.clientId, username: ALICE, password: PASSWORD, scope: 'Mail.Send' }),
  });
  graphToken = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await f?.stop();
});

/** Waits for the sink to receive the message with this subject; answers its raw bytes and parse. */
async function delivered(subject: string): Promise<{ raw: string; parsed: ParsedMail }> {
  for (let seen = 1; ; seen++) {
    const messages = await f.sink.waitForMessages(seen);
    for (const m of messages) {
      const parsed = await simpleParser(m.raw);
      if (parsed.subject === subject) return { raw: m.raw.toString('utf8'), parsed };
    }
  }
}

function contentTypes(raw: string): string[] {
  return [...raw.matchAll(/^Content-Type: ([\w/-]+)/gim)].map((m) => (m[1] as string).toLowerCase());
}

function expectAlternative(mail: { raw: string; parsed: ParsedMail }): void {
  expect(contentTypes(mail.raw)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
  expect(mail.parsed.text?.trim()).toBe(EXPECTED_TEXT);
  expect(mail.parsed.html).toBe(HTML);
}

describe('HTML-only bodies get a plain-text alternative', () => {
  it('Graph sendMail with body.contentType html', async () => {
    const res = await fetch(`${f.gw.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${graphToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: { subject: 'graph html', body: { contentType: 'HTML', content: HTML }, toRecipients: [{ emailAddress: { address: READER } }] } }),
    });
    expect(res.status).toBe(202);
    expectAlternative(await delivered('graph html'));
  });

  it('LINE WORKS send with the default contentType (html)', async () => {
    const res = await f.call(worksToken, 'POST', '/users/me/mail', { to: READER, subject: 'works html', body: HTML });
    expect(res.status, res.text).toBe(202);
    expectAlternative(await delivered('works html'));
  });

  it('Mimecast send-email with htmlBody alone', async () => {
    const item = { to: [{ emailAddress: READER }], subject: 'mimecast html', htmlBody: { content: HTML } };
    const res = await mcPost(f.gw.url, mimecastKeys, '/api/email/send-email', JSON.stringify({ data: [item] }));
    expect(res.status).toBe(200);
    expect(res.body.fail).toEqual([]);
    expectAlternative(await delivered('mimecast html'));
  });

  it('a message with both bodies keeps the client\'s text as it was sent', async () => {
    const text = 'The client wrote this text itself.\nIt is not generated.';
    const item = { to: [{ emailAddress: READER }], subject: 'both bodies', htmlBody: { content: HTML }, plainBody: { content: text } };
    const res = await mcPost(f.gw.url, mimecastKeys, '/api/email/send-email', JSON.stringify({ data: [item] }));
    expect(res.status).toBe(200);
    const mail = await delivered('both bodies');
    expect(contentTypes(mail.raw)).toEqual(['multipart/alternative', 'text/plain', 'text/html']);
    expect(mail.parsed.text).toBe(text);
    expect(mail.parsed.html).toBe(HTML);
  });

  it('a text-only message stays a single text/plain part', async () => {
    const res = await f.call(worksToken, 'POST', '/users/me/mail', { to: READER, subject: 'works text', body: 'just text', contentType: 'text' });
    expect(res.status, res.text).toBe(202);
    const mail = await delivered('works text');
    expect(contentTypes(mail.raw)).toEqual(['text/plain']);
    expect(mail.parsed.html).toBe(false);
  });
});
