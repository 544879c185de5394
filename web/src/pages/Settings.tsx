import { useCallback, useState, type FormEvent } from 'react';
import { api, when } from '../api';
import { usePoll } from '../usePoll';

interface Key {
  accessKey: string;
  appName: string | null;
  user: string | null;
  createdAt: string;
  revokedAt: string | null;
}
interface App {
  clientId: string;
  name: string;
  kind: string;
  revokedAt: string | null;
}
interface Settings {
  users: Array<{ email: string; roles: string[] }>;
  keys: Key[];
  apps: App[];
  dkim: Array<{ domain: string; selector: string; algorithm: string; signing: boolean; dnsName: string; dnsValue: string }>;
  blocked: Array<{ id: string; pattern: string; note: string | null }>;
  permitted: Array<{ id: string; pattern: string; note: string | null }>;
}

async function loadSettings(): Promise<Settings> {
  const [users, keys, apps, dkim, blocked, permitted] = await Promise.all([
    api<{ users: Settings['users'] }>('GET', '/users'),
    api<{ keys: Key[] }>('GET', '/keys'),
    api<{ apps: App[] }>('GET', '/apps'),
    api<{ keys: Settings['dkim'] }>('GET', '/dkim-keys'),
    api<{ entries: Settings['blocked'] }>('GET', '/sender-lists/blocked'),
    api<{ entries: Settings['permitted'] }>('GET', '/sender-lists/permitted'),
  ]);
  return { users: users.users, keys: keys.keys, apps: apps.apps, dkim: dkim.keys, blocked: blocked.entries, permitted: permitted.entries };
}

const date = (iso: string | null) => (iso ? when(Date.parse(iso)) : '—');

export function Settings() {
  const load = useCallback(loadSettings, []);
  const { data, error, reload } = usePoll(load, 0);
  const [notice, setNotice] = useState('');

  async function change(promise: Promise<unknown>, what: string) {
    try {
      await promise;
      setNotice(what);
    } catch (failure) {
      setNotice(failure instanceof Error ? failure.message : String(failure));
    }
    await reload();
  }

  function addSender(event: FormEvent<HTMLFormElement>, list: 'blocked' | 'permitted') {
    event.preventDefault();
    const pattern = String(new FormData(event.currentTarget).get('pattern') ?? '').trim();
    event.currentTarget.reset();
    void change(api('POST', `/sender-lists/${list}`, { pattern }), `${pattern} added to the ${list} senders`);
  }

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {notice && <p role="status">{notice}</p>}
      <h2>Users and roles</h2>
      <ul>
        {data.users.map((u) => (
          <li key={u.email}>
            {u.email}: {u.roles.join(', ')}
          </li>
        ))}
      </ul>
      <h2>Mimecast keys</h2>
      <div className="table-wrap">
        <table aria-label="Mimecast keys">
          <thead>
            <tr>
              <th scope="col">Access key</th>
              <th scope="col">User</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {data.keys.map((k) => (
              <tr key={k.accessKey}>
                <td>{k.accessKey}</td>
                <td>{k.user ?? '—'}</td>
                <td>{date(k.createdAt)}</td>
                <td>{date(k.revokedAt)}</td>
                <td>
                  {!k.revokedAt && (
                    <button type="button" aria-label={`Revoke key ${k.accessKey}`} onClick={() => void change(api('POST', `/keys/${encodeURIComponent(k.accessKey)}/revoke`), `Key ${k.accessKey} revoked`)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>OAuth apps</h2>
      <ul>
        {data.apps.map((a) => (
          <li key={a.clientId}>
            {a.name} ({a.kind}, {a.clientId}) {a.revokedAt ? `revoked ${date(a.revokedAt)}` : ''}
            {!a.revokedAt && (
              <button type="button" aria-label={`Revoke app ${a.name}`} onClick={() => void change(api('POST', `/apps/${encodeURIComponent(a.clientId)}/revoke`), `App ${a.name} revoked`)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <h2>DKIM keys</h2>
      <ul>
        {data.dkim.map((k) => (
          <li key={`${k.domain}/${k.selector}`}>
            {k.domain} selector {k.selector} ({k.algorithm}
            {k.signing ? ', signing' : ''}): publish TXT <code>{k.dnsName}</code>
            <pre className="body">{k.dnsValue}</pre>
          </li>
        ))}
      </ul>
      {(['blocked', 'permitted'] as const).map((list) => (
        <div key={list}>
          <h2>{list === 'blocked' ? 'Blocked senders' : 'Permitted senders'}</h2>
          <ul>
            {data[list].map((e) => (
              <li key={e.id}>
                {e.pattern} {e.note ? `(${e.note})` : ''}{' '}
                <button type="button" aria-label={`Remove ${e.pattern} from the ${list} senders`} onClick={() => void change(api('DELETE', `/sender-lists/${list}/${encodeURIComponent(e.id)}`), `${e.pattern} removed`)}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <form className="search" onSubmit={(e) => addSender(e, list)} aria-label={`Add a ${list} sender`}>
            <label>
              {list === 'blocked' ? 'Block address or @domain' : 'Permit address or @domain'}
              <input name="pattern" required />
            </label>
            <button type="submit">Add</button>
          </form>
        </div>
      ))}
    </section>
  );
}
