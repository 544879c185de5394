/**
 * The lookups every request makes (its API key and app, its user, the sender's delegations and
 * mailbox, the hold policies; for every message the sender lists, DNSBL zones, recipients' own
 * sender lists and the suppression list), cached in this process for as long as the store's
 * lookup version stays put (docs/storage.md, "Lookup cache"). Database triggers move the version on any change to
 * those tables, by any process or tool, so a revoked key or a removed user is refused by the next
 * request everywhere. The version itself is read once per turn of the event loop, shared by every
 * lookup made in that turn; this process's own writes drop the cache at once.
 */
import type { Store } from '../core/storage/store.js';

/** Entries kept at most; past that the oldest go first. */
const MAX_ENTRIES = 10_000;

const CACHED = [
  'getApiKey',
  'getApiApp',
  'getUserById',
  'getUserByEmail',
  'listDelegations',
  'listPolicies',
  'listSenderEntries',
  'listDnsblZones',
  'listRecipientSenders',
] as const satisfies ReadonlyArray<keyof Store>;

/** This process's own writes to those tables: the next lookup reads afresh, even in the same turn. */
const WRITERS = [
  'createUser',
  'removeUser',
  'addDelegation',
  'createApiApp',
  'createApiKey',
  'revokeApiKey',
  'putPolicy',
  'deletePolicy',
  'resealSecrets',
  'addSenderEntry',
  'removeSenderEntry',
  'putDnsblZone',
  'removeDnsblZone',
  'putRecipientSender',
  'putSuppression',
  'removeSuppression',
] as const satisfies ReadonlyArray<keyof Store>;

/** Callers share the returned records: they must not change them (none does). */
export function withLookupCache(store: Store): Store {
  const entries = new Map<string, Promise<unknown>>();
  let cachedVersion = -1;
  let versionRead: Promise<number> | undefined;

  function currentVersion(): Promise<number> {
    if (!versionRead) {
      versionRead = store.lookupVersion();
      setImmediate(() => {
        versionRead = undefined;
      });
    }
    return versionRead;
  }

  async function cached(key: string, load: () => Promise<unknown>): Promise<unknown> {
    const version = await currentVersion();
    if (version < cachedVersion) return load(); // an older read finishing late: never cache under it
    if (version > cachedVersion) {
      entries.clear();
      cachedVersion = version;
    }
    let entry = entries.get(key);
    if (!entry) {
      entry = load();
      entries.set(key, entry);
      entry.catch(() => entries.delete(key));
      if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
    }
    return entry;
  }

  function forget(): void {
    entries.clear();
    versionRead = undefined;
  }

  const wrapped: Partial<Record<keyof Store, unknown>> = {};
  for (const name of WRITERS) {
    const call = (store[name] as (...args: unknown[]) => Promise<unknown>).bind(store);
    wrapped[name] = (...args: unknown[]) => call(...args).finally(forget);
  }
  for (const name of CACHED) {
    const call = (store[name] as (...args: unknown[]) => Promise<unknown>).bind(store);
    wrapped[name] = (...args: unknown[]) => cached(JSON.stringify([name, ...args]), () => call(...args));
  }
  // Entries in force depend on the time asked: the addresses' entries are kept whole, expired ones
  // too, and each caller's `now` picks those in force.
  const findSuppressions: Store['findSuppressions'] = async (addresses, now) => {
    const all = (await cached(JSON.stringify(['findSuppressions', addresses]), () =>
      store.findSuppressions(addresses, Number.MIN_SAFE_INTEGER),
    )) as Awaited<ReturnType<Store['findSuppressions']>>;
    return all.filter((entry) => entry.expiresAt === null || entry.expiresAt > now);
  };
  return { ...store, ...(wrapped as Partial<Store>), findSuppressions };
}
