import { useCallback, useState } from 'react';
import { api, apiText, when } from '../api';
import { Details } from '../Details';
import { HtmlBody } from '../HtmlBody';
import { usePoll } from '../usePoll';

interface EventRecord {
  id: number;
  recipientId: string | null;
  kind: string;
  at: number;
  detail: Record<string, unknown>;
}
interface Trace {
  id: string;
  internetMessageId: string;
  status: string;
  info: string;
  source: string;
  route: string;
  receivedAt: number;
  envelopeFrom: string;
  fromHeader: string;
  subject: string;
  size: number;
  senderIp: string | null;
  connection: Record<string, unknown> | null;
  principal: string | null;
  content: {
    available: boolean;
    textBody: string;
    htmlBody: string;
    components: Array<{ index: number; name: string; mimeType: string; type: string; size: number }>;
  };
  recipients: Array<{ id: string; address: string; status: string; hold: { policyInfo: string; reason: string } | null }>;
  spamInfo: { spamScore: number; detectionLevel: string; spamProcessingDetail: Record<string, unknown> } | null;
  events: EventRecord[];
}

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** One line of a recipient's timeline: the event and what its record says about it. */
function describe(e: EventRecord): string {
  const d = e.detail;
  if (e.kind === 'attempt') {
    const ms = typeof d.endedAt === 'number' && typeof d.startedAt === 'number' ? d.endedAt - d.startedAt : undefined;
    const tls = d.tlsProtocol ? `${text(d.tlsProtocol)} ${text(d.tlsCipher)}` : 'no TLS';
    return `${text(d.remoteHost)} [${text(d.remoteIp)}] greeting "${text(d.greeting)}"; ${tls}; reply ${text(d.code)} ${text(d.reply)}${ms !== undefined ? `; ${ms} ms` : ''}`;
  }
  const by = d.operator ?? d.by;
  const parts = [by ? `by ${text(by)}` : '', d.reply ? `reply ${text(d.code)} ${text(d.reply)}` : '', d.policyInfo ? `policy ${text(d.policyInfo)}` : '', d.reason ? text(d.reason) : ''];
  return parts.filter(Boolean).join('; ');
}

export function Message({ id }: { id: string }) {
  const load = useCallback(() => api<Trace>('GET', `/tracking/messages/${encodeURIComponent(id)}`), [id]);
  const { data: trace, error } = usePoll(load, 0);
  const [raw, setRaw] = useState<string>();
  const [tab, setTab] = useState<'html' | 'text' | 'source'>('html');

  async function showSource() {
    setTab('source');
    if (raw === undefined) setRaw(await apiText(`/tracking/messages/${encodeURIComponent(id)}/raw`).catch((e: unknown) => String(e)));
  }

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!trace) return <p>Loading…</p>;
  const headers = raw?.split(/\r?\n\r?\n/)[0];
  const attachments = trace.content.components.filter((c) => c.type.includes('Attachment'));
  return (
    <article aria-labelledby="message-title">
      <p>
        <a href="#/messages">← Messages</a>
      </p>
      <h1 id="message-title">{trace.subject || '(no subject)'}</h1>
      <p>
        <span className={`status status-${trace.status}`}>{trace.status}</span> {trace.info}
      </p>
      <h2>Envelope</h2>
      <dl className="facts">
        <dt>Envelope from</dt>
        <dd>{trace.envelopeFrom || '<>'}</dd>
        <dt>From header</dt>
        <dd>{trace.fromHeader}</dd>
        <dt>Recipients</dt>
        <dd>{trace.recipients.map((r) => r.address).join(', ')}</dd>
        <dt>Received</dt>
        <dd>{when(trace.receivedAt)}</dd>
        <dt>Message-ID</dt>
        <dd>{trace.internetMessageId}</dd>
        <dt>Dialect / route</dt>
        <dd>
          {trace.source} / {trace.route}
        </dd>
        <dt>Sender IP</dt>
        <dd>{trace.senderIp ?? '—'}</dd>
        <dt>Size</dt>
        <dd>{trace.size} bytes</dd>
      </dl>
      <h2>Timeline</h2>
      {trace.recipients.map((r) => (
        <section key={r.id} className="timeline" aria-label={`Timeline for ${r.address}`}>
          <h3>
            {r.address} — {r.status}
          </h3>
          <ol>
            {trace.events
              .filter((e) => e.recipientId === r.id || e.recipientId === null)
              .filter((e) => e.kind !== 'viewed')
              .map((e) => (
                <li key={e.id}>
                  <time>{when(e.at)}</time> <strong>{e.kind}</strong> {describe(e)}
                </li>
              ))}
          </ol>
        </section>
      ))}
      <h2>Verdicts and policies</h2>
      {trace.recipients.some((r) => r.hold) && (
        <p>Matched policies: {[...new Set(trace.recipients.flatMap((r) => (r.hold ? [`${r.hold.policyInfo} (${r.hold.reason})`] : [])))].join(', ')}</p>
      )}
      {trace.spamInfo ? (
        <>
          <p>
            Spam score {trace.spamInfo.spamScore} at the {trace.spamInfo.detectionLevel} level
          </p>
          <Details value={trace.spamInfo.spamProcessingDetail} />
        </>
      ) : (
        <p>Not scanned (submitted through an API by an authenticated user).</p>
      )}
      {trace.connection && (
        <>
          <h3>Connection</h3>
          <Details value={trace.connection} />
        </>
      )}
      <h2>Content</h2>
      {!trace.content.available && <p>The content has been purged (retention).</p>}
      <div role="tablist" aria-label="Message content" className="tabs">
        <button type="button" role="tab" aria-selected={tab === 'html'} onClick={() => setTab('html')}>
          HTML
        </button>
        <button type="button" role="tab" aria-selected={tab === 'text'} onClick={() => setTab('text')}>
          Text
        </button>
        <button type="button" role="tab" aria-selected={tab === 'source'} onClick={() => void showSource()}>
          Source
        </button>
      </div>
      {tab === 'html' && (trace.content.htmlBody ? <HtmlBody html={trace.content.htmlBody} /> : <p>No HTML body.</p>)}
      {tab === 'text' && <pre className="body">{trace.content.textBody || '(no text body)'}</pre>}
      {tab === 'source' && (
        <>
          <h3>Headers</h3>
          <pre className="body">{headers ?? 'Loading…'}</pre>
          <h3>Raw source</h3>
          <pre className="body">{raw ?? 'Loading…'}</pre>
        </>
      )}
      <h2>Attachments</h2>
      {attachments.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul>
          {attachments.map((c) => (
            <li key={c.index}>
              <a href={`/admin/api/tracking/messages/${encodeURIComponent(trace.id)}/components/${c.index}`} download={c.name}>
                {c.name}
              </a>{' '}
              ({c.mimeType}, {c.size} bytes)
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
