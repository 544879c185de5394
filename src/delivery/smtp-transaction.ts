/** One mail transaction (MAIL, RCPT, DATA) over an open session. */
import { isAscii } from 'node:buffer';
import type { OutboundEnvelope } from '../core/ports.js';
import type { SmtpError } from './smtp-reply.js';
import type { Session } from './smtp-session.js';

/** What nodemailer reported for one transaction. */
export interface Sent {
  err: SmtpError | null;
  response: string | undefined;
  messageSize: number | undefined;
}

export function transact(session: Session, envelope: OutboundEnvelope, raw: Buffer): Promise<Sent> {
  session.transcript.beginTransaction();
  return new Promise((resolve) => {
    session.conn.send(
      { from: envelope.mailFrom, to: envelope.rcptTo, size: raw.length, use8BitMime: !isAscii(raw) },
      raw,
      (err, info) => resolve({ err: err ?? null, response: info?.response, messageSize: info?.messageSize }),
    );
  });
}

/** A recoverable SMTP error leaves the session usable; anything else ends it. */
export function sessionSurvives(err: SmtpError | null): boolean {
  return err === null || err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
}
