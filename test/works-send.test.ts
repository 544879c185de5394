/**
 * LINE WORKS send (seed 001) against a real listening gateway and a real SMTP sink: every field of
 * the seed, delivered mail parsed back with mailparser.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorksFixture, type WorksFixture } from './helpers/works.js';

/** Seed 001's example request, verbatim (its base64 has a space in it, as copied from the page). */
const SEED_EXAMPLE = {
  to: 'admin@example.com',
  subject: 'Test',
  body: 'Body',
  contentType: 'html',
  userName: 'admin',
  isSaveSentMail: true,
  isSaveTracking: true,
  isSendSeparately: false,
  attachments: [
    {
      filename: 'index.html',
      fileType: 'text/html',
      data: 'PCFET0NUWVBFIGh0bWw+CjxodG1sIGxhbmc9ImphIj4KPGhlYWQ+Cjx0aXRsZT5XZWxjb21lIHRvIFdPUktTIEFQSTwvdGl0bGU+CjwvaGVhZD4K PGJvZHk+CjxoMT5XZWxjb21lIFRvIFdPUktTIEFQSTwvaDE+CldlbGNvbWUgdG8gdGhlIFdPUktTIEFQSSB3b3JsZC4KPC9ib2R5Pgo8L2h0bWw+',
    },
  ],
};
/** The vendor's inline-image example (a red dot PNG). */
const RED_DOT = 'iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAYAAACNbyblAAAAHElEQVQI12P4//8/w38GIAXDIBKE0DHxgljNBAAO9TXL0Y4OHwAAAABJRU5ErkJggg==';

let f: WorksFixture;
let token: string;

beforeAll(async () => {
  f = await startWorksFixture();
  await f.user('alice@example.test', { name: 'Alice Example' });
  token = await f.token('alice@example.test');
});
afterAll(async () => {
  await f.stop();
});

/** Sends and waits until the sink has `count` more messages; answers the new ones, parsed (cid links left as sent). */
async function sendAndReceive(body: unknown, count = 1): Promise<Array<{ rcptTo: string[]; parsed: ParsedMail; raw: Buffer }>> {
  const before = f.sink.messages.length;
  const res = await f.call(token, 'POST', '/users/me/mail', body);
  expect(res.status, res.text).toBe(202);
  expect(res.text).toBe('');
  const all = await f.sink.waitForMessages(before + count);
  return Promise.all(all.slice(before).map(async (m) => ({ rcptTo: m.rcptTo, parsed: await simpleParser(m.raw, { skipImageLinks: true }), raw: m.raw })));
}

async function folderCount(folderId: number): Promise<number> {
  const res = await f.call(token, 'GET', '/users/me/mail/mailfolders');
  const folders = res.json.mailFolders as Array<{ folderId: number; mailCount: number }>;
  return folders.find((x) => x.folderId === folderId)?.mailCount ?? -1;
}

