/** Request and response schemas of the admin inbound-settings routes (inbound.ts). */
import { HELD_GROUPS, POLICY_KIND } from '../../../core/policy.js';
import { SENDER_LISTS } from '../../../core/storage/inbound-store.js';
import { bool, epochMs, int, list, nullable, num, obj, oneOf, openObject, params, responses, str, strings, type RouteSchema, type Schema } from '../schemas.js';

const policyParams: Schema = {
  type: 'object',
  description: 'kind-specific settings',
  properties: {
    level: str('spam: detection level'),
    minScore: num('spam: hold at or above this score'),
    extensions: strings,
    contentTypes: strings,
    maxSize: int('attachment: size limit in bytes'),
    pattern: str('content: case-insensitive regular expression'),
    target: oneOf(['subject', 'body', 'any']),
    addresses: strings,
  },
};

const policyFields = {
  name: str(),
  kind: oneOf(Object.values(POLICY_KIND)),
  enabled: bool,
  routes: list(oneOf(['inbound', 'outbound', 'internal'])),
  heldGroup: oneOf(HELD_GROUPS),
  position: num('lower positions are evaluated first'),
  params: policyParams,
};
const policy = obj({ id: str(), ...policyFields });
const policyBody: Schema = { type: 'object', properties: { id: str('ignored: POST creates one, PUT takes the path’s'), ...policyFields }, required: ['name', 'kind'] };

const senderEntry = obj({ id: str(), list: oneOf(SENDER_LISTS), pattern: str(), note: nullable(str()), createdAt: epochMs() });
const zone = obj({ zone: str(), kind: oneOf(['ip', 'domain']), weight: num(), createdAt: epochMs() });
const auditEntry = obj({ id: int(), at: epochMs(), operator: str(), action: str(), target: str(), detail: openObject('what changed') });

const tags = ['inbound settings'];

export const inboundSchemas: Record<string, RouteSchema> = {
  listPolicies: { summary: 'Hold policies', tags, response: responses({ 200: obj({ policies: list(policy) }) }) },
  createPolicy: { summary: 'Create a hold policy', tags, body: policyBody, response: responses({ 201: policy }) },
  replacePolicy: { summary: 'Replace a hold policy', tags, params: params('id'), body: policyBody, response: responses({ 200: policy }) },
  deletePolicy: { summary: 'Delete a hold policy', tags, params: params('id'), response: responses({ 204: null }) },
  listSenders: { summary: 'Entries of the permitted or blocked sender list', tags, params: params('list'), response: responses({ 200: obj({ entries: list(senderEntry) }) }) },
  addSender: {
    summary: 'Add a sender pattern to a list',
    tags,
    params: params('list'),
    body: { type: 'object', properties: { pattern: str('address pattern: user@host, @domain, *.domain'), note: str() }, required: ['pattern'] },
    response: responses({ 201: senderEntry }),
  },
  removeSender: { summary: 'Remove a sender list entry (by id or pattern)', tags, params: params('list', 'entry'), response: responses({ 204: null }) },
  listZones: { summary: 'DNS blocklist zones', tags, response: responses({ 200: obj({ zones: list(zone) }) }) },
  putZone: {
    summary: 'Add or change a DNS blocklist zone',
    tags,
    params: params('zone'),
    body: { type: 'object', description: 'may be left out', properties: { kind: oneOf(['ip', 'domain']), weight: num('added to the spam score when listed') } },
    response: responses({ 200: zone }),
  },
  removeZone: { summary: 'Remove a DNS blocklist zone', tags, params: params('zone'), response: responses({ 204: null }) },
  audit: {
    summary: 'The audit log of settings changes, identity changes and held-message reviews',
    tags: ['audit'],
    querystring: { type: 'object', properties: { action: str('comma-separated actions'), limit: str('at most 1000; 100 by default'), offset: str() } },
    response: responses({ 200: obj({ total: int(), entries: list(auditEntry) }) }),
  },
};
