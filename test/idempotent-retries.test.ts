/**
 * Idempotent retries (docs/retries.md) on a real gateway relaying to a real SMTP sink, on SQLite
 * and (the e2e-on-postgres project) PostgreSQL: a repeated request gets the first answer back and
 * exactly one message exists; other bodies and failed first attempts behave as documented.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MimecastKeys } from '../src/auth/identity.js';
import { CLI_CLIENT_ID, issueWorksUserTokens } from '../src/api/works/auth.js';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';
import { mcHeaders, pythonSampleDate } from './helpers/mimecast-client.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

let f: GraphFixture;
let mc: MimecastKeys;
let mc2: MimecastKeys;
let graphToken: string;
let worksToken: string;
const ALICE = 'alice@example.test';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const mimecastBody = (subject: string) =>
  JSON.stringify({ data: [{ to: [{ emailAddress: 'reader@remote.test' }], subject, plainBody: { content: 'hello' } }] });

/** The same signed request every time: same x-mc-req-id and x-mc-date, as a client's own retry sends it. */
function mimecastSender(gw: TestGateway, keys: MimecastKeys, reqId: `${string}-${string}-${string}-${string}-${string}`) {
  const headers = { 'Content-Type': 'application/json', ...mcHeaders(keys, '/api/email/send-email', pythonSampleDate(), reqId) };
  return (body: string) => post(`${gw.url}/api/email/send-email`, headers, body);
}

const graphSend = (subject: string, headers: Record<string, string>) =>
  post(
    `${f.gw.url}/v1.0/me/sendMail`,
    { Authorization: `Bearer ${graphToken}`, 'Content-Type': 'application/json', ...headers },
    JSON.stringify({ message: { subject, toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }] } }),
  );

