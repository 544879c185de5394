/** Idempotency keys in the database, so that a retry reaching any gateway process finds the first answer. */
import type { Kysely, Selectable } from 'kysely';
import type { IdempotencyRecord, IdempotencyStore } from '../../core/storage/idempotency-store.js';
import type { Database } from '../schema.js';

type Row = Selectable<Database['idempotency_keys']>;

function toRecord(row: Row): IdempotencyRecord {
  const done = row.state === 'done' && row.status !== null;
  return {
    key: row.key,
    fingerprint: row.fingerprint,
    state: done ? 'done' : 'pending',
    ...(done ? { answer: { status: Number(row.status), contentType: row.content_type, body: Buffer.from(row.body ?? '', 'base64') } } : {}),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  };
}

export function idempotencyQueries(db: Kysely<Database>): IdempotencyStore {
  const find = async (key: string, now: number) => {
    const row = await db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).where('expires_at', '>', now).executeTakeFirst();
    return row && toRecord(row);
  };
  return {
    async claimIdempotencyKey(claim) {
      // A few rounds at most: another process may delete or insert the row between our statements.
      for (let round = 0; ; round++) {
        await db
          .deleteFrom('idempotency_keys')
          .where('key', '=', claim.key)
          .where((eb) => eb.or([eb('expires_at', '<=', claim.now), eb.and([eb('state', '=', 'pending'), eb('created_at', '<', claim.staleBefore)])]))
          .execute();
        const inserted = await db
          .insertInto('idempotency_keys')
          .values({
            key: claim.key,
            owner: claim.owner,
            fingerprint: claim.fingerprint,
            state: 'pending',
            status: null,
            content_type: null,
            body: null,
            created_at: claim.now,
            expires_at: claim.expiresAt,
          })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { claimed: true };
        const record = await find(claim.key, claim.now);
        if (record) return { claimed: false, record };
        if (round >= 3) throw new Error('idempotency key could not be claimed');
      }
    },
    findIdempotencyKey: find,
    async completeIdempotencyKey(key, owner, answer) {
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'done', status: answer.status, content_type: answer.contentType, body: answer.body.toString('base64') })
        .where('key', '=', key)
        .where('owner', '=', owner)
        .execute();
    },
    async releaseIdempotencyKey(key, owner) {
      await db.deleteFrom('idempotency_keys').where('key', '=', key).where('owner', '=', owner).where('state', '=', 'pending').execute();
    },
    async purgeIdempotencyKeys(now) {
      const deleted = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
      return Number(deleted.numDeletedRows);
    },
  };
}
