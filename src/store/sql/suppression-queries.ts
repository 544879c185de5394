/** The suppression list over any Kysely backend. */
import type { Kysely } from 'kysely';
import type { SuppressionRecord, SuppressionStore } from '../../core/storage/suppression-store.js';
import { nullableNumber, type Selected } from '../row-types.js';
import type { Database } from '../schema.js';

const toSuppression = (r: Selected<'suppressions'>): SuppressionRecord => ({
  address: r.address,
  reason: r.reason,
  sourceMessageId: r.source_message_id,
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  expiresAt: nullableNumber(r.expires_at),
});

function inForce(db: Kysely<Database>, now: number) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
}

export function suppressionQueries(db: Kysely<Database>): SuppressionStore {
  return {
    async putSuppression(e) {
      // A later entry for the address replaces the earlier one, whole.
      const update = {
        reason: e.reason,
        source_message_id: e.sourceMessageId,
        created_by: e.createdBy,
        created_at: e.createdAt,
        expires_at: e.expiresAt,
      };
      await db
        .insertInto('suppressions')
        .values({ address: e.address.toLowerCase(), ...update })
        .onConflict((oc) => oc.column('address').doUpdateSet(update))
        .execute();
    },
    async removeSuppression(address) {
      const result = await db.deleteFrom('suppressions').where('address', '=', address.toLowerCase()).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async listSuppressions(now) {
      return (await inForce(db, now).orderBy('address').execute()).map(toSuppression);
    },
    async findSuppressions(addresses, now) {
      if (addresses.length === 0) return [];
      return (await inForce(db, now).where('address', 'in', [...addresses]).execute()).map(toSuppression);
    },
  };
}
