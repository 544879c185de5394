/**
 * Creating, listing and withdrawing identities, shared by the CLI, the admin API and the console:
 * users, Mimecast API 1.0 keys, OAuth apps (Graph and LINE WORKS clients, Mimecast API 2.0
 * applications) and DKIM keys. A secret is returned once, by the call that creates it; lists never
 * carry one. Every change is audited under its operator. What a revocation stops, and when, is in
 * docs/identities.md.
 */
import { addUser, createMimecastKeys, requireUser, type MimecastKeys } from '../auth/identity.js';
import { createOAuthClient } from '../auth/oauth-clients.js';
import { assertPassword, setUserPassword } from '../auth/passwords.js';
import type { SecretBox } from '../auth/secret-box.js';
import { MailgateError } from '../core/errors.js';
import type { Clock } from '../core/ports.js';
import { assertAddress } from '../core/validate.js';
import type { OAuthClientRecord } from '../core/storage/oauth-store.js';
import type { ApiKeyRecord, DkimKeyRecord, Store, UserRecord } from '../core/storage/store.js';
import { dkimDnsRecord, generateDkimKey, type DkimAlgorithm } from '../mime/dkim-keys.js';
import type { DnsResolve } from '../scan/dns-resolver.js';
import { checkDkimDns, type DkimDnsCheck } from './dkim-dns-check.js';

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  createdAt: string;
}

/** A Mimecast API 1.0 access key and the application it is bound to (the access key names the key; it is not its secret). */
export interface KeyView {
  accessKey: string;
  appId: string;
  appName: string | null;
  /** The key's user, null once that user is removed. */
  user: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** `mimecast-2.0`: an API 2.0 application acting as its user; `oauth`: a Graph or LINE WORKS client app. */
export type AppKind = 'oauth' | 'mimecast-2.0';

export interface AppView {
  clientId: string;
  name: string;
  kind: AppKind;
  user: string | null;
  permissions: string[];
  createdAt: string;
  revokedAt: string | null;
}

export interface DkimKeyView {
  domain: string;
  selector: string;
  algorithm: DkimKeyRecord['algorithm'];
  createdAt: string;
  /** The domain's newest key signs; older ones wait to be removed once their DNS record is gone. */
  signing: boolean;
  dnsName: string;
  dnsValue: string;
}

/** A new OAuth app and its secret, which is never shown again. */
export interface CreatedApp {
  clientId: string;
  clientSecret: string;
  app: AppView;
}

export interface IdentityService {
  users(): Promise<UserView[]>;
  /** A new user with these roles (`user` when none) and, when given, a password for the console and the OAuth password grant. */
  createUser(input: { email: string; name?: string; roles?: string[]; password?: string }, operator: string): Promise<UserView>;
  /** Removes the user and withdraws every credential of theirs; `not_found` when there is no such user. */
  removeUser(email: string, operator: string): Promise<UserView>;
  keys(): Promise<KeyView[]>;
  /** A Mimecast API 1.0 application and key pair for the user; the secrets are in the answer only. */
  createKeys(input: { email: string; appName?: string; expiresAt?: number | null }, operator: string): Promise<MimecastKeys>;
  /** Revokes a Mimecast 1.0 key; revoking a revoked key changes nothing. */
  revokeKey(accessKey: string, operator: string): Promise<KeyView>;
  apps(): Promise<AppView[]>;
  /** An OAuth client app (Graph, LINE WORKS) with app permissions, or with `user` a Mimecast API 2.0 application acting as that user. */
  createApp(input: { name?: string; permissions?: string[]; user?: string }, operator: string): Promise<CreatedApp>;
  /** Revokes an OAuth app: no new tokens, its refresh tokens gone, its unexpired access tokens refused. */
  revokeApp(clientId: string, operator: string): Promise<AppView>;
  dkimKeys(): Promise<DkimKeyView[]>;
  /** A new key for the domain, which becomes its signing key; the selector defaults to `mailgateYYYYMM`. */
  createDkimKey(input: { domain: string; selector?: string; algorithm?: string }, operator: string): Promise<DkimKeyView>;
  removeDkimKey(domain: string, selector: string, operator: string): Promise<void>;
  /** What DNS serves now for the key's record, compared with the record to publish. */
  checkDkimDns(domain: string, selector: string): Promise<DkimDnsCheck>;
}

type IdentityStore = Pick<
  Store,
  | 'getUserByEmail'
  | 'listUsers'
  | 'removeUser'
  | 'getApiApp'
  | 'getApiKey'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'getOAuthClient'
  | 'listOAuthClients'
  | 'revokeOAuthClient'
  | 'listDkimKeys'
  | 'putDkimKey'
  | 'removeDkimKey'
  | 'appendAudit'
  | 'createUser'
  | 'setUserPassword'
  | 'createApiApp'
  | 'createApiKey'
  | 'createOAuthClient'
>;

const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*$/i;
const ALGORITHMS: readonly string[] = ['rsa-sha256', 'ed25519-sha256'] satisfies DkimAlgorithm[];

const iso = (at: number): string => new Date(at).toISOString();
const isoOrNull = (at: number | null | undefined): string | null => (at === null || at === undefined ? null : iso(at));

function dkimView(key: DkimKeyRecord, signing: boolean): DkimKeyView {
  return {
    domain: key.domain,
    selector: key.selector,
    algorithm: key.algorithm,
    createdAt: iso(key.createdAt),
    signing,
    dnsName: `${key.selector}._domainkey.${key.domain}`,
    dnsValue: dkimDnsRecord(key.algorithm, key.publicKey),
  };
}

function userView(user: UserRecord): UserView {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles, createdAt: iso(user.createdAt) };
}

