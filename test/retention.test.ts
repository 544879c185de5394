/**
 * Retention end to end: purge dates set at receipt, a purge pass that removes the raw message of
 * a message past its date while search and get-message-info still explain it, litigation holds
 * placed and released with the `mailgate hold` CLI, and a changed retention period applied at the
 * next start as `retentionAdjustmentDays`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { createPurgeJob } from '../src/tracking/purge-job.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';
import { mcPost } from './helpers/mimecast-client.js';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.js';
import { withTempDir } from './helpers/temp-dir.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const DAY = 86_400_000;

type Item = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sink: SmtpSink;
let temp: { dir: string; remove(): Promise<void> };
let gw: TestGateway;
let sender: MimecastKeys;
let tracker: MimecastKeys;
const ids: Record<'plain' | 'byMessage' | 'byAddress', string> = { plain: '', byMessage: '', byAddress: '' };

async function cli(...args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--data-dir', gw.dataDir], {
    cwd: root,
    env: { ...process.env, ...gw.databaseEnv },
  });
  return JSON.parse(stdout) as unknown;
}

async function send(to: string, subject: string): Promise<string> {
  const settled = gw.nextSettlement((s) => s.status === 'delivered');
  const res = await mcPost(gw.url, sender, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: to }], subject, plainBody: { content: `body of ${subject}` } }] }));
  const settlement = await settled;
  expect(res.body.fail).toEqual([]);
  return settlement.messageId;
}

async function info(id: string): Promise<Item> {
  const res = await mcPost(gw.url, tracker, '/api/message-finder/get-message-info', JSON.stringify({ data: [{ id }] }));
  expect(res.body.fail).toEqual([]);
  return res.body.data[0] as Item;
}

/** A purge pass as the running gateway makes it, on its store, as if `days` had passed. */
function purgeAfter(days: number): Promise<number> {
  const { store, log, config } = gw.server.gateway;
  const job = createPurgeJob({ store, log, clock: { now: () => Date.now() + days * DAY }, retentionMs: config.retentionDays * DAY, intervalMs: 60_000 });
  return job.runOnce();
}

