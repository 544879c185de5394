/**
 * Reading a delivered quarantine digest (docs/quarantine-digest.md) as its recipient would: the
 * copy filed in their inbox, parsed with mailparser, and the links listed per held message.
 */
import { simpleParser } from 'mailparser';
import { expect } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { waitFor } from './wait-for.js';

/** The copies of a message filed in a user's inbox (the local recipients' delivery sink). */
export async function inboxCopies(gateway: Gateway, address: string, messageId: string) {
  const user = await gateway.store.getUserByEmail(address);
  return (await gateway.store.listMailbox(user?.id as string, 'inbox')).filter((e) => e.messageId === messageId);
}

/** A digest's subject and its links per listed message (by the held message's subject). */
export async function readDigest(raw: Buffer): Promise<{ subject: string; links: Map<string, Record<string, string>> }> {
  const parsed = await simpleParser(raw);
  const links = new Map<string, Record<string, string>>();
  let subject = '';
  for (const line of (parsed.text ?? '').split(/\r?\n/)) {
    const field = /^(Subject|Release|Block sender|Permit sender): (.*)$/.exec(line);
    if (!field) continue;
    if (field[1] === 'Subject') subject = field[2] as string;
    else links.set(subject, { ...links.get(subject), [field[1] as string]: field[2] as string });
  }
  expect(parsed.html).toContain('/quarantine/confirm?t=');
  return { subject: parsed.subject ?? '', links };
}

/** Waits for the digest (a message id) in the recipient's inbox and reads it as delivered. */
export async function digestLinks(gateway: Gateway, address: string, digestId: string): ReturnType<typeof readDigest> {
  await waitFor(async () => (await inboxCopies(gateway, address, digestId)).length === 1, 'the digest in the inbox');
  const [entry] = await inboxCopies(gateway, address, digestId);
  return readDigest(await gateway.store.blobs.get(entry?.blobKey as string));
}

/** Sends the recipient's digest now; its message id. */
export async function sendDigest(gateway: Gateway, address: string): Promise<string> {
  const sent = await gateway.digest.sendNow(address);
  expect(sent).toHaveLength(1);
  return sent[0]?.messageId as string;
}
