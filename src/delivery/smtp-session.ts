/** One SMTP session to one target: connect, greet, STARTTLS, log in; and a polite quit. */
import net from 'node:net';
import tls from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { describeFailure, parseReply, type Reply, type SmtpError } from './smtp-reply.js';
import type { Settings } from './smtp-settings.js';
import { Transcript } from './smtp-transcript.js';

/** Where a session goes and how it must be secured. */
export interface Target {
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

export function where(target: Target, ip: string | undefined): string {
  const address = ip ?? (net.isIP(target.connectHost) ? target.connectHost : undefined);
  return address && address !== target.name ? `${target.name} [${address}]:${target.port}` : `${target.name}:${target.port}`;
}

/** A usable session and what the transports record about it. */
export interface Session {
  conn: SMTPConnection;
  target: Target;
  transcript: Transcript;
  remoteIp: string | undefined;
  tlsProtocol: string | undefined;
  tlsCipher: string | undefined;
  messages: number;
  /** The last transaction was refused: RSET before the next one. */
  needsReset: boolean;
  broken: boolean;
  ended: Promise<void>;
  idleTimer: NodeJS.Timeout | undefined;
}

export type Opened = { ok: true; session: Session } | { ok: false; reply: Reply; tlsFailed: boolean };

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

export function openSession(target: Target, s: Settings): Promise<Opened> {
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
          needsReset: false,
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
export async function quit(session: Session): Promise<void> {
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
