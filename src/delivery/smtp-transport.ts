/**
 * SMTP transports: a smart-host relay and direct MX delivery, both on nodemailer's SMTPConnection,
 * with a small per-target pool of idle connections.
 */
import { isAscii } from 'node:buffer';
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { RelayConfig } from '../config/config.js';
import { systemClock, type AttemptRecord, type Clock, type OutboundEnvelope, type RecipientReply, type Transport } from '../core/ports.js';
import type { TransportName } from '../core/tracking.js';
import { classifyReply } from './bounce-rules.js';

/** Options shared by the relay and MX transports; times in milliseconds. */
export interface SmtpTransportOptions {
  /** Our EHLO name. */
  hostname: string;
  clock?: Clock;
  /** From connect() to a usable session, across DNS, TCP, greeting and STARTTLS. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  /** Silence allowed mid-transaction; RFC 5321 §4.5.3.2 asks for 10 minutes after the final dot. */
  socketTimeoutMs?: number;
  /** How long an idle connection waits for the next message to the same target. */
  idleMs?: number;
  maxIdlePerTarget?: number;
  /** Some receivers throttle long sessions; a fresh connection now and then avoids that. */
  maxMessagesPerConnection?: number;
}

/** `?tls=insecure` on the relay URL: accept a self-signed or mismatched relay certificate. */
export type RelayTransportConfig = RelayConfig;

/** Resolves a host name to its addresses (A and AAAA). */
export type AddressLookup = (host: string) => Promise<string[]>;

export interface MxTransportOptions extends SmtpTransportOptions {
  /** Config.mxPort; 25 in production, a test sink's port in tests. */
  port: number;
  resolver?: dns.promises.Resolver;
  lookup?: AddressLookup;
  /** RFC 5321 §5.1 wants at least two addresses tried; more than a few only delays the retry. */
  maxAddressesPerAttempt?: number;
}

const DEFAULTS = {
  connectionTimeoutMs: 30_000,
  greetingTimeoutMs: 60_000,
  socketTimeoutMs: 10 * 60_000,
  idleMs: 5_000,
  maxIdlePerTarget: 2,
  maxMessagesPerConnection: 100,
  maxAddressesPerAttempt: 5,
};

type Settings = Required<Omit<SmtpTransportOptions, 'clock'>> & { clock: Clock };

function settingsOf(opts: SmtpTransportOptions): Settings {
  return {
    hostname: opts.hostname,
    clock: opts.clock ?? systemClock,
    connectionTimeoutMs: opts.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
    greetingTimeoutMs: opts.greetingTimeoutMs ?? DEFAULTS.greetingTimeoutMs,
    socketTimeoutMs: opts.socketTimeoutMs ?? DEFAULTS.socketTimeoutMs,
    idleMs: opts.idleMs ?? DEFAULTS.idleMs,
    maxIdlePerTarget: opts.maxIdlePerTarget ?? DEFAULTS.maxIdlePerTarget,
    maxMessagesPerConnection: opts.maxMessagesPerConnection ?? DEFAULTS.maxMessagesPerConnection,
  };
}

/** The error shape nodemailer produces (its own type is not exported on a stable path). */
interface SmtpError extends Error {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  recipient?: string;
  timeoutType?: string;
  rejectedErrors?: SmtpError[];
}

interface Reply {
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

function toRecipientReply({ code, text }: Reply): RecipientReply {
  return { outcome: classifyReply(code, text).outcome, code, reply: text };
}

interface Target {
  /** Pool key: the name we route to, not the address, so every address of a host shares it. */
  key: string;
  /** Relay or MX host name, reported as `remoteHost`. */
  name: string;
  /** What the socket connects to: the name itself, or one of its addresses. */
  connectHost: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  /** False skips STARTTLS (the plaintext retry after a failed opportunistic handshake). */
  startTls: boolean;
  /** Retry in plaintext when the STARTTLS handshake fails (MX only: never with credentials). */
  plaintextFallback: boolean;
  verifyCertificate: boolean;
  auth?: { user: string; pass: string };
}

function where(target: Target, ip: string | undefined): string {
  const address = ip ?? (net.isIP(target.connectHost) ? target.connectHost : undefined);
  return address && address !== target.name ? `${target.name} [${address}]:${target.port}` : `${target.name}:${target.port}`;
}

/**
 * Pairs each command nodemailer writes with the reply it gets, through its transaction log:
 * the public API hands back neither the greeting nor the RCPT replies once DATA fails.
 */
class Transcript {
  greeting: string | undefined;
  private pending: string[] = [];
  private rcpt = new Map<string, string>();
  /** The DATA command got 354, so the body went out. */
  bodySent = false;

