/** Request and response schemas of the admin identity routes (identities.ts). */
import { isoDate, list, nullable, obj, oneOf, params, responses, str, strings, type RouteSchema } from '../schemas.js';

const user = obj({ id: str(), email: str(), name: nullable(str()), roles: strings, createdAt: isoDate() });
const key = obj({
  accessKey: str('names the key; its secret is shown only when created'),
  appId: str(),
  appName: nullable(str()),
  user: nullable(str('null once the user is removed')),
  createdAt: isoDate(),
  expiresAt: nullable(isoDate()),
  revokedAt: nullable(isoDate()),
});
const app = obj({
  clientId: str(),
  name: str(),
  kind: oneOf(['oauth', 'mimecast-2.0']),
  user: nullable(str('the user a Mimecast 2.0 application acts as')),
  permissions: strings,
  createdAt: isoDate(),
  revokedAt: nullable(isoDate()),
});
const dkimKey = obj({
  domain: str(),
  selector: str(),
  algorithm: oneOf(['rsa-sha256', 'ed25519-sha256']),
  createdAt: isoDate(),
  signing: { type: 'boolean', description: 'the domain’s newest key, which signs' },
  dnsName: str('the TXT record name to publish'),
  dnsValue: str('the TXT record value'),
});

const dnsCheck = obj({
  dnsName: str(),
  expected: str('the TXT value to publish'),
  served: { ...strings, description: 'each TXT record DNS serves now at dnsName' },
  matches: { type: 'boolean', description: 'a served record carries the key to publish' },
  problem: nullable(str('why nothing could be read')),
});

const tags = ['identities'];
const once = 'shown in this answer only';

export const identitySchemas: Record<string, RouteSchema> = {
  listUsers: { summary: 'Users', tags, response: responses({ 200: obj({ users: list(user) }) }) },
  removeUser: {
    summary: 'Remove a user: every credential of theirs stops working (docs/identities.md)',
    tags,
    params: params('email'),
    response: responses({ 200: user }),
  },
  createUser: {
    summary: 'Create a user with roles and, optionally, a password',
    tags,
    body: {
      type: 'object',
      properties: { email: str(), name: str(), roles: { ...strings, description: 'user, tracking, held-reviewer, admin; user when none' }, password: str('at least 8 characters') },
      required: ['email'],
    },
    response: responses({ 201: user }),
  },
  listKeys: { summary: 'Mimecast API 1.0 keys, revoked ones included', tags, response: responses({ 200: obj({ keys: list(key) }) }) },
  createKeys: {
    summary: 'Create a Mimecast API 1.0 application and key pair for a user (the secrets are shown once)',
    tags,
    body: { type: 'object', properties: { user: str('the user’s email'), appName: str(), expiresAt: isoDate() }, required: ['user'] },
    response: responses({ 201: obj({ appId: str(), appKey: str(once), accessKey: str(), secretKey: str(`base64; ${once}`) }) }),
  },
  revokeKey: { summary: 'Revoke a Mimecast API 1.0 key', tags, params: params('accessKey'), response: responses({ 200: key }) },
  listApps: { summary: 'OAuth apps (Graph, LINE WORKS, Mimecast API 2.0), revoked ones included', tags, response: responses({ 200: obj({ apps: list(app) }) }) },
  createApp: {
    summary: 'Create an OAuth app: a Graph or LINE WORKS client, or with user a Mimecast API 2.0 application (the secret is shown once)',
    tags,
    body: {
      type: 'object',
      properties: {
        name: str('required unless user is given'),
        permissions: { ...strings, description: 'app permissions: Mail.Send, Mail.ReadWrite, Mail.Read' },
        user: str('the email of the user a Mimecast API 2.0 application acts as'),
      },
    },
    response: responses({ 201: obj({ tenantId: str(), clientId: str(), clientSecret: str(once), app }) }),
  },
  revokeApp: { summary: 'Revoke an OAuth app: no new tokens, its tokens refused', tags, params: params('clientId'), response: responses({ 200: app }) },
  listDkimKeys: { summary: 'DKIM keys with the DNS records to publish', tags, response: responses({ 200: obj({ keys: list(dkimKey) }) }) },
  createDkimKey: {
    summary: 'Create a DKIM key, which becomes the domain’s signing key',
    tags,
    body: {
      type: 'object',
      properties: { domain: str(), selector: str('mailgateYYYYMM by default'), algorithm: oneOf(['rsa-sha256', 'ed25519-sha256']) },
      required: ['domain'],
    },
    response: responses({ 201: dkimKey }),
  },
  checkDkimDns: {
    summary: 'What DNS serves now for a DKIM key’s record (through MAILGATE_DNS_SERVERS), compared with the record to publish',
    tags,
    params: params('domain', 'selector'),
    response: responses({ 200: dnsCheck }),
  },
  removeDkimKey: { summary: 'Remove a DKIM key', tags, params: params('domain', 'selector'), response: responses({ 204: null }) },
};
