/**
 * The text of a Mimecast request body. Mimecast's own Python samples post `data=str(payload)`;
 * with urllib3 1.x (still what Debian/RHEL python3-requests ship) a `str` body goes out through
 * http.client, which encodes it as ISO-8859-1, so `Grüße` arrives as the bytes 47 72 FC DF 65.
 * Bytes that are valid UTF-8 are read as UTF-8; anything else is read as Windows-1252 (the WHATWG
 * superset of ISO-8859-1) instead of becoming U+FFFD. See docs/vendor-apis.md, "Mimecast API 1.0" > "Body encoding".
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');

/** Decodes a request body: UTF-8 when the bytes are valid UTF-8, Windows-1252 otherwise. */
export function bodyText(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    return windows1252.decode(body);
  }
}
