/**
 * The web console in a real Chromium (playwright-core) against a real gateway over HTTPS, with real
 * SMTP peers and sinks: sign-in, tracking, held review and sender blocking, as an operator does it.
 * Screenshots of each page go to test-output/console/ for review.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/auth/identity.js';
import { authenticateClient } from '../src/auth/oauth-clients.js';
import { setUserPassword } from '../src/auth/passwords.js';
import { storeDeferredMessage } from './helpers/deferred-message.js';
import { chromiumPath, launchChromium, watchedPage, type WatchedPage } from './helpers/browser.js';
import { GTUBE, startHeldEnv, type HeldEnv } from './helpers/held-env.js';
import { mcPost } from './helpers/mimecast-client.js';
import { waitFor } from './helpers/wait-for.js';

const SHOTS = path.resolve(import.meta.dirname, '../test-output/console');
const PASSWORD = 'correct horse battery';

let held: HeldEnv;
let browser: Browser;
let base: string;
const open: WatchedPage[] = [];

async function setPassword(email: string): Promise<void> {
  const { store } = held.env.gw.server.gateway;
  const user = await store.getUserByEmail(email);
  await setUserPassword(store, (user as { id: string }).id, PASSWORD);
}

/** A fresh browser context (no cookies) on the sign-in page. */
async function fresh(viewport?: { width: number; height: number }): Promise<WatchedPage> {
  const watched = await watchedPage(browser, viewport);
  open.push(watched);
  await watched.page.goto(base);
  return watched;
}

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signedIn(email: string, viewport?: { width: number; height: number }): Promise<WatchedPage> {
  const watched = await fresh(viewport);
  await signIn(watched.page, email);
  await watched.page.getByRole('button', { name: 'Sign out' }).waitFor();
  return watched;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The gateway's id of the newest message with this subject. */
async function idBySubject(subject: string): Promise<string> {
  const { tracking } = held.env.gw.server.gateway;
  let id: string | undefined;
  await waitFor(async () => {
    id = (await tracking.search({ subject, start: Date.now() - 3_600_000 })).items[0]?.id;
    return id !== undefined;
  }, `a message with subject ${subject}`);
  return id as string;
}

async function sendOutbound(subject: string, text: string): Promise<void> {
  const body = JSON.stringify({ data: [{ to: [{ emailAddress: 'out@remote.test' }], subject, plainBody: { content: text } }] });
  expect((await mcPost(held.env.gw.url, held.sender, '/api/email/send-email', body)).status).toBe(200);
}

/** The held-list item of a message, by its subject. */
const heldItem = (page: Page, subject: string) => page.getByRole('listitem', { name: subject });

describe.skipIf(!chromiumPath)('web console in Chromium (skipped when no Chromium is installed: set CHROMIUM_PATH)', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    held = await startHeldEnv();
    const { store } = held.env.gw.server.gateway;
    await addUser(store, { email: 'tracker@example.test', roles: ['tracking'] });
    await Promise.all(['root@example.test', 'tracker@example.test'].map(setPassword));
    browser = await launchChromium();
    base = `${held.env.gw.httpsUrl}/console/`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await held?.env.stop();
  });

  it('refuses a wrong password; a tracking-only user has no release button and the API refuses the release', async () => {
    const w = await fresh();
    await shot(w.page, 'sign-in');
    w.expectRefusal('/admin/api/session');
    await signIn(w.page, 'tracker@example.test', 'not the password');
    await expect.poll(() => w.page.getByRole('alert').textContent()).toContain('incorrect');
    expect(await w.context.cookies()).toEqual([]);

    // Keyboard only: the email field has focus, Tab moves to the password, Enter submits.
    await w.page.getByLabel('Email').fill('');
    await w.page.getByLabel('Email').focus();
    await w.page.keyboard.type('tracker@example.test');
    await w.page.keyboard.press('Tab');
    await w.page.keyboard.type(PASSWORD);
    await w.page.keyboard.press('Enter');
    await w.page.getByRole('link', { name: 'Messages' }).waitFor();
    const [cookie] = await w.context.cookies();
    expect(cookie).toMatchObject({ name: '__Host-mailgate-console', httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(await w.page.getByRole('link', { name: 'Held' }).count()).toBe(0);

    const id = await held.sendInbound({ subject: 'tracker cannot release', text: GTUBE });
    await w.page.goto(`${base}#/held`);
    expect(await w.page.getByRole('button', { name: 'Release' }).count()).toBe(0);
    w.expectRefusal('/admin/api/held/release');
    const refused = await w.page.evaluate(async (ids) => {
      const session = (await (await fetch('/admin/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/admin/api/held/release', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ ids }),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    }, [id]);
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await held.statuses(id)).toEqual({ 'alice@example.test': 'held' });
    expect(w.errors).toEqual([]);
  });

  it('finds a delivered message by subject and shows the sink’s reply in its timeline', async () => {
    await sendOutbound('console delivered note', 'Hello from the console test.');
    const id = await idBySubject('console delivered note');
    await waitFor(async () => (await held.statuses(id))['out@remote.test'] === 'delivered', 'delivery to the sink');
    const [recipient] = await held.env.gw.server.gateway.store.listRecipients(id);
    const reply = recipient?.lastReply as string;
    expect(reply).toContain('queued as sink-');

    const w = await signedIn('root@example.test');
    await expect.poll(() => w.page.getByTestId('queue-depth').textContent()).toMatch(/^\d+$/);
    await shot(w.page, 'overview');
    await w.page.getByRole('link', { name: 'Messages' }).click();
    await w.page.getByRole('searchbox', { name: 'Subject' }).fill('console delivered');
    await w.page.getByRole('button', { name: 'Search' }).click();
    await w.page.getByRole('link', { name: 'console delivered note' }).waitFor();
    await shot(w.page, 'messages');
    await w.page.getByRole('link', { name: 'console delivered note' }).click();
    const timeline = w.page.getByRole('region', { name: 'Timeline for out@remote.test' });
    await expect.poll(() => timeline.textContent()).toContain(reply);
    expect(await timeline.textContent()).toMatch(/delivered/);
    await w.page.getByRole('tab', { name: 'Source' }).click();
    await expect.poll(() => w.page.locator('pre').first().textContent()).toContain('Subject: console delivered note');
    await shot(w.page, 'message');
    expect(w.errors).toEqual([]);
  });

  it('releases a held GTUBE message from the console and it arrives at the sink; the log names the reviewer', async () => {
    await held.withPolicy({ name: 'Outbound spam', kind: 'spam', routes: ['outbound'], params: { level: 'moderate' } }, async () => {
      await sendOutbound('console gtube outbound', GTUBE);
    });
    const id = await idBySubject('console gtube outbound');
    expect(await held.statuses(id)).toEqual({ 'out@remote.test': 'held' });
    const before = held.env.sink.messages.length;

    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/held`);
    await heldItem(w.page, 'console gtube outbound').getByRole('button', { name: 'Release' }).click();
    const arrived = (await held.env.sink.waitForMessages(before + 1)).slice(before);
    expect(arrived.map((m) => m.rcptTo)).toContainEqual(['out@remote.test']);
    const log = w.page.getByRole('table', { name: 'Release and reject log' });
    await expect.poll(() => log.textContent()).toContain('console gtube outbound');
    expect(await log.textContent()).toContain('root@example.test');
    await shot(w.page, 'held');
    expect(w.errors).toEqual([]);
  });

  it('rejects a held message with notify, and the notice reaches the sender’s sink', async () => {
    const id = await held.sendInbound({ from: 'loud@pass.test', subject: 'console reject me', text: GTUBE });
    const before = held.env.sink.messages.length;
    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/held`);
    await heldItem(w.page, 'console reject me').getByRole('button', { name: 'Reject' }).click();
    const form = w.page.getByRole('form', { name: 'Reject held messages' });
    await form.getByLabel('Reason').selectOption('MESSAGE GOES AGAINST EMAIL POLICIES');
    await form.getByLabel('Message to the sender').fill('Please stop sending test spam');
    await form.getByLabel('Notify the sender').check();
    await shot(w.page, 'held-reject');
    await form.getByRole('button', { name: 'Confirm reject' }).click();
    const [notice] = (await held.env.sink.waitForMessages(before + 1)).slice(before);
    expect(notice?.rcptTo).toEqual(['loud@pass.test']);
    expect(notice?.raw.toString()).toContain('Please stop sending test spam');
    expect(await held.statuses(id)).toEqual({ 'alice@example.test': 'rejected' });
    expect(w.errors).toEqual([]);
  });

  it('releases three held messages at once', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push(await held.sendInbound({ subject: `console bulk ${n}`, text: GTUBE }));
    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/held`);
    await w.page.getByRole('searchbox', { name: 'Search held' }).fill('console bulk');
    await w.page.getByRole('button', { name: 'Search' }).click();
    for (const n of [1, 2, 3]) await w.page.getByRole('checkbox', { name: `Select console bulk ${n}` }).check();
    await w.page.getByRole('button', { name: 'Release selected (3)' }).click();
    await w.page.getByRole('status').filter({ hasText: 'Released 3 messages' }).waitFor();
    await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => held.statuses(id)));
      return all.every((s) => s['alice@example.test'] === 'delivered');
    }, 'three released messages delivered');
    expect(w.errors).toEqual([]);
  });

  it('blocks a sender from a held message, and its next message is refused at SMTP', async () => {
    await held.sendInbound({ from: 'pest@pass.test', subject: 'console pest', text: GTUBE });
    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/held`);
    await heldItem(w.page, 'console pest').getByRole('button', { name: 'Block sender' }).click();
    await w.page.getByRole('status').filter({ hasText: 'pest@pass.test added to the blocked senders' }).waitFor();
    const messages = await held.env.gw.countRows('messages');
    await expect(held.sendInbound({ from: 'pest@pass.test', subject: 'console pest again' })).rejects.toThrow(/blocked/);
    expect(await held.env.gw.countRows('messages')).toBe(messages);
    expect(w.errors).toEqual([]);
  });

  it('retries a deferred delivery now from the Queue page, and it reaches the sink', async () => {
    const id = await storeDeferredMessage(held.env.gw.server.gateway.store, 'console deferred', 'late@remote.test');
    const before = held.env.sink.messages.length;
    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/queue`);
    const row = w.page.getByRole('row', { name: 'console deferred to late@remote.test' });
    await row.waitFor();
    await shot(w.page, 'queue');
    await row.getByRole('button', { name: 'Retry now' }).click();
    const arrived = (await held.env.sink.waitForMessages(before + 1)).slice(before);
    expect(arrived.map((m) => m.rcptTo)).toContainEqual(['late@remote.test']);
    await waitFor(async () => (await held.statuses(id))['late@remote.test'] === 'delivered', 'the retried delivery settled');
    expect(w.errors).toEqual([]);
  });

  it('revokes a Mimecast key on the Settings page, and the key’s next call is refused', async () => {
    const leaver = await held.env.gw.user('leaver@example.test', ['user']);
    const send = () =>
      mcPost(held.env.gw.url, leaver, '/api/email/send-email', JSON.stringify({ data: [{ to: [{ emailAddress: 'out@remote.test' }], subject: 'from a leaver', plainBody: { content: 'x' } }] }));
    expect((await send()).status).toBe(200);
    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/settings`);
    await w.page.getByRole('button', { name: `Revoke key ${leaver.accessKey}` }).click();
    await w.page.getByRole('status').filter({ hasText: `Key ${leaver.accessKey} revoked` }).waitFor();
    await shot(w.page, 'settings');
    expect((await send()).status).toBe(401);
    expect(w.errors).toEqual([]);
  });

  it('creates keys (secret shown once, and it signs calls), an app, a user, a policy, a DNSBL zone and a DKIM key with its DNS check', async () => {
    const { store, secrets, settings } = held.env.gw.server.gateway;
    const w = await signedIn('root@example.test');
    await w.page.goto(`${base}#/settings`);
    const status = (text: string) => w.page.getByRole('status').filter({ hasText: text }).waitFor();

    await w.page.getByLabel('Keys for user').fill('plain@example.test');
    await w.page.getByRole('button', { name: 'Create keys' }).click();
    const shown = w.page.getByRole('region', { name: 'New Mimecast keys' });
    await shown.waitFor();
    const secret = async (name: string) => (await shown.getByTestId(`secret-${name}`).textContent()) as string;
    const keys = { appId: await secret('appId'), appKey: await secret('appKey'), accessKey: await secret('accessKey'), secretKey: await secret('secretKey') };
    await shot(w.page, 'settings-new-key');
    const body = JSON.stringify({ data: [{ to: [{ emailAddress: 'out@remote.test' }], subject: 'signed with console keys', plainBody: { content: 'x' } }] });
    expect((await mcPost(held.env.gw.url, keys, '/api/email/send-email', body)).status).toBe(200);
    await w.page.getByRole('button', { name: 'Done' }).click();
    await w.page.reload();
    await w.page.getByRole('table', { name: 'Mimecast keys' }).getByText(keys.accessKey).waitFor();
    expect(await w.page.content()).not.toContain(keys.secretKey);

    await w.page.getByLabel('App name').fill('console graph app');
    await w.page.getByRole('checkbox', { name: 'Mail.Send' }).check();
    await w.page.getByRole('button', { name: 'Create app' }).click();
    const app = w.page.getByRole('region', { name: 'New app secret' });
    const clientId = (await app.getByTestId('secret-clientId').textContent()) as string;
    const client = await authenticateClient(store, clientId, (await app.getByTestId('secret-clientSecret').textContent()) as string);
    expect(client).toMatchObject({ name: 'console graph app', permissions: ['Mail.Send'] });

    await w.page.getByLabel('New user’s email').fill('newcomer@example.test');
    await w.page.getByLabel('Console password').fill(PASSWORD);
    await w.page.getByRole('checkbox', { name: 'held-reviewer' }).check();
    await w.page.getByRole('button', { name: 'Create user' }).click();
    await status('User newcomer@example.test created');
    expect(await w.page.getByText('newcomer@example.test: held-reviewer').count()).toBe(1);

    await w.page.getByLabel('Policy name').fill('console exe');
    await w.page.getByLabel('Kind').selectOption('attachment');
    await w.page.getByLabel('Setting (spam level, extensions, pattern or addresses)').fill('exe, scr');
    await w.page.getByRole('button', { name: 'Create policy' }).click();
    await status('Policy console exe created');
    expect((await settings.policies()).find((p) => p.name === 'console exe')).toMatchObject({ kind: 'attachment', routes: ['inbound'], params: { extensions: ['exe', 'scr'] } });
    await w.page.getByRole('button', { name: 'Delete policy console exe' }).click();
    await status('Policy console exe deleted');
    expect((await settings.policies()).map((p) => p.name)).not.toContain('console exe');

    await w.page.getByLabel('Blocklist zone').fill('zen.console.test');
    await w.page.getByLabel('Weight').fill('2.5');
    await w.page.getByRole('button', { name: 'Add zone' }).click();
    await status('DNSBL zone zen.console.test saved');
    expect(await settings.zones()).toContainEqual(expect.objectContaining({ zone: 'zen.console.test', kind: 'ip', weight: 2.5 }));
    await w.page.getByRole('button', { name: 'Remove zone zen.console.test' }).click();
    await status('DNSBL zone zen.console.test removed');
    expect(await settings.zones()).toEqual([]);

    // A new key is not published yet; the key the DNS server publishes for pass.test is found and matches.
    await w.page.getByLabel('Signing domain').fill('example.test');
    await w.page.getByLabel('Selector').fill('console1');
    await w.page.getByRole('button', { name: 'Create DKIM key' }).click();
    await status('DKIM key console1._domainkey.example.test created');
    await w.page.getByRole('button', { name: 'Check DNS for console1._domainkey.example.test' }).click();
    const unpublished = w.page.getByRole('listitem', { name: 'console1._domainkey.example.test' }).getByRole('status', { name: 'DNS check' });
    await expect.poll(() => unpublished.textContent()).toContain('console1._domainkey.example.test does not exist');
    const { passDkim } = held.env;
    await store.putDkimKey({ domain: 'pass.test', selector: 's1', algorithm: 'rsa-sha256', privateKeyEnc: secrets.seal(passDkim.privateKeyPem), publicKey: passDkim.publicKey, createdAt: Date.now() });
    await w.page.reload();
    await w.page.getByRole('button', { name: 'Check DNS for s1._domainkey.pass.test' }).click();
    const published = w.page.getByRole('listitem', { name: 's1._domainkey.pass.test' }).getByRole('status', { name: 'DNS check' });
    await expect.poll(() => published.textContent()).toContain('DNS serves the record to publish');
    expect(await published.textContent()).toContain(passDkim.publicKey.slice(0, 40));
    await shot(w.page, 'settings-created');
    await store.removeDkimKey('pass.test', 's1');
    expect(w.errors).toEqual([]);

    const newcomer = await signedIn('newcomer@example.test');
    await newcomer.page.getByRole('link', { name: 'Held' }).waitFor();
    expect(await newcomer.page.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    expect(newcomer.errors).toEqual([]);
  });

  it('fits a 390 px wide screen without sideways scrolling', async () => {
    const w = await signedIn('root@example.test', { width: 390, height: 844 });
    for (const page of ['overview', 'messages', 'held', 'queue', 'settings']) {
      await w.page.goto(`${base}#/${page}`);
      await w.page.getByRole('heading', { level: 1 }).waitFor();
      expect({ page, width: await w.page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({ page, width: 390 });
      await shot(w.page, `${page}-390`);
    }
    await w.page.getByRole('button', { name: 'Sign out' }).click();
    await w.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await w.context.cookies()).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});