beforeAll(async () => {
  sink = await startSmtpSink();
  temp = await withTempDir();
  gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}` }, temp.dir);
  sender = await gw.user('sender@example.test');
  tracker = await gw.user('tracker@example.test', ['tracking']);
  ids.plain = await send('reader@remote.test', 'retention: plain');
  ids.byMessage = await send('reader@remote.test', 'retention: held by id');
  ids.byAddress = await send('custodian@remote.test', 'retention: held by address');
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
  await temp?.remove();
});

describe('retention', () => {
  it('dates every message at receipt with the configured period', async () => {
    const data = await info(ids.plain);
    const processed = Date.parse(data.recipientInfo.messageInfo.processed.replace('+0000', 'Z'));
    expect(Date.parse(data.retentionInfo.currentPurgeDate.replace('+0000', 'Z')) - processed).toBe(30 * DAY);
    expect(data.retentionInfo.retentionAdjustmentDays).toBe(0);
  });

  // Each CLI run starts a Node process with tsx (seconds on a busy machine): independent runs go in parallel.
  it('places litigation holds from the CLI on a message and on an address', { timeout: 120_000 }, async () => {
    const [byMessage, byAddress, unknown, neither] = await Promise.allSettled([
      cli('hold', 'add', '--message', ids.byMessage, '--description', 'Case 1: keep this one', '--by', 'legal@example.test'),
      cli('hold', 'add', '--address', 'Custodian@Remote.test', '--description', 'Case 2: custodian'),
      cli('hold', 'add', '--message', 'no-such-message', '--description', 'x'),
      cli('hold', 'add', '--description', 'neither'),
    ]);
    expect(byMessage).toMatchObject({ status: 'fulfilled', value: { messageId: ids.byMessage, address: null, createdBy: 'legal@example.test', releasedAt: null } });
    expect(byAddress).toMatchObject({ status: 'fulfilled', value: { address: 'custodian@remote.test', createdBy: expect.stringMatching(/^cli:/) } });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/No message has the id/) } });
    expect(neither).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/exactly one of messageId or address/) } });
    expect(((await cli('hold', 'list')) as Item[]).map((h) => h.description).sort()).toEqual(['Case 1: keep this one', 'Case 2: custodian']);
  });

  it('purges the raw message past its date but keeps it findable and explained; holds keep theirs', async () => {
    expect(await purgeAfter(29)).toBe(0);
    expect(await purgeAfter(31)).toBe(1);
    const { store } = gw.server.gateway;
    await expect(store.blobs.get(ids.plain)).rejects.toThrow();
    await expect(store.blobs.get(ids.byMessage)).resolves.toBeInstanceOf(Buffer);

    const purged = await info(ids.plain);
    expect(purged.status).toBe('delivered');
    expect(purged.recipientInfo.messageInfo).toMatchObject({ subject: 'retention: plain', textBody: '', htmlBody: '', to: ['reader@remote.test'] });
    // The component list was summarised before the bytes went.
    expect(purged.recipientInfo.recipientMetaInfo.components.map((c: Item) => c.name)).toEqual(['body.txt']);
    expect(purged.deliveredMessage['reader@remote.test'].deliveryMetaInfo.receiptAcknowledgement).toMatch(/^250 /);
    expect(purged.retentionInfo.purgeBasedOn).toBe('purged');
    expect(purged.retentionInfo.audits.map((a: Item) => a.type)).toContain('purged');

    const found = await mcPost(gw.url, tracker, '/api/message-finder/search', JSON.stringify({ data: [{ advancedTrackAndTraceOptions: { subject: 'retention: plain' } }] }));
    expect((found.body.data[0]?.trackedEmails as Item[]).map((t) => [t.id, t.status])).toEqual([[ids.plain, 'delivered']]);

    const file = await mcPost(gw.url, tracker, '/api/gateway/message/get-file', JSON.stringify({ data: [{ id: ids.plain, component: 0 }] }));
    expect(file.body.fail[0]?.errors[0]).toMatchObject({ code: 'err_xdk_not_found', message: expect.stringContaining('purged') });

    for (const id of [ids.byMessage, ids.byAddress]) {
      const kept = await info(id);
      expect(kept.recipientInfo.messageInfo.textBody.trim()).toMatch(/^body of retention: held/);
      expect(kept.retentionInfo.purgeBasedOn).toBe('litigation hold');
      expect(kept.retentionInfo.litigationHoldInfo).toHaveLength(1);
      expect(kept.retentionInfo.audits.map((a: Item) => a.type)).toContain('litigation_hold');
    }
    expect((await info(ids.byMessage)).retentionInfo.litigationHoldInfo[0]).toMatchObject({ description: 'Case 1: keep this one', createdBy: 'legal@example.test', expiry: '' });
  });

  it('moves purge dates when the period changes, and shows the adjustment', async () => {
    const before = (await info(ids.byMessage)).retentionInfo;
    const databaseEnv = gw.databaseEnv;
    await gw.server.close();
    gw = await startTestGateway({ MAILGATE_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAILGATE_RETENTION_DAYS: '45', ...databaseEnv }, temp.dir);
    const after = (await info(ids.byMessage)).retentionInfo;
    expect(after.originalPurgeDate).toBe(before.originalPurgeDate);
    expect(after.retentionAdjustmentDays).toBe(15);
    expect(Date.parse(after.currentPurgeDate.replace('+0000', 'Z')) - Date.parse(before.currentPurgeDate.replace('+0000', 'Z'))).toBe(15 * DAY);
    // A purged message keeps the dates it was purged under.
    expect((await info(ids.plain)).retentionInfo.retentionAdjustmentDays).toBe(0);
  });

  it('purges a message once its litigation hold is released', { timeout: 120_000 }, async () => {
    const holds = await gw.server.gateway.store.listLitigationHolds(Date.now());
    const byMessage = holds.find((h) => h.messageId === ids.byMessage)!;
    expect(await cli('hold', 'release', byMessage.id)).toEqual({ id: byMessage.id, released: true });
    const [again, all] = await Promise.all([cli('hold', 'release', byMessage.id).catch((e: Error) => e), cli('hold', 'list', '--all')]);
    expect(again).toMatchObject({ message: expect.stringMatching(/No active litigation hold/) });
    expect((all as Item[]).find((h) => h.id === byMessage.id)?.releasedAt).toEqual(expect.any(Number));
    expect(await purgeAfter(46)).toBe(1);
    expect((await info(ids.byMessage)).recipientInfo.messageInfo.textBody).toBe('');
    expect((await info(ids.byAddress)).recipientInfo.messageInfo.textBody).not.toBe('');
  });
});
