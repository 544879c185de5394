/** The `Mailgate-Signature` header, Stripe's scheme (docs/webhooks.md#verifying-a-signature). */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'Mailgate-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
