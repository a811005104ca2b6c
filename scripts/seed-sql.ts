// The demo seed's building blocks: SQL literals and chunked INSERTs that fit D1's statement
// limits, and the deterministic randomness every product is drawn with (scripts/seed-data.ts).

const MAX_STATEMENT_BYTES = 90_000;
const MAX_ROWS_PER_STATEMENT = 500;
// ---------------------------------------------------------------------------------------------
// SQL text

export type SqlValue = string | number | boolean | null;

/** A SQL literal: strings single-quoted with quotes doubled, integers as digits, null as NULL. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`seed values must be safe integers, got ${value}`);
    return String(value);
  }
  if (value.includes('\0')) throw new Error('seed strings must not contain NUL characters');
  return `'${value.replace(/'/g, "''")}'`;
}

export const encoder = new TextEncoder();
export const byteLength = (text: string) => encoder.encode(text).length;

/**
 * Multi-row inserts, split so that no statement exceeds the size limit. `rowGroups` keeps the
 * rows of one group (e.g. one product's grams) in the same statement, which the NOT EXISTS
 * guards below rely on.
 */
export function chunkedInserts(rowGroups: SqlValue[][][], render: (valuesSql: string) => string): string[] {
  const statements: string[] = [];
  let tuples: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (tuples.length) statements.push(render(tuples.join(', ')));
    tuples = [];
    bytes = 0;
  };
  for (const group of rowGroups) {
    const groupTuples = group.map((row) => `(${row.map(sqlLiteral).join(', ')})`);
    const groupBytes = groupTuples.reduce((sum, t) => sum + byteLength(t) + 2, 0);
    if (groupBytes > MAX_STATEMENT_BYTES - 1_000) throw new Error('one seed row group is too large for a statement');
    if (bytes + groupBytes > MAX_STATEMENT_BYTES - 1_000 || tuples.length + groupTuples.length > MAX_ROWS_PER_STATEMENT) flush();
    tuples.push(...groupTuples);
    bytes += groupBytes;
  }
  flush();
  return statements;
}

/** INSERT … VALUES … ON CONFLICT DO NOTHING: an existing row (any unique key) is left alone. */
export const insertOrKeep = (table: string, columns: string[], rows: SqlValue[][]) =>
  chunkedInserts(
    rows.map((row) => [row]),
    (values) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ON CONFLICT DO NOTHING`,
  );

/**
 * Rows for a product's child table, inserted only when the product has no such rows yet. A plain
 * ON CONFLICT DO NOTHING would put back the grams of a title the merchant has since edited, or a
 * tag they removed; this way a rerun touches only products the seed itself just created.
 * (SQLite computes the SELECT before inserting when it reads the target table.)
 */
export const insertForFreshProducts = (table: string, valueColumn: string, rowsByProduct: SqlValue[][][]) =>
  chunkedInserts(
    rowsByProduct,
    (values) =>
      `INSERT INTO ${table} (${valueColumn}, product_id) SELECT v.column1, v.column2 FROM (VALUES ${values}) AS v ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE t.product_id = v.column2) ON CONFLICT DO NOTHING`,
  );

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

export type Rng = () => number;

/** mulberry32: a tiny, well-distributed 32-bit PRNG. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits: seeds from strings, short stable hashes for ids. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export const intBetween = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
export const chance = (rng: Rng, p: number) => rng() < p;

/** `count` distinct items in their original order (so sizes stay S, M, L …). */
export function pickOrdered<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  const n = Math.min(count, items.length);
  while (chosen.size < n) chosen.add(Math.floor(rng() * items.length));
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
}

/** `count` distinct items in random order. */
export function pickSome<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
  return out;
}

export const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const clampChars = (text: string, max: number) => [...text].slice(0, max).join('').trim();
