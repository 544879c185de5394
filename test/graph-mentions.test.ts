/**
 * Graph @-mentions on /beta over real HTTP, written from seed 002 example 2 and Graph's `mention`
 * resource and message-get pages: `GET …/messages/{id}?$expand=mentions` shows them on the Sent
 * Items copy and on a local recipient's copy (delivered by the local transport), `mentionsPreview`
 * tells each mailbox whether it is mentioned, `$filter=mentionsPreview/isMentioned eq true` lists
 * only those; external recipients get no trace of them; v1.0 knows none of it.
 */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFixture, type GraphFixture } from './helpers/graph.js';
import { waitFor } from './helpers/wait-for.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const ALICE = 'alice@example.test';
const DANA = 'dana@example.test';
const READER = 'reader@remote.test';

let f: GraphFixture;
let alice: string;
let dana: string;

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function call(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${f.gw.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

type Message = Record<string, unknown> & { id: string; subject: string };
const list = async (token: string, path: string): Promise<Message[]> => (await call(token, 'GET', path)).body.value as Message[];
const bySubject = async (token: string, folder: string, subject: string): Promise<Message | undefined> =>
  (await list(token, `/beta/me/mailFolders/${folder}/messages?$top=100`)).find((m) => m.subject === subject);

/** Seed 002 example 2, addressed to a local mailbox (Dana) and an external one, mentioning Dana and someone outside. */
const kickoff = (subject: string) => ({
  message: {
    subject,
    body: { contentType: 'HTML', content: '<p><a href="mailto:dana@example.test">@Dana Swope</a>, kickoff on Monday.</p>' },
    toRecipients: [{ emailAddress: { name: 'Dana Swope', address: DANA } }, { emailAddress: { address: READER } }],
    mentions: [
      { mentioned: { name: 'Dana Swope', address: DANA } },
      { mentioned: { name: 'Randi Welch', address: 'randiw@remote.test' }, createdDateTime: '2016-07-21T07:40:20.152Z' },
    ],
  },
});

beforeAll(async () => {
  f = await startGraphFixture();
  await f.user(ALICE, { name: 'Alice Example' });
  await f.user(DANA, { name: 'Dana Swope' });
  const app = await f.app([]);
  alice = await f.userToken(app, ALICE, 'Mail.Send Mail.ReadWrite');
  dana = await f.userToken(app, DANA, 'Mail.Send Mail.ReadWrite');
});

afterAll(async () => {
  await f?.stop();
});

describe('mentions on /beta', () => {
  let sentMentions: Array<Record<string, unknown>>;

  it('the Sent Items copy expands its mentions with every field of the mention resource', async () => {
    expect((await call(alice, 'POST', '/beta/me/sendMail', kickoff('Project kickoff'))).status).toBe(202);
    const sent = await bySubject(alice, 'sentitems', 'Project kickoff');
    expect(sent).toBeDefined();
    // A property of the message: listed without asking; the navigation property only when expanded.
    expect(sent?.mentionsPreview).toEqual({ isMentioned: false });
    expect(sent).not.toHaveProperty('mentions');

    const one = await call(alice, 'GET', `/beta/me/messages/${sent?.id}?$expand=mentions`);
    expect(one.status).toBe(200);
    sentMentions = one.body.mentions as Array<Record<string, unknown>>;
    expect(sentMentions).toHaveLength(2);
    const [danaMention, randiMention] = sentMentions;
    expect(Object.keys(danaMention ?? {}).sort()).toEqual(
      ['application', 'clientReference', 'createdBy', 'createdDateTime', 'deepLink', 'id', 'mentionText', 'mentioned', 'serverCreatedDateTime'].sort(),
    );
    expect(danaMention).toMatchObject({
      mentioned: { name: 'Dana Swope', address: DANA },
      createdBy: { name: 'Alice Example', address: ALICE },
      mentionText: null,
      clientReference: null,
      deepLink: null,
      application: null,
    });
    expect(danaMention?.id).toMatch(UUID);
    expect(danaMention?.serverCreatedDateTime).toMatch(ISO);
    expect(danaMention?.createdDateTime).toBe(danaMention?.serverCreatedDateTime);
    expect(randiMention).toMatchObject({ mentioned: { name: 'Randi Welch', address: 'randiw@remote.test' }, createdDateTime: '2016-07-21T07:40:20.152Z' });
    expect(randiMention?.id).not.toBe(danaMention?.id);
  });

  it('a local recipient\'s copy carries the same mentions and says the recipient is mentioned', async () => {
    await waitFor(async () => (await bySubject(dana, 'inbox', 'Project kickoff')) !== undefined, "Dana's copy");
    const copy = (await bySubject(dana, 'inbox', 'Project kickoff')) as Message;
    expect(copy.mentionsPreview).toEqual({ isMentioned: true });
    const one = await call(dana, 'GET', `/beta/me/messages/${copy.id}?$expand=mentions&$select=subject,mentionsPreview`);
    expect(Object.keys(one.body).sort()).toEqual(['@odata.etag', 'id', 'mentions', 'mentionsPreview', 'subject']);
    expect(one.body.mentions).toEqual(sentMentions);
  });

  it('external recipients receive the message without any trace of the mentions', async () => {
    const [external] = (await f.sink.waitForMessages(1)).filter((m) => m.rcptTo.includes(READER));
    expect(external).toBeDefined();
    const parsed = await simpleParser(external!.raw);
    expect(parsed.subject).toBe('Project kickoff');
    expect([...parsed.headers.keys()].filter((k) => /mailgate|mention/i.test(k))).toEqual([]);
    expect(external!.raw.toString('utf8')).not.toContain('randiw@remote.test');
  });

  it('$filter=mentionsPreview/isMentioned eq true lists only the messages that mention the mailbox', async () => {
    expect((await call(alice, 'POST', '/beta/me/sendMail', { message: { subject: 'no mentions', toRecipients: [{ emailAddress: { address: DANA } }] } })).status).toBe(202);
    const others = { message: { subject: 'mentions someone else', toRecipients: [{ emailAddress: { address: DANA } }], mentions: [{ mentioned: { address: ALICE } }] } };
    expect((await call(alice, 'POST', '/beta/me/sendMail', others)).status).toBe(202);
    await waitFor(async () => (await list(dana, '/beta/me/messages?$top=100')).length === 3, "Dana's three copies");

    const filter = encodeURIComponent('mentionsPreview/isMentioned eq true');
    const mentioned = await list(dana, `/beta/me/messages?$filter=${filter}&$select=subject,sender`);
    expect(mentioned.map((m) => m.subject)).toEqual(['Project kickoff']);
    const inInbox = await list(dana, `/beta/me/mailFolders/inbox/messages?$filter=${filter}`);
    expect(inInbox.map((m) => m.subject)).toEqual(['Project kickoff']);
    const notMentioned = await list(dana, `/beta/me/messages?$filter=${encodeURIComponent('mentionsPreview/isMentioned eq false')}`);
    expect(notMentioned.map((m) => m.subject).sort()).toEqual(['mentions someone else', 'no mentions']);
    // No mentions at all: mentionsPreview is null, as Graph shows it.
    expect((await bySubject(dana, 'inbox', 'no mentions'))?.mentionsPreview).toBeNull();
    expect((await bySubject(dana, 'inbox', 'mentions someone else'))?.mentionsPreview).toEqual({ isMentioned: false });
    // Alice mentioned herself: her own Sent Items copy says so.
    const self = await list(alice, `/beta/me/mailFolders/sentitems/messages?$filter=${filter}`);
    expect(self.map((m) => m.subject)).toEqual(['mentions someone else']);
  });

  it('a draft shows its mentions with stable ids, and the Sent Items copy keeps them', async () => {
    const created = await call(alice, 'POST', '/beta/me/messages', kickoff('draft with mentions').message);
    expect(created.status).toBe(201);
    expect(created.body.mentionsPreview).toEqual({ isMentioned: false });
    const id = created.body.id as string;
    const first = await call(alice, 'GET', `/beta/me/messages/${id}?$expand=mentions`);
    const again = await call(alice, 'GET', `/beta/me/messages/${id}?$expand=mentions`);
    const ids = (first.body.mentions as Array<{ id: string }>).map((m) => m.id);
    expect(ids).toHaveLength(2);
    expect((again.body.mentions as Array<{ id: string }>).map((m) => m.id)).toEqual(ids);
    expect((await call(alice, 'POST', `/beta/me/messages/${id}/send`)).status).toBe(202);
    const sent = (await bySubject(alice, 'sentitems', 'draft with mentions')) as Message;
    const expanded = await call(alice, 'GET', `/beta/me/messages/${sent.id}?$expand=mentions`);
    expect((expanded.body.mentions as Array<{ id: string }>).map((m) => m.id)).toEqual(ids);
  });

  it('a mention without `mentioned` is refused (seed 002) and nothing is sent', async () => {
    const before = await f.gw.countRows('messages');
    const answer = await call(alice, 'POST', '/beta/me/sendMail', { message: { subject: 'bad', toRecipients: [{ emailAddress: { address: READER } }], mentions: [{ mentionText: 'x' }] } });
    expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 400, code: 'ErrorInvalidRequest' });
    expect(await f.gw.countRows('messages')).toBe(before);
  });
});

