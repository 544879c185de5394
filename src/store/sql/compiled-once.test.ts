import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database as Schema } from '../schema.js';
import { MailgateSqliteDialect } from '../sqlite/dialect.js';
import { migrateSqlite } from '../sqlite/migrate.js';
import { compiledInsert, compiledOnce } from './compiled-once.js';

let raw: Database.Database;
let db: Kysely<Schema>;

beforeEach(async () => {
  raw = new Database(':memory:');
  await migrateSqlite(raw);
  db = new Kysely<Schema>({ dialect: new MailgateSqliteDialect(raw) });
});

afterEach(async () => {
  await db.destroy();
});

const blob = (key: string) => ({ key, data: Buffer.from(`data of ${key}`), created_at: 1 });
const keys = async () => (await db.selectFrom('blobs').select('key').orderBy('key').execute()).map((r) => r.key);

describe('compiledOnce', () => {
  it('binds each run’s own values to the SQL compiled on the first run', async () => {
    const insert = compiledInsert('blobs');
    await insert(db, [blob('a1')]);
    await insert(db, [blob('b2')]);
    await insert(db, [blob('c3'), blob('d4')]);
    await insert(db, [blob('e5'), blob('f6')]);
    expect(await keys()).toEqual(['a1', 'b2', 'c3', 'd4', 'e5', 'f6']);
    const row = await db.selectFrom('blobs').selectAll().where('key', '=', 'e5').executeTakeFirstOrThrow();
    expect(Buffer.from(row.data).toString()).toBe('data of e5');
  });

  it('refuses, before running anything, parameters listed in another order than the compiled SQL binds them', async () => {
    const swapped = compiledOnce(
      (on, row: ReturnType<typeof blob>) => on.insertInto('blobs').values(row),
      (row) => [row.data, row.key, row.created_at],
    );
    await expect(swapped(db, blob('x1'))).rejects.toThrow(/do not match the compiled query/);
    expect(await keys()).toEqual([]);
  });

  it('answers what the statement changed', async () => {
    const drop = compiledOnce(
      (on, key: string) => on.deleteFrom('blobs').where('key', '=', key),
      (key) => [key],
    );
    await compiledInsert('blobs')(db, [blob('a1'), blob('b2')]);
    expect(Number((await drop(db, 'a1')).numAffectedRows)).toBe(1);
    expect(Number((await drop(db, 'a1')).numAffectedRows)).toBe(0);
    expect(await keys()).toEqual(['b2']);
  });
});
