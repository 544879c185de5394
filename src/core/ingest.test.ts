/**
 * ingest() on its own, with in-memory ports: what each kind of submission is allowed, which route
 * it takes, what is signed, and that a refusal stores nothing. The composer and header reader are
 * the real (pure) mime modules; the sink, blobs, signer and directory record what they are asked.
 */
import { describe, expect, it } from 'vitest';
import { createComposer } from '../mime/compose.js';
import { prepareRawMessage, readHeaderSummary } from '../mime/raw-message.js';
import { isMailgateError } from './errors.js';
import { ingest, type IngestDeps } from './ingest.js';
import type { ComposeContent, Submission } from './message.js';
import type { NewMessage } from './ports.js';

const USERS = { alice: { userId: 'u-alice', email: 'alice@corp.test' }, app: { userId: 'u-alice', email: 'alice@corp.test', app: { clientId: 'c1' } } };

function harness() {
  const sunk: NewMessage[] = [];
  const blobs = new Map<string, Buffer>();
  const signed: string[] = [];
  const deps: IngestDeps = {
    sink: {
      async acceptMessage(m, content) {
        sunk.push(m);
        if (content) blobs.set(m.blobKey, content);
      },
    },
    composer: createComposer(),
    raw: {
      prepare(raw, ids) {
        const prepared = prepareRawMessage(raw, ids);
        const summary = readHeaderSummary(prepared.raw);
        return { ...prepared, from: summary.fromHeader, subject: summary.subject, fromAddresses: summary.fromAddresses, senderAddresses: summary.senderAddresses };
      },
    },
    signer: {
      async sign(raw, domain) {
        signed.push(domain);
        return raw;
      },
    },
    clock: { now: () => Date.UTC(2026, 10, 28) },
    notifier: { wake: () => undefined },
    hostname: 'mx.corp.test',
    localDomains: ['corp.test', 'shared.test'],
    remoteTransport: 'relay',
    queueLifetimeMs: 1000,
    retentionMs: 1000,
    maxRecipients: 3,
    senders: {
      delegationsOf: async (userId) => (userId === 'u-alice' ? ['Team@Shared.test'] : []),
      isMailbox: async (address) => ['alice@corp.test', 'ceo@corp.test'].includes(address.toLowerCase()),
    },
  };
  return { deps, sunk, blobs, signed };
}

function compose(from: string, extra: Partial<ComposeContent> = {}, to = 'reader@remote.test'): Submission['content'] {
  return { kind: 'compose', mail: { from: { address: from }, to: [{ address: to }], cc: [], bcc: [], replyTo: [], subject: 's', text: 'b', attachments: [], headers: [], ...extra } };
}

function mime(headers: string[]): Submission['content'] {
  return { kind: 'mime', raw: Buffer.from([...headers, 'To: reader@remote.test', 'Subject: s', '', 'b', ''].join('\r\n')) };
}

const envelope = (mailFrom: string, rcpt = 'reader@remote.test') => ({ mailFrom, rcptTo: [rcpt] });
const connection = (trustedNetwork: boolean) => ({
  remoteIp: '192.0.2.1',
  remoteHost: null,
  helo: 'client',
  greeting: '220 mx',
  tlsProtocol: null,
  tlsCipher: null,
  authenticatedUser: null,
  trustedNetwork,
  transmissionStart: 0,
  transmissionEnd: 0,
  transmissionSize: 0,
});

type Case = [string, Submission, { route: string; signed: string[] } | { refused: string }];

