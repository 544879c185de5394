/** The trace header (RFC 5321 §4.4) the listener puts on top of every message it accepts. */
import type { InboundConnection } from '../core/screening.js';
import { rfc5322Date } from '../core/ingest.js';

/** Client-chosen text goes into a header: keep printable ASCII only and no comment/bracket breakers. */
function clean(value: string): string {
  return value.replace(/[^\x21-\x7e]/g, '?').replace(/[()[\]]/g, '?').slice(0, 255);
}

/** `Received: from helo (host [ip]) by us with ESMTP[S][A] id <queue id>; date` */
export function receivedHeader(c: InboundConnection, by: string, queueId: string, recipient: string | undefined, at: Date): string {
  const protocol = `ESMTP${c.tlsProtocol ? 'S' : ''}${c.authenticatedUser ? 'A' : ''}`;
  const tls = c.tlsProtocol ? ` (version=${clean(c.tlsProtocol)} cipher=${clean(c.tlsCipher ?? 'unknown')})` : '';
  const host = c.remoteHost ? `${clean(c.remoteHost)} ` : '';
  const forClause = recipient ? `\r\n\tfor <${clean(recipient)}>` : '';
  return `Received: from ${clean(c.helo) || 'unknown'} (${host}[${clean(c.remoteIp)}])\r\n\tby ${by} with ${protocol}${tls} id ${queueId}${forClause};\r\n\t${rfc5322Date(at)}\r\n`;
}
