/** The quarantine digest email itself (docs/quarantine-digest.md): one per recipient, plain text and HTML, three links per message. */
import { escapeHtml } from '../core/html-escape.js';
import type { Submission } from '../core/message.js';
import type { DigestItem } from '../core/storage/digest-store.js';
import type { DigestAction } from '../auth/digest-links.js';

/** One listed message and the URL of each action offered for it. */
export interface DigestEntry {
  item: DigestItem;
  links: Partial<Record<DigestAction, string>>;
}

export const DIGEST_SUBJECT_PREFIX = 'Quarantine digest:';

const LABELS: Record<DigestAction, string> = { release: 'Release', block: 'Block sender', permit: 'Permit sender' };

const scoreText = (item: DigestItem) => (item.spamScore === null ? 'not scored' : String(Math.round(item.spamScore * 10) / 10));
const senderText = (item: DigestItem) => item.fromHeader || item.mailFrom || '(no sender)';

function textBody(entries: readonly DigestEntry[], lifetimeText: string): string {
  const lines = [`These messages to you were held as spam. Each link opens a page where you confirm the action; links expire ${lifetimeText} and work once.`, ''];
  for (const { item, links } of entries) {
    lines.push(`From: ${senderText(item)}`, `Subject: ${item.subject || '(no subject)'}`, `Date: ${new Date(item.receivedAt).toUTCString()}`, `Spam score: ${scoreText(item)}`);
    for (const [action, url] of Object.entries(links)) lines.push(`${LABELS[action as DigestAction]}: ${url}`);
    lines.push('');
  }
  return lines.join('\r\n');
}

function htmlBody(entries: readonly DigestEntry[], lifetimeText: string): string {
  const rows = entries.map(({ item, links }) => {
    const actions = Object.entries(links).map(([action, url]) => `<a href="${escapeHtml(url)}">${LABELS[action as DigestAction]}</a>`);
    return [
      '<tr>',
      `<td>${escapeHtml(senderText(item))}</td>`,
      `<td>${escapeHtml(item.subject || '(no subject)')}</td>`,
      `<td>${escapeHtml(new Date(item.receivedAt).toUTCString())}</td>`,
      `<td>${escapeHtml(scoreText(item))}</td>`,
      `<td>${actions.join(' | ')}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<!doctype html><html><body>',
    `<p>These messages to you were held as spam. Each link opens a page where you confirm the action; links expire ${escapeHtml(lifetimeText)} and work once.</p>`,
    '<table><thead><tr><th>From</th><th>Subject</th><th>Date</th><th>Score</th><th>Actions</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody></table>`,
    '</body></html>',
  ].join('');
}

/**
 * The digest as a system submission from `postmaster@<the recipient's domain>`: a local sender, so
 * it travels the internal route, and postmaster is the address RFC 5321 4.5.1 says must exist.
 */
export function digestSubmission(recipient: string, entries: readonly DigestEntry[], expiresAt: number): Submission {
  const from = `postmaster@${recipient.slice(recipient.lastIndexOf('@') + 1)}`;
  const lifetimeText = `on ${new Date(expiresAt).toUTCString()}`;
  const count = entries.length;
  return {
    source: 'system',
    envelope: { mailFrom: from, rcptTo: [recipient] },
    content: {
      kind: 'compose',
      mail: {
        from: { address: from, name: 'Quarantine digest' },
        to: [{ address: recipient }],
        cc: [],
        bcc: [],
        replyTo: [],
        subject: `${DIGEST_SUBJECT_PREFIX} ${count} held message${count === 1 ? '' : 's'}`,
        text: textBody(entries, lifetimeText),
        html: htmlBody(entries, lifetimeText),
        attachments: [],
        // RFC 3834: machine-generated, so auto-responders stay quiet.
        headers: [{ name: 'Auto-Submitted', value: 'auto-generated' }],
      },
    },
    meta: { notice: 'quarantine-digest', recipient, items: entries.map((e) => e.item.messageId) },
  };
}
