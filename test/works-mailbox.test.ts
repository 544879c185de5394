/**
 * The LINE WORKS mailbox endpoints (contracts.md §3) over a real gateway: local delivery into the
 * Inbox, reading, marking, attachments, paging, deleting, the Tracking readback, and the
 * `[Message delivery failed]` notice an undeliverable address brings into the sender's Inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorksFixture, type WorksFixture } from './helpers/works.js';
import { waitFor } from './helpers/wait-for.js';

let f: WorksFixture;
let alice: string;
let bob: string;

interface ListedMail {
  mailId: number;
  folderId: number;
  status: number;
  subject: string;
  from: { name: string; email: string };
  to: Array<{ name: string; email: string }>;
  attachCount: number;
  isUnread: boolean;
}

beforeAll(async () => {
  // The sink refuses one remote address for good: a well-formed address that cannot receive mail.
  f = await startWorksFixture({}, { onRcpt: (address) => (address === 'nobody@remote.test' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  await f.user('alice@example.test', { name: 'Alice' });
  await f.user('bob@example.test', { name: 'Bob' });
  alice = await f.token('alice@example.test');
  bob = await f.token('bob@example.test', 'mail');
});
afterAll(async () => {
  await f.stop();
});

async function inbox(token: string, query = ''): Promise<{ mails: ListedMail[]; json: Record<string, unknown> }> {
  const res = await f.call(token, 'GET', `/users/me/mail/mailfolders/0/children${query}`);
  expect(res.status, res.text).toBe(200);
  return { mails: res.json.mails as ListedMail[], json: res.json };
}

async function waitForInbox(token: string, match: (m: ListedMail) => boolean): Promise<ListedMail> {
  let found: ListedMail | undefined;
  await waitFor(async () => {
    found = (await inbox(token, '?count=200')).mails.find(match);
    return found !== undefined;
  }, 'mail in the Inbox');
  return found as ListedMail;
}

describe('LINE WORKS mailbox', () => {
  it('delivers to a local recipient, who lists, reads, marks and downloads it through the mailbox endpoints', async () => {
    const sent = await f.call(alice, 'POST', '/users/me/mail', {
      to: 'bob@example.test',
      subject: 'Quarterly numbers',
      body: '<p>See the <b>attached</b> file.</p>',
      attachments: [{ filename: 'numbers.csv', fileType: 'text/csv', data: Buffer.from('q,value\n1,42\n').toString('base64') }],
    });
    expect(sent.status).toBe(202);
    const listed = await waitForInbox(bob, (m) => m.subject === 'Quarterly numbers');
    expect(listed).toMatchObject({ folderId: 0, from: { name: 'Alice', email: 'alice@example.test' }, to: [{ email: 'bob@example.test' }], attachCount: 1, isUnread: true });
    expect(listed.status & 0x4).toBe(0);

    const folders = await f.call(bob, 'GET', '/users/me/mail/mailfolders');
    expect(folders.json.mailFolders).toEqual([
      { folderId: 0, folderType: 'S', folderName: 'Inbox', unreadMailCount: 1, mailCount: 1, usage: expect.any(Number) },
      { folderId: 1, folderType: 'S', folderName: 'Sent', unreadMailCount: 0, mailCount: 0, usage: 0 },
      { folderId: 2, folderType: 'S', folderName: 'Tracking', unreadMailCount: 0, mailCount: 0, usage: 0 },
    ]);
    expect((await f.call(bob, 'GET', '/users/me/mail/unread-count')).json).toEqual({ count: 1 });

    const read = await f.call(bob, 'GET', `/users/me/mail/${listed.mailId}`);
    expect(read.status).toBe(200);
    expect(read.json.mail).toMatchObject({ mailId: listed.mailId, subject: 'Quarterly numbers', contentType: 'html', body: '<p>See the <b>attached</b> file.</p>', securityLevel: 'General' });
    const attachments = read.json.attachments as Array<{ attachmentId: number; filename: string; contentType: string }>;
    expect(attachments).toMatchObject([{ attachmentId: 1, filename: 'numbers.csv', contentType: 'text/csv', inline: false }]);
    const file = await f.call(bob, 'GET', `/users/me/mail/${listed.mailId}/attachments/1`);
    expect(file.json).toEqual({ data: Buffer.from('q,value\n1,42\n').toString('base64'), filename: 'numbers.csv' });
    expect((await f.call(bob, 'GET', `/users/me/mail/${listed.mailId}/attachments/2`)).json.code).toBe('NOT_FOUND');

    const marked = await f.call(bob, 'PATCH', `/users/me/mail/${listed.mailId}`, { readStatus: true, markStatus: true });
    expect(marked.status).toBe(200);
    expect((marked.json.mail as { status: number }).status & (0x4 | 0x20)).toBe(0x4 | 0x20);
    expect((await f.call(bob, 'GET', '/users/me/mail/unread-count')).json).toEqual({ count: 0 });
    expect((await inbox(bob, '?isUnread=true')).mails.find((m) => m.mailId === listed.mailId)).toBeUndefined();

    // Another member cannot see it, even knowing its id.
    expect((await f.call(alice, 'GET', `/users/me/mail/${listed.mailId}`)).status).toBe(404);

    expect((await f.call(bob, 'DELETE', `/users/me/mail/${listed.mailId}`)).status).toBe(204);
    expect((await f.call(bob, 'GET', `/users/me/mail/${listed.mailId}`)).json.code).toBe('NOT_FOUND');
  });

  it('pages a folder with count and cursor, newest first, without repeats', async () => {
    for (let i = 1; i <= 7; i++) {
      expect((await f.call(alice, 'POST', '/users/me/mail', { to: 'bob@example.test', subject: `page ${i}`, contentType: 'text' })).status).toBe(202);
    }
    await waitFor(async () => (await inbox(bob, '?count=200')).mails.filter((m) => m.subject.startsWith('page ')).length === 7, 'seven mails');
    const first = await inbox(bob, '?count=5');
    expect(first.mails).toHaveLength(5);
    const cursor = (first.json.responseMetaData as { nextCursor: string | null }).nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const second = await inbox(bob, `?count=5&cursor=${encodeURIComponent(cursor as string)}`);
    expect((second.json.responseMetaData as { nextCursor: string | null }).nextCursor).toBeNull();
    const ids = [...first.mails, ...second.mails].map((m) => m.mailId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(second.json.totalCount).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await f.call(bob, 'GET', '/users/me/mail/mailfolders/0/children?count=4')).json.code).toBe('INVALID_PARAMETER');
    expect((await f.call(bob, 'GET', '/users/me/mail/mailfolders/0/children?cursor=bogus')).json.code).toBe('INVALID_PARAMETER');
    expect((await f.call(bob, 'GET', '/users/me/mail/mailfolders/9/children')).json.code).toBe('NOT_FOUND');
  });

  it('puts a [Message delivery failed] notice in the sender’s Inbox for an undeliverable address, and tracks it', async () => {
    const sent = await f.call(alice, 'POST', '/users/me/mail', { to: 'nobody@remote.test', subject: 'Will bounce' });
    // Only the form of the address is checked at the API.
    expect(sent.status).toBe(202);
    const notice = await waitForInbox(alice, (m) => m.subject.startsWith('[Message delivery failed]'));
    expect(notice.subject).toBe('[Message delivery failed] Will bounce');
    const read = await f.call(alice, 'GET', `/users/me/mail/${notice.mailId}`);
    expect((read.json.mail as { body: string }).body).toContain('nobody@remote.test');
    expect((read.json.mail as { body: string }).body).toContain('550');

    // isSaveTracking (default true): the Tracking copy reads back each recipient's delivery state.
    const tracked = await f.call(alice, 'GET', '/users/me/mail/mailfolders/2/children');
    const entry = (tracked.json.mails as ListedMail[]).find((m) => m.subject === 'Will bounce');
    const record = await f.call(alice, 'GET', `/users/me/mail/${entry?.mailId}`);
    expect((record.json.mail as { tracking: unknown }).tracking).toEqual([
      { email: 'nobody@remote.test', status: 'bounced', reply: '550 5.1.1 no such user', updatedTime: expect.any(String) },
    ]);
  });
});
