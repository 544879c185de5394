/**
 * Graph sendMail keeps the case clients and administrators wrote (docs/vendor-apis.md, "Case of
 * addresses and header names"): the mailbox's From as created, `internetMessageHeaders` names as
 * sent, while sign-in and mailbox lookups ignore case. Checked at a real SMTP sink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';

let f: GraphFixture;
let token: string;

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user('AdeleV@example.test', { name: 'Adele Vance' });
  const app = await f.app([]);
  // Signing in with another case finds the same mailbox.
  token = await f.userToken(app, 'adelev@EXAMPLE.test', 'Mail.Send');
});

afterAll(async () => {
  await f?.stop();
});

describe('Graph sendMail', () => {
  it('sends From as the mailbox was created and header names as the client spelled them', async () => {
    const before = f.sink.messages.length;
    const res = await fetch(`${f.gw.url}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        message: {
          subject: 'Case kept over Graph',
          body: { contentType: 'Text', content: 'hi' },
          toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }],
          internetMessageHeaders: [
            { name: 'X-Campaign-Id', value: 'g-7' },
            { name: 'x-MS-Custom', value: 'kept' },
          ],
        },
        saveToSentItems: false,
      }),
    });
    expect(res.status).toBe(202);
    const [delivered] = (await f.sink.waitForMessages(before + 1)).slice(before);
    const raw = delivered!.raw.toString('utf8');
    expect(raw).toMatch(/\r\nFrom: Adele Vance <AdeleV@example\.test>\r\n/);
    expect(raw).toMatch(/(^|\r\n)X-Campaign-Id: g-7\r\n/);
    expect(raw).toMatch(/(^|\r\n)x-MS-Custom: kept\r\n/);
    expect(delivered!.mailFrom).toBe('AdeleV@example.test');
  });
});
