/**
 * Address patterns shared by sender lists and sender/recipient policies: `user@example.com`
 * (exact), `@example.com` or `*@example.com` (a whole domain), `example.com` (the domain and its
 * subdomains), and `*` wildcards anywhere (`*@*.example.net`). Case-insensitive.
 */
import { MailgateError } from './errors.js';

const PATTERN = /^[^\s@]*@?[^\s@]+$/;

/** Normalises a pattern for storage; throws `invalid_value` for something that can never match. */
export function normalizeAddressPattern(pattern: string, field = 'pattern'): string {
  const value = pattern.trim().toLowerCase();
  if (value === '' || !PATTERN.test(value) || value.length > 320) {
    throw new MailgateError('invalid_value', `"${pattern}" is not an address, @domain or domain pattern`, field);
  }
  return value.startsWith('*@') ? value.slice(1) : value;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

/** True when the address matches the (normalised) pattern. */
export function matchesAddressPattern(pattern: string, address: string): boolean {
  const addr = address.toLowerCase();
  if (addr === '') return false;
  const domain = addr.slice(addr.lastIndexOf('@') + 1);
  if (pattern.startsWith('@')) return globToRegExp(pattern.slice(1)).test(domain);
  if (pattern.includes('@')) return globToRegExp(pattern).test(addr);
  const re = globToRegExp(pattern);
  return re.test(domain) || domain.endsWith('.' + pattern);
}