const worksSend = (body: unknown, key: string) =>
  post(
    `${f.gw.url}/works/v1.0/users/me/mail`,
    { Authorization: `Bearer ${worksToken}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    JSON.stringify(body),
  );

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user(ALICE);
  mc = await f.gw.user('mimi@example.test');
  mc2 = await f.gw.user('momo@example.test');
  graphToken = await f.userToken(await f.app([]), ALICE, 'Mail.Send Mail.ReadWrite');
  const { store, tokens, config } = f.gw.server.gateway;
  const user = await store.getUserByEmail(ALICE);
  if (!user) throw new Error('no user');
  const issued = await issueWorksUserTokens(
    { tokens, store, hostname: config.hostname, now: Date.now() },
    { user, clientId: CLI_CLIENT_ID, scopes: ['mail'], withRefreshToken: false },
  );
  worksToken = issued.access_token;
});
afterAll(async () => {
  await f?.stop();
});

/** Runs `act` and answers how many messages it queued. */
async function queued(act: () => Promise<void>): Promise<number> {
  const before = await f.gw.countRows('messages');
  await act();
  return (await f.gw.countRows('messages')) - before;
}

describe('Mimecast x-mc-req-id', () => {
  it('a repeated request gets the first answer and the message is sent once', async () => {
    const send = mimecastSender(f.gw, mc, 'retry-1-a-b-c');
    const delivered = f.sink.messages.length;
    let first: Answer | undefined;
    let second: Answer | undefined;
    expect(
      await queued(async () => {
        first = await send(mimecastBody('once only'));
        second = await send(mimecastBody('once only'));
      }),
    ).toBe(1);
    expect(first?.status).toBe(200);
    expect(second?.status).toBe(200);
    expect(second?.text).toBe(first?.text);
    expect(JSON.parse(first?.text ?? '{}').data[0].messageId).toMatch(/^<.+@gateway\.test>$/);
    expect(first?.headers.get('idempotent-replayed')).toBeNull();
    expect(second?.headers.get('idempotent-replayed')).toBe('true');
    await f.sink.waitForMessages(delivered + 1);
    expect(f.sink.messages.filter((m) => m.raw.toString('utf8').includes('Subject: once only'))).toHaveLength(1);
  });

  it('another body under the same id is another request (replay protection off)', async () => {
    const send = mimecastSender(f.gw, mc, 'retry-2-a-b-c');
    expect(
      await queued(async () => {
        expect((await send(mimecastBody('first body'))).status).toBe(200);
        expect((await send(mimecastBody('second body'))).status).toBe(200);
      }),
    ).toBe(2);
  });

  it('keys are per user: two users with the same id and body both send', async () => {
    expect(
      await queued(async () => {
        expect((await mimecastSender(f.gw, mc, 'shared-id-a-b-c')(mimecastBody('same'))).headers.get('idempotent-replayed')).toBeNull();
        expect((await mimecastSender(f.gw, mc2, 'shared-id-a-b-c')(mimecastBody('same'))).headers.get('idempotent-replayed')).toBeNull();
      }),
    ).toBe(2);
  });
});

describe('Mimecast with MAILGATE_REPLAY_PROTECTION', () => {
  let gw: TestGateway;
  let keys: MimecastKeys;
  beforeAll(async () => {
    gw = await startTestGateway({ MAILGATE_REPLAY_PROTECTION: 'true' });
    keys = await gw.user('guard@example.test');
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('the identical request is answered from the first; another body under the id is refused as reused', async () => {
    const send = mimecastSender(gw, keys, 'protected-1-a-b-c');
    const first = await send(mimecastBody('guarded'));
    const again = await send(mimecastBody('guarded'));
    expect(first.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await send(mimecastBody('something else'));
    expect(other.status).toBe(401);
    expect(JSON.parse(other.text).fail[0].errors[0].code).toBe('err_xdk_duplicate_request_id');
    expect(await gw.countRows('messages')).toBe(1);
  });
});

describe('Graph', () => {
  it('client-request-id: a retry gets 202 again and one message is sent and filed', async () => {
    const id = '7b1e6f0c-retry-graph';
    expect(
      await queued(async () => {
        const first = await graphSend('graph once', { 'client-request-id': id });
        const second = await graphSend('graph once', { 'client-request-id': id });
        expect([first.status, second.status]).toEqual([202, 202]);
        expect(second.headers.get('idempotent-replayed')).toBe('true');
        expect(second.headers.get('client-request-id')).toBe(id);
      }),
    ).toBe(1);
    expect(await f.gw.countRows("mailbox_entries WHERE subject = 'graph once'")).toBe(1);
  });

  it('a draft send retried with its client-request-id answers 202, not 404 for the draft it already sent', async () => {
    const draft = await post(
      `${f.gw.url}/v1.0/me/messages`,
      { Authorization: `Bearer ${graphToken}`, 'Content-Type': 'application/json' },
      JSON.stringify({ subject: 'draft once', toRecipients: [{ emailAddress: { address: 'reader@remote.test' } }] }),
    );
    const { id } = JSON.parse(draft.text) as { id: string };
    const send = () => post(`${f.gw.url}/v1.0/me/messages/${id}/send`, { Authorization: `Bearer ${graphToken}`, 'client-request-id': `send-${id}` }, '');
    expect(
      await queued(async () => {
        expect((await send()).status).toBe(202);
        const again = await send();
        expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([202, 'true']);
      }),
    ).toBe(1);
  });

  it('Idempotency-Key reused with another body is 422 and sends nothing', async () => {
    expect((await graphSend('keyed', { 'Idempotency-Key': 'graph-key-1' })).status).toBe(202);
    expect(
      await queued(async () => {
        const other = await graphSend('keyed but different', { 'Idempotency-Key': 'graph-key-1' });
        expect(other.status).toBe(422);
        expect(JSON.parse(other.text).error.code).toBe('ErrorInvalidRequest');
      }),
    ).toBe(0);
  });

  // Three: below MAILGATE_GRAPH_CONCURRENT_REQUESTS (4), so no answer is a 429.
  it('concurrent duplicates never both send: each answer is the 202 or a 409 to retry', async () => {
    const answers: Answer[] = [];
    expect(
      await queued(async () => {
        answers.push(...(await Promise.all(Array.from({ length: 3 }, () => graphSend('raced', { 'client-request-id': 'race-1' })))));
      }),
    ).toBe(1);
    for (const answer of answers) {
      expect([202, 409]).toContain(answer.status);
      if (answer.status === 409) expect(JSON.parse(answer.text).error.code).toBe('ErrorIrresolvableConflict');
    }
    expect(answers.some((a) => a.status === 202)).toBe(true);
  });
});

describe('LINE WORKS Idempotency-Key', () => {
  const mail = (subject: string) => ({ to: 'reader@remote.test', subject, body: 'hi', isSaveSentMail: true });

  it('a retry gets 202 again and one message is sent', async () => {
    expect(
      await queued(async () => {
        expect((await worksSend(mail('works once'), 'works-1')).status).toBe(202);
        const again = await worksSend(mail('works once'), 'works-1');
        expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([202, 'true']);
      }),
    ).toBe(1);
  });

  it('the key with another body is 422 INVALID_PARAMETER and sends nothing', async () => {
    await worksSend(mail('works two'), 'works-2');
    expect(
      await queued(async () => {
        const other = await worksSend(mail('works two, changed'), 'works-2');
        expect(other.status).toBe(422);
        expect(JSON.parse(other.text).code).toBe('INVALID_PARAMETER');
      }),
    ).toBe(0);
  });

  it('a failed first attempt is not remembered: the corrected retry under the same key is sent', async () => {
    const bad = await worksSend({ subject: 'no recipient', body: 'x' }, 'works-3');
    expect(bad.status).toBe(400);
    expect(
      await queued(async () => {
        const fixed = await worksSend(mail('now with a recipient'), 'works-3');
        expect([fixed.status, fixed.headers.get('idempotent-replayed')]).toEqual([202, null]);
      }),
    ).toBe(1);
  });
});

describe("the answer's commit carries its message (docs/storage.md)", () => {
  type Store = TestGateway['server']['gateway']['store'];
  /**
   * Runs `act` while recording, in order, what requests ask of the gateway's real store; `failing`
   * makes those calls throw instead. The store is restored afterwards.
   */
  async function recordingWrites(failing: Array<'completeIdempotencyKey' | 'flushWrites'>, act: (log: string[]) => Promise<void>): Promise<void> {
    const store: Store = f.gw.server.gateway.store;
    const original = { acceptMessage: store.acceptMessage, completeIdempotencyKey: store.completeIdempotencyKey, flushWrites: store.flushWrites };
    const log: string[] = [];
    store.acceptMessage = async (message, content, options) => {
      await original.acceptMessage.call(store, message, content, options);
      log.push(`accept ${options?.durable === false ? 'relaxed' : 'durable'}`);
    };
    store.completeIdempotencyKey = async (...args) => {
      if (failing.includes('completeIdempotencyKey')) throw new Error('answer not recorded');
      await original.completeIdempotencyKey.call(store, ...args);
      log.push('answer');
    };
    store.flushWrites = async () => {
      if (failing.includes('flushWrites')) throw new Error('disk gone');
      await original.flushWrites.call(store);
      log.push('flush');
    };
    try {
      await act(log);
    } finally {
      Object.assign(store, original);
    }
  }

  it('a keyed send commits its message without its own sync, and the durable answer follows before the reply', async () => {
    await recordingWrites([], async (log) => {
      const answer = await mimecastSender(f.gw, mc, 'carry-1-a-b-c')(mimecastBody('carried'));
      expect(answer.status).toBe(200);
      expect(log).toEqual(['accept relaxed', 'answer']);
    });
  });

  it('a send without a key commits its message durably', async () => {
    await recordingWrites([], async (log) => {
      expect((await graphSend('no key, own sync', {})).status).toBe(202);
      expect(log[0]).toBe('accept durable');
      expect(log).not.toContain('flush');
    });
  });

  it('when the answer cannot be recorded, the messages are flushed before the success goes out, and a failed flush is a 500', async () => {
    await recordingWrites(['completeIdempotencyKey'], async (log) => {
      const answer = await mimecastSender(f.gw, mc, 'carry-2-a-b-c')(mimecastBody('flushed'));
      expect(answer.status).toBe(200);
      expect(log).toEqual(['accept relaxed', 'flush']);
    });
    await recordingWrites(['completeIdempotencyKey', 'flushWrites'], async (log) => {
      const answer = await mimecastSender(f.gw, mc, 'carry-3-a-b-c')(mimecastBody('not confirmed'));
      expect(answer.status).toBe(500);
      expect(log).toEqual(['accept relaxed']);
    });
  });
});
