/**
 * The inbound SMTP listener (smtp-server): mail for the local domains from anyone (as an MX),
 * relaying only for clients that authenticated with a local user's password (submission). Every
 * message goes through ingest(), like the APIs'; the reply to DATA names the queue id.
 */
import dns from 'node:dns';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { GuessRefused } from '../auth/guess-guard.js';
import { authenticateUser } from '../auth/passwords.js';
import { MailgateError, isMailgateError } from '../core/errors.js';
import { domainOf } from '../core/ingest.js';
import type { InboundConnection } from '../core/screening.js';
import { queuedReplyText } from '../core/tracking.js';
import { assertAddress } from '../core/validate.js';
import type { Gateway } from '../gateway.js';
import type { UserRecord } from '../core/storage/store.js';
import { matchesAddressPattern } from '../core/address-pattern.js';
import { claimsLocalDomain } from '../core/send-as.js';
import { networkMatcher } from '../config/networks.js';
import { assertWellFormed, normalizeLineEnds } from './message-checks.js';
import { receivedHeader } from './received-header.js';
import { loadTlsMaterial } from './tls.js';

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

const BANNER = 'mailgate';

function reverseResolver(servers: readonly string[]): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([...servers]);
  return resolver;
}

/** An error smtp-server sends as `code text`; `smtpReply` is e.g. `550 5.1.1`. */
function smtpError(reply: string, text: string): Error {
  const [code = '451', enhanced] = reply.split(' ');
  return Object.assign(new Error(enhanced ? `${enhanced} ${text}` : text), { responseCode: Number(code) });
}

function fromMailgateError(error: MailgateError): Error {
  return smtpError(error.smtpReply, error.message);
}

interface SessionState {
  user?: UserRecord;
  /** The client is in MAILGATE_SMTP_TRUSTED_NETWORKS. */
  trusted: boolean;
  /** Failed AUTH commands on this connection; at the limit the connection is closed. */
  authFailures?: number;
  startedAt: number;
}

