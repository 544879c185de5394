/** Row types derived from the schema, and small conversions every row mapper needs. */
import type { Database } from './schema.js';

/** What an insert takes for table T. */
export type Row<T extends keyof Database> = Database[T];
/** What a select returns for table T (generated columns read as their select type). */
export type Selected<T extends keyof Database> = { [K in keyof Row<T>]: Row<T>[K] extends { __select__: infer S } ? S : Row<T>[K] };

/** PostgreSQL returns BIGINT as a string; both backends may return null. */
export const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));