export function createIdentityService({
  store,
  secrets,
  clock,
  resolve,
}: {
  store: IdentityStore;
  secrets: SecretBox;
  clock: Clock;
  /** The gateway's DNS resolver (MAILGATE_DNS_SERVERS), for the DKIM record check. */
  resolve: DnsResolve;
}): IdentityService {
  /** Addresses of the current users by id; removed users are absent. */
  async function emails(): Promise<Map<string, string>> {
    return new Map((await store.listUsers()).map((u) => [u.id, u.email]));
  }

  async function keyView(key: ApiKeyRecord, users: Map<string, string>): Promise<KeyView> {
    const app = await store.getApiApp(key.appId);
    return {
      accessKey: key.accessKey,
      appId: key.appId,
      appName: app?.name ?? null,
      user: users.get(key.userId) ?? null,
      createdAt: iso(key.createdAt),
      expiresAt: isoOrNull(key.expiresAt),
      revokedAt: isoOrNull(key.revokedAt),
    };
  }

  function appView(client: OAuthClientRecord, users: Map<string, string>): AppView {
    return {
      clientId: client.clientId,
      name: client.name,
      kind: client.userId === undefined ? 'oauth' : 'mimecast-2.0',
      user: client.userId === undefined ? null : (users.get(client.userId) ?? null),
      permissions: client.permissions,
      createdAt: iso(client.createdAt),
      revokedAt: isoOrNull(client.revokedAt),
    };
  }

  return {
    async users() {
      return (await store.listUsers()).map(userView);
    },
    async createUser(input, operator) {
      const now = clock.now();
      // Checked first, so that a refused password leaves no user behind.
      if (input.password !== undefined) assertPassword(input.password);
      const user = await addUser(store, input, now);
      if (input.password !== undefined) await setUserPassword(store, user.id, input.password, now);
      await store.appendAudit({ at: now, operator, action: 'user_create', target: user.id, detail: { email: user.email, roles: user.roles } });
      return userView(user);
    },
    async removeUser(email, operator) {
      const user = await store.getUserByEmail(email);
      if (!user || !(await store.removeUser(user.id, clock.now()))) throw new MailgateError('not_found', `No user ${email}`, 'email');
      await store.appendAudit({ at: clock.now(), operator, action: 'user_remove', target: user.id, detail: { email: user.email } });
      return userView(user);
    },

    async keys() {
      const users = await emails();
      return Promise.all((await store.listApiKeys()).map((key) => keyView(key, users)));
    },
    async createKeys(input, operator) {
      const now = clock.now();
      const keys = await createMimecastKeys(store, secrets, input, now);
      await store.appendAudit({ at: now, operator, action: 'key_create', target: keys.accessKey, detail: { user: input.email, appId: keys.appId } });
      return keys;
    },
    async revokeKey(accessKey, operator) {
      if (!(await store.getApiKey(accessKey))) throw new MailgateError('not_found', `No access key ${accessKey}`, 'accessKey');
      if (await store.revokeApiKey(accessKey, clock.now())) {
        await store.appendAudit({ at: clock.now(), operator, action: 'key_revoke', target: accessKey, detail: {} });
      }
      return keyView((await store.getApiKey(accessKey)) as ApiKeyRecord, await emails());
    },

    async apps() {
      const users = await emails();
      return (await store.listOAuthClients()).map((client) => appView(client, users));
    },
    async createApp(input, operator) {
      const now = clock.now();
      const user = input.user === undefined ? undefined : await requireUser(store, input.user);
      const created = await createOAuthClient(
        store,
        user
          ? { name: input.name ?? `API 2.0 application for ${user.email}`, permissions: [], userId: user.id }
          : { name: input.name ?? '', permissions: input.permissions ?? [] },
        now,
      );
      const app = appView(created.record, await emails());
      await store.appendAudit({ at: now, operator, action: 'app_create', target: created.clientId, detail: { name: app.name, kind: app.kind } });
      return { clientId: created.clientId, clientSecret: created.clientSecret, app };
    },
    async revokeApp(clientId, operator) {
      if (!(await store.getOAuthClient(clientId))) throw new MailgateError('not_found', `No app ${clientId}`, 'clientId');
      if (await store.revokeOAuthClient(clientId, clock.now())) {
        await store.appendAudit({ at: clock.now(), operator, action: 'app_revoke', target: clientId, detail: {} });
      }
      return appView((await store.getOAuthClient(clientId)) as OAuthClientRecord, await emails());
    },

    async dkimKeys() {
      const keys = await store.listDkimKeys();
      // Listed newest first per domain: the first of each domain is the one getDkimKey signs with.
      return keys.map((key, i) => dkimView(key, i === 0 || keys[i - 1]?.domain !== key.domain));
    },
    async createDkimKey(input, operator) {
      // Validating a probe address reuses the one domain syntax check.
      const domain = assertAddress(`postmaster@${input.domain}`, 'domain').split('@')[1] as string;
      const now = clock.now();
      const selector = input.selector ?? `mailgate${new Date(now).toISOString().slice(0, 7).replace('-', '')}`;
      if (!SELECTOR.test(selector)) throw new MailgateError('invalid_value', `Not a DKIM selector: "${selector}"`, 'selector');
      const algorithm = input.algorithm ?? 'rsa-sha256';
      if (!ALGORITHMS.includes(algorithm)) throw new MailgateError('invalid_value', 'The algorithm must be rsa-sha256 or ed25519-sha256', 'algorithm');
      if ((await store.listDkimKeys()).some((k) => k.domain === domain && k.selector === selector)) {
        throw new MailgateError('conflict', `${domain} already has a DKIM key with the selector ${selector}`, 'selector');
      }
      const generated = generateDkimKey(algorithm as DkimAlgorithm);
      const key: DkimKeyRecord = {
        domain,
        selector,
        algorithm: algorithm as DkimAlgorithm,
        privateKeyEnc: secrets.seal(generated.privateKeyPem),
        publicKey: generated.publicKey,
        createdAt: now,
      };
      await store.putDkimKey(key);
      await store.appendAudit({ at: now, operator, action: 'dkim_create', target: `${selector}._domainkey.${domain}`, detail: { algorithm } });
      return dkimView(key, true);
    },
    async removeDkimKey(domain, selector, operator) {
      if (!(await store.removeDkimKey(domain, selector))) {
        throw new MailgateError('not_found', `No DKIM key ${selector} for ${domain}`, 'selector');
      }
      await store.appendAudit({ at: clock.now(), operator, action: 'dkim_remove', target: `${selector}._domainkey.${domain.toLowerCase()}`, detail: {} });
    },
    async checkDkimDns(domain, selector) {
      const key = (await store.listDkimKeys()).find((k) => k.domain.toLowerCase() === domain.toLowerCase() && k.selector === selector);
      if (!key) throw new MailgateError('not_found', `No DKIM key ${selector} for ${domain}`, 'selector');
      const view = dkimView(key, false);
      return checkDkimDns(resolve, view.dnsName, view.dnsValue);
    },
  };
}
