/**
 * What the SMTP listener does at each step of a session: AUTH through the guess guard, the send-as
 * rule and blocked senders at MAIL FROM, relay and local-domain rules and recipients' own blocked
 * senders at RCPT TO, and DATA handed to ingest() like API mail (docs/sender-authority.md).
 */
import type { SMTPServerAddress, SMTPServerAuthentication, SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import { authenticateUser } from '../auth/passwords.js';
import { networkMatcher } from '../config/networks.js';
import { matchesAddressPattern } from '../core/address-pattern.js';
import { MailgateError, isMailgateError } from '../core/errors.js';
import { domainOf } from '../core/ingest.js';
import type { InboundConnection } from '../core/screening.js';
import { recipientChoice } from '../core/recipient-senders.js';
import { claimsLocalDomain } from '../core/send-as.js';
import type { UserRecord } from '../core/storage/store.js';
import { queuedReplyText } from '../core/tracking.js';
import { assertAddress } from '../core/validate.js';
import type { Gateway } from '../gateway.js';
import { assertWellFormed, normalizeLineEnds } from './message-checks.js';
import { receivedHeader } from './received-header.js';
import { refusal, replyFor, smtpReply } from './replies.js';
import { logTransaction } from './session-observer.js';

interface SessionState {
  user?: UserRecord;
  /** The client is in MAILGATE_SMTP_TRUSTED_NETWORKS. */
  trusted: boolean;
  /** Failed AUTH commands on this connection; at the limit the connection is closed. */
  authFailures?: number;
  startedAt: number;
}

type Hooks = Required<Pick<SMTPServerOptions, 'onConnect' | 'onAuth' | 'onMailFrom' | 'onRcptTo' | 'onData'>>;

/** The session hooks for smtp-server; `greeting` is the banner line the listener sends. */
export function sessionHooks(gateway: Gateway, greeting: string): Hooks {
  const { config, store, log, clock } = gateway;
  const local = new Set(config.localDomains);
  const isLocal = (domain: string) => local.has(domain);
  const isTrusted = networkMatcher(config.smtpTrustedNetworks);
  const states = new WeakMap<SMTPServerSession, SessionState>();
  const stateOf = (session: SMTPServerSession): SessionState => {
    let state = states.get(session);
    if (!state) states.set(session, (state = { trusted: isTrusted(session.remoteAddress), startedAt: clock.now() }));
    return state;
  };

  async function checkSender(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const from = address.address === '' ? '' : assertAddress(address.address, 'MAIL FROM');
    const user = stateOf(session).user;
    // The send-as rule ingest() applies to the whole message, asked early for the envelope.
    if (user) await gateway.checkSendAs({ userId: user.id, email: user.email }, [{ address: from, field: 'MAIL FROM' }]);
    if (!user && from !== '') {
      // Refuse blocked senders before the data is sent; header From is checked after DATA.
      const blocked = (await store.listSenderEntries('blocked')).find((e) => matchesAddressPattern(e.pattern, from));
      if (blocked) throw new MailgateError('sender_forbidden', `The sender is blocked (${blocked.pattern})`);
    }
  }

  async function checkRecipient(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const rcpt = assertAddress(address.address, 'RCPT TO');
    const { user, trusted } = stateOf(session);
    if (!local.has(domainOf(rcpt))) {
      if (!user) throw new MailgateError('relay_denied', `Relay access denied for <${rcpt}>`);
      return gateway.checkSuppressed([rcpt]);
    }
    // Only an authenticated user or a trusted network may claim a local domain; the header From is
    // held to the same rule by ingest() after DATA.
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    if (!user && !trusted && claimsLocalDomain([{ address: mailFrom, field: 'MAIL FROM' }], isLocal)) {
      throw new MailgateError('sender_forbidden', `<${mailFrom}>: Sender address rejected: authentication required for a local domain`);
    }
    if (!(await store.getUserByEmail(rcpt))) throw new MailgateError('not_found', `<${rcpt}>: mailbox unavailable`);
    // The recipient's own blocked senders refuse this recipient only (docs/quarantine-digest.md).
    if (!user && mailFrom !== '' && recipientChoice(await store.listRecipientSenders([rcpt.toLowerCase()]), rcpt, [mailFrom]) === 'blocked') {
      throw new MailgateError('sender_forbidden', `<${rcpt}>: the recipient does not accept mail from <${mailFrom}>`);
    }
    await gateway.checkSuppressed([rcpt]);
  }

  async function accept(data: Buffer, session: SMTPServerSession): Promise<string> {
    const state = stateOf(session);
    const raw = normalizeLineEnds(data);
    assertWellFormed(raw);
    const cipher = session.tlsOptions || undefined;
    const connection: InboundConnection = {
      remoteIp: session.remoteAddress,
      remoteHost: session.clientHostname && !session.clientHostname.startsWith('[') ? session.clientHostname : null,
      helo: session.hostNameAppearsAs ?? '',
      greeting,
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

  return {
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
          if (state.authFailures >= config.smtpAuthFailuresPerConnection) return callback(refusal('auth_attempts_exhausted'));
          if (isMailgateError(error) && error.code === 'auth_locked_out') return callback(smtpReply(error));
          // Any other refusal says only "invalid credentials", never which part was wrong.
          if (isMailgateError(error) && error.code !== 'internal' && error.code !== 'unavailable') {
            return callback(refusal('auth_invalid_grant', 'Authentication credentials invalid'));
          }
          log.error({ err: error }, 'smtp auth check failed');
          callback(refusal('auth_unavailable'));
        },
      );
    },

    onMailFrom(address, session, callback) {
      checkSender(address, session).then(
        () => callback(),
        (error: unknown) => callback(replyFor(error, log, 'sender check')),
      );
    },

    onRcptTo(address, session, callback) {
      checkRecipient(address, session).then(
        () => callback(),
        (error: unknown) => callback(replyFor(error, log, 'recipient check')),
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
      const refuse = (reply: Error & { responseCode?: number }) => {
        logTransaction(log, session, { size, code: reply.responseCode ?? 450, reply: reply.message });
        callback(reply);
      };
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          chunks.length = 0;
          return refuse(refusal('too_large', `Message exceeds the ${config.maxMessageBytes} byte limit`));
        }
        accept(Buffer.concat(chunks, size), session).then(
          (id) => {
            const reply = queuedReplyText(id);
            logTransaction(log, session, { size, code: 250, reply, messageId: id });
            callback(null, reply);
          },
          (error: unknown) => refuse(replyFor(error, log, 'message acceptance')),
        );
      });
    },
  };
}
