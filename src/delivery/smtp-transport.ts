/**
 * The SMTP delivery engine the relay and MX transports share, on nodemailer's SMTPConnection,
 * with a small per-target pool of idle connections.
 */
import type { Transport } from '../core/ports.js';
import type { TransportName } from '../core/tracking.js';
import { failedAttempt, sessionAttempt } from './attempt-record.js';
import { SessionPool } from './session-pool.js';
import type { Reply } from './smtp-reply.js';
import { openSession, quit, type Opened, type Target } from './smtp-session.js';
import type { Settings } from './smtp-settings.js';
import { sessionSurvives, transact, wentStale } from './smtp-transaction.js';

/** Where a domain's mail may go, or the reply for every recipient when it can go nowhere. */
export type Route = { ok: true; targets: Target[][] } | { ok: false; reply: Reply };

/**
 * The engine both transports share: `route` turns a domain into candidate targets (outer list:
 * hosts in preference order; inner: one host's addresses) and this sends over the first that
 * connects, preferring a pooled session to any of them.
 */
export function createSmtpTransport(
  name: TransportName,
  s: Settings,
  route: (domain: string) => Promise<Route>,
  maxConnects: number,
): Transport {
  const pool = new SessionPool(s);

  async function acquire(targets: Target[][]): Promise<Opened> {
    for (const host of targets) {
      const key = host[0]?.key;
      if (key && pool.has(key)) {
        const session = await pool.take(key);
        if (session) return { ok: true, session };
      }
    }
    let last: Opened | undefined;
    let connects = 0;
    for (const host of targets) {
      for (const target of host) {
        if (connects++ >= maxConnects) return last ?? { ok: false, tlsFailed: false, reply: { code: 421, text: '4.4.1 no address to connect to' } };
        let opened = await openSession(target, s);
        // Opportunistic TLS (RFC 7435): a broken handshake must not make the host unreachable.
        if (!opened.ok && opened.tlsFailed && target.plaintextFallback) {
          opened = await openSession({ ...target, startTls: false, plaintextFallback: false }, s);
        }
        if (opened.ok) return opened;
        last = opened;
        // An authentication refusal is about us, not the host: another address will say the same.
        if (opened.reply.code === 454) return opened;
      }
    }
    return last ?? { ok: false, tlsFailed: false, reply: { code: 421, text: '4.4.1 no address to connect to' } };
  }

  return {
    async send(envelope, content) {
      const startedAt = s.clock.now();
      if (envelope.rcptTo.length === 0) return { transport: name, startedAt, endedAt: startedAt, bytes: 0, replies: {} };
      const routed = await route(envelope.domain);
      if (!routed.ok) return failedAttempt(name, envelope, routed.reply, startedAt, s.clock.now());
      for (;;) {
        const opened = await acquire(routed.targets);
        if (!opened.ok) return failedAttempt(name, envelope, opened.reply, startedAt, s.clock.now());
        const { session } = opened;
        const sent = await transact(session, envelope, content);
        // Each stale session leaves the pool, so this ends at a new connection at the latest.
        if (wentStale(session, sent.err)) {
          void quit(session);
          continue;
        }
        session.messages++;
        session.needsReset = sent.err !== null;
        if (!sessionSurvives(sent.err)) session.broken = true;
        const record = sessionAttempt(name, session, envelope, content, sent, startedAt, s.clock.now());
        pool.give(session);
        return record;
      }
    },
    close: () => pool.close(),
  };
}
