/**
 * The chaos suite's figures: what the load sent and was told, checked against what reached the
 * recording sink and what the database says was bounced with a notice; and the Markdown table
 * printed to stdout and written under test-results/ (MAILGATE_CHAOS_REPORT overrides the file).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SinkMessage } from '../helpers/smtp-sink.js';
import { idOf } from './clients.js';

/** One recipient row of a chaos message, as the database holds it. */
export interface RecipientRow {
  subject: string;
  status: string;
  notices: number | string;
}

/** The SQL that reads them, the same on SQLite and PostgreSQL. */
export const RECIPIENT_ROWS_SQL = `SELECT m.subject AS subject, r.status AS status,
  (SELECT count(*) FROM events e WHERE e.message_id = m.id AND e.kind = 'notice_sent') AS notices
  FROM messages m JOIN recipients r ON r.message_id = m.id WHERE m.subject LIKE 'chaos-%'`;

export interface Figures {
  scenario: string;
  sent: number;
  accepted: number;
  delivered: number;
  bounced: number;
  lost: string[];
  duplicates: number;
  /** Accepted ids that were never answered 2xx/250 but were committed and delivered anyway (a kill after the commit). */
  unacknowledged: number;
  drainMs: number;
  rssMb: { before: number; peak: number; after: number };
  kills: number;
  /** Restarts of the PostgreSQL server during the load. */
  databaseRestarts: number;
  /** Milliseconds from each restart (listening again) to the sink's next delivery. */
  restartToDeliveryMs: number[];
}

/** Delivered, bounced-with-notice and lost, from the accepted ids, the sink and the database. */
export function tally(accepted: ReadonlySet<string>, sink: readonly SinkMessage[], rows: readonly RecipientRow[]) {
  const copies = new Map<string, number>();
  for (const m of sink) {
    const id = idOf(m.raw);
    if (id) copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const bouncedWithNotice = new Set(rows.filter((r) => r.status === 'bounced' && Number(r.notices) > 0).map((r) => r.subject));
  const delivered = [...accepted].filter((id) => copies.has(id));
  const bounced = [...accepted].filter((id) => !copies.has(id) && bouncedWithNotice.has(id));
  const lost = [...accepted].filter((id) => !copies.has(id) && !bouncedWithNotice.has(id));
  const duplicates = [...copies.values()].reduce((sum, n) => sum + n - 1, 0);
  const unacknowledged = [...copies.keys()].filter((id) => !accepted.has(id)).length;
  return { delivered: delivered.length, bounced: bounced.length, lost, duplicates, unacknowledged, distinct: copies.size };
}

const HEADER = [
  'scenario',
  'sent',
  'accepted',
  'delivered',
  'bounced',
  'lost',
  'duplicates /1,000',
  'unacknowledged',
  'kills + DB restarts',
  'restart → delivery (ms)',
  'drain (s)',
  'RSS MB before / peak / after',
];

function row(f: Figures): string[] {
  const perThousand = f.delivered + f.bounced === 0 ? 0 : (f.duplicates * 1000) / (f.delivered + f.bounced);
  return [
    f.scenario,
    String(f.sent),
    String(f.accepted),
    String(f.delivered),
    String(f.bounced),
    String(f.lost.length),
    `${f.duplicates} (${perThousand.toFixed(1)})`,
    String(f.unacknowledged),
    `${f.kills} + ${f.databaseRestarts}`,
    f.restartToDeliveryMs.length === 0 ? '–' : f.restartToDeliveryMs.map((ms) => String(Math.round(ms))).join(', '),
    (f.drainMs / 1000).toFixed(1),
    `${f.rssMb.before} / ${f.rssMb.peak} / ${f.rssMb.after}`,
  ];
}

/** A Markdown table of each scenario's figures. */
export function markdownTable(all: readonly Figures[]): string {
  const lines = [HEADER, HEADER.map(() => '---'), ...all.map(row)].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

/** Prints `table` and appends it, with a title, to the report file. */
export function publish(title: string, table: string): string {
  const file = process.env.MAILGATE_CHAOS_REPORT ?? path.resolve(import.meta.dirname, '../../test-results/chaos.md');
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `\n## ${title} (${new Date().toISOString()})\n\n${table}\n`);
  console.log(`\n${title}\n\n${table}\n\n(written to ${file})`);
  return file;
}
