/**
 * The ceiling for `accept`: Fastify answering the send-email path with a fixed Mimecast-shaped
 * reply after parsing the JSON body, and nothing else. Prints its port.
 *   node --import tsx bench/lib/hello-world.ts
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 5 * 2 ** 20 });
app.post('/api/email/send-email', async () => ({ meta: { status: 200 }, data: [{ messageId: '<hello@world>' }], fail: [] }));
app.get('/healthz', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
console.log(typeof address === 'object' && address ? address.port : 0);
