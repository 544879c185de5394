/**
 * Address fields and encoded words, read with the mail stack's own parsers: nodemailer's
 * addressparser (groups, quoted commas and comments handled) and libmime (RFC 2047 words in any
 * charset, split multi-byte characters joined). Nothing here hand-parses `Name <addr>`.
 */
import libmime from 'libmime';
import type { AddressObject } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';

export interface ParsedAddress {
  address: string;
  /** The display name, encoded words decoded; absent when the field gave none. */
  name?: string;
}

/** Decodes RFC 2047 encoded words (`=?utf-8?q?J=C3=BCrgen?=` → `Jürgen`); other text stays as it is. */
export function decodeEncodedWords(value: string): string {
  return libmime.decodeWords(value);
}

/** Every mailbox of one or more address field values, group members included, in order. */
export function parseAddressList(values: string | readonly string[]): ParsedAddress[] {
  const list = typeof values === 'string' ? [values] : values;
  const out: ParsedAddress[] = [];
  for (const value of list) {
    for (const entry of addressparser(value, { flatten: true })) {
      if (!entry.address) continue;
      const name = decodeEncodedWords(entry.name).trim();
      out.push(name ? { address: entry.address, name } : { address: entry.address });
    }
  }
  return out;
}

/** The first mailbox of a field value or display text (`Name <addr>`, `addr`), if any. */
export function parseMailbox(text: string): ParsedAddress | undefined {
  return parseAddressList(text)[0];
}

// RFC 5322 3.2.3 specials: a display name holding one must be quoted to read back as one name.
const SPECIALS = /[()<>[\]:;@\\,."]/;

const quoted = (name: string): string => `"${name.replace(/(["\\])/g, '\\$1')}"`;

/** `Name <addr>` (the name quoted only when it must be, so parseMailbox reads it back) or `addr`. */
export function displayMailbox(a: ParsedAddress): string {
  if (!a.name) return a.address;
  return `${SPECIALS.test(a.name) ? quoted(a.name) : a.name} <${a.address}>`;
}

/** `"Name" <addr>` or `addr`: the header text as mailparser renders it, which tracking has always shown. */
export function quotedMailbox(a: ParsedAddress): string {
  return a.name ? `${quoted(a.name)} <${a.address}>` : a.address;
}

/** The mailboxes of a field as mailparser parsed it, group members included, in order. */
export function parsedAddresses(field: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  const out: ParsedAddress[] = [];
  const walk = (list: AddressObject['value']): void => {
    for (const entry of list) {
      if (entry.group) walk(entry.group);
      else if (entry.address) out.push(entry.name ? { address: entry.address, name: entry.name } : { address: entry.address });
    }
  };
  for (const object of field === undefined ? [] : Array.isArray(field) ? field : [field]) walk(object.value);
  return out;
}
