/** A bare SMTP client on a real socket, for what nodemailer hides: several AUTH commands on one connection. */
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

export interface RawSmtp {
  /** Sends one line and answers the whole reply (all lines of a multi-line one). */
  command(line: string): Promise<string>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
  end(): void;
}

function replies(socket: net.Socket): { next(): Promise<string>; closed: Promise<void> } {
  let buffer = '';
  const ready: string[] = [];
  const waiting: Array<(reply: string) => void> = [];
  let current: string[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      current.push(line);
      // A reply ends with the line whose code is followed by a space (RFC 5321 4.2.1).
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = current.join('\n');
        current = [];
        const waiter = waiting.shift();
        if (waiter) waiter(reply);
        else ready.push(reply);
      }
    }
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    next: () => {
      const reply = ready.shift();
      if (reply !== undefined) return Promise.resolve(reply);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        void closed.then(() => reject(new Error('connection closed before a reply')));
      });
    },
    closed,
  };
}

/** Connects, says EHLO, upgrades with STARTTLS (AUTH is only offered inside TLS) and says EHLO again. */
export async function openSmtpWithTls(port: number): Promise<RawSmtp> {
  const plain = net.connect(port, '127.0.0.1');
  await once(plain, 'connect');
  const first = replies(plain);
  await first.next();
  plain.write('EHLO client.test\r\n');
  await first.next();
  plain.write('STARTTLS\r\n');
  const ready = await first.next();
  if (!ready.startsWith('220')) throw new Error(`STARTTLS refused: ${ready}`);
  plain.removeAllListeners('data');
  const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
  await once(secure, 'secureConnect');
  const session = replies(secure);
  const client: RawSmtp = {
    async command(line) {
      secure.write(`${line}\r\n`);
      return session.next();
    },
    closed: session.closed,
    end: () => secure.end(),
  };
  await client.command('EHLO client.test');
  return client;
}

/** `AUTH PLAIN` with the credentials in the initial response (RFC 4616). */
export function authPlain(user: string, pass: string): string {
  return `AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`, 'utf8').toString('base64')}`;
}
