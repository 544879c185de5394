/**
 * The HTTP request a piece of work runs for, carried across awaits (AsyncLocalStorage), so that
 * ingest() can hand the ids of the messages it accepted back to the request's access-log line
 * without every dialect passing them along (docs/operations-logs.md).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  /** Messages accepted while serving the request, in order. */
  messageIds: string[];
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `next` (and everything it awaits) inside `context`. */
export function runInRequest(context: RequestContext, next: () => void): void {
  storage.run(context, next);
}

/** The request being served, if any (undefined for SMTP, the CLI and background work). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
