import { describe, expect, it } from 'vitest';
import type { AttemptRecord, DeliveryJob, RecipientReply } from '../core/ports.js';
import { groupJobs, settlementFor } from './worker.js';

const NOW = 1_800_000_000_000;

function job(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    recipientId: 'r1',
    messageId: 'm1',
    address: 'b@remote.test',
    domain: 'remote.test',
    transport: 'relay',
    attempts: 0,
    route: 'outbound',
    source: 'mimecast',
    mailFrom: 'a@sender.test',
    subject: 's',
    blobKey: 'm1',
    receivedAt: NOW - 1000,
    expiresAt: NOW + 3_600_000,
    leaseOwner: 'w1',
    leaseUntil: NOW + 60_000,
    ...overrides,
  };
}

const record = (reply: RecipientReply): AttemptRecord => ({
  transport: 'relay',
  startedAt: NOW - 10,
  endedAt: NOW - 1,
  remoteHost: 'relay.test',
  bytes: 42,
  replies: { 'b@remote.test': reply },
});

describe('settlementFor', () => {
  it.each([
    { name: 'delivered', reply: { outcome: 'delivered', code: 250, reply: '2.0.0 ok' }, j: {}, status: 'delivered', kinds: ['attempt', 'delivered'] },
    { name: 'permanent', reply: { outcome: 'permanent', code: 550, reply: '5.1.1 unknown' }, j: {}, status: 'bounced', kinds: ['attempt', 'bounced'] },
    { name: 'temporary', reply: { outcome: 'temporary', code: 451, reply: '4.3.0 later' }, j: { attempts: 1 }, status: 'deferred', kinds: ['attempt', 'deferred'], next: NOW + 300_000 },
    { name: 'temporary, expired', reply: { outcome: 'temporary', code: 451, reply: '4.3.0 later' }, j: { expiresAt: NOW }, status: 'bounced', kinds: ['attempt', 'bounced'] },
  ] as const)('$name → $status', ({ reply, j, status, kinds, ...rest }) => {
    const s = settlementFor(job(j), record(reply), reply, NOW, [60, 300]);

    expect(s).toMatchObject({ recipientId: 'r1', messageId: 'm1', leaseOwner: 'w1', status, code: reply.code, reply: reply.reply });
    expect(s.events.map((e) => e.kind)).toEqual(kinds);
    expect(s.nextAttemptAt).toBe('next' in rest ? rest.next : undefined);
    expect(s.events[0]?.detail).toEqual({
      transport: 'relay',
      startedAt: NOW - 10,
      endedAt: NOW - 1,
      remoteHost: 'relay.test',
      bytes: 42,
      code: reply.code,
      reply: reply.reply,
      outcome: reply.outcome,
    });
  });
});

describe('groupJobs', () => {
  it('groups by message, transport and domain (case-insensitively), keeping lease order', () => {
    const jobs = [
      job({ recipientId: '1', address: 'a@x.test', domain: 'x.test' }),
      job({ recipientId: '2', address: 'b@y.test', domain: 'y.test' }),
      job({ recipientId: '3', address: 'c@X.test', domain: 'X.test' }),
      job({ recipientId: '4', address: 'd@x.test', domain: 'x.test', messageId: 'm2' }),
      job({ recipientId: '5', address: 'e@x.test', domain: 'x.test', transport: 'mx' }),
    ];
    expect(groupJobs(jobs).map((g) => g.map((j) => j.recipientId))).toEqual([['1', '3'], ['2'], ['4'], ['5']]);
  });
});
