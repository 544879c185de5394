/**
 * Headers for every HTML page the gateway serves (the LINE WORKS login page now, the console
 * later): no framing (clickjacking), no scripts or foreign content, forms only to ourselves, no
 * Referer that would carry an authorization request's query to another site, no MIME sniffing.
 */
import type { FastifyReply } from 'fastify';

/** A CSP source for where a form may lead after it is posted: an origin, or a scheme for app URIs (`myapp:`). */
function sourceOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.origin !== 'null' ? parsed.origin : parsed.protocol;
  } catch {
    return undefined;
  }
}

/**
 * The headers; `formTargets` are URLs a posted form may redirect to, because browsers apply
 * `form-action` to the redirects that follow a submission too (CSP Level 3, 6.4.1), and a login
 * form's answer is a redirect to the client application.
 */
export function htmlSecurityHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const targets = formTargets.map(sourceOf).filter((s): s is string => s !== undefined);
  const policy = [
    "default-src 'none'",
    "style-src 'self'",
    // data: for the pages' empty inline icon (`<link rel="icon" href="data:,">`), which keeps browsers from asking for /favicon.ico.
    "img-src 'self' data:",
    `form-action ${["'self'", ...new Set(targets)].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': policy,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  };
}

/** Sends an HTML page with the security headers; pages that hold credentials are never cached. */
export function sendHtmlPage(reply: FastifyReply, status: number, html: string, formTargets: readonly string[] = []): FastifyReply {
  return reply
    .code(status)
    .headers({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...htmlSecurityHeaders(formTargets) })
    .send(html);
}
