/** fetch that trusts one extra CA (the gateway's generated certificate), as a client configured with `ca` does. */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, fetch as undiciFetch, setGlobalDispatcher } from 'undici';

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** `caFile`: a PEM file; the Agent keeps connections alive between calls like any client. */
export function trustingFetch(caFile: string): Fetch {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile) } });
  // undici's own fetch with its Agent: the same Fetch API as the global one, with a dispatcher that trusts `ca`.
  return (url, init) => undiciFetch(url, { ...init, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
}

/**
 * Makes every fetch in this process (the SDKs' too) trust `caFile` besides the public roots, as
 * NODE_EXTRA_CA_CERTS does for a process started with it; vitest runs each test file in its own process.
 */
export function trustForProcess(caFile: string): void {
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] } }));
}
