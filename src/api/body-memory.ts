/**
 * A memory budget for request bodies that are read whole (docs/request-limits.md#body-memory): a
 * request waits, before its body is read, until the bodies already in memory leave room for it,
 * so a burst of large sends queues in the kernel's socket buffers instead of in the heap. Its
 * share is returned when the response is done or the connection is gone. Streamed uploads hold a
 * bounded piece at a time and are not counted.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Gateway } from '../gateway.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads its body as a stream (stream-body.ts), never whole. */
    streamedBody?: boolean;
  }
}

/**
 * Bytes handed out first come, first served: a request that does not fit waits, and so does
 * everyone behind it, so large bodies are not starved by a stream of small ones.
 */
class Budget {
  private free: number;
  private readonly queue: Array<{ bytes: number; admit: () => void }> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  get inUse(): number {
    return this.size - this.free;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once `bytes` (at most the size) are granted. */
  take(bytes: number): Promise<void> {
    if (this.queue.length === 0 && bytes <= this.free) {
      this.free -= bytes;
      return Promise.resolve();
    }
    return new Promise((admit) => {
      this.queue.push({ bytes, admit });
    });
  }

  give(bytes: number): void {
    this.free += bytes;
    for (let head = this.queue[0]; head && head.bytes <= this.free; head = this.queue[0]) {
      this.queue.shift();
      this.free -= head.bytes;
      head.admit();
    }
  }
}

/** One budget per gateway, shared by its listeners (the main port with HTTPS, the LINE WORKS port). */
const budgets = new WeakMap<Gateway, Budget>();

function budgetOf(gateway: Gateway): Budget {
  const existing = budgets.get(gateway);
  if (existing) return existing;
  const budget = new Budget(gateway.config.httpBodyMemoryMb * 2 ** 20);
  budgets.set(gateway, budget);
  gateway.metrics.onScrape(() => {
    gateway.metrics.httpBodyMemory.set(budget.inUse);
    gateway.metrics.httpBodyWaiting.set(budget.waiting);
  });
  return budget;
}

/** What a body will hold: its declared length, or for a chunked one the route's limit; never more than the whole budget. */
function shareOf(request: FastifyRequest, limit: number): number {
  const declared = request.headers['content-length'];
  if (declared !== undefined) return Math.min(Number(declared) || 0, limit);
  return request.headers['transfer-encoding'] === undefined ? 0 : Math.min(request.routeOptions.bodyLimit ?? limit, limit);
}

/** Puts every route of `app` under the gateway's budget, after the dialects' onRequest hooks (authentication) ran. */
export function addBodyMemoryBudget(app: FastifyInstance, gateway: Gateway): void {
  const budget = budgetOf(gateway);
  app.addHook('preParsing', async (request, reply) => {
    if (request.routeOptions.config.streamedBody) return;
    const share = shareOf(request, budget.size);
    if (share === 0) return;
    await budget.take(share);
    const release = () => budget.give(share);
    // 'close' comes once the response is sent, or when the client went away before it was.
    if (reply.raw.closed) release();
    else reply.raw.once('close', release);
  });
}
