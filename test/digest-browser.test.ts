/**
 * A recipient's quarantine digest followed in a real Chromium (playwright-core) against a real
 * gateway: the link opens a confirmation page and releases nothing (as a link scanner's fetch
 * would), the confirm button's POST releases the message into the mailbox, and the link then
 * answers that it was used. Screenshots go to test-output/console/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, watchedPage } from './helpers/browser.js';
import { digestLinks, inboxCopies, sendDigest } from './helpers/digest.js';
import { GTUBE, startHeldEnv, type HeldEnv } from './helpers/held-env.js';

const SHOTS = path.resolve(import.meta.dirname, '../test-output/console');
const ALICE = 'alice@example.test';

let held: HeldEnv;
let browser: Browser;

describe.skipIf(!chromiumPath)('quarantine digest in Chromium (skipped when no Chromium is installed: set CHROMIUM_PATH)', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    held = await startHeldEnv({ MAILGATE_DIGEST_DOMAINS: 'example.test' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await held?.env.stop();
  });

  it('opening the link releases nothing; the confirm button releases the message once; the link then says it was used', async () => {
    const gateway = held.env.gw.server.gateway;
    const id = await held.sendInbound({ to: [ALICE], subject: 'digest in the browser', text: GTUBE });
    expect(await held.statuses(id)).toEqual({ [ALICE]: 'held' });
    const digest = await digestLinks(gateway, ALICE, await sendDigest(gateway, ALICE));
    const release = new URL(digest.links.get('digest in the browser')?.Release as string);
    // The link names MAILGATE_DIGEST_BASE_URL; the same path and query on this gateway's HTTPS listener.
    const link = held.env.gw.httpsUrl + release.pathname + release.search;

    const w = await watchedPage(browser);
    await w.page.goto(link);
    await w.page.getByRole('heading', { name: 'Release message?' }).waitFor();
    expect(await w.page.locator('main').textContent()).toContain('“digest in the browser” from news@pass.test');
    await w.page.screenshot({ path: path.join(SHOTS, 'digest-confirm.png'), fullPage: true });
    expect(await held.statuses(id)).toEqual({ [ALICE]: 'held' });
    expect(await inboxCopies(gateway, ALICE, id)).toEqual([]);

    const delivered = held.env.gw.nextSettlement((s) => s.messageId === id && s.status === 'delivered');
    await w.page.getByRole('button', { name: 'Release message' }).click();
    await w.page.getByRole('status').filter({ hasText: 'The message is on its way to your mailbox.' }).waitFor();
    await w.page.screenshot({ path: path.join(SHOTS, 'digest-done.png'), fullPage: true });
    await delivered;
    expect(await held.statuses(id)).toEqual({ [ALICE]: 'delivered' });
    expect(await inboxCopies(gateway, ALICE, id)).toHaveLength(1);

    // The document's 410 is the point here, not a page fault.
    w.expectRefusal('/quarantine/confirm');
    const again = await w.page.goto(link);
    expect(again?.status()).toBe(410);
    expect(await w.page.getByRole('alert').textContent()).toContain('already used');
    expect(await w.page.getByRole('button').count()).toBe(0);
    await w.page.screenshot({ path: path.join(SHOTS, 'digest-used.png'), fullPage: true });
    expect(await inboxCopies(gateway, ALICE, id)).toHaveLength(1);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });
});
