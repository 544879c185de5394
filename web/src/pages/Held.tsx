import { useCallback, useState } from 'react';
import { api, may, PERMISSION, when, type Session } from '../api';
import { usePoll } from '../usePoll';

interface Hold {
  messageId: string;
  subject: string;
  mailFrom: string;
  toAddress: string;
  policyInfo: string;
  reason: string;
  heldAt: number;
  spamScore: number | null;
  preview: string;
}
interface LogEntry {
  at: number;
  operator: string;
  action: string;
  messageId: string;
  subject: string;
  mailFrom: string;
}
type Results = { results: Array<{ id: string; result: string }> };

const REASON_TYPES = [
  'MESSAGE CONTAINS UNDESIRABLE CONTENT',
  'MESSAGE CONTAINS CONFIDENTIAL INFORMATION',
  'REVIEWER DISAPPROVES OF CONTENT',
  'INAPPROPRIATE COMMUNICATION',
  'MESSAGE GOES AGAINST EMAIL POLICIES',
];
const ACTIONS: Record<string, string> = { hold_release: 'released', hold_reject: 'rejected', hold_expire: 'expired' };

export function Held({ session }: { session: Session }) {
  const canEdit = may(session, PERMISSION.heldEdit);
  const canList = may(session, PERMISSION.admin);
  const [search, setSearch] = useState('');
  const load = useCallback(() => api<{ total: number; holds: Hold[] }>('GET', `/held?limit=100${search ? `&search=${encodeURIComponent(search)}` : ''}`), [search]);
  const loadLog = useCallback(() => api<{ entries: LogEntry[] }>('GET', '/held/log'), []);
  const list = usePoll(load, 5000);
  const log = usePoll(loadLog, 5000);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [rejecting, setRejecting] = useState<string[]>();
  const [notice, setNotice] = useState('');

  async function done(promise: Promise<Results | unknown>, what: string) {
    try {
      const answer = (await promise) as Partial<Results> | undefined;
      const failed = answer?.results?.filter((r) => r.result !== 'done') ?? [];
      setNotice(failed.length ? `${what}; ${failed.length} could not be (${failed.map((f) => f.result).join(', ')})` : what);
    } catch (failure) {
      setNotice(failure instanceof Error ? failure.message : String(failure));
    }
    setSelected(new Set());
    setRejecting(undefined);
    await Promise.all([list.reload(), log.reload()]);
  }

  const release = (ids: string[]) => done(api('POST', '/held/release', { ids }), `Released ${ids.length} message${ids.length === 1 ? '' : 's'}`);
  const listSender = (hold: Hold, which: 'blocked' | 'permitted') =>
    done(api('POST', `/held/${encodeURIComponent(hold.messageId)}/sender-list`, { list: which }), `${hold.mailFrom} added to the ${which} senders`);

  function toggle(id: string) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  }

  const holds = list.data?.holds ?? [];
  return (
    <section aria-labelledby="held-title">
      <h1 id="held-title">Held messages</h1>
      <form className="search" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(String(new FormData(e.currentTarget).get('q') ?? '')); }}>
        <label>
          Search held
          <input name="q" type="search" />
        </label>
        <button type="submit">Search</button>
      </form>
      {notice && <p role="status">{notice}</p>}
      {list.error && <p role="alert" className="error">{list.error}</p>}
      {canEdit && (
        <div className="bulk" aria-label="Selected messages">
          <button type="button" disabled={selected.size === 0} onClick={() => void release([...selected])}>
            Release selected ({selected.size})
          </button>
          <button type="button" disabled={selected.size === 0} onClick={() => setRejecting([...selected])}>
            Reject selected ({selected.size})
          </button>
        </div>
      )}
      {rejecting && (
        <form
          className="reject"
          aria-label="Reject held messages"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const message = String(f.get('message') ?? '').trim();
            void done(
              api('POST', '/held/reject', { ids: rejecting, reasonType: String(f.get('reasonType')), notify: f.get('notify') === 'on', ...(message ? { message } : {}) }),
              `Rejected ${rejecting.length} message${rejecting.length === 1 ? '' : 's'}`,
            );
          }}
        >
          <p>
            Reject {rejecting.length} message{rejecting.length === 1 ? '' : 's'}
          </p>
          <label>
            Reason
            <select name="reasonType">
              {REASON_TYPES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label>
            Message to the sender
            <input name="message" type="text" maxLength={1000} />
          </label>
          <label className="inline">
            <input name="notify" type="checkbox" /> Notify the sender
          </label>
          <button type="submit">Confirm reject</button>
          <button type="button" onClick={() => setRejecting(undefined)}>
            Cancel
          </button>
        </form>
      )}
      <p>{list.data ? `${list.data.total} held` : 'Loading…'}</p>
      <ul className="held-list">
        {holds.map((h) => (
          <li key={h.messageId} className="held" aria-label={h.subject || '(no subject)'}>
            {canEdit && (
              <input type="checkbox" aria-label={`Select ${h.subject || h.messageId}`} checked={selected.has(h.messageId)} onChange={() => toggle(h.messageId)} />
            )}
            <div className="held-main">
              <strong>{h.subject || '(no subject)'}</strong>
              <span>
                from {h.mailFrom || '<>'} to {h.toAddress} · {when(h.heldAt)}
              </span>
              <span>
                {h.policyInfo}: {h.reason} · score {h.spamScore ?? '—'}
              </span>
              <span className="preview">{h.preview}</span>
            </div>
            <div className="held-actions">
              {canEdit && (
                <>
                  <button type="button" onClick={() => void release([h.messageId])}>
                    Release
                  </button>
                  <button type="button" onClick={() => setRejecting([h.messageId])}>
                    Reject
                  </button>
                </>
              )}
              {canList && h.mailFrom && (
                <>
                  <button type="button" onClick={() => void listSender(h, 'blocked')}>
                    Block sender
                  </button>
                  <button type="button" onClick={() => void listSender(h, 'permitted')}>
                    Permit sender
                  </button>
                </>
              )}
            </div>
          </li>
        ))}
      </ul>
      <h2>Release and reject log</h2>
      <div className="table-wrap">
        <table aria-label="Release and reject log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {(log.data?.entries ?? []).map((e) => (
              <tr key={`${e.at}-${e.messageId}-${e.action}`}>
                <td>{when(e.at)}</td>
                <td>{e.operator}</td>
                <td>{ACTIONS[e.action] ?? e.action}</td>
                <td>
                  {e.subject} ({e.mailFrom || '<>'})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
