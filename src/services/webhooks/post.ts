/**
 * One webhook POST: a timeout covering the whole exchange and no redirect followed (a 3xx is a
 * failure), so an endpoint cannot bounce the gateway's requests elsewhere (docs/webhooks.md#ssrf).
 */
import { performance } from 'node:perf_hooks';

export interface PostResult {
  ok: boolean;
  /** The HTTP status, when an answer came. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Longest error text kept in the delivery log. */
const MAX_ERROR = 300;

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const text = cause ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}` : String(error);
  return text.slice(0, MAX_ERROR);
}

export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'mailgate-webhooks', ...headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body means nothing to us; reading it to the end frees the connection for reuse.
    await response.arrayBuffer();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status, error: null, durationMs: took() };
    const error = response.status >= 300 && response.status < 400 ? `redirect not followed (HTTP ${response.status})` : `HTTP ${response.status}`;
    return { ok: false, status: response.status, error, durationMs: took() };
  } catch (error) {
    return { ok: false, status: null, error: describe(error), durationMs: took() };
  }
}
