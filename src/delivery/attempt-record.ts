/** The AttemptRecord of one delivery attempt: per-recipient replies and what the session showed. */
import { contentSize } from '../core/content.js';
import type { AttemptRecord, Content, OutboundEnvelope, RecipientReply } from '../core/ports.js';
import type { TransportName } from '../core/tracking.js';
import { describeFailure, parseReply, toRecipientReply, type Reply, type SmtpError } from './smtp-reply.js';
import { where, type Session } from './smtp-session.js';
import type { Sent } from './smtp-transaction.js';

/** The reply for recipients the transaction failed without a per-recipient verdict. */
function transactionFailure(session: Session, err: SmtpError): Reply {
  if (err.response && /^\d{3}/.test(err.response)) return parseReply(err.response);
  if (err.code === 'EMESSAGE' && err.command === 'MAIL FROM') {
    return { code: 552, text: `5.3.4 ${err.message}` };
  }
  if (err.command === 'API' && err.code === 'EENVELOPE') return { code: 553, text: `5.1.3 ${err.message}` };
  // The session was up, so this is a lost connection rather than one never made (RFC 3463 4.4.2).
  const during = err.command && err.command !== 'CONN' ? ` during ${err.command}` : '';
  return { code: 421, text: `4.4.2 connection to ${where(session.target, session.remoteIp)} lost${during}: ${describeFailure(err)}` };
}

function repliesOf(session: Session, envelope: OutboundEnvelope, sent: Sent): Record<string, RecipientReply> {
  const replies: Record<string, RecipientReply> = {};
  const { err } = sent;
  const failure = err ? transactionFailure(session, err) : undefined;
  for (const address of envelope.rcptTo) {
    const rcpt = session.transcript.rcptReply(address) ?? err?.rejectedErrors?.find((e) => e.recipient === address)?.response;
    let reply: Reply;
    if (err && err.command === 'MAIL FROM' && failure) reply = failure;
    else if (rcpt !== undefined && !rcpt.startsWith('2')) reply = parseReply(rcpt);
    else if (!err && sent.response) reply = parseReply(sent.response);
    else reply = failure ?? { code: 421, text: '4.4.2 no reply to the message' };
    replies[address] = toRecipientReply(reply);
  }
  return replies;
}

/** Every recipient gets the same reply: the attempt never reached a transaction. */
export function failedAttempt(
  transport: TransportName,
  envelope: OutboundEnvelope,
  reply: Reply,
  startedAt: number,
  endedAt: number,
): AttemptRecord {
  const replies: Record<string, RecipientReply> = {};
  for (const address of envelope.rcptTo) replies[address] = toRecipientReply(reply);
  return { transport, startedAt, endedAt, bytes: 0, replies };
}

/** A transaction ran over `session`: its replies plus the host, greeting and TLS it showed. */
export function sessionAttempt(
  transport: TransportName,
  session: Session,
  envelope: OutboundEnvelope,
  content: Content,
  sent: Sent,
  startedAt: number,
  endedAt: number,
): AttemptRecord {
  return {
    transport,
    startedAt,
    endedAt,
    remoteHost: session.target.name,
    ...(session.remoteIp ? { remoteIp: session.remoteIp } : {}),
    ...(session.transcript.greeting ? { greeting: session.transcript.greeting } : {}),
    ...(session.tlsProtocol ? { tlsProtocol: session.tlsProtocol } : {}),
    ...(session.tlsCipher ? { tlsCipher: session.tlsCipher } : {}),
    // The message's own size once its body went out; the wire count adds dot-stuffing and the final dot.
    bytes: sent.messageSize !== undefined || session.transcript.bodySent ? contentSize(content) : 0,
    replies: repliesOf(session, envelope, sent),
  };
}