describe('v1.0 has no mentions', () => {
  it('its message resource has no mentionsPreview, and $expand=mentions or the mentions filter are 400 BadRequest', async () => {
    const copy = (await bySubject(dana, 'inbox', 'Project kickoff')) as Message;
    const plain = await call(dana, 'GET', `/v1.0/me/messages/${copy.id}`);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('mentionsPreview');
    expect(plain.body).not.toHaveProperty('mentions');
    const expanded = await call(dana, 'GET', `/v1.0/me/messages/${copy.id}?$expand=mentions`);
    expect({ status: expanded.status, code: expanded.body.error?.code }).toEqual({ status: 400, code: 'BadRequest' });
    const filtered = await call(dana, 'GET', `/v1.0/me/messages?$filter=${encodeURIComponent('mentionsPreview/isMentioned eq true')}`);
    expect({ status: filtered.status, code: filtered.body.error?.code }).toEqual({ status: 400, code: 'BadRequest' });
  });

  it('sendMail or a draft with mentions is 400 RequestBodyRead, and nothing is queued or delivered', async () => {
    const messages = await f.gw.countRows('messages');
    const drafts = await f.gw.countRows('drafts');
    const delivered = f.sink.messages.length;
    const send = await call(alice, 'POST', '/v1.0/me/sendMail', kickoff('v1 kickoff'));
    expect({ status: send.status, code: send.body.error?.code }).toEqual({ status: 400, code: 'RequestBodyRead' });
    const draft = await call(alice, 'POST', '/v1.0/me/messages', kickoff('v1 draft').message);
    expect({ status: draft.status, code: draft.body.error?.code }).toEqual({ status: 400, code: 'RequestBodyRead' });
    expect(await f.gw.countRows('messages')).toBe(messages);
    expect(await f.gw.countRows('drafts')).toBe(drafts);
    expect(f.sink.messages.length).toBe(delivered);
  });
});
