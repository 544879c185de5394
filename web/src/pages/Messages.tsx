import { useState, type FormEvent } from 'react';
import { api, when } from '../api';

interface Tracked {
  id: string;
  internetMessageId: string;
  status: string;
  info: string;
  envelopeFrom: string;
  to: Array<{ address: string }>;
  receivedAt: number;
  subject: string;
  senderIp: string | null;
  route: string;
  source: string;
}
interface Page {
  total: number;
  items: Tracked[];
  nextPageToken?: string;
}

type SortKey = 'receivedAt' | 'subject' | 'envelopeFrom' | 'status' | 'route' | 'source';
const COLUMNS: Array<[SortKey, string]> = [
  ['receivedAt', 'Received'],
  ['envelopeFrom', 'From'],
  ['subject', 'Subject'],
  ['status', 'Status'],
  ['route', 'Route'],
  ['source', 'Dialect'],
];
const TEXT_FIELDS: Array<[string, string]> = [
  ['from', 'From'],
  ['to', 'To'],
  ['subject', 'Subject'],
  ['messageId', 'Message-ID'],
  ['senderIp', 'Sender IP'],
];

/** `datetime-local` values are local times; the API takes ISO 8601 with a zone. */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function Messages() {
  const [criteria, setCriteria] = useState<Record<string, string>>({});
  const [page, setPage] = useState<Page>();
  const [tokens, setTokens] = useState<string[]>([]);
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'receivedAt', asc: false });
  const [error, setError] = useState('');

  async function search(next: Record<string, string>, pageToken?: string, order = sort) {
    const body: Record<string, unknown> = { pageSize: 50 };
    for (const [k, v] of Object.entries(next)) if (v) body[k] = k === 'start' || k === 'end' ? iso(v) : v;
    if (order.key === 'receivedAt') body.order = order.asc ? 'asc' : 'desc';
    if (pageToken) body.pageToken = pageToken;
    try {
      setPage(await api<Page>('POST', '/tracking/search', body));
      setError('');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = Object.fromEntries([...new FormData(event.currentTarget).entries()].map(([k, v]) => [k, String(v).trim()]));
    setCriteria(form);
    setTokens([]);
    void search(form);
  }

  function sortBy(key: SortKey) {
    const next = { key, asc: sort.key === key ? !sort.asc : key !== 'receivedAt' };
    setSort(next);
    // Time order is the server's keyset order; the other columns sort the page in hand.
    if (key === 'receivedAt') {
      setTokens([]);
      void search(criteria, undefined, next);
    }
  }

  const rows = [...(page?.items ?? [])];
  if (sort.key !== 'receivedAt') rows.sort((a, b) => String(a[sort.key]).localeCompare(String(b[sort.key])) * (sort.asc ? 1 : -1));

  return (
    <section aria-labelledby="messages-title">
      <h1 id="messages-title">Messages</h1>
      <form className="search" onSubmit={submit} aria-label="Search messages">
        <label>
          From time
          <input name="start" type="datetime-local" />
        </label>
        <label>
          To time
          <input name="end" type="datetime-local" />
        </label>
        {TEXT_FIELDS.map(([name, label]) => (
          <label key={name}>
            {label}
            <input name={name} type="search" />
          </label>
        ))}
        <label>
          Status
          <select name="status" defaultValue="">
            <option value="">any</option>
            {['queued', 'held', 'delivered', 'partial', 'bounced', 'rejected'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Route
          <select name="route" defaultValue="">
            <option value="">any</option>
            {['inbound', 'outbound', 'internal'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Dialect
          <select name="dialect" defaultValue="">
            <option value="">any</option>
            {['mimecast', 'graph', 'works', 'smtp', 'system'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      {page && (
        <>
          <p aria-live="polite">{page.total} messages match.</p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  {COLUMNS.map(([key, label]) => (
                    <th key={key} scope="col" aria-sort={sort.key === key ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
                      <button type="button" className="link" onClick={() => sortBy(key)}>
                        {label}
                      </button>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <tr key={m.id}>
                    <td>{when(m.receivedAt)}</td>
                    <td>{m.envelopeFrom || '<>'}</td>
                    <td>
                      <a href={`#/messages/${encodeURIComponent(m.id)}`}>{m.subject || '(no subject)'}</a>
                    </td>
                    <td>{m.status}</td>
                    <td>{m.route}</td>
                    <td>{m.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <button type="button" disabled={tokens.length === 0} onClick={() => { setTokens([]); void search(criteria); }}>
              First page
            </button>
            <button
              type="button"
              disabled={!page.nextPageToken}
              onClick={() => {
                const token = page.nextPageToken as string;
                setTokens([...tokens, token]);
                void search(criteria, token);
              }}
            >
              Next page
            </button>
          </div>
        </>
      )}
    </section>
  );
}
