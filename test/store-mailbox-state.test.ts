/** Mailbox numbering, read state, Important marks, deletion and folder counts on every backend. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAILBOX_FOLDER } from '../src/core/storage/mailbox-store.js';
import type { NewMailboxEntry, Store, UserRecord } from '../src/core/storage/store.js';
import { backends } from './helpers/backends.js';

describe.each(backends)('mailbox state on $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const alice: UserRecord = { id: 'u-alice', email: 'alice@example.test', name: null, roles: ['user'], createdAt: 1 };
  const bob: UserRecord = { id: 'u-bob', email: 'bob@example.test', name: null, roles: ['user'], createdAt: 1 };
  const entry = (id: string, over: Partial<NewMailboxEntry> = {}): NewMailboxEntry => ({
    id,
    userId: alice.id,
    folder: MAILBOX_FOLDER.inbox,
    messageId: null,
    blobKey: `blob-${id}`,
    subject: `subject ${id}`,
    fromHeader: 'x@example.net',
    size: 100,
    receivedAt: 10,
    unread: true,
    ...over,
  });

  beforeEach(async () => {
    ({ store, dispose } = await backend.open());
    await store.createUser(alice);
    await store.createUser(bob);
  });
  afterEach(async () => {
    await dispose();
  });

  it('numbers every entry in filing order and finds it by number for its owner only', async () => {
    await store.addToMailbox(entry('a'));
    await store.addToMailbox(entry('b'));
    const [a, b] = (await store.listNumberedMailbox(alice.id, MAILBOX_FOLDER.inbox, { limit: 10, unreadOnly: false })).entries.reverse();
    expect(a?.entry.id).toBe('a');
    expect(b?.mailId).toBeGreaterThan(a?.mailId ?? Infinity);
    expect((await store.getNumberedMailboxEntry(alice.id, a?.mailId ?? 0))?.entry.subject).toBe('subject a');
    expect(await store.getNumberedMailboxEntry(bob.id, a?.mailId ?? 0)).toBeUndefined();
  });

  it('pages newest first with a keyset cursor, filters unread, and counts the whole folder', async () => {
    for (let i = 1; i <= 5; i++) await store.addToMailbox(entry(`e${i}`, { receivedAt: i, unread: i % 2 === 1 }));
    await store.addToMailbox(entry('sent', { folder: MAILBOX_FOLDER.sent, unread: false }));
    const first = await store.listNumberedMailbox(alice.id, MAILBOX_FOLDER.inbox, { limit: 2, unreadOnly: false });
    expect(first.entries.map((e) => e.entry.id)).toEqual(['e5', 'e4']);
    expect([first.total, first.unread]).toEqual([5, 3]);
    const last = first.entries.at(-1)?.entry;
    const second = await store.listNumberedMailbox(alice.id, MAILBOX_FOLDER.inbox, {
      limit: 2,
      unreadOnly: false,
      after: { receivedAt: last?.receivedAt ?? 0, id: last?.id ?? '' },
    });
    expect(second.entries.map((e) => e.entry.id)).toEqual(['e3', 'e2']);
    const unread = await store.listNumberedMailbox(alice.id, MAILBOX_FOLDER.inbox, { limit: 10, unreadOnly: true });
    expect(unread.entries.map((e) => e.entry.id)).toEqual(['e5', 'e3', 'e1']);
  });

  it('sets read state and marks only on the owner’s entries', async () => {
    await store.addToMailbox(entry('a'));
    expect(await store.updateMailboxState(bob.id, 'a', { unread: false })).toBe(false);
    expect(await store.updateMailboxState(alice.id, 'a', { unread: false, marked: true })).toBe(true);
    const [found] = (await store.listNumberedMailbox(alice.id, MAILBOX_FOLDER.inbox, { limit: 1, unreadOnly: false })).entries;
    expect([found?.entry.unread, found?.marked]).toEqual([false, true]);
  });

  it('deletes an entry and says whether its blob is still used', async () => {
    await store.addToMailbox(entry('a', { blobKey: 'shared' }));
    await store.addToMailbox(entry('b', { blobKey: 'shared', userId: bob.id }));
    expect(await store.deleteMailboxEntry(bob.id, 'a')).toBeUndefined();
    expect(await store.deleteMailboxEntry(alice.id, 'a')).toEqual({ blobKey: 'shared', blobShared: true });
    expect(await store.deleteMailboxEntry(bob.id, 'b')).toEqual({ blobKey: 'shared', blobShared: false });
    expect(await store.getMailboxEntry(alice.id, 'a')).toBeUndefined();
  });

  it('counts entries, unread entries and bytes per folder', async () => {
    await store.addToMailbox(entry('a', { size: 10 }));
    await store.addToMailbox(entry('b', { size: 20, unread: false }));
    await store.addToMailbox(entry('c', { size: 5, folder: MAILBOX_FOLDER.sent, unread: false }));
    const counts = await store.countMailboxFolders(alice.id);
    expect(counts.sort((x, y) => x.folder.localeCompare(y.folder))).toEqual([
      { folder: 'inbox', total: 2, unread: 1, size: 30 },
      { folder: 'sent', total: 1, unread: 0, size: 5 },
    ]);
    expect(await store.countMailboxFolders(bob.id)).toEqual([]);
  });
});
