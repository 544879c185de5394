/** Litigation holds: placed, listed and released the same way by the CLI and the admin API. */
import { MailgateError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { assertAddress } from '../core/validate.js';
import type { Clock } from '../core/ports.js';
import type { Store } from '../core/storage/store.js';
import type { LitigationHoldRecord } from '../core/storage/tracking-store.js';

export interface HoldRequest {
  messageId?: string;
  address?: string;
  description: string;
  /** Epoch ms; absent = until released. */
  expiresAt?: number;
}

/** Validates and stores a hold on one message or one address; `by` is who placed it. */
async function placeLitigationHold(store: Store, request: HoldRequest, by: string, now: number): Promise<LitigationHoldRecord> {
  const { messageId, address } = request;
  if ((messageId === undefined) === (address === undefined)) {
    throw new MailgateError('invalid_value', 'a hold names exactly one of messageId or address', messageId === undefined ? 'messageId' : 'address');
  }
  if (request.description.trim() === '') throw new MailgateError('field_blank', 'description is blank', 'description');
  if (request.expiresAt !== undefined && request.expiresAt <= now) {
    throw new MailgateError('invalid_value', 'expiresAt must be in the future', 'expiresAt');
  }
  if (messageId !== undefined && !(await store.getMessage(messageId))) {
    throw new MailgateError('not_found', `No message has the id ${messageId}`, 'messageId');
  }
  const hold: LitigationHoldRecord = {
    id: newId(now),
    messageId: messageId ?? null,
    address: address === undefined ? null : assertAddress(address, 'address').toLowerCase(),
    description: request.description.trim(),
    createdBy: by,
    createdAt: now,
    expiresAt: request.expiresAt ?? null,
    releasedAt: null,
    releasedBy: null,
  };
  await store.addLitigationHold(hold);
  return hold;
}

/** Ends a hold; `not_found` when no hold in force has that id. */
async function releaseLitigationHold(store: Store, id: string, by: string, now: number): Promise<void> {
  if (!(await store.releaseLitigationHold(id, by, now))) throw new MailgateError('not_found', `No active litigation hold has the id ${id}`, 'id');
}

export interface LitigationHolds {
  /** Holds in force now, or every hold ever placed with `all`. */
  list(all: boolean): Promise<LitigationHoldRecord[]>;
  /** Validates and stores a hold on one message or one address; `by` is who placed it. */
  place(request: HoldRequest, by: string): Promise<LitigationHoldRecord>;
  release(id: string, by: string): Promise<void>;
}

export function createLitigationHolds(store: Store, clock: Clock): LitigationHolds {
  return {
    list: (all) => store.listLitigationHolds(all ? undefined : clock.now()),
    place: (request, by) => placeLitigationHold(store, request, by, clock.now()),
    release: (id, by) => releaseLitigationHold(store, id, by, clock.now()),
  };
}
