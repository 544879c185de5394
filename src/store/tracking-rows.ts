/** Conversions between litigation holds and table rows. */
import type { LitigationHoldRecord } from '../core/storage/tracking-store.js';
import { nullableNumber, type Row, type Selected } from './row-types.js';

export const litigationHoldRow = (h: LitigationHoldRecord): Row<'litigation_holds'> => ({
  id: h.id,
  message_id: h.messageId,
  address: h.address === null ? null : h.address.toLowerCase(),
  description: h.description,
  created_by: h.createdBy,
  created_at: h.createdAt,
  expires_at: h.expiresAt,
  released_at: h.releasedAt,
  released_by: h.releasedBy,
});
export const toLitigationHold = (r: Selected<'litigation_holds'>): LitigationHoldRecord => ({
  id: r.id,
  messageId: r.message_id,
  address: r.address,
  description: r.description,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  expiresAt: nullableNumber(r.expires_at),
  releasedAt: nullableNumber(r.released_at),
  releasedBy: r.released_by,
});
