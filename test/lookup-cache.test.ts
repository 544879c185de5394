/**
 * The per-request lookup cache (docs/storage.md, "Lookup cache"): lookups are served from memory
 * while nothing they read changes, and a change made by another process (the CLI) is seen by the
 * very next request, because database triggers move the lookup version.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runMailgate } from './helpers/cli.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import type { MimecastKeys } from '../src/auth/identity.js';
import type { Clock } from '../src/core/ports.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function gateway(clock?: Clock): Promise<TestGateway> {
  const gw = await startTestGateway({}, undefined, undefined, clock ? { clock } : {});
  cleanups.push(() => gw.stop());
  return gw;
}

function send(gw: TestGateway, keys: MimecastKeys) {
  const body = { data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject: 'cached', plainBody: { content: 'body' } }] };
  return mcPost(gw.url, keys, '/api/email/send-email', JSON.stringify(body));
}

async function queued(gw: TestGateway): Promise<number> {
  return gw.countRows('messages');
}

describe('lookup cache', () => {
  it('moves the lookup version on every change to the tables it caches, and not on mail', async () => {
    const gw = await gateway();
    const { store } = gw.server.gateway;
    const start = await store.lookupVersion();
    const keys = await gw.user('sender@example.test');
    const afterKeys = await store.lookupVersion();
    expect(afterKeys).toBeGreaterThan(start);
    expect((await send(gw, keys)).status).toBe(200);
    expect(await store.lookupVersion()).toBe(afterKeys);
  });

  it('refuses a key revoked by the CLI on the next request, with nothing queued', async () => {
    const gw = await gateway();
    const keys = await gw.user('sender@example.test');
    expect((await send(gw, keys)).status).toBe(200);
    expect((await send(gw, keys)).status).toBe(200);
    const before = await queued(gw);

    const revoked = await runMailgate(['keys', 'revoke', keys.accessKey], { MAILGATE_DATA_DIR: gw.dataDir, ...gw.databaseEnv });
    expect(revoked.code, revoked.stderr).toBe(0);

    const refused = await send(gw, keys);
    expect(refused.status).toBe(401);
    expect(await queued(gw)).toBe(before);
  });

  it('applies a hold policy added by the CLI to the next send', async () => {
    const gw = await gateway();
    const keys = await gw.user('sender@example.test');
    expect((await send(gw, keys)).status).toBe(200);

    const added = await runMailgate(['policy', 'add', '--name', 'cached subjects', '--kind', 'content', '--pattern', 'cached', '--target', 'subject', '--route', 'outbound'], {
      MAILGATE_DATA_DIR: gw.dataDir,
      ...gw.databaseEnv,
    });
    expect(added.code, added.stderr).toBe(0);

    const res = await send(gw, keys);
    expect(res.status).toBe(200);
    const id = String((res.body.data[0] as { messageId: string }).messageId);
    const message = await gw.server.gateway.store.getMessage(id.slice(1, id.indexOf('@')));
    expect(message?.status).toBe('held');
  });

  it('moves the lookup version on changes to the sender lists, DNSBL zones, recipients’ lists and suppressions', async () => {
    const gw = await gateway();
    const { store } = gw.server.gateway;
    const changes: Array<() => Promise<unknown>> = [
      () => store.addSenderEntry({ id: 'se1', list: 'blocked', pattern: '@spam.test', note: null, createdAt: Date.now() }),
      () => store.removeSenderEntry('se1'),
      () => store.putDnsblZone({ zone: 'bl.test', kind: 'ip', weight: 5, createdAt: Date.now() }),
      () => store.removeDnsblZone('bl.test'),
      () => store.putRecipientSender({ id: 'rs1', recipient: 'inbox@example.test', list: 'blocked', pattern: '@spam.test', createdAt: Date.now() }),
      () => store.putSuppression({ address: 'gone@remote.test', reason: 'x', sourceMessageId: null, createdBy: 'test', createdAt: Date.now(), expiresAt: null }),
      () => store.removeSuppression('gone@remote.test'),
    ];
    for (const change of changes) {
      const before = await store.lookupVersion();
      await change();
      expect(await store.lookupVersion()).toBeGreaterThan(before);
    }
  });

  it('lets a cached suppression lapse at its expiry time, with no write in between', async () => {
    const clock = { at: Date.now(), now() { return this.at; } };
    const gw = await gateway(clock);
    const keys = await gw.user('sender@example.test');
    await gw.server.gateway.store.putSuppression({ address: 'reader@remote.test', reason: 'x', sourceMessageId: null, createdBy: 'test', createdAt: clock.at, expiresAt: clock.at + 60_000 });
    const before = await queued(gw);
    for (let i = 0; i < 2; i++) {
      const refused = await send(gw, keys);
      expect(refused.body.fail[0]?.errors[0]?.code).toBe('err_validation_recipient_suppressed');
    }
    expect(await queued(gw)).toBe(before);
    const version = await gw.server.gateway.store.lookupVersion();
    clock.at += 60_000;
    const sent = await send(gw, keys);
    expect(sent.body.fail).toEqual([]);
    expect(await queued(gw)).toBe(before + 1);
    expect(await gw.server.gateway.store.lookupVersion()).toBe(version);
  });
});
