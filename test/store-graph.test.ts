/**
 * The stores behind the Graph dialect on every backend: OAuth clients, passwords, signing keys and
 * refresh tokens; drafts, attachments and upload sessions; mailbox summaries and pages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkBlobKey } from '../src/core/storage/draft-store.js';
import { MAILBOX_FOLDER } from '../src/core/storage/mailbox-store.js';
import type { Store, UserRecord } from '../src/core/storage/store.js';
import { backends } from './helpers/backends.js';

describe.each(backends)('graph stores on $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const user: UserRecord = { id: 'user-0001', email: 'alice@example.test', name: 'Alice', roles: ['user'], createdAt: 1 };

  beforeEach(async () => {
    ({ store, dispose } = await backend.open());
    await store.createUser(user);
  });
  afterEach(async () => {
    await dispose();
  });

  it('keeps OAuth clients with their permissions and only the secret hash', async () => {
    await store.createOAuthClient({ clientId: 'c1', name: 'App', secretHash: 'sha256$x', permissions: ['Mail.Send'], createdAt: 5 });
    expect(await store.getOAuthClient('c1')).toEqual({ clientId: 'c1', name: 'App', secretHash: 'sha256$x', permissions: ['Mail.Send'], createdAt: 5 });
    expect(await store.getOAuthClient('c2')).toBeUndefined();
  });

  it('sets and replaces a password hash', async () => {
    expect(await store.getUserPassword(user.id)).toBeUndefined();
    await store.setUserPassword(user.id, 'scrypt$a', 1);
    await store.setUserPassword(user.id, 'scrypt$b', 2);
    expect(await store.getUserPassword(user.id)).toBe('scrypt$b');
  });

  it('stores signing keys once per kid and finds the newest', async () => {
    const key = { kid: 'k1', algorithm: 'ES256', privateKeyEnc: 'sealed', publicJwk: { kty: 'EC', crv: 'P-256' }, createdAt: 10 };
    await store.putSigningKey(key);
    await store.putSigningKey({ ...key, privateKeyEnc: 'other' });
    await store.putSigningKey({ ...key, kid: 'k2', createdAt: 20 });
    expect(await store.getSigningKey('k1')).toEqual(key);
    expect((await store.newestSigningKey())?.kid).toBe('k2');
  });

  it('redeems a refresh token once, and never after it expired', async () => {
    const token = { tokenHash: 'h1', clientId: 'c1', userId: user.id, audience: 'aud', scopes: ['Mail.Send'], expiresAt: 100, createdAt: 1 };
    await store.createRefreshToken(token);
    await store.createRefreshToken({ ...token, tokenHash: 'h2' });
    const [first, second] = await Promise.all([store.takeRefreshToken('h1', 50), store.takeRefreshToken('h1', 50)]);
    expect([first, second].filter(Boolean)).toEqual([token]);
    expect(await store.takeRefreshToken('h2', 100)).toBeUndefined();
  });

  it('keeps drafts with attachments and upload sessions, and deletes them together', async () => {
    const draft = { id: 'd1', userId: user.id, message: { subject: 'hi' }, mimeBlobKey: null, internetMessageId: '<d1@x>', createdAt: 1, updatedAt: 1 };
    await store.createDraft(draft);
    expect(await store.getDraft('someone-else', 'd1')).toBeUndefined();
    await store.updateDraft('d1', { subject: 'changed' }, 2);
    expect(await store.getDraft(user.id, 'd1')).toEqual({ ...draft, message: { subject: 'changed' }, updatedAt: 2 });

    const attachment = { id: 'a1', draftId: 'd1', name: 'x.txt', contentType: 'text/plain', contentId: null, isInline: false, size: 3, blobKeys: ['att-a1'], createdAt: 3 };
    await store.addDraftAttachment(attachment);
    const session = {
      id: 's1',
      draftId: 'd1',
      name: 'big.bin',
      contentType: null,
      contentId: 'cid1',
      isInline: true,
      size: 10,
      received: 0,
      chunks: 0,
      expiresAt: 99,
      createdAt: 4,
    };
    await store.createUploadSession(session);
    // Compare-and-set: only the request that saw `received` = 0 extends it.
    expect(await store.recordUploadChunk('s1', 0, 6)).toBe(true);
    expect(await store.recordUploadChunk('s1', 0, 6)).toBe(false);
    expect(await store.getUploadSession('s1')).toMatchObject({ received: 6, chunks: 1 });
    expect(await store.recordUploadChunk('s1', 6, 10)).toBe(true);
    const uploaded = { ...attachment, id: 'a2', name: 'big.bin', contentId: 'cid1', isInline: true, size: 10, blobKeys: [chunkBlobKey('s1', 0), chunkBlobKey('s1', 1)] };
    await store.completeUploadSession('s1', uploaded);
    expect(await store.getUploadSession('s1')).toBeUndefined();
    expect(await store.listDraftAttachments('d1')).toEqual([attachment, uploaded]);

    await store.createUploadSession({ ...session, id: 's2', chunks: 2, received: 4 });
    expect(await store.deleteUploadSession('s2')).toEqual([chunkBlobKey('s2', 0), chunkBlobKey('s2', 1)]);
    await store.createUploadSession({ ...session, id: 's3', chunks: 1 });
    const freed = await store.deleteDraft('d1');
    expect(freed.sort()).toEqual(['att-a1', chunkBlobKey('s1', 0), chunkBlobKey('s1', 1), chunkBlobKey('s3', 0)].sort());
    expect(await store.getDraft(user.id, 'd1')).toBeUndefined();
    expect(await store.listDraftAttachments('d1')).toEqual([]);
    expect(await store.getUploadSession('s3')).toBeUndefined();
  });

  it('files mailbox entries with their summary and pages a folder newest first', async () => {
    const base = { userId: user.id, messageId: null, blobKey: 'blob-00000001', subject: 's', fromHeader: 'Alice <alice@example.test>', size: 10, unread: false };
    // A filer that knows no summary (the local transport) gets empty defaults.
    await store.addToMailbox({ ...base, id: 'e1', folder: MAILBOX_FOLDER.inbox, receivedAt: 1, unread: true });
    const summary = {
      internetMessageId: '<m@x>',
      recipients: { to: [{ address: 'bob@x.test', name: 'Bob' }], cc: [], bcc: [{ address: 'hidden@x.test' }], replyTo: [] },
      hasAttachments: true,
      preview: 'hello',
      sentAt: 2,
      properties: { importance: 'high' },
    };
    for (let i = 2; i <= 4; i++) await store.addToMailbox({ ...base, ...summary, id: `e${i}`, folder: MAILBOX_FOLDER.sent, receivedAt: i });
    expect(await store.getMailboxEntry(user.id, 'e1')).toMatchObject({
      internetMessageId: '',
      recipients: { to: [], cc: [], bcc: [], replyTo: [] },
      hasAttachments: false,
      preview: '',
      sentAt: null,
      properties: {},
      unread: true,
    });
    expect(await store.getMailboxEntry(user.id, 'e2')).toEqual({ ...base, ...summary, id: 'e2', folder: MAILBOX_FOLDER.sent, receivedAt: 2, ownerMentioned: false });
    expect(await store.getMailboxEntry('someone-else', 'e2')).toBeUndefined();
    const page = await store.listMailboxPage(user.id, MAILBOX_FOLDER.sent, { offset: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.entries.map((e) => e.id)).toEqual(['e3']);
    const all = await store.listMailboxPage(user.id, undefined, { offset: 0, limit: 10 });
    expect([all.total, all.entries.map((e) => e.id)]).toEqual([4, ['e4', 'e3', 'e2', 'e1']]);
  });

  it('keeps whether a copy mentions its owner and pages only such copies when asked (Graph mentionsPreview filter)', async () => {
    const base = { userId: user.id, messageId: null, blobKey: 'blob-m', subject: 's', fromHeader: 'a@x.test', size: 1, unread: true, folder: MAILBOX_FOLDER.inbox };
    for (let i = 1; i <= 5; i++) await store.addToMailbox({ ...base, id: `m${i}`, receivedAt: i, ownerMentioned: i % 2 === 1 });
    expect((await store.getMailboxEntry(user.id, 'm1'))?.ownerMentioned).toBe(true);
    expect((await store.getMailboxEntry(user.id, 'm2'))?.ownerMentioned).toBe(false);
    const first = await store.listMailboxPage(user.id, MAILBOX_FOLDER.inbox, { offset: 0, limit: 2, ownerMentioned: true });
    expect([first.total, first.entries.map((e) => e.id)]).toEqual([3, ['m5', 'm3']]);
    const second = await store.listMailboxPage(user.id, undefined, { offset: 2, limit: 2, ownerMentioned: true });
    expect([second.total, second.entries.map((e) => e.id)]).toEqual([3, ['m1']]);
    const others = await store.listMailboxPage(user.id, MAILBOX_FOLDER.inbox, { offset: 0, limit: 10, ownerMentioned: false });
    expect([others.total, others.entries.map((e) => e.id)]).toEqual([2, ['m4', 'm2']]);
  });
});
