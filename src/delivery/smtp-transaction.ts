/** One mail transaction (MAIL, RCPT, DATA) over an open session. */
import { contentSize, isEightBit } from '../core/content.js';
import type { Content, OutboundEnvelope } from '../core/ports.js';
import type { SmtpError } from './smtp-reply.js';
import type { Session } from './smtp-session.js';

/** What nodemailer reported for one transaction. */
export interface Sent {
  err: SmtpError | null;
  response: string | undefined;
  messageSize: number | undefined;
}

/** A large message streams from its file, so no attempt holds all of it in memory (docs/storage.md#large-messages). */
export async function transact(session: Session, envelope: OutboundEnvelope, content: Content): Promise<Sent> {
  const use8BitMime = await isEightBit(content);
  session.transcript.beginTransaction();
  return new Promise((resolve) => {
    session.conn.send(
      { from: envelope.mailFrom, to: envelope.rcptTo, size: contentSize(content), use8BitMime },
      Buffer.isBuffer(content) ? content : content.stream(),
      (err, info) => resolve({ err: err ?? null, response: info?.response, messageSize: info?.messageSize }),
    );
  });
}

/** A recoverable SMTP error leaves the session usable; anything else ends it. */
export function sessionSurvives(err: SmtpError | null): boolean {
  return err === null || err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
}

/**
 * A reused session that failed before the server accepted MAIL FROM, with a dropped connection, a
 * timeout or 421: the server closed it while it sat idle, and the message can go out over another
 * connection, since the server has seen nothing of it (docs/smtp-connections.md).
 */
export function wentStale(session: Session, err: SmtpError | null): boolean {
  if (err === null || session.messages === 0 || session.transcript.mailAccepted) return false;
  return err.responseCode === 421 || err.code === 'ECONNECTION' || err.code === 'ESOCKET' || err.code === 'ETIMEDOUT';
}
