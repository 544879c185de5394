/**
 * A TCP forwarder on 127.0.0.1:0 that a test can cut: live connections are destroyed and new ones
 * refused (accepted and closed at once, and counted), as when a database server goes away.
 */
import { once } from 'node:events';
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connection attempts refused since the last cut(). */
  refused: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let down = false;
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
    client.pipe(upstream).pipe(client);
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
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
