// Selects built once per isolate, bound per request. Building a drizzle query (walking its SQL
// chunks, checking every entity) costs more CPU than running it: a group-buy join spent about
// 0.9 ms of its 5.9 ms building the seven selects of its read batch (bench:profile). A hot read
// whose shape does not change from one request to the next is written here once, with
// `sql.placeholder(name)` where a request's values go; each request binds its values to the
// SQL built the first time. The SQL text is the same as the builder's, so query plans do not move.
//
// A bound select goes in a Read like any query (src/db/reads.ts runs both kinds in one batch).
import { fillPlaceholders } from 'drizzle-orm';
import type { Db } from './client';

/** What a prepared select needs: drizzle's prepared query (public getQuery / mapResult). */
export type PreparedQuery = { getQuery(): { sql: string; params: unknown[] }; mapResult(response: unknown, isFromBatch?: boolean): unknown };
/** A drizzle select (any builder with a result type and prepare()). */
export type PreparableSelect<R> = { readonly _: { readonly result: R }; prepare(): PreparedQuery };

/** A prepared select with one request's values; runRead binds them. */
export class BoundSelect<R> {
  declare readonly _: { readonly dialect: 'sqlite'; readonly result: R };
  constructor(
    readonly prepared: PreparedQuery,
    readonly values: Readonly<Record<string, unknown>>,
  ) {}

  /** The D1 statement with this request's values (prepared on the db's own binding, so a recording proxy in tests sees it). */
  statement(db: Db): D1PreparedStatement {
    const { sql, params } = this.prepared.getQuery();
    return db.$client.prepare(sql).bind(...fillPlaceholders(params, this.values));
  }

  /** The rows of this select, from its place in a D1 batch's answer. */
  rows(result: D1Result): R {
    return this.prepared.mapResult(result, true) as R;
  }
}

/**
 * A select built the first time a db asks for it (per D1 binding, like the db itself), bound to
 * `values` every time. `build` must use `sql.placeholder(key)` for each key of the values and
 * nothing else from the request.
 */
export function preparedSelect<V extends Record<string, unknown>, R>(build: (db: Db) => PreparableSelect<R>): (db: Db, values: V) => BoundSelect<R> {
  const built = new WeakMap<Db, PreparedQuery>();
  return (db, values) => {
    let prepared = built.get(db);
    if (!prepared) {
      prepared = build(db).prepare();
      built.set(db, prepared);
    }
    return new BoundSelect<R>(prepared, values);
  };
}
