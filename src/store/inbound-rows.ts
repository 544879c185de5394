/** Conversions between inbound records (policies, sender lists, zones, holds, audit) and table rows. */
import type { NewHold } from '../core/ports.js';
import type { HeldGroup, Policy, PolicyKind } from '../core/policy.js';
import type { Route } from '../core/tracking.js';
import type { AuditEntry, DnsblZone, HoldRecord, HoldStatus, NewAuditEntry, SenderList, SenderListEntry } from '../core/storage/inbound-store.js';
import type { Row, Selected } from './row-types.js';

export const policyRow = (p: Policy, now: number): Row<'policies'> => ({
  id: p.id,
  name: p.name,
  kind: p.kind,
  enabled: p.enabled ? 1 : 0,
  routes: JSON.stringify(p.routes),
  held_group: p.heldGroup,
  position: p.position,
  params: JSON.stringify(p.params),
  created_at: now,
  updated_at: now,
});
export const toPolicy = (r: Selected<'policies'>): Policy => ({
  id: r.id,
  name: r.name,
  kind: r.kind as PolicyKind,
  enabled: Boolean(Number(r.enabled)),
  routes: JSON.parse(r.routes) as Route[],
  heldGroup: r.held_group as HeldGroup,
  position: Number(r.position),
  params: JSON.parse(r.params) as Policy['params'],
});

export const senderRow = (e: SenderListEntry): Row<'sender_lists'> => ({
  id: e.id,
  list: e.list,
  pattern: e.pattern,
  note: e.note,
  created_at: e.createdAt,
});
export const toSenderEntry = (r: Selected<'sender_lists'>): SenderListEntry => ({
  id: r.id,
  list: r.list as SenderList,
  pattern: r.pattern,
  note: r.note,
  createdAt: Number(r.created_at),
});

export const zoneRow = (z: DnsblZone): Row<'dnsbl_zones'> => ({
  zone: z.zone.toLowerCase(),
  kind: z.kind,
  weight: z.weight,
  created_at: z.createdAt,
});
export const toZone = (r: Selected<'dnsbl_zones'>): DnsblZone => ({
  zone: r.zone,
  kind: r.kind as DnsblZone['kind'],
  weight: Number(r.weight),
  createdAt: Number(r.created_at),
});

export const holdRow = (messageId: string, h: NewHold): Row<'holds'> => ({
  message_id: messageId,
  status: 'held',
  policy_id: h.decision.policyId,
  policy_info: h.decision.policyInfo,
  reason: h.decision.reason,
  reason_id: h.decision.reasonId,
  reason_code: h.decision.reasonCode,
  held_group: h.decision.heldGroup,
  has_attachments: h.hasAttachments ? 1 : 0,
  to_address: h.toAddress.toLowerCase(),
  held_at: h.heldAt,
  expires_at: h.expiresAt,
  decided_at: null,
  decided_by: null,
});

/** A hold joined with its message's columns. */
export type HoldJoinRow = Selected<'holds'> &
  Pick<Selected<'messages'>, 'mail_from' | 'from_header' | 'subject' | 'size' | 'route' | 'received_at' | 'meta'>;

/** The held recipient's display name, from the names ingest() kept in the message's meta. */
function recipientName(metaJson: string, address: string): string {
  const names = (JSON.parse(metaJson) as { recipientNames?: unknown }).recipientNames;
  if (typeof names !== 'object' || names === null) return '';
  const name: unknown = (names as Record<string, unknown>)[address.toLowerCase()];
  return typeof name === 'string' ? name : '';
}

export const toHold = (r: HoldJoinRow): HoldRecord => ({
  messageId: r.message_id,
  status: r.status as HoldStatus,
  policyId: r.policy_id,
  policyInfo: r.policy_info,
  reason: r.reason,
  reasonId: r.reason_id,
  reasonCode: r.reason_code,
  heldGroup: r.held_group as HeldGroup,
  hasAttachments: Boolean(Number(r.has_attachments)),
  toAddress: r.to_address,
  toName: recipientName(r.meta, r.to_address),
  heldAt: Number(r.held_at),
  expiresAt: Number(r.expires_at),
  mailFrom: r.mail_from,
  fromHeader: r.from_header,
  subject: r.subject,
  size: Number(r.size),
  route: r.route as Route,
  receivedAt: Number(r.received_at),
});

export const auditRow = (e: NewAuditEntry) => ({
  at: e.at,
  operator: e.operator,
  action: e.action,
  target: e.target,
  detail: JSON.stringify(e.detail),
});
export const toAudit = (r: Selected<'audit_log'>): AuditEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  operator: r.operator,
  action: r.action,
  target: r.target,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});
