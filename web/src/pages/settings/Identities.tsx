/** Settings: users and roles, Mimecast keys and OAuth apps; created secrets are shown once. */
import { useState, type FormEvent } from 'react';
import { api, when } from '../../api';
import { SecretOnce } from './SecretOnce';
import { fieldsOf, listOf, type Change } from './shared';

export interface Key {
  accessKey: string;
  appName: string | null;
  user: string | null;
  createdAt: string;
  revokedAt: string | null;
}
export interface App {
  clientId: string;
  name: string;
  kind: string;
  user: string | null;
  revokedAt: string | null;
}
export interface User {
  email: string;
  roles: string[];
}

const ROLES = ['user', 'tracking', 'held-reviewer', 'admin'];
const date = (iso: string | null) => (iso ? when(Date.parse(iso)) : '—');

export function Users({ users, change }: { users: User[]; change: Change }) {
  function create(event: FormEvent<HTMLFormElement>) {
    const { email = '', name, password, roles } = fieldsOf(event);
    const body = { email, roles: listOf(roles), ...(name ? { name } : {}), ...(password ? { password } : {}) };
    void change(api('POST', '/users', body), `User ${email} created`);
  }
  return (
    <>
      <h2>Users and roles</h2>
      <ul>
        {users.map((u) => (
          <li key={u.email}>
            {u.email}: {u.roles.join(', ')}
          </li>
        ))}
      </ul>
      <form className="search" onSubmit={create} aria-label="Create a user">
        <label>
          New user’s email
          <input name="email" type="email" required />
        </label>
        <label>
          Name
          <input name="name" />
        </label>
        <label>
          Console password
          <input name="password" type="password" minLength={8} autoComplete="new-password" />
        </label>
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((role) => (
            <label key={role}>
              <input type="checkbox" name="roles" value={role} /> {role}
            </label>
          ))}
        </fieldset>
        <button type="submit">Create user</button>
      </form>
    </>
  );
}

export function Keys({ keys, change }: { keys: Key[]; change: Change }) {
  const [secret, setSecret] = useState<Record<string, string>>();
  async function create(event: FormEvent<HTMLFormElement>) {
    const { user = '', expires } = fieldsOf(event);
    const body = { user, ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) };
    const created = await change(api<Record<string, string>>('POST', '/keys', body), `Keys created for ${user}`);
    if (created) setSecret(created);
  }
  return (
    <>
      <h2>Mimecast keys</h2>
      {secret && <SecretOnce title="New Mimecast keys" values={secret} onDone={() => setSecret(undefined)} />}
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
            {keys.map((k) => (
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
      <form className="search" onSubmit={(e) => void create(e)} aria-label="Create Mimecast keys">
        <label>
          Keys for user
          <input name="user" type="email" required />
        </label>
        <label>
          Expires
          <input name="expires" type="date" />
        </label>
        <button type="submit">Create keys</button>
      </form>
    </>
  );
}

export function Apps({ apps, change }: { apps: App[]; change: Change }) {
  const [secret, setSecret] = useState<Record<string, string>>();
  async function create(event: FormEvent<HTMLFormElement>) {
    const { name, user, permissions } = fieldsOf(event);
    const body = { ...(name ? { name } : {}), ...(user ? { user } : { permissions: listOf(permissions) }) };
    const created = await change(api<{ tenantId: string; clientId: string; clientSecret: string; app: App }>('POST', '/apps', body), (c) => `App ${c.app.name} created`);
    if (created) setSecret({ tenantId: created.tenantId, clientId: created.clientId, clientSecret: created.clientSecret });
  }
  return (
    <>
      <h2>OAuth apps</h2>
      {secret && <SecretOnce title="New app secret" values={secret} onDone={() => setSecret(undefined)} />}
      <ul>
        {apps.map((a) => (
          <li key={a.clientId}>
            {a.name} ({a.kind}
            {a.user ? ` for ${a.user}` : ''}, {a.clientId}) {a.revokedAt ? `revoked ${date(a.revokedAt)}` : ''}
            {!a.revokedAt && (
              <button type="button" aria-label={`Revoke app ${a.name}`} onClick={() => void change(api('POST', `/apps/${encodeURIComponent(a.clientId)}/revoke`), `App ${a.name} revoked`)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <form className="search" onSubmit={(e) => void create(e)} aria-label="Create an OAuth app">
        <label>
          App name
          <input name="name" />
        </label>
        <fieldset>
          <legend>App permissions (Graph, LINE WORKS)</legend>
          {['Mail.Send', 'Mail.ReadWrite', 'Mail.Read'].map((p) => (
            <label key={p}>
              <input type="checkbox" name="permissions" value={p} /> {p}
            </label>
          ))}
        </fieldset>
        <label>
          Or Mimecast API 2.0 application for user
          <input name="user" type="email" />
        </label>
        <button type="submit">Create app</button>
      </form>
    </>
  );
}