/** Starts listening on MAILGATE_SMTP_HOST:MAILGATE_SMTP_PORT. */
export async function startSmtpListener(gateway: Gateway): Promise<SmtpListener> {
  const { config, store, log, clock } = gateway;
  const local = new Set(config.localDomains);
  const isLocal = (domain: string) => local.has(domain);
  const isTrusted = networkMatcher(config.smtpTrustedNetworks);
  const tls = await loadTlsMaterial(config);
  const states = new WeakMap<SMTPServerSession, SessionState>();
  const stateOf = (session: SMTPServerSession): SessionState => {
    let state = states.get(session);
    if (!state) states.set(session, (state = { trusted: isTrusted(session.remoteAddress), startedAt: clock.now() }));
    return state;
  };

  const server = new SMTPServer({
    name: config.hostname,
    banner: BANNER,
    key: tls.key,
    cert: tls.cert,
    size: config.maxMessageBytes,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    // AUTH only inside TLS: passwords never cross the wire in the clear.
    allowInsecureAuth: false,
    // Not implemented behind the listener, so not advertised.
    hideDSN: true,
    hideREQUIRETLS: true,
    logger: false,
    // The client's host name comes from the configured DNS servers, like every other lookup.
    ...(config.dnsServers.length > 0 ? { resolver: reverseResolver(config.dnsServers) } : {}),

    onConnect(session, callback) {
      stateOf(session);
      callback();
    },

    onAuth(auth: SMTPServerAuthentication, session, callback) {
      const username = auth.username ?? '';
      const password = auth.password ?? '';
      const guess = { kind: 'user', account: username, ip: session.remoteAddress, way: 'smtp-auth' } as const;
      const state = stateOf(session);
      gateway.guesses.attempt(guess, () => authenticateUser(store, username, password)).then(
        (user) => {
          state.user = user;
          callback(null, { user: user.email });
        },
        (error: unknown) => {
          state.authFailures = (state.authFailures ?? 0) + 1;
          // smtp-server closes the connection after sending a 421 (RFC 5321 3.8): a client that
          // keeps guessing must reconnect, and every reconnect meets the shared counts again.
          if (state.authFailures >= config.smtpAuthFailuresPerConnection) {
            return callback(smtpError('421 4.7.0', 'Too many failed authentication attempts, closing connection'));
          }
          if (error instanceof GuessRefused) return callback(fromMailgateError(error));
          if (isMailgateError(error) && error.code !== 'internal' && error.code !== 'unavailable') {
            return callback(smtpError('535 5.7.8', 'Authentication credentials invalid'));
          }
          log.error({ err: error }, 'smtp auth check failed');
          callback(smtpError('454 4.7.0', 'Temporary authentication failure'));
        },
      );
    },

    onMailFrom(address: SMTPServerAddress, session, callback) {
      void (async () => {
        const from = address.address === '' ? '' : assertAddress(address.address, 'MAIL FROM');
        const user = stateOf(session).user;
        // The send-as rule ingest() applies to the whole message, asked early for the envelope.
        if (user) await gateway.checkSendAs({ userId: user.id, email: user.email }, [{ address: from, field: 'MAIL FROM' }]);
        if (!user && from !== '') {
          // Refuse blocked senders before the data is sent; header From is checked after DATA.
          const blocked = (await store.listSenderEntries('blocked')).find((e) => matchesAddressPattern(e.pattern, from));
          if (blocked) throw new MailgateError('sender_forbidden', `The sender is blocked (${blocked.pattern})`);
        }
      })().then(
        () => callback(),
        (error: unknown) => callback(isMailgateError(error) ? fromMailgateError(error) : smtpError('451 4.3.0', 'Temporary failure')),
      );
    },

    onRcptTo(address: SMTPServerAddress, session, callback) {
      void (async () => {
        const rcpt = assertAddress(address.address, 'RCPT TO');
        const { user, trusted } = stateOf(session);
        if (!local.has(domainOf(rcpt))) {
          if (!user) throw smtpError('554 5.7.1', `Relay access denied for <${rcpt}>`);
          return;
        }
        // Only an authenticated user or a trusted network may claim a local domain (docs/sender-authority.md);
        // the header From is held to the same rule by ingest() after DATA.
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        if (!user && !trusted && claimsLocalDomain([{ address: mailFrom, field: 'MAIL FROM' }], isLocal)) {
          throw smtpError('550 5.7.1', `<${mailFrom}>: Sender address rejected: authentication required for a local domain`);
        }
        if (!(await store.getUserByEmail(rcpt))) throw smtpError('550 5.1.1', `<${rcpt}>: mailbox unavailable`);
      })().then(
        () => callback(),
        (error: unknown) => {
          if (isMailgateError(error)) return callback(fromMailgateError(error));
          if (error instanceof Error && 'responseCode' in error) return callback(error);
          log.error({ err: error }, 'smtp rcpt check failed');
          callback(smtpError('451 4.3.0', 'Temporary failure'));
        },
      );
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the rest is read and dropped; smtp-server sets sizeExceeded.
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.once('error', (error) => callback(error));
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          chunks.length = 0;
          return callback(smtpError('552 5.3.4', `Message exceeds the ${config.maxMessageBytes} byte limit`));
        }
        accept(Buffer.concat(chunks, size), session).then(
          (id) => callback(null, queuedReplyText(id)),
          (error: unknown) => {
            if (isMailgateError(error)) return callback(fromMailgateError(error));
            log.error({ err: error }, 'smtp message not accepted');
            callback(smtpError('451 4.3.0', 'Temporary failure, try again later'));
          },
        );
      });
    },
  });

  async function accept(data: Buffer, session: SMTPServerSession): Promise<string> {
    const state = stateOf(session);
    const raw = normalizeLineEnds(data);
    assertWellFormed(raw);
    const cipher = session.tlsOptions || undefined;
    const connection: InboundConnection = {
      remoteIp: session.remoteAddress,
      remoteHost: session.clientHostname && !session.clientHostname.startsWith('[') ? session.clientHostname : null,
      helo: session.hostNameAppearsAs ?? '',
      greeting: `220 ${config.hostname} ESMTP ${BANNER}`,
      tlsProtocol: cipher ? (cipher.version ?? null) : null,
      tlsCipher: cipher ? (cipher.standardName ?? cipher.name ?? null) : null,
      authenticatedUser: state.user?.email ?? null,
      trustedNetwork: state.trusted,
      transmissionStart: state.startedAt,
      transmissionEnd: clock.now(),
      transmissionSize: data.length,
    };
    const rcptTo = session.envelope.rcptTo.map((r) => r.address);
    const trace = receivedHeader(connection, config.hostname, session.id, rcptTo.length === 1 ? rcptTo[0] : undefined, new Date(clock.now()));
    const accepted = await gateway.ingest({
      source: 'smtp',
      ...(state.user ? { principal: { userId: state.user.id, email: state.user.email } } : {}),
      envelope: { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo },
      content: { kind: 'mime', raw: Buffer.concat([Buffer.from(trace, 'utf8'), raw]) },
      connection,
    });
    // The next transaction on this connection starts now.
    state.startedAt = clock.now();
    return accepted.id;
  }

  server.on('error', (error) => log.warn({ err: error }, 'smtp connection error'));
  server.listen(config.smtpPort, config.smtpHost);
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  log.info({ smtp: `${config.smtpHost}:${port}`, tls: tls.generated ? 'self-signed' : 'configured' }, 'smtp listener started');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
