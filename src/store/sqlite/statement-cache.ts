/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running most of
 * ours. Queries are built from a fixed set of shapes, so caching statements by SQL text is bounded.
 */
import type Database from 'better-sqlite3';

const MAX_STATEMENTS = 500;

export function withStatementCache(db: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let statement = cache.get(source);
        if (!statement) {
          if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value as string);
          statement = target.prepare(source);
          cache.set(source, statement);
        }
        return statement;
      };
    },
  });
}
