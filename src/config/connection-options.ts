/**
 * Timeouts and connection caps of the HTTP(S) and SMTP listeners (docs/request-limits.md#slow-clients),
 * declared beside config.ts's OPTIONS and spread into it.
 */
import { int } from './parsers.js';

export interface ConnectionConfig {
  /** Seconds a socket may stay silent before it is closed (Fastify `connectionTimeout`). */
  httpConnectionTimeoutSeconds: number;
  /** Seconds from a request's first byte to its last, body included (Node `requestTimeout`). */
  httpRequestTimeoutSeconds: number;
  /** Seconds allowed for a request's headers (Node `headersTimeout`): the slow-header (slowloris) guard. */
  httpHeadersTimeoutSeconds: number;
  /** Seconds an idle keep-alive connection is kept between requests (Node `keepAliveTimeout`). */
  httpKeepAliveSeconds: number;
  /** Requests on one connection before it is closed; 0 = no limit (Node `maxRequestsPerSocket`). */
  httpMaxRequestsPerSocket: number;
  /** Open connections per HTTP listener; past it new ones are dropped at once (Node `maxConnections`). */
  httpMaxConnections: number;
  /** Megabytes of request bodies read whole that may be in memory at once; more requests wait (docs/request-limits.md#body-memory). */
  httpBodyMemoryMb: number;
  /** Seconds an SMTP client may stay silent (smtp-server `socketTimeout`). */
  smtpSocketTimeoutSeconds: number;
  /** SMTP sessions at once; past it a client is answered `421` and disconnected (smtp-server `maxClients`). */
  smtpMaxClients: number;
}

export function connectionOptions() {
  return {
    httpConnectionTimeoutSeconds: { key: 'httpConnectionTimeoutSeconds', env: 'MAILGATE_HTTP_CONNECTION_TIMEOUT_SECONDS', parse: int(1, 3600, 60) },
    // Node's own default; a 50 MB upload at 2 Mbit/s takes about 200 s.
    httpRequestTimeoutSeconds: { key: 'httpRequestTimeoutSeconds', env: 'MAILGATE_HTTP_REQUEST_TIMEOUT_SECONDS', parse: int(1, 86_400, 300) },
    httpHeadersTimeoutSeconds: { key: 'httpHeadersTimeoutSeconds', env: 'MAILGATE_HTTP_HEADERS_TIMEOUT_SECONDS', parse: int(1, 3600, 30) },
    // Fastify's default: longer than the 60 s idle timeout of common load balancers in front of it.
    httpKeepAliveSeconds: { key: 'httpKeepAliveSeconds', env: 'MAILGATE_HTTP_KEEP_ALIVE_SECONDS', parse: int(1, 3600, 72) },
    httpMaxRequestsPerSocket: { key: 'httpMaxRequestsPerSocket', env: 'MAILGATE_HTTP_MAX_REQUESTS_PER_SOCKET', parse: int(0, 10_000_000, 10_000) },
    httpMaxConnections: { key: 'httpMaxConnections', env: 'MAILGATE_HTTP_MAX_CONNECTIONS', parse: int(1, 1_000_000, 4096) },
    httpBodyMemoryMb: { key: 'httpBodyMemoryMb', env: 'MAILGATE_HTTP_BODY_MEMORY_MB', parse: int(1, 1 << 20, 32) },
    // smtp-server's default. RFC 5321 4.5.3.2 suggests minutes per command for a server; a cap on sessions, not a long timeout, is what keeps slow clients from crowding others out.
    smtpSocketTimeoutSeconds: { key: 'smtpSocketTimeoutSeconds', env: 'MAILGATE_SMTP_SOCKET_TIMEOUT_SECONDS', parse: int(1, 3600, 60) },
    smtpMaxClients: { key: 'smtpMaxClients', env: 'MAILGATE_SMTP_MAX_CLIENTS', parse: int(1, 1_000_000, 1000) },
  } as const;
}
