import { useCallback, useState } from 'react';
import { api, may, PERMISSION, type Session } from '../api';
import { usePoll } from '../usePoll';

interface Entry {
  messageId: string;
  recipientId: string;
  recipient: string;
  sender: string;
  subject: string;
  state: string;
  attempts: number;
  nextAttemptAt: string;
  lastCode: number | null;
  lastReply: string | null;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function Queue({ session }: { session: Session }) {
  const canEdit = may(session, PERMISSION.admin);
  const load = useCallback(() => api<{ total: number; entries: Entry[] }>('GET', '/queue?limit=200'), []);
  const { data, error, reload } = usePoll(load, 5000);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<string[]>();
  const [notice, setNotice] = useState('');

  async function act(ids: string[], action: 'retry' | 'bounce' | 'delete') {
    const failed: string[] = [];
    for (const id of ids) {
      const path = `/queue/messages/${encodeURIComponent(id)}${action === 'delete' ? '' : `/${action}`}`;
      await api(action === 'delete' ? 'DELETE' : 'POST', path).catch((e: unknown) => failed.push(e instanceof Error ? e.message : String(e)));
    }
    const verb = { retry: 'Retried', bounce: 'Bounced', delete: 'Deleted' }[action];
    setNotice(`${verb} ${plural(ids.length - failed.length, 'message')}${failed.length ? `; ${failed.join('; ')}` : ''}`);
    setSelected(new Set());
    setConfirming(undefined);
    await reload();
  }

  const entries = data?.entries ?? [];
  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Queue</h1>
      {error && <p role="alert" className="error">{error}</p>}
      {notice && <p role="status">{notice}</p>}
      <p>{data ? `${plural(data.total, 'delivery')} waiting or in flight` : 'Loading…'}</p>
      {canEdit && (
        <div className="bulk">
          <button type="button" disabled={selected.size === 0} onClick={() => void act([...selected], 'retry')}>
            Retry selected now ({selected.size})
          </button>
          <button type="button" disabled={selected.size === 0} onClick={() => setConfirming([...selected])}>
            Delete selected ({selected.size})
          </button>
        </div>
      )}
      {confirming && (
        <div role="alertdialog" aria-label="Confirm delete" className="reject">
          <p>
            Delete {plural(confirming.length, 'message')} from the queue? No notice is sent; this cannot be undone.
          </p>
          <button type="button" onClick={() => void act(confirming, 'delete')}>
            Delete {plural(confirming.length, 'message')}
          </button>
          <button type="button" onClick={() => setConfirming(undefined)}>
            Cancel
          </button>
        </div>
      )}
      <div className="table-wrap">
        <table aria-label="Queued deliveries">
          <thead>
            <tr>
              {canEdit && <th scope="col">Select</th>}
              <th scope="col">Recipient</th>
              <th scope="col">Sender</th>
              <th scope="col">Subject</th>
              <th scope="col">State</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next attempt</th>
              <th scope="col">Last reply</th>
              {canEdit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.recipientId} aria-label={`${e.subject} to ${e.recipient}`}>
                {canEdit && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${e.subject} to ${e.recipient}`}
                      checked={selected.has(e.messageId)}
                      onChange={() => {
                        const next = new Set(selected);
                        if (next.has(e.messageId)) next.delete(e.messageId);
                        else next.add(e.messageId);
                        setSelected(next);
                      }}
                    />
                  </td>
                )}
                <td>{e.recipient}</td>
                <td>{e.sender || '<>'}</td>
                <td>
                  <a href={`#/messages/${encodeURIComponent(e.messageId)}`}>{e.subject || '(no subject)'}</a>
                </td>
                <td>{e.state}</td>
                <td>{e.attempts}</td>
                <td>{new Date(e.nextAttemptAt).toLocaleString()}</td>
                <td>{e.lastReply ? `${e.lastCode ?? ''} ${e.lastReply}` : '—'}</td>
                {canEdit && (
                  <td className="held-actions">
                    <button type="button" onClick={() => void act([e.messageId], 'retry')}>
                      Retry now
                    </button>
                    <button type="button" onClick={() => void act([e.messageId], 'bounce')}>
                      Bounce now
                    </button>
                    <button type="button" onClick={() => setConfirming([e.messageId])}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
