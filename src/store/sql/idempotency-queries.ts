/** Idempotency keys in the database, so that a retry reaching any gateway process finds the first answer. */
import type { Kysely, Selectable } from 'kysely';
import type { IdempotencyClaim, IdempotencyRecord, IdempotencyStore } from '../../core/storage/idempotency-store.js';
import { RELAXED, type WriteBatcher } from '../group-commit.js';
import { compiledOnce } from './compiled-once.js';
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

/**
 * Writes share the group commit. A claim need not reach the disk by itself: the request's own
 * durable commit (the accepted message, or the answer below) carries it along, and a claim lost
 * with a crash before either is one whose request was never answered. The answer is durable before
 * it is sent, so a retry after a crash still finds it.
 */
export function idempotencyQueries(db: Kysely<Database>, writes: WriteBatcher): IdempotencyStore {
  // Every idempotent request runs these three: compiled once (compiled-once.ts).
  const dropLapsed = compiledOnce(
    (on, claim: IdempotencyClaim) =>
      on
        .deleteFrom('idempotency_keys')
        .where('key', '=', claim.key)
        .where((eb) => eb.or([eb('expires_at', '<=', claim.now), eb.and([eb('state', '=', 'pending'), eb('created_at', '<', claim.staleBefore)])])),
    (claim) => [claim.key, claim.now, 'pending', claim.staleBefore],
  );
  const insertClaim = compiledOnce(
    (on, claim: IdempotencyClaim) =>
      on
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
        .onConflict((oc) => oc.column('key').doNothing()),
    (claim) => [claim.key, claim.owner, claim.fingerprint, 'pending', null, null, null, claim.now, claim.expiresAt],
  );
  const complete = compiledOnce(
    (on, done: { key: string; owner: string; status: number; contentType: string | null; body: string }) =>
      on
        .updateTable('idempotency_keys')
        .set({ state: 'done', status: done.status, content_type: done.contentType, body: done.body })
        .where('key', '=', done.key)
        .where('owner', '=', done.owner),
    (done) => ['done', done.status, done.contentType, done.body, done.key, done.owner],
  );
  const find = async (key: string, now: number, on: Kysely<Database> = db) => {
    const row = await on.selectFrom('idempotency_keys').selectAll().where('key', '=', key).where('expires_at', '>', now).executeTakeFirst();
    return row && toRecord(row);
  };
  return {
    claimIdempotencyKey: (claim) =>
      writes.run(async (trx) => {
        // A few rounds at most: another process may delete or insert the row between our statements.
        for (let round = 0; ; round++) {
          await dropLapsed(trx, claim);
          const inserted = await insertClaim(trx, claim);
          if (Number(inserted.numAffectedRows ?? 0) === 1) return { claimed: true as const };
          const record = await find(claim.key, claim.now, trx);
          if (record) return { claimed: false as const, record };
          if (round >= 3) throw new Error('idempotency key could not be claimed');
        }
      }, RELAXED),
    findIdempotencyKey: find,
    async completeIdempotencyKey(key, owner, answer) {
      const done = { key, owner, status: answer.status, contentType: answer.contentType, body: answer.body.toString('base64') };
      await writes.run((trx) => complete(trx, done));
    },
    async releaseIdempotencyKey(key, owner) {
      await writes.run((trx) => trx.deleteFrom('idempotency_keys').where('key', '=', key).where('owner', '=', owner).where('state', '=', 'pending').execute(), RELAXED);
    },
    async purgeIdempotencyKeys(now) {
      const deleted = await writes.run((trx) => trx.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst(), RELAXED);
      return Number(deleted.numDeletedRows);
    },
  };
}
