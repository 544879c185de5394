import { useState } from 'react';

/**
 * A message's HTML in an iframe with `sandbox=""` (no scripts, forms, plugins or same-origin
 * access); a CSP meta tag at its top blocks remote images, styles and fonts until the reader asks.
 * A CSP can only be tightened by a later policy, so nothing in the mail can undo it.
 */
const BLOCKED = "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src data:";
const ALLOWED = "default-src 'none'; img-src data: cid: https: http:; style-src 'unsafe-inline' https: http:; font-src data: https: http:";

export function HtmlBody({ html }: { html: string }) {
  const [remote, setRemote] = useState(false);
  const policy = `<meta http-equiv="Content-Security-Policy" content="${remote ? ALLOWED : BLOCKED}">`;
  return (
    <div>
      {!remote && (
        <p>
          Remote content is blocked.{' '}
          <button type="button" onClick={() => setRemote(true)}>
            Load remote content
          </button>
        </p>
      )}
      <iframe title="HTML body" className="html-body" sandbox="" srcDoc={policy + html} />
    </div>
  );
}
