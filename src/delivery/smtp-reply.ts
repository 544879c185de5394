/** SMTP replies and nodemailer's errors, read into a code and a text. */
import type { RecipientReply } from '../core/ports.js';
import { classifyReply } from './bounce-rules.js';

/** The error shape nodemailer produces (its own type is not exported on a stable path). */
export interface SmtpError extends Error {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  recipient?: string;
  timeoutType?: string;
  rejectedErrors?: SmtpError[];
}

/** One SMTP reply: the three-digit code and the text after it. */
export interface Reply {
  code: number;
  text: string;
}

/** "550-5.1.1 a\n550 5.1.1 b" → {550, "5.1.1 a 5.1.1 b"}: the code lives in its own field. */
export function parseReply(raw: string): Reply {
  const lines = raw.split(/\r?\n/).filter((l) => l.trim() !== '');
  const code = Number(/^(\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const text = lines
    .map((l) => l.replace(/^\d{3}(?:[ -]|$)/, '').trim())
    .filter(Boolean)
    .join(' ');
  return { code, text };
}

export function toRecipientReply({ code, text }: Reply): RecipientReply {
  return { outcome: classifyReply(code, text).outcome, code, reply: text };
}

export function describeFailure(err: SmtpError): string {
  if (err.code === 'ETIMEDOUT') {
    const phase: Record<string, string> = {
      CONNECT_TIMEOUT: 'timed out connecting',
      GREETING_TIMEOUT: 'timed out waiting for the greeting',
      UPGRADE_TIMEOUT: 'timed out during the TLS handshake',
      SOCKET_TIMEOUT: 'timed out waiting for a reply',
    };
    return phase[err.timeoutType ?? ''] ?? 'timed out';
  }
  const cause = err.originalCode ?? err.code;
  return cause && !err.message.includes(cause) ? `${cause} ${err.message}` : err.message;
}
