/** Settings: hold policies, DNS blocklist zones and the permitted/blocked sender lists. */
import type { FormEvent } from 'react';
import { api } from '../../api';
import { fieldsOf, listOf, type Change } from './shared';

export interface Policy {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  routes: string[];
  position: number;
  params: Record<string, unknown>;
}
export interface Zone {
  zone: string;
  kind: string;
  weight: number;
}
export interface SenderEntry {
  id: string;
  pattern: string;
  note: string | null;
}

const KINDS = ['spam', 'dmarc', 'dnsbl', 'attachment', 'content', 'sender', 'recipient'];

/** The kind's one setting from the form's "Setting" field (see docs/console.md). */
function paramsOf(kind: string, setting: string): Record<string, unknown> {
  if (!setting) return {};
  if (kind === 'spam') return { level: setting };
  if (kind === 'attachment') return { extensions: listOf(setting) };
  if (kind === 'content') return { pattern: setting, target: 'any' };
  if (kind === 'sender' || kind === 'recipient') return { addresses: listOf(setting) };
  return {};
}

export function Policies({ policies, change }: { policies: Policy[]; change: Change }) {
  function create(event: FormEvent<HTMLFormElement>) {
    const { name = '', kind = 'spam', route = 'inbound', setting = '' } = fieldsOf(event);
    void change(api('POST', '/policies', { name, kind, routes: [route], params: paramsOf(kind, setting) }), `Policy ${name} created`);
  }
  return (
    <>
      <h2>Hold policies</h2>
      <ul>
        {policies.map((p) => (
          <li key={p.id}>
            {p.position}. {p.name} ({p.kind}, {p.routes.join(', ')}
            {p.enabled ? '' : ', disabled'}) <code>{JSON.stringify(p.params)}</code>{' '}
            <button type="button" aria-label={`Delete policy ${p.name}`} onClick={() => void change(api('DELETE', `/policies/${encodeURIComponent(p.id)}`), `Policy ${p.name} deleted`)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form className="search" onSubmit={create} aria-label="Create a hold policy">
        <label>
          Policy name
          <input name="name" required />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue="spam">
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Route
          <select name="route" defaultValue="inbound">
            {['inbound', 'outbound', 'internal'].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Setting (spam level, extensions, pattern or addresses)
          <input name="setting" />
        </label>
        <button type="submit">Create policy</button>
      </form>
    </>
  );
}

export function Zones({ zones, change }: { zones: Zone[]; change: Change }) {
  function create(event: FormEvent<HTMLFormElement>) {
    const { zone = '', kind = 'ip', weight } = fieldsOf(event);
    void change(api('PUT', `/dnsbl-zones/${encodeURIComponent(zone)}`, { kind, ...(weight ? { weight: Number(weight) } : {}) }), `DNSBL zone ${zone} saved`);
  }
  return (
    <>
      <h2>DNS blocklists</h2>
      <ul>
        {zones.map((z) => (
          <li key={z.zone}>
            {z.zone} ({z.kind}, weight {z.weight}){' '}
            <button type="button" aria-label={`Remove zone ${z.zone}`} onClick={() => void change(api('DELETE', `/dnsbl-zones/${encodeURIComponent(z.zone)}`), `DNSBL zone ${z.zone} removed`)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="search" onSubmit={create} aria-label="Add a DNSBL zone">
        <label>
          Blocklist zone
          <input name="zone" required />
        </label>
        <label>
          Lists
          <select name="kind" defaultValue="ip">
            <option value="ip">ip</option>
            <option value="domain">domain</option>
          </select>
        </label>
        <label>
          Weight
          <input name="weight" type="number" step="any" />
        </label>
        <button type="submit">Add zone</button>
      </form>
    </>
  );
}

export function Senders({ list, entries, change }: { list: 'blocked' | 'permitted'; entries: SenderEntry[]; change: Change }) {
  function add(event: FormEvent<HTMLFormElement>) {
    const { pattern = '' } = fieldsOf(event);
    void change(api('POST', `/sender-lists/${list}`, { pattern }), `${pattern} added to the ${list} senders`);
  }
  return (
    <div>
      <h2>{list === 'blocked' ? 'Blocked senders' : 'Permitted senders'}</h2>
      <ul>
        {entries.map((e) => (
          <li key={e.id}>
            {e.pattern} {e.note ? `(${e.note})` : ''}{' '}
            <button type="button" aria-label={`Remove ${e.pattern} from the ${list} senders`} onClick={() => void change(api('DELETE', `/sender-lists/${list}/${encodeURIComponent(e.id)}`), `${e.pattern} removed`)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="search" onSubmit={add} aria-label={`Add a ${list} sender`}>
        <label>
          {list === 'blocked' ? 'Block address or @domain' : 'Permit address or @domain'}
          <input name="pattern" required />
        </label>
        <button type="submit">Add</button>
      </form>
    </div>
  );
}
