/**
 * What the SMTP listener reports about its sessions (docs/operations-logs.md): a log line per
 * transaction (written by the DATA hook, which knows the queue id) and per session end, and the
 * replies to the steps the gateway decides (connect, AUTH, MAIL FROM, RCPT TO, DATA) counted by
 * class. The hooks are wrapped here rather than instrumented one by one.
 */
import type { Logger } from 'pino';
import type { SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { Gateway } from '../gateway.js';
import { codeClass } from '../metrics/registry.js';

type Hooks = Required<Pick<SMTPServerOptions, 'onConnect' | 'onAuth' | 'onMailFrom' | 'onRcptTo' | 'onData'>>;
type Callback = (err?: Error | null, ...rest: never[]) => void;
type Hook = (input: never, session: SMTPServerSession, callback: Callback) => void;

/** Who is on the other end, as both lines report it; never the password. */
function client(session: SMTPServerSession) {
  return {
    session: session.id,
    ip: session.remoteAddress,
    helo: session.hostNameAppearsAs || null,
    // smtp-server leaves `user` false until AUTH succeeds.
    user: session.user || null,
  };
}

/** One transaction: the envelope, the size read, the reply given and, when accepted, the queue id (our message id). */
export function logTransaction(
  log: Logger,
  session: SMTPServerSession,
  result: { size: number; code: number; reply: string; messageId?: string },
): void {
  const { mailFrom, rcptTo } = session.envelope;
  log.info(
    {
      ...client(session),
      mailFrom: mailFrom ? mailFrom.address : null,
      recipients: rcptTo.length,
      size: result.size,
      code: result.code,
      reply: result.reply,
      ...(result.messageId ? { messageId: result.messageId } : {}),
    },
    'smtp transaction',
  );
}

/**
 * The reply smtp-server sends for a hook's outcome: our refusals carry `responseCode`; the
 * fallbacks are smtp-server's own defaults for each step.
 */
const STEPS = {
  onConnect: { command: 'CONNECT', ok: 220, refused: 554 },
  onAuth: { command: 'AUTH', ok: 235, refused: 535 },
  onMailFrom: { command: 'MAIL', ok: 250, refused: 550 },
  onRcptTo: { command: 'RCPT', ok: 250, refused: 550 },
  onData: { command: 'DATA', ok: 250, refused: 450 },
} as const;

/** A session's own tallies, for the line written when it ends. */
interface Tally {
  startedAt: number;
  accepted: number;
  refused: number;
}

export function observeSessions(hooks: Hooks, gateway: Pick<Gateway, 'log' | 'metrics' | 'clock'>): Hooks & Pick<SMTPServerOptions, 'onClose'> {
  const { log, metrics, clock } = gateway;
  const tallies = new WeakMap<SMTPServerSession, Tally>();
  const tallyOf = (session: SMTPServerSession): Tally => {
    let tally = tallies.get(session);
    if (!tally) tallies.set(session, (tally = { startedAt: clock.now(), accepted: 0, refused: 0 }));
    return tally;
  };

  /** `callback` as the hook gets it: counts the reply the outcome becomes, then passes it on. */
  function replying(name: keyof Hooks, session: SMTPServerSession, callback: Callback): Callback {
    const step = STEPS[name];
    return (err, ...rest) => {
      const code = err ? Number((err as Error & { responseCode?: number }).responseCode ?? step.refused) : step.ok;
      metrics.smtpReplies.inc({ command: step.command, class: codeClass(code) });
      // A wrong password (535) or the connection closed after too many (421); not a lockout (454).
      if (name === 'onAuth' && (code === 535 || code === 421)) metrics.authFailures.inc({ way: 'smtp' });
      if (name === 'onData') tallyOf(session)[err ? 'refused' : 'accepted'] += 1;
      callback(err, ...rest);
    };
  }

  function observed(name: Exclude<keyof Hooks, 'onConnect'>): Hook {
    const hook = hooks[name] as unknown as Hook;
    return (input, session, callback) => hook(input, session, replying(name, session, callback));
  }

  return {
    onConnect(session, callback) {
      tallyOf(session);
      hooks.onConnect(session, replying('onConnect', session, callback));
    },
    onAuth: observed('onAuth'),
    onMailFrom: observed('onMailFrom'),
    onRcptTo: observed('onRcptTo'),
    onData: observed('onData'),
    onClose(session) {
      const tally = tallyOf(session);
      log.info(
        { ...client(session), tls: session.secure, accepted: tally.accepted, refused: tally.refused, ms: clock.now() - tally.startedAt },
        'smtp session closed',
      );
    },
  };
}
