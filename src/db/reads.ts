// Reads as values: the queries a loader needs, and a pure function from their answers to what the
// loader returns. A request that needs several loaders combines their reads and runs every query
// in ONE D1 batch — one round trip, one consistent snapshot — instead of a round trip (or a wave
// of them) per loader. A read that depended on an earlier answer is written as one query with a
// join or subquery on the request's own inputs (sku ids, user id), reading a little more instead.
//
// Rows come back through D1's batch as objects keyed by column name: a query whose columns share
// a name (`skus.id` and `products.id` in one join) loses one of them. Select distinct names.
// And a relational `db.query.*.findFirst` that finds nothing fails inside a batch (drizzle maps
// the missing row as if it were one): select the rows and take the first. Raw `db.get(sql…)`
// cannot go in one either (drizzle's D1 batch binds only builders' parameters): use a select.
// A hot read may use selects prepared once per isolate (src/db/prepared.ts) among its queries.
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import type { Db } from './client';
import { BoundSelect, type PreparedQuery } from './prepared';

type Query = BatchItem<'sqlite'>;

export type Read<T> = { readonly queries: readonly Query[]; readonly parse: (answers: readonly unknown[]) => T };

export type ReadValue<R> = R extends Read<infer T> ? T : never;

/** A read of these queries; `parse` gets their answers, in order, typed as awaiting each would give them. */
export function read<const Q extends readonly Query[], T>(queries: Q, parse: (answers: BatchResponse<Q>) => T): Read<T> {
  return { queries, parse: (answers) => parse(answers as BatchResponse<Q>) };
}

/** The first row a select finds; when it finds none, `missing()` is thrown (a 404, a missing-migration error). */
export function firstRow<Row>(query: Query & { readonly _: { readonly result: Row[] } }, missing: () => Error): Read<Row> {
  return read([query], ([rows]) => {
    const row = (rows as Row[])[0];
    if (row === undefined) throw missing();
    return row;
  });
}

/** What needs no query (nothing asked for: no coupon chosen, no SKUs). */
export const known = <T>(value: T): Read<T> => ({ queries: [], parse: () => value });

export const mapRead = <A, B>(r: Read<A>, f: (a: A) => B): Read<B> => ({ queries: r.queries, parse: (answers) => f(r.parse(answers)) });

/**
 * Several reads as one. Each part is parsed when its property is first read, not before: a
 * caller that reads them in the order its checks go (the idempotency key before the cart, the
 * address before the quote) refuses with the same error as when each was its own round trip,
 * and a part it never reaches (the cart of a replayed request) cannot refuse at all.
 */
export function combine<R extends Record<string, Read<unknown>>>(reads: R): Read<{ readonly [K in keyof R]: ReadValue<R[K]> }> {
  const parts = Object.entries(reads);
  return {
    queries: parts.flatMap(([, r]) => r.queries),
    parse: (answers) => {
      const value = {} as { [K in keyof R]: ReadValue<R[K]> };
      let at = 0;
      for (const [key, r] of parts) {
        const mine = answers.slice(at, at + r.queries.length);
        at += r.queries.length;
        let parsed: { value: unknown } | undefined;
        Object.defineProperty(value, key, {
          enumerable: true,
          get: () => {
            if (!parsed) parsed = { value: r.parse(mine) };
            return parsed.value;
          },
        });
      }
      return value;
    },
  };
}

/** Runs a read: its queries in one D1 batch (a single query on its own, none without a query). */
export async function runRead<T>(db: Db, r: Read<T>): Promise<T> {
  const [first, ...rest] = r.queries;
  if (!first) return r.parse([]);
  if (r.queries.some((q) => q instanceof BoundSelect)) return r.parse(await batchWithBound(db, r.queries));
  return r.parse(rest.length ? await db.batch([first, ...rest]) : [await first]);
}

/**
 * drizzle's D1 batch cannot bind a prepared select's placeholders, so a read with one is sent as
 * drizzle would send it (each builder prepared, the rows mapped from the batch's answer), with
 * the bound selects' statements beside the builders'.
 */
async function batchWithBound(db: Db, queries: readonly Query[]): Promise<unknown[]> {
  const parts = queries.map((q) => (q instanceof BoundSelect ? q : new BoundSelect(preparedBuilder(q), {})));
  const results = await db.$client.batch(parts.map((p) => p.statement(db)));
  return parts.map((p, i) => p.rows(results[i]!));
}

function preparedBuilder(query: Query): PreparedQuery {
  const prepare = (query as Partial<{ prepare(): PreparedQuery }>).prepare;
  if (typeof prepare !== 'function') throw new Error('a read mixes a prepared select with a query that cannot be prepared');
  return prepare.call(query);
}