  readonly logger = {
    trace: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    fatal: () => undefined,
    debug: (entry: unknown, message: unknown) => this.record(entry, message),
  };

  beginTransaction(): void {
    this.rcpt.clear();
    this.bodySent = false;
  }

  rcptReply(address: string): string | undefined {
    return this.rcpt.get(address.toLowerCase());
  }

  private record(entry: unknown, message: unknown): void {
    if (typeof message !== 'string' || typeof entry !== 'object' || entry === null) return;
    const tnx = (entry as { tnx?: unknown }).tnx;
    if (tnx === 'client') {
      this.pending.push(message);
      return;
    }
    if (tnx !== 'server') return;
    const command = this.pending.shift();
    // Replies nobody asked for: the greeting, then end-of-data replies (the body is not a command).
    if (command === undefined) {
      this.greeting ??= message;
      return;
    }
    const rcpt = /^RCPT TO:<([^>]*)>/i.exec(command);
    if (rcpt) this.rcpt.set((rcpt[1] ?? '').toLowerCase(), message);
    else if (/^DATA$/i.test(command)) this.bodySent = message.startsWith('3');
  }
}

interface Session {
  conn: SMTPConnection;
  target: Target;
  transcript: Transcript;
  remoteIp: string | undefined;
  tlsProtocol: string | undefined;
  tlsCipher: string | undefined;
  messages: number;
  broken: boolean;
  ended: Promise<void>;
  idleTimer: NodeJS.Timeout | undefined;
}

type Opened = { ok: true; session: Session } | { ok: false; reply: Reply; tlsFailed: boolean };

function describeFailure(err: SmtpError): string {
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

/** Certificate and handshake failures surface as plain socket errors carrying OpenSSL's code. */
function isTlsFailure(err: SmtpError, handshaking: boolean): boolean {
  return handshaking || err.code === 'ETLS' || err.timeoutType === 'UPGRADE_TIMEOUT' || /CERT|SELF_SIGNED|UNABLE_TO_|SSL|TLS/.test(err.originalCode ?? '');
}

function connectFailure(target: Target, err: SmtpError, ip: string | undefined, handshaking: boolean): Opened {
  const at = where(target, ip);
  const tlsFailed = isTlsFailure(err, handshaking);
  const said = err.response ? parseReply(err.response) : undefined;
  const text = said
    ? `4.4.1 ${at} refused the session: ${said.code} ${said.text}`
    : tlsFailed
      ? `4.4.1 TLS with ${at} failed: ${describeFailure(err)}`
      : `4.4.1 connection to ${at} failed: ${describeFailure(err)}`;
  return { ok: false, reply: { code: 421, text }, tlsFailed };
}

function socketOf(conn: SMTPConnection): net.Socket | undefined {
  return conn._socket || undefined;
}

function openSession(target: Target, s: Settings): Promise<Opened> {
  return new Promise((resolve) => {
    const transcript = new Transcript();
    const servername = net.isIP(target.name) ? undefined : target.name;
    const conn = new SMTPConnection({
      host: target.connectHost,
      port: target.port,
      secure: target.secure,
      requireTLS: target.requireTls,
      ignoreTLS: !target.startTls,
      // Without requireTls, a refused STARTTLS leaves the session in plaintext (RFC 3207 §4.1).
      opportunisticTLS: !target.requireTls,
      ...(servername ? { servername } : {}),
      name: s.hostname,
      connectionTimeout: s.connectionTimeoutMs,
      greetingTimeout: s.greetingTimeoutMs,
      socketTimeout: s.socketTimeoutMs,
      socketCloseTimeout: 1_000,
      logger: transcript.logger,
      transactionLog: true,
      tls: { rejectUnauthorized: target.verifyCertificate, ...(servername ? { servername } : {}) },
    });
    let session: Session | undefined;
    let settled = false;
    let remoteIp: string | undefined;
    const fail = (err: SmtpError): void => {
      if (settled) return;
      settled = true;
      // Read before close(): `upgrading` says the failure came mid-handshake (STARTTLS).
      const handshaking = conn.upgrading === true;
      conn.close();
      resolve(connectFailure(target, err, remoteIp, handshaking));
    };
    // Errors after the session is handed out reach the send/reset callbacks; the listener keeps
    // an idle connection's late error from crashing the process and takes it out of service.
    conn.on('error', (err: SmtpError) => {
      if (session) session.broken = true;
      fail(err);
    });
    const ended = new Promise<void>((done) => {
      conn.once('end', () => {
        if (session) session.broken = true;
        fail(new Error('connection closed before the session was ready'));
        done();
      });
    });
    conn.connect((err) => {
      remoteIp = socketOf(conn)?.remoteAddress ?? remoteIp;
      if (err) return fail(err);
      const ready = (): void => {
        if (settled) return;
        settled = true;
        const socket = socketOf(conn);
        const secure = socket instanceof tls.TLSSocket ? socket : undefined;
        session = {
          conn,
          target,
          transcript,
          remoteIp: socket?.remoteAddress ?? remoteIp,
          tlsProtocol: secure?.getProtocol() ?? undefined,
          tlsCipher: secure?.getCipher()?.name,
          messages: 0,
          broken: false,
          ended,
          idleTimer: undefined,
        };
        resolve({ ok: true, session });
      };
      if (!target.auth) return ready();
      conn.login({ user: target.auth.user, pass: target.auth.pass }, (loginErr) => {
        if (!loginErr) return ready();
        if (settled) return;
        settled = true;
        conn.close();
        // A wrong password is a configuration fault: keep the mail queued while someone fixes
        // it rather than bounce everything (RFC 4954 §6: 454 4.7.0 temporary authentication failure).
        const said = loginErr.response ? parseReply(loginErr.response) : undefined;
        const detail = said ? `${said.code} ${said.text}` : loginErr.message;
        resolve({ ok: false, tlsFailed: false, reply: { code: 454, text: `4.7.0 authentication with ${where(target, remoteIp)} failed: ${detail}` } });
      });
    });
  });
}

/** Ends a session politely, but never waits long for a peer that stopped answering. */
async function quit(session: Session): Promise<void> {
  if (session.idleTimer) clearTimeout(session.idleTimer);
  session.broken = true;
  session.conn.quit();
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<void>((done) => {
    timer = setTimeout(() => {
      session.conn.close();
      done();
    }, 1_000);
    timer.unref();
  });
  await Promise.race([session.ended, cap]);
  clearTimeout(timer);
}

class SessionPool {
  private idle = new Map<string, Session[]>();
  private closed = false;

  constructor(private readonly s: Settings) {}

  has(key: string): boolean {
    return (this.idle.get(key) ?? []).some((x) => !x.broken);
  }

  /** A pooled session for `key`, RSET and known to answer, or undefined. */
  async take(key: string): Promise<Session | undefined> {
    for (;;) {
      const list = this.idle.get(key);
      const session = list?.pop();
      if (!session) return undefined;
      if (list && list.length === 0) this.idle.delete(key);
      if (session.idleTimer) clearTimeout(session.idleTimer);
      session.idleTimer = undefined;
      if (session.broken) continue;
      // RSET both clears whatever the last transaction left and proves the peer is still there.
      const alive = await Promise.race([
        new Promise<boolean>((done) => session.conn.reset((err) => done(!err))),
        session.ended.then(() => false),
      ]);
      if (alive && !session.broken) return session;
      void quit(session);
    }
  }

  give(session: Session): void {
    const list = this.idle.get(session.target.key) ?? [];
    if (this.closed || session.broken || session.messages >= this.s.maxMessagesPerConnection || list.length >= this.s.maxIdlePerTarget) {
      void quit(session);
      return;
    }
    list.push(session);
    this.idle.set(session.target.key, list);
    session.idleTimer = setTimeout(() => {
      const current = this.idle.get(session.target.key);
      const at = current?.indexOf(session) ?? -1;
      if (current && at >= 0) current.splice(at, 1);
      if (current?.length === 0) this.idle.delete(session.target.key);
      void quit(session);
    }, this.s.idleMs);
    // An idle connection must not keep the process alive at shutdown.
    session.idleTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map(quit));
  }
}

interface Sent {
  err: SmtpError | null;
  response: string | undefined;
  messageSize: number | undefined;
}

function transact(session: Session, envelope: OutboundEnvelope, raw: Buffer): Promise<Sent> {
  session.transcript.beginTransaction();
  return new Promise((resolve) => {
    session.conn.send(
      { from: envelope.mailFrom, to: envelope.rcptTo, size: raw.length, use8BitMime: !isAscii(raw) },
      raw,
      (err, info) => resolve({ err: err ?? null, response: info?.response, messageSize: info?.messageSize }),
    );
  });
}

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

/** A recoverable SMTP error leaves the session usable; anything else ends it. */
function sessionSurvives(err: SmtpError | null): boolean {
  return err === null || err.code === 'EENVELOPE' || err.code === 'EMESSAGE';
}

type Route = { ok: true; targets: Target[][] } | { ok: false; reply: Reply };

/**
 * The engine both transports share: `route` turns a domain into candidate targets (outer list:
 * hosts in preference order; inner: one host's addresses) and this sends over the first that
 * connects, preferring a pooled session to any of them.
 */
function createSmtpTransport(
  name: TransportName,
  s: Settings,
  route: (domain: string) => Promise<Route>,
  maxConnects: number,
): Transport {
  const pool = new SessionPool(s);

  function failAll(envelope: OutboundEnvelope, reply: Reply, startedAt: number, extra: Partial<AttemptRecord> = {}): AttemptRecord {
    const replies: Record<string, RecipientReply> = {};
    for (const address of envelope.rcptTo) replies[address] = toRecipientReply(reply);
    return { transport: name, startedAt, endedAt: s.clock.now(), bytes: 0, replies, ...extra };
  }

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
    async send(envelope, raw) {
      const startedAt = s.clock.now();
      if (envelope.rcptTo.length === 0) return { transport: name, startedAt, endedAt: startedAt, bytes: 0, replies: {} };
      const routed = await route(envelope.domain);
      if (!routed.ok) return failAll(envelope, routed.reply, startedAt);
      const opened = await acquire(routed.targets);
      if (!opened.ok) return failAll(envelope, opened.reply, startedAt);
      const { session } = opened;
      const sent = await transact(session, envelope, raw);
      session.messages++;
      if (!sessionSurvives(sent.err)) session.broken = true;
      const record: AttemptRecord = {
        transport: name,
        startedAt,
        endedAt: s.clock.now(),
        remoteHost: session.target.name,
        ...(session.remoteIp ? { remoteIp: session.remoteIp } : {}),
        ...(session.transcript.greeting ? { greeting: session.transcript.greeting } : {}),
        ...(session.tlsProtocol ? { tlsProtocol: session.tlsProtocol } : {}),
        ...(session.tlsCipher ? { tlsCipher: session.tlsCipher } : {}),
        // The message's own size once its body went out; the wire count adds dot-stuffing and the final dot.
        bytes: sent.messageSize !== undefined || session.transcript.bodySent ? raw.length : 0,
        replies: repliesOf(session, envelope, sent),
      };
      pool.give(session);
      return record;
    },
    close: () => pool.close(),
  };
}

