/** fetch that trusts one extra CA (the gateway's generated certificate), as a client configured with `ca` does. */
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** `caFile`: a PEM file; the Agent keeps connections alive between calls like any client. */
export function trustingFetch(caFile: string): Fetch {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
  // undici's own fetch with its Agent: the same Fetch API as the global one, with a dispatcher that trusts `ca`.
  return (url, init) => undiciFetch(url, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
}