describe('POST /users/{userId}/mail', () => {
  it('delivers the seed 001 example: HTML body, the html attachment byte for byte, userName as the From name', async () => {
    const [mail] = await sendAndReceive(SEED_EXAMPLE);
    expect(mail?.rcptTo).toEqual(['admin@example.com']);
    const parsed = mail!.parsed;
    expect(parsed.subject).toBe('Test');
    expect(parsed.html).toBe('Body');
    expect(parsed.from?.value).toEqual([{ address: 'alice@example.test', name: 'admin' }]);
    expect(parsed.attachments).toHaveLength(1);
    const attachment = parsed.attachments[0]!;
    expect(attachment.filename).toBe('index.html');
    expect(attachment.contentType).toBe('text/html');
    expect(attachment.contentDisposition).toBe('attachment');
    expect(attachment.content.equals(Buffer.from(SEED_EXAMPLE.attachments[0]!.data.replace(/ /g, ''), 'base64'))).toBe(true);
    expect(attachment.content.toString()).toContain('Welcome To WORKS API');
    // securityLevel defaults to General and travels as a header.
    expect(parsed.headers.get('x-works-security-level')).toBe('General');
  });

  it('delivers an inline image with its Content-ID and inline disposition, referenced from the HTML', async () => {
    const [mail] = await sendAndReceive({
      to: 'bob@example.com',
      subject: 'Red dot',
      body: '<html><body>red dot is here:<img src="cid:reddotiVBORw0KGgoAAAA" alt="Red dot" /></body></html>',
      attachments: [{ cid: 'reddotiVBORw0KGgoAAAA', fileType: 'image/png', inline: true, filename: 'red_dot.png', data: RED_DOT }],
    });
    const parsed = mail!.parsed;
    const image = parsed.attachments[0]!;
    expect(image.contentId).toBe('<reddotiVBORw0KGgoAAAA>');
    expect(image.contentDisposition).toBe('inline');
    expect(image.contentType).toBe('image/png');
    expect(image.content.equals(Buffer.from(RED_DOT, 'base64'))).toBe(true);
    expect(parsed.html).toContain('src="cid:reddotiVBORw0KGgoAAAA"');
    // The HTML and the image travel together in multipart/related, so mail readers resolve the cid.
    expect(mail!.raw.toString('latin1')).toMatch(/Content-Type: multipart\/related/i);
  });

  it('cuts a subject of more than 180 characters at 180 characters, multi-byte ones counted as one', async () => {
    const subject = 'あ'.repeat(100) + '🎉'.repeat(50) + 'x'.repeat(40);
    expect(Array.from(subject)).toHaveLength(190);
    const [mail] = await sendAndReceive({ to: 'carol@example.com', subject, contentType: 'text', body: 'plain body' });
    const expected = 'あ'.repeat(100) + '🎉'.repeat(50) + 'x'.repeat(30);
    expect(mail!.parsed.subject).toBe(expected);
    expect(mail!.parsed.text?.trim()).toBe('plain body');
    expect(mail!.parsed.html).toBe(false);
  });

  it('reads ;-separated lists with spaces, empty entries and a trailing ;', async () => {
    const [mail] = await sendAndReceive({
      to: ' dave@example.com ; erin@example.com;;',
      cc: 'frank@example.com; ',
      bcc: ';grace@example.com;',
      subject: 'Lists',
    });
    expect(mail!.rcptTo.sort()).toEqual(['dave@example.com', 'erin@example.com', 'frank@example.com', 'grace@example.com']);
    expect(mail!.parsed.to && !Array.isArray(mail!.parsed.to) ? mail!.parsed.to.value.map((a) => a.address) : []).toEqual([
      'dave@example.com',
      'erin@example.com',
    ]);
    expect(mail!.parsed.headers.get('bcc')).toBeUndefined();
  });

  it('sends one message per recipient with isSendSeparately, each naming only its recipient and tracked on its own', async () => {
    const sentBefore = await folderCount(1);
    const trackedBefore = await folderCount(2);
    const mails = await sendAndReceive(
      { to: 'h1@example.com; h2@example.com', cc: 'h3@example.com', bcc: 'h4@example.com', subject: 'Separately', isSendSeparately: true },
      4,
    );
    const byRcpt = new Map(mails.map((m) => [m.rcptTo.join(','), m.parsed]));
    expect([...byRcpt.keys()].sort()).toEqual(['h1@example.com', 'h2@example.com', 'h3@example.com', 'h4@example.com']);
    const names = (p: ParsedMail | undefined, header: 'to' | 'cc') => {
      const value = p?.[header];
      return value && !Array.isArray(value) ? value.value.map((a) => a.address) : [];
    };
    expect(names(byRcpt.get('h1@example.com'), 'to')).toEqual(['h1@example.com']);
    expect(names(byRcpt.get('h2@example.com'), 'to')).toEqual(['h2@example.com']);
    expect(names(byRcpt.get('h3@example.com'), 'cc')).toEqual(['h3@example.com']);
    expect(names(byRcpt.get('h3@example.com'), 'to')).toEqual([]);
    expect([names(byRcpt.get('h4@example.com'), 'to'), names(byRcpt.get('h4@example.com'), 'cc')]).toEqual([[], []]);
    // Four messages with four Message-IDs: four Sent copies and four Tracking records.
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(4);
    expect(await folderCount(1)).toBe(sentBefore + 4);
    expect(await folderCount(2)).toBe(trackedBefore + 4);
  });

  it('files a Sent copy only when isSaveSentMail is not false, and carries securityLevel', async () => {
    const before = await folderCount(1);
    await sendAndReceive({ to: 'ivan@example.com', subject: 'Not saved', isSaveSentMail: false, isSaveTracking: false });
    expect(await folderCount(1)).toBe(before);
    const [mail] = await sendAndReceive({ to: 'ivan@example.com', subject: 'Saved', securityLevel: 'Confidential', isSaveSentMail: 'true' });
    expect(mail!.parsed.headers.get('x-works-security-level')).toBe('Confidential');
    expect(await folderCount(1)).toBe(before + 1);
    const list = await f.call(token, 'GET', '/users/me/mail/mailfolders/1/children');
    const newest = (list.json.mails as Array<{ mailId: number; subject: string }>)[0]!;
    expect(newest.subject).toBe('Saved');
    const read = await f.call(token, 'GET', `/users/me/mail/${newest.mailId}`);
    expect(read.json.mail).toMatchObject({ subject: 'Saved', securityLevel: 'Confidential', folderId: 1 });
  });

  it('is served at the vendor’s exact paths on MAILGATE_WORKS_PORT, and accepts userId as an encoded email', async () => {
    const before = f.sink.messages.length;
    const res = await f.vendorFetch(`${f.vendorBase}/v1.0/users/${encodeURIComponent('alice@example.test')}/mail`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: 'judy@example.com', subject: 'Vendor path' }),
    });
    expect(res.status).toBe(202);
    const [message] = (await f.sink.waitForMessages(before + 1)).slice(before);
    expect((await simpleParser(message!.raw)).subject).toBe('Vendor path');
  });
});