/** Sends everything through one smart host, authenticating when the relay URL has credentials. */
export function createRelayTransport(relay: RelayTransportConfig, opts: SmtpTransportOptions): Transport {
  const target: Target = {
    key: `${relay.host}:${relay.port}`,
    name: relay.host,
    connectHost: relay.host,
    port: relay.port,
    secure: relay.secure,
    requireTls: relay.requireTls,
    startTls: true,
    plaintextFallback: false,
    verifyCertificate: !relay.insecureTls,
    ...(relay.user !== undefined ? { auth: { user: relay.user, pass: relay.pass ?? '' } } : {}),
  };
  return createSmtpTransport('relay', settingsOf(opts), async () => ({ ok: true, targets: [[target]] }), 1);
}

const defaultLookup: AddressLookup = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

function dnsCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'EUNKNOWN';
}

/** NXDOMAIN and "no records of this type", from c-ares (ENOTFOUND/ENODATA) or getaddrinfo. */
function isNoSuchName(code: string): boolean {
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME' || code === 'EAI_NODATA';
}

/** Delivers straight to each domain's MX hosts (RFC 5321 §5.1), with opportunistic STARTTLS. */
export function createMxTransport(opts: MxTransportOptions): Transport {
  const s = settingsOf(opts);
  const resolver = opts.resolver ?? new dns.promises.Resolver();
  const lookup = opts.lookup ?? defaultLookup;
  const port = opts.port;

  const target = (host: string, address: string): Target => ({
    key: `${host}:${port}`,
    name: host,
    connectHost: address,
    port,
    secure: false,
    requireTls: false,
    startTls: true,
    plaintextFallback: true,
    // MX names cannot be authenticated without DANE or MTA-STS, so a certificate check only
    // pushes mail to plaintext (RFC 7435 opportunistic security); the TLS used is still recorded.
    verifyCertificate: false,
  });

  async function route(domain: string): Promise<Route> {
    const literal = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(domain)?.[1];
    if (literal && net.isIP(literal)) return { ok: true, targets: [[target(literal, literal)]] };

    let hosts: string[];
    let implicit = false;
    try {
      const records = await resolver.resolveMx(domain);
      const real = records.filter((r) => r.exchange !== '' && r.exchange !== '.');
      // RFC 7505: a lone "MX 0 ." says the domain accepts no mail at all.
      if (records.length > 0 && real.length === 0) {
        return { ok: false, reply: { code: 556, text: `5.1.10 ${domain} does not accept mail (null MX)` } };
      }
      hosts = real.sort((a, b) => a.priority - b.priority).map((r) => r.exchange.replace(/\.$/, ''));
    } catch (err) {
      const code = dnsCode(err);
      if (!isNoSuchName(code)) {
        return { ok: false, reply: { code: 451, text: `4.4.3 MX lookup for ${domain} failed: ${code}` } };
      }
      hosts = [];
    }
    // RFC 5321 §5.1: no MX records means the domain itself is the (implicit, preference 0) MX.
    if (hosts.length === 0) {
      hosts = [domain];
      implicit = true;
    }

    const targets: Target[][] = [];
    let lookupFailure: string | undefined;
    for (const host of hosts) {
      try {
        const addresses = net.isIP(host) ? [host] : await lookup(host);
        if (addresses.length > 0) targets.push(addresses.map((a) => target(host, a)));
      } catch (err) {
        const code = dnsCode(err);
        lookupFailure ??= `${host}: ${code}`;
        if (implicit && isNoSuchName(code)) {
          return { ok: false, reply: { code: 550, text: `5.1.2 ${domain}: domain not found (no MX, A or AAAA record)` } };
        }
      }
    }
    if (targets.length === 0) {
      // The MX records exist but name nothing we can reach: a DNS fault on their side, usually fixed.
      return { ok: false, reply: { code: 451, text: `4.4.3 no address for the mail servers of ${domain} (${lookupFailure ?? 'no records'})` } };
    }
    return { ok: true, targets };
  }

  return createSmtpTransport('mx', s, route, opts.maxAddressesPerAttempt ?? DEFAULTS.maxAddressesPerAttempt);
}
