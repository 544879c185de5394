/** The installation's tenant id, as OAuth clients put it in token endpoint paths and tokens carry it (`tid`). */
import { createHash } from 'node:crypto';

/**
 * Derived from the gateway's host name rather than stored, so every process sharing a database and
 * host name agrees on it without coordination; formatted as a UUID because Azure clients expect one.
 */
export function tenantIdFor(hostname: string): string {
  const hex = createHash('sha256').update(`mailgate-tenant:${hostname.toLowerCase()}`).digest('hex');
  // RFC 9562 layout: version 8 (custom), variant 10.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
