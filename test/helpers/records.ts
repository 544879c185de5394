/** Builders for store records in tests, so each test states only what it is about. */
import { afterEach, beforeEach } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { NewMessage, NewRecipient } from '../../src/core/ports.js';
import type { Store } from '../../src/core/storage/store.js';
import type { Backend } from './backends.js';

export interface MessageShape extends Partial<NewMessage> {
  /** Recipient addresses (default one remote reader). */
  rcpt?: string[];
  /** Recipient fields shared by every recipient. */
  recipient?: Partial<NewRecipient>;
}

/** An accepted outbound message with queued relay recipients, received at `receivedAt` (default now). */
export function messageRecord(shape: MessageShape = {}): NewMessage {
  const { rcpt = ['reader@remote.test'], recipient = {}, ...overrides } = shape;
  const receivedAt = overrides.receivedAt ?? Date.now();
  const id = overrides.id ?? newId(receivedAt);
  return {
    internetMessageId: `<${id}@gateway.test>`,
    source: 'mimecast',
    route: 'outbound',
    userId: null,
    mailFrom: 'sender@example.test',
    fromHeader: 'Sender <sender@example.test>',
    subject: 'Hello',
    size: 10,
    blobKey: id,
    expiresAt: receivedAt + 86_400_000,
    meta: {},
    events: [{ messageId: id, kind: 'received', at: receivedAt, detail: {} }],
    ...overrides,
    id,
    receivedAt,
    recipients:
      overrides.recipients ??
      rcpt.map((address) => ({
        id: newId(receivedAt),
        address,
        domain: address.split('@')[1] ?? '',
        kind: 'to' as const,
        transport: 'relay' as const,
        status: 'queued' as const,
        nextAttemptAt: receivedAt,
        ...recipient,
      })),
  };
}

/** Opens a fresh store of `backend` before each test and disposes of it after; call inside describe. */
export function useStore(backend: Backend): () => Store {
  let store: Store | undefined;
  let dispose: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    ({ store, dispose } = await backend.open());
  });
  afterEach(async () => {
    await dispose?.();
  });
  return () => {
    if (!store) throw new Error('the store is opened in beforeEach');
    return store;
  };
}
