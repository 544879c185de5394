/**
 * A client for rspamd's HTTP protocol (`POST /checkv2`, the message as the body, envelope facts in
 * headers). When MAILGATE_RSPAMD_URL is set, its score and symbols replace the built-in rules'.
 */
import type { RuleHit } from './rules.js';

export interface RspamdResult {
  score: number;
  requiredScore: number;
  action: string;
  symbols: RuleHit[];
}

interface CheckV2Answer {
  score?: number;
  required_score?: number;
  action?: string;
  symbols?: Record<string, { name?: string; score?: number; description?: string }>;
}

export interface RspamdRequest {
  ip?: string;
  helo?: string;
  mailFrom: string;
  rcptTo: readonly string[];
  hostname: string;
  user?: string;
}

/** Asks rspamd; throws when it cannot be reached or answers with an error (callers fall back). */
export async function rspamdCheck(baseUrl: string, raw: Buffer, request: RspamdRequest, timeoutMs = 15_000): Promise<RspamdResult> {
  const headers: Record<string, string> = { 'Content-Type': 'message/rfc822', Hostname: request.hostname };
  if (request.ip) headers.IP = request.ip.replace(/^::ffff:/i, '');
  if (request.helo) headers.Helo = request.helo;
  if (request.mailFrom) headers.From = request.mailFrom;
  if (request.rcptTo[0]) headers.Rcpt = request.rcptTo[0];
  if (request.user) headers.User = request.user;
  const response = await fetch(new URL('checkv2', baseUrl.endsWith('/') ? baseUrl : baseUrl + '/'), {
    method: 'POST',
    headers,
    body: new Uint8Array(raw),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`rspamd answered HTTP ${response.status}`);
  const answer = (await response.json()) as CheckV2Answer;
  if (typeof answer.score !== 'number') throw new Error('rspamd answer has no score');
  return {
    score: answer.score,
    requiredScore: answer.required_score ?? 0,
    action: answer.action ?? 'no action',
    symbols: Object.entries(answer.symbols ?? {}).map(([name, s]) => ({
      name: s.name ?? name,
      group: 'content',
      score: s.score ?? 0,
      description: s.description ?? name,
    })),
  };
}
