/** A webhook endpoint on loopback: records every POST (raw body and headers); can answer errors, go down and come back on its port. */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; createdAt: string; data: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface WebhookReceiver {
  url: string;
  /** Every POST answered 2xx, in arrival order. */
  accepted: ReceivedWebhook[];
  /** Every POST that arrived, whatever the answer. */
  arrived: number;
  /** The status the next POSTs get (200 by default). */
  status: number;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let server: http.Server | undefined;
  const receiver: WebhookReceiver = {
    url: '',
    accepted: [],
    arrived: 0,
    status: 200,
    async down() {
      if (!server) return;
      const closing = server;
      server = undefined;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async up() {
      server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          receiver.arrived += 1;
          const status = receiver.status;
          if (status >= 200 && status < 300) {
            const raw = Buffer.concat(chunks).toString('utf8');
            receiver.accepted.push({ headers: request.headers, raw, body: JSON.parse(raw) as ReceivedWebhook['body'] });
          }
          response.writeHead(status, { 'content-type': 'text/plain' }).end('thanks');
        });
      });
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${port}/hooks`;
    },
    close: () => receiver.down(),
  };
  let port = 0;
  await receiver.up();
  return receiver;
}
