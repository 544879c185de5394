/** Settings: DKIM keys with the record to publish, and a live check of what DNS serves for it now. */
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { fieldsOf, type Change } from './shared';

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: string;
  signing: boolean;
  dnsName: string;
  dnsValue: string;
}
interface DnsCheck {
  served: string[];
  matches: boolean;
  problem: string | null;
}

function Check({ check }: { check: DnsCheck }) {
  const verdict = check.matches ? 'DNS serves the record to publish' : check.problem ?? 'DNS serves a different record';
  return (
    <div role="status" aria-label="DNS check" className={check.matches ? undefined : 'error'}>
      <p>{verdict}</p>
      {check.served.map((record) => (
        <pre key={record} className="body">
          {record}
        </pre>
      ))}
    </div>
  );
}

function Key({ k, change }: { k: DkimKey; change: Change }) {
  const [check, setCheck] = useState<DnsCheck>();
  const path = `/dkim-keys/${encodeURIComponent(k.domain)}/${encodeURIComponent(k.selector)}`;
  return (
    <li aria-label={k.dnsName}>
      {k.domain} selector {k.selector} ({k.algorithm}
      {k.signing ? ', signing' : ''}): publish TXT <code>{k.dnsName}</code>
      <pre className="body">{k.dnsValue}</pre>
      <button type="button" aria-label={`Check DNS for ${k.dnsName}`} onClick={() => void change(api<DnsCheck>('GET', `${path}/dns`), `DNS checked for ${k.dnsName}`).then((c) => c && setCheck(c))}>
        Check DNS
      </button>{' '}
      <button type="button" aria-label={`Remove DKIM key ${k.dnsName}`} onClick={() => void change(api('DELETE', path), `DKIM key ${k.dnsName} removed`)}>
        Remove
      </button>
      {check && <Check check={check} />}
    </li>
  );
}

export function Dkim({ keys, change }: { keys: DkimKey[]; change: Change }) {
  function create(event: FormEvent<HTMLFormElement>) {
    const { domain = '', selector, algorithm } = fieldsOf(event);
    void change(api<DkimKey>('POST', '/dkim-keys', { domain, algorithm, ...(selector ? { selector } : {}) }), (key) => `DKIM key ${key.dnsName} created`);
  }
  return (
    <>
      <h2>DKIM keys</h2>
      <ul>
        {keys.map((k) => (
          <Key key={`${k.domain}/${k.selector}`} k={k} change={change} />
        ))}
      </ul>
      <form className="search" onSubmit={create} aria-label="Create a DKIM key">
        <label>
          Signing domain
          <input name="domain" required />
        </label>
        <label>
          Selector
          <input name="selector" placeholder="mailgateYYYYMM" />
        </label>
        <label>
          Algorithm
          <select name="algorithm" defaultValue="rsa-sha256">
            <option value="rsa-sha256">rsa-sha256</option>
            <option value="ed25519-sha256">ed25519-sha256</option>
          </select>
        </label>
        <button type="submit">Create DKIM key</button>
      </form>
    </>
  );
}