const CASES: Case[] = [
  ['own address', { source: 'mimecast', principal: USERS.alice, content: compose('alice@corp.test') }, { route: 'outbound', signed: ['corp.test'] }],
  ['own address, other case', { source: 'mimecast', principal: USERS.alice, content: compose('Alice@Corp.test') }, { route: 'outbound', signed: ['corp.test'] }],
  ['delegated address', { source: 'graph', principal: USERS.alice, content: compose('team@shared.test') }, { route: 'outbound', signed: ['shared.test'] }],
  ['foreign From', { source: 'graph', principal: USERS.alice, content: compose('ceo@corp.test') }, { refused: 'from.address' }],
  [
    'foreign Sender, own From',
    { source: 'graph', principal: USERS.alice, content: compose('alice@corp.test', { sender: { address: 'ceo@corp.test' } }) },
    { refused: 'sender.address' },
  ],
  [
    'delegated Sender',
    { source: 'graph', principal: USERS.alice, content: compose('alice@corp.test', { sender: { address: 'team@shared.test' } }) },
    { route: 'outbound', signed: ['corp.test'] },
  ],
  ['Reply-To is free', { source: 'graph', principal: USERS.alice, content: compose('alice@corp.test', { replyTo: [{ address: 'x@y.test' }] }) }, { route: 'outbound', signed: ['corp.test'] }],
  ['to a local mailbox only', { source: 'graph', principal: USERS.alice, content: compose('alice@corp.test', {}, 'ceo@corp.test') }, { route: 'internal', signed: ['corp.test'] }],
  ['MIME: second From field', { source: 'graph', principal: USERS.alice, envelope: envelope('alice@corp.test'), content: mime(['From: alice@corp.test', 'From: ceo@corp.test']) }, { refused: 'from' }],
  ['MIME: From list', { source: 'smtp', principal: USERS.alice, envelope: envelope('alice@corp.test'), content: mime(['From: alice@corp.test, ceo@corp.test']) }, { refused: 'from' }],
  ['MIME: foreign Sender', { source: 'smtp', principal: USERS.alice, envelope: envelope('alice@corp.test'), content: mime(['From: alice@corp.test', 'Sender: ceo@corp.test']) }, { refused: 'sender' }],
  ['MIME: foreign envelope', { source: 'smtp', principal: USERS.alice, envelope: envelope('ceo@corp.test'), content: mime(['From: alice@corp.test']) }, { refused: 'envelope.mailFrom' }],
  [
    'MIME: delegated From, own envelope',
    { source: 'smtp', principal: USERS.alice, envelope: envelope('alice@corp.test'), content: mime(['From: Team <team@shared.test>']) },
    { route: 'outbound', signed: ['shared.test'] },
  ],
  ['app permission: any local mailbox', { source: 'graph', principal: USERS.app, content: compose('ceo@corp.test') }, { route: 'outbound', signed: ['corp.test'] }],
  ['app permission: not a mailbox', { source: 'graph', principal: USERS.app, content: compose('nobody@corp.test') }, { refused: 'from.address' }],
  ['app permission: not a local domain', { source: 'graph', principal: USERS.app, content: compose('boss@remote.test') }, { refused: 'from.address' }],
  [
    'unauthenticated, local envelope',
    { source: 'smtp', envelope: envelope('ceo@corp.test', 'alice@corp.test'), content: mime(['From: x@remote.test']), connection: connection(false) },
    { refused: 'envelope.mailFrom' },
  ],
  [
    'unauthenticated, local header From',
    { source: 'smtp', envelope: envelope('x@remote.test', 'alice@corp.test'), content: mime(['From: ceo@corp.test']), connection: connection(false) },
    { refused: 'from' },
  ],
  [
    'unauthenticated from a trusted network: inbound, never signed',
    { source: 'smtp', envelope: envelope('ceo@corp.test', 'alice@corp.test'), content: mime(['From: ceo@corp.test']), connection: connection(true) },
    { route: 'inbound', signed: [] },
  ],
  [
    'unauthenticated outside mail: inbound, never signed',
    { source: 'smtp', envelope: envelope('x@remote.test', 'alice@corp.test'), content: mime(['From: x@remote.test']), connection: connection(false) },
    { route: 'inbound', signed: [] },
  ],
  [
    'our own notice (null sender)',
    { source: 'system', envelope: envelope('', 'reader@remote.test'), content: mime(['From: MAILER-DAEMON@mx.corp.test']) },
    { route: 'outbound', signed: ['mx.corp.test'] },
  ],
];

describe('ingest', () => {
  it.each(CASES)('%s', async (_name, submission, expected) => {
    const h = harness();
    const outcome = await ingest(submission, h.deps).then(
      (accepted) => ({ accepted }),
      (error: unknown) => ({ error }),
    );
    if ('refused' in expected) {
      expect('error' in outcome && isMailgateError(outcome.error) ? [outcome.error.code, outcome.error.field] : outcome).toEqual(['sender_forbidden', expected.refused]);
      expect(h.sunk).toEqual([]);
      expect(h.blobs.size).toBe(0);
      expect(h.signed).toEqual([]);
      return;
    }
    expect('accepted' in outcome ? outcome.accepted.route : outcome).toBe(expected.route);
    expect(h.signed).toEqual(expected.signed);
    expect(h.sunk).toHaveLength(1);
    expect(h.sunk[0]?.route).toBe(expected.route);
  });

  it.each([
    ['no recipients', { mailFrom: 'alice@corp.test', rcptTo: [] }, 'no_recipients'],
    ['too many recipients', { mailFrom: 'alice@corp.test', rcptTo: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'] }, 'too_many_recipients'],
    ['a bad recipient', { mailFrom: 'alice@corp.test', rcptTo: ['not an address'] }, 'invalid_address'],
  ])('refuses %s before anything is stored', async (_name, given, code) => {
    const h = harness();
    const error = await ingest({ source: 'smtp', principal: USERS.alice, envelope: given, content: mime(['From: alice@corp.test']) }, h.deps).catch((e: unknown) => e);
    expect(isMailgateError(error) && error.code).toBe(code);
    expect(h.sunk).toEqual([]);
    expect(h.blobs.size).toBe(0);
  });
});
