/**
 * Changing inbound settings (policies, sender lists, DNSBL zones), shared by the CLI and the admin
 * API: validation, storage and an audit entry naming the operator for every change.
 */
import { MailgateError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { normalizeAddressPattern } from '../core/address-pattern.js';
import { validatePolicy, type Policy } from '../core/policy.js';
import type { Clock } from '../core/ports.js';
import type { DigestStore, RecipientSenderEntry } from '../core/storage/digest-store.js';
import { SENDER_LISTS, type AuditQuery, type DnsblZone, type InboundStore, type SenderList, type SenderListEntry } from '../core/storage/inbound-store.js';

type Settings = Pick<
  InboundStore,
  | 'listPolicies'
  | 'putPolicy'
  | 'deletePolicy'
  | 'addSenderEntry'
  | 'removeSenderEntry'
  | 'listSenderEntries'
  | 'listDnsblZones'
  | 'putDnsblZone'
  | 'removeDnsblZone'
  | 'appendAudit'
  | 'listAudit'
> &
  Pick<DigestStore, 'putRecipientSender' | 'listRecipientSenders'>;

/** The settings operations, each change audited under `operator`. */
export interface InboundSettings {
  policies(): Promise<Policy[]>;
  /** Creates (no id, or a new one) or replaces a policy; unspecified fields default sensibly. */
  savePolicy(input: Partial<Policy> & Pick<Policy, 'name' | 'kind'>, operator: string): Promise<Policy>;
  deletePolicy(id: string, operator: string): Promise<void>;
  senders(list?: SenderList): Promise<SenderListEntry[]>;
  addSender(list: string, pattern: string, note: string | undefined, operator: string): Promise<SenderListEntry>;
  /** Removes by id, or by pattern within the list. */
  removeSender(list: string, idOrPattern: string, operator: string): Promise<void>;
  /**
   * A recipient's own choice for a sender, which affects only mail to that recipient
   * (core/recipient-senders.ts); replaces their earlier choice for the same pattern.
   */
  setRecipientSender(recipient: string, list: string, pattern: string, operator: string, detail?: Record<string, unknown>): Promise<RecipientSenderEntry>;
  recipientSenders(recipient: string): Promise<RecipientSenderEntry[]>;
  zones(): Promise<DnsblZone[]>;
  saveZone(input: { zone: string; kind?: string; weight?: number }, operator: string): Promise<DnsblZone>;
  removeZone(zone: string, operator: string): Promise<void>;
  audit(query: AuditQuery): ReturnType<InboundStore['listAudit']>;
}

const ZONE = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function assertSenderList(list: string): SenderList {
  if (!(SENDER_LISTS as readonly string[]).includes(list)) throw new MailgateError('invalid_value', 'the list is permitted or blocked', 'list');
  return list as SenderList;
}

async function savePolicy(store: Settings, input: Partial<Policy> & Pick<Policy, 'name' | 'kind'>, operator: string, now: number): Promise<Policy> {
  const existing = input.id ? (await store.listPolicies()).find((p) => p.id === input.id) : undefined;
  const policy = validatePolicy({
    id: input.id ?? newId(now),
    name: input.name,
    kind: input.kind,
    enabled: input.enabled ?? existing?.enabled ?? true,
    routes: input.routes ?? existing?.routes ?? ['inbound'],
    heldGroup: input.heldGroup ?? existing?.heldGroup ?? 'admin',
    position: input.position ?? existing?.position ?? 50,
    params: input.params ?? existing?.params ?? {},
  });
  await store.putPolicy(policy, now);
  await store.appendAudit({ at: now, operator, action: existing ? 'policy_update' : 'policy_create', target: policy.id, detail: { policy } });
  return policy;
}

async function deletePolicy(store: Settings, id: string, operator: string, now: number): Promise<void> {
  if (!(await store.deletePolicy(id))) throw new MailgateError('not_found', `No policy ${id}`, 'id');
  await store.appendAudit({ at: now, operator, action: 'policy_delete', target: id, detail: {} });
}

async function addSender(store: Settings, list: string, pattern: string, note: string | undefined, operator: string, now: number): Promise<SenderListEntry> {
  const entry: SenderListEntry = { id: newId(now), list: assertSenderList(list), pattern: normalizeAddressPattern(pattern), note: note ?? null, createdAt: now };
  await store.addSenderEntry(entry);
  await store.appendAudit({ at: now, operator, action: 'sender_add', target: entry.id, detail: { list: entry.list, pattern: entry.pattern } });
  return entry;
}

async function removeSender(store: Settings, list: string, idOrPattern: string, operator: string, now: number): Promise<void> {
  const entries = await store.listSenderEntries(assertSenderList(list));
  const wanted = idOrPattern.trim().toLowerCase();
  const entry = entries.find((e) => e.id === idOrPattern || e.pattern === wanted || e.pattern === wanted.replace(/^\*@/, '@'));
  if (!entry || !(await store.removeSenderEntry(entry.id))) throw new MailgateError('not_found', `${idOrPattern} is not on the ${list} list`, 'pattern');
  await store.appendAudit({ at: now, operator, action: 'sender_remove', target: entry.id, detail: { list: entry.list, pattern: entry.pattern } });
}

async function setRecipientSender(
  store: Settings,
  input: { recipient: string; list: string; pattern: string },
  operator: string,
  detail: Record<string, unknown>,
  now: number,
): Promise<RecipientSenderEntry> {
  const recipient = input.recipient.trim().toLowerCase();
  const entry: RecipientSenderEntry = { id: newId(now), recipient, list: assertSenderList(input.list), pattern: normalizeAddressPattern(input.pattern), createdAt: now };
  await store.putRecipientSender(entry);
  await store.appendAudit({ at: now, operator, action: 'recipient_sender_set', target: recipient, detail: { ...detail, list: entry.list, pattern: entry.pattern } });
  return entry;
}

async function saveZone(store: Settings, input: { zone: string; kind?: string; weight?: number }, operator: string, now: number): Promise<DnsblZone> {
  const zone = input.zone.trim().toLowerCase().replace(/\.$/, '');
  if (!ZONE.test(zone)) throw new MailgateError('invalid_value', `"${input.zone}" is not a DNS zone`, 'zone');
  const kind = input.kind ?? 'ip';
  if (kind !== 'ip' && kind !== 'domain') throw new MailgateError('invalid_value', 'kind is ip or domain', 'kind');
  const weight = input.weight ?? 5;
  if (typeof weight !== 'number' || !Number.isFinite(weight)) throw new MailgateError('invalid_type', 'weight must be a number', 'weight');
  const saved: DnsblZone = { zone, kind, weight, createdAt: now };
  await store.putDnsblZone(saved);
  await store.appendAudit({ at: now, operator, action: 'dnsbl_put', target: zone, detail: { kind, weight } });
  return saved;
}

async function removeZone(store: Settings, zone: string, operator: string, now: number): Promise<void> {
  if (!(await store.removeDnsblZone(zone.trim().toLowerCase()))) throw new MailgateError('not_found', `No DNSBL zone ${zone}`, 'zone');
  await store.appendAudit({ at: now, operator, action: 'dnsbl_remove', target: zone.toLowerCase(), detail: {} });
}

export function createInboundSettings(store: Settings, clock: Clock): InboundSettings {
  return {
    policies: () => store.listPolicies(),
    savePolicy: (input, operator) => savePolicy(store, input, operator, clock.now()),
    deletePolicy: (id, operator) => deletePolicy(store, id, operator, clock.now()),
    senders: (list) => store.listSenderEntries(list),
    addSender: (list, pattern, note, operator) => addSender(store, list, pattern, note, operator, clock.now()),
    removeSender: (list, idOrPattern, operator) => removeSender(store, list, idOrPattern, operator, clock.now()),
    setRecipientSender: (recipient, list, pattern, operator, detail = {}) =>
      setRecipientSender(store, { recipient, list, pattern }, operator, detail, clock.now()),
    recipientSenders: (recipient) => store.listRecipientSenders([recipient.trim().toLowerCase()]),
    zones: () => store.listDnsblZones(),
    saveZone: (input, operator) => saveZone(store, input, operator, clock.now()),
    removeZone: (zone, operator) => removeZone(store, zone, operator, clock.now()),
    audit: (query) => store.listAudit(query),
  };
}
