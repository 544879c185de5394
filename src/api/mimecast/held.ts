/**
 * Shared by the held-message functions (docs/vendor-apis.md#mimecast-api-10): reading `searchBy`, `filterBy`,
 * `start`/`end` and pagination into a store query, and rendering holds as get-hold-message-list
 * items.
 */
import { HELD_GROUPS, type HeldGroup } from '../../core/policy.js';
import { MailgateError } from '../../core/errors.js';
import { ROUTE, type Route } from '../../core/tracking.js';
import { parseMailbox } from '../../mime/address.js';
import type { HoldActionResult, HoldQuery, HoldRecord } from '../../core/storage/inbound-store.js';
import { formatMimecastDate, parseMimecastDate } from './search-date.js';

const SEARCH_FIELDS = ['all', 'subject', 'sender', 'recipient', 'reason_code'] as const;
const DEFAULT_PAGE = 25;
const MAX_PAGE = 500;

/** Offsets travel as opaque page tokens. */
export function pageTokenOf(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

/** The offset a page token stands for; throws for a token this server did not issue. */
export function offsetOf(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) throw new MailgateError('invalid_value', 'pageToken is not one this server issued', 'meta.pagination.pageToken');
  return Number(match[1]);
}

function routesOf(value: string): Route[] | undefined {
  const v = value.toLowerCase();
  if (v === 'all') return undefined;
  // Mimecast's "external" is everything that crosses the boundary.
  if (v === 'external') return [ROUTE.inbound, ROUTE.outbound];
  if ((Object.values(ROUTE) as string[]).includes(v)) return [v as Route];
  throw new MailgateError('invalid_value', 'route must be all, internal, outbound, inbound or external', 'filterBy.value');
}

function heldGroupOf(value: string): HeldGroup {
  const v = value.toLowerCase() === 'administrator' ? 'admin' : value.toLowerCase();
  if (!(HELD_GROUPS as readonly string[]).includes(v)) {
    throw new MailgateError('invalid_value', `heldGroup must be one of ${HELD_GROUPS.join(', ')}`, 'filterBy.value');
  }
  return v as HeldGroup;
}

/** Time window, search and filters of a request item (for holds and their release logs alike). */
export function holdQueryOf(item: Record<string, unknown>, pagination: { pageSize?: number; pageToken?: string } | undefined): HoldQuery {
  const limit = Math.min(pagination?.pageSize ?? DEFAULT_PAGE, MAX_PAGE);
  if (!Number.isInteger(limit) || limit < 1) throw new MailgateError('invalid_value', 'pageSize must be a positive whole number', 'meta.pagination.pageSize');
  const query: HoldQuery = { offset: offsetOf(pagination?.pageToken), limit };
  if (item.start !== undefined && item.start !== null) query.start = parseMimecastDate(item.start, 'start');
  if (item.end !== undefined && item.end !== null) query.end = parseMimecastDate(item.end, 'end');
  const searchBy = item.searchBy as Record<string, unknown> | undefined | null;
  if (searchBy) {
    const field = String(searchBy.fieldName ?? 'all').toLowerCase();
    if (!(SEARCH_FIELDS as readonly string[]).includes(field)) {
      throw new MailgateError('invalid_value', `searchBy.fieldName must be one of ${SEARCH_FIELDS.join(', ')}`, 'searchBy.fieldName');
    }
    if (typeof searchBy.value !== 'string') throw new MailgateError('field_required', 'searchBy.value is required', 'searchBy.value');
    query.search = { field: field as (typeof SEARCH_FIELDS)[number], value: searchBy.value };
  }
  const filters = item.filterBy === undefined || item.filterBy === null ? [] : Array.isArray(item.filterBy) ? item.filterBy : [item.filterBy];
  for (const filter of filters as Array<Record<string, unknown>>) {
    const name = String(filter?.fieldName ?? '');
    const value = String(filter?.value ?? '');
    if (name === 'route') {
      const routes = routesOf(value);
      if (routes) query.routes = routes;
    } else if (name === 'heldGroup') {
      query.heldGroup = heldGroupOf(value);
    } else {
      throw new MailgateError('invalid_value', 'filterBy.fieldName must be route or heldGroup', 'filterBy.fieldName');
    }
  }
  return query;
}

/** `meta.pagination` of a paged answer. */
export function paginationOf(query: HoldQuery, shown: number, total: number): Record<string, unknown> {
  const next = query.offset + shown;
  return {
    pageSize: shown,
    totalCount: total,
    ...(next < total ? { next: pageTokenOf(next) } : {}),
    ...(query.offset > 0 ? { previous: pageTokenOf(Math.max(0, query.offset - query.limit)) } : {}),
  };
}

/** `Name <addr>` or `addr` as Mimecast's `{emailAddress, displayableName}`. */
export function mimecastAddress(text: string): { emailAddress: string; displayableName: string } {
  const parsed = parseMailbox(text);
  return parsed ? { emailAddress: parsed.address, displayableName: parsed.name ?? '' } : { emailAddress: text.trim(), displayableName: '' };
}

/** One get-hold-message-list item. */
export function renderHold(hold: HoldRecord): Record<string, unknown> {
  const fromHeader = mimecastAddress(hold.fromHeader);
  // The envelope sender has no name of its own; it is the From header's when both are one address.
  const sameSender = fromHeader.emailAddress.toLowerCase() === hold.mailFrom.toLowerCase();
  const to = { emailAddress: hold.toAddress, displayableName: hold.toName };
  return {
    id: hold.messageId,
    dateReceived: formatMimecastDate(hold.receivedAt),
    reason: hold.reason,
    reasonId: hold.reasonId,
    reasonCode: hold.reasonCode,
    from: { emailAddress: hold.mailFrom, displayableName: sameSender ? fromHeader.displayableName : '' },
    fromHeader,
    to,
    toHeader: to,
    subject: hold.subject,
    // Real Mimecast data writes routes in capitals ("INBOUND").
    route: hold.route.toUpperCase(),
    hasAttachments: hold.hasAttachments,
    size: hold.size,
    policyInfo: hold.policyInfo,
    heldGroup: hold.heldGroup,
  };
}

/** The fail entry for a release/reject that could not act on an id. */
export function holdActionFailure(result: Exclude<HoldActionResult, 'done'>): MailgateError {
  return result === 'not_found'
    ? new MailgateError('not_found', 'No held message has this id', 'id')
    : new MailgateError('conflict', 'The message is no longer held (already released, rejected or expired)', 'id');
}
