/** Signs requests exactly as contracts.md §1.1 describes, independently of the server's code. */
import { createHmac, randomUUID } from 'node:crypto';
import type { MimecastKeys } from '../../src/auth/identity.js';

export function pythonSampleDate(at = new Date()): string {
  // datetime.utcnow().strftime("%a, %d %b %Y %H:%M:%S") + " UTC"
  return at.toUTCString().replace('GMT', 'UTC');
}

export function mcHeaders(keys: MimecastKeys, uri: string, date = pythonSampleDate(), reqId = randomUUID()): Record<string, string> {
  const dataToSign = [date, reqId, uri, keys.appKey].join(':');
  const signature = createHmac('sha1', Buffer.from(keys.secretKey, 'base64')).update(dataToSign).digest('base64');
  return {
    Authorization: `MC ${keys.accessKey}:${signature}`,
    'x-mc-app-id': keys.appId,
    'x-mc-date': date,
    'x-mc-req-id': reqId,
  };
}

export interface McResponse {
  status: number;
  headers: Headers;
  body: { meta: { status: number }; data: Array<Record<string, unknown>>; fail: Array<{ key?: unknown; errors: Array<{ code: string; message: string; retryable: boolean; field?: string }> }> };
}

export async function mcPost(
  baseUrl: string,
  keys: MimecastKeys,
  uri: string,
  body: string | Buffer,
  extraHeaders: Record<string, string> = {},
  client: (url: string, init: RequestInit) => Promise<Response> = fetch,
): Promise<McResponse> {
  const response = await client(baseUrl + uri, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...mcHeaders(keys, uri), ...extraHeaders },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as McResponse['body'] };
}
