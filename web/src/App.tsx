import { useCallback, useEffect, useState } from 'react';
import { api, may, PERMISSION, useCsrf, type Session } from './api';
import { useRoute } from './route';
import { SignIn } from './pages/SignIn';
import { Overview } from './pages/Overview';
import { Messages } from './pages/Messages';
import { Message } from './pages/Message';
import { Held } from './pages/Held';
import { Queue } from './pages/Queue';
import { Settings } from './pages/Settings';

type Loaded = (Session & { signedIn: true }) | { signedIn: false };

export function App() {
  const [session, setSession] = useState<Loaded | undefined>();
  const route = useRoute();

  const load = useCallback(async () => {
    const found = await api<Loaded>('GET', '/session');
    if (found.signedIn) useCsrf(found.csrfToken);
    setSession(found);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (!session) return <p className="loading">Loading…</p>;
  if (!session.signedIn) return <SignIn onSignedIn={() => void load()} />;

  const pages = [
    { path: 'overview', label: 'Overview', allowed: may(session, PERMISSION.trackingRead) },
    { path: 'messages', label: 'Messages', allowed: may(session, PERMISSION.trackingRead) },
    { path: 'held', label: 'Held', allowed: may(session, PERMISSION.heldRead) },
    { path: 'queue', label: 'Queue', allowed: may(session, PERMISSION.trackingRead) },
    { path: 'settings', label: 'Settings', allowed: may(session, PERMISSION.admin) },
  ].filter((p) => p.allowed);
  const current = route[0] ?? pages[0]?.path;

  async function signOut() {
    await api('DELETE', '/session');
    setSession({ signedIn: false });
  }

  return (
    <div className="shell">
      <header>
        <strong className="brand">mailgate</strong>
        <nav aria-label="Console pages">
          {pages.map((p) => (
            <a key={p.path} href={`#/${p.path}`} aria-current={current === p.path ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        <span className="who">{session.user.email}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {pages.length === 0 && <p>Your roles give you no console pages. Ask an administrator for the tracking or held-reviewer role.</p>}
        {current === 'overview' && may(session, PERMISSION.trackingRead) && <Overview />}
        {current === 'messages' && may(session, PERMISSION.trackingRead) && (route[1] ? <Message id={route[1]} /> : <Messages />)}
        {current === 'held' && may(session, PERMISSION.heldRead) && <Held session={session} />}
        {current === 'queue' && may(session, PERMISSION.trackingRead) && <Queue session={session} />}
        {current === 'settings' && may(session, PERMISSION.admin) && <Settings />}
      </main>
    </div>
  );
}
