/**
 * A TCP forwarder on 127.0.0.1:0 that a test can cut: live connections are destroyed and new ones
 * refused (accepted and closed at once, and counted), as when a database server goes away. It can
 * also lose one reply: the connection dies after the server acted on a request (say, a COMMIT)
 * but before its answer reaches the client, so the client cannot know the outcome.
 */
import { once } from 'node:events';
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connection attempts refused since the last cut(). */
  refused: number;
  cut(): void;
  restore(): void;
  /**
   * The next client bytes matching `request` reach the server; its reply is dropped and the
   * connection destroyed. Resolves once that happened.
   */
  loseReplyTo(request: RegExp): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
  let armed: { request: RegExp; fired: () => void } | undefined;
  const server = net.createServer((client) => {
    if (down) {
      proxy.refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    // Forwarded by hand (not piped) so that one reply can be swallowed.
    let loseNextReply: (() => void) | undefined;
    client.on('data', (chunk: Buffer) => {
      if (armed?.request.test(chunk.toString('latin1'))) {
        loseNextReply = armed.fired;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!loseNextReply) {
        client.write(chunk);
        return;
      }
      client.destroy();
      upstream.destroy();
      loseNextReply();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy: TcpProxy = {
    port: (server.address() as net.AddressInfo).port,
    refused: 0,
    cut() {
      down = true;
      proxy.refused = 0;
      for (const socket of open) socket.destroy();
    },
    restore() {
      down = false;
    },
    loseReplyTo(request) {
      return new Promise((fired) => {
        armed = { request, fired };
      });
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
