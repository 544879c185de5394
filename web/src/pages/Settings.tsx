import { useCallback, useState } from 'react';
import { api } from '../api';
import { usePoll } from '../usePoll';
import { Dkim, type DkimKey } from './settings/Dkim';
import { Apps, Keys, Users, type App, type Key, type User } from './settings/Identities';
import { Policies, Senders, Zones, type Policy, type SenderEntry, type Zone } from './settings/Inbound';
import type { Change } from './settings/shared';

interface Settings {
  users: User[];
  keys: Key[];
  apps: App[];
  dkim: DkimKey[];
  policies: Policy[];
  zones: Zone[];
  blocked: SenderEntry[];
  permitted: SenderEntry[];
}

async function loadSettings(): Promise<Settings> {
  const [users, keys, apps, dkim, policies, zones, blocked, permitted] = await Promise.all([
    api<{ users: User[] }>('GET', '/users'),
    api<{ keys: Key[] }>('GET', '/keys'),
    api<{ apps: App[] }>('GET', '/apps'),
    api<{ keys: DkimKey[] }>('GET', '/dkim-keys'),
    api<{ policies: Policy[] }>('GET', '/policies'),
    api<{ zones: Zone[] }>('GET', '/dnsbl-zones'),
    api<{ entries: SenderEntry[] }>('GET', '/sender-lists/blocked'),
    api<{ entries: SenderEntry[] }>('GET', '/sender-lists/permitted'),
  ]);
  return {
    users: users.users,
    keys: keys.keys,
    apps: apps.apps,
    dkim: dkim.keys,
    policies: policies.policies,
    zones: zones.zones,
    blocked: blocked.entries,
    permitted: permitted.entries,
  };
}

export function Settings() {
  const load = useCallback(loadSettings, []);
  const { data, error, reload } = usePoll(load, 0);
  const [notice, setNotice] = useState('');

  const change: Change = async (promise, what) => {
    let result;
    try {
      result = await promise;
      setNotice(typeof what === 'string' ? what : what(result));
    } catch (failure) {
      setNotice(failure instanceof Error ? failure.message : String(failure));
    }
    await reload();
    return result;
  };

  if (error) return <p role="alert" className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {notice && <p role="status">{notice}</p>}
      <Users users={data.users} change={change} />
      <Keys keys={data.keys} change={change} />
      <Apps apps={data.apps} change={change} />
      <Dkim keys={data.dkim} change={change} />
      <Policies policies={data.policies} change={change} />
      <Zones zones={data.zones} change={change} />
      <Senders list="blocked" entries={data.blocked} change={change} />
      <Senders list="permitted" entries={data.permitted} change={change} />
    </section>
  );
}
