/** A stored outbound message whose one relay recipient is deferred with its next attempt an hour away, as after a 4xx reply. */
import { newId } from '../../src/core/ids.js';
import type { Store } from '../../src/core/storage/store.js';

export async function storeDeferredMessage(store: Store, subject: string, to: string, now = Date.now()): Promise<string> {
  const id = newId(now);
  const raw = Buffer.from(`From: sender@example.test\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nLater.\r\n`);
  await store.blobs.put(id, raw);
  await store.acceptMessage({
    id,
    internetMessageId: `<${id}@gateway.test>`,
    source: 'mimecast',
    route: 'outbound',
    userId: null,
    mailFrom: 'sender@example.test',
    fromHeader: 'sender@example.test',
    subject,
    size: raw.length,
    blobKey: id,
    receivedAt: now,
    expiresAt: now + 86_400_000,
    meta: {},
    events: [{ messageId: id, kind: 'received', at: now, detail: {} }],
    recipients: [{ id: newId(now), address: to, domain: to.split('@')[1] ?? '', kind: 'to', transport: 'relay', status: 'deferred', nextAttemptAt: now + 3_600_000 }],
  });
  return id;
}
