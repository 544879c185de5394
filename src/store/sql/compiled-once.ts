/**
 * Statements every accepted message runs, compiled to SQL once per shape instead of once per run:
 * building and compiling a Kysely query costs about as much as SQLite executing it, and these
 * shapes never change. The first run of a shape goes through the builder and checks that `params`
 * lists the values in the order the compiled SQL binds them; later runs bind new values to the
 * same text. Each store makes its own (texts differ between SQLite and PostgreSQL), never a module.
 */
import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from '../schema.js';

/** Shapes kept per statement; a statement with more (inserts of many rows) compiles the rest each time. */
const MAX_SHAPES = 16;

type CompiledOnce<A> = <R = unknown>(on: Kysely<Database>, args: A, shape?: string) => Promise<QueryResult<R>>;

export function compiledOnce<A>(build: (on: Kysely<Database>, args: A) => Compilable, params: (args: A) => readonly unknown[]): CompiledOnce<A> {
  const texts = new Map<string, string>();
  return async <R>(on: Kysely<Database>, args: A, shape = '') => {
    const text = texts.get(shape);
    if (text !== undefined) return on.executeQuery<R>(CompiledQuery.raw(text, [...params(args)]));
    const compiled = build(on, args).compile();
    if (!isDeepStrictEqual(compiled.parameters, params(args))) {
      throw new Error(`compiledOnce: the parameters given do not match the compiled query's: ${compiled.sql}`);
    }
    if (texts.size < MAX_SHAPES) texts.set(shape, compiled.sql);
    return on.executeQuery<R>(compiled);
  };
}

type Row = Record<string, unknown>;

/**
 * `INSERT INTO table (columns) VALUES (…), (…)` for rows that all have the same defined columns,
 * in the same order (rows made by one row function), compiled once per row count.
 */
export function compiledInsert<T extends keyof Database & string>(table: T): (on: Kysely<Database>, rows: readonly Row[]) => Promise<void> {
  const insert = compiledOnce(
    (on, rows: readonly Row[]) => on.insertInto(table).values(rows as never),
    (rows) => rows.flatMap((row) => Object.values(row)),
  );
  return async (on, rows) => {
    if (rows.length === 0) return;
    await insert(on, rows, String(rows.length));
  };
}
