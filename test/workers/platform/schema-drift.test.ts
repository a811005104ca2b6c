// The drizzle schema (src/db) and the migrations (migrations/) must describe the same database:
// the app's queries are typed by the one and run against the other. This compares them column
// by column and index by index after applying every migration.
import { env } from 'cloudflare:test';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as schema from '../../../src/db/schema';

const tables = Object.values(schema as Record<string, unknown>).filter((value): value is SQLiteTable => value instanceof SQLiteTable);

describe('schema vs migrations', () => {
  it('covers every table the schema declares', () => {
    expect(tables.length).toBeGreaterThanOrEqual(7);
  });

  for (const table of tables) {
    const config = getTableConfig(table);
    it(`${config.name}: same columns, types, nullability and indexes`, async () => {
      const columns = await env.DB.prepare(`SELECT name, type, "notnull" AS not_null, pk FROM pragma_table_info(?) ORDER BY cid`)
        .bind(config.name)
        .all<{ name: string; type: string; not_null: number; pk: number }>();
      expect(columns.results.length, `table ${config.name} missing from the migrations`).toBeGreaterThan(0);
      const actual = Object.fromEntries(columns.results.map((c) => [c.name, { type: c.type.toLowerCase(), notNull: c.not_null === 1 || c.pk > 0 }]));
      const expected = Object.fromEntries(config.columns.map((c) => [c.name, { type: c.getSQLType().toLowerCase(), notNull: c.notNull || c.primary }]));
      expect(actual).toEqual(expected);

      const indexes = await env.DB.prepare(`SELECT name, "unique" AS is_unique FROM pragma_index_list(?) WHERE origin = 'c'`).bind(config.name).all<{ name: string; is_unique: number }>();
      const actualIndexes: Record<string, { unique: boolean; columns: string[] }> = {};
      for (const index of indexes.results) {
        const cols = await env.DB.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').bind(index.name).all<{ name: string }>();
        actualIndexes[index.name] = { unique: index.is_unique === 1, columns: cols.results.map((c) => c.name) };
      }
      const expectedIndexes = Object.fromEntries(config.indexes.map((i) => [i.config.name, { unique: i.config.unique, columns: i.config.columns.map((c) => (c as { name: string }).name) }]));
      expect(actualIndexes).toEqual(expectedIndexes);

      const checks = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").bind(config.name).first<{ sql: string }>();
      for (const check of config.checks) expect(checks!.sql, `check ${check.name}`).toContain(`"${check.name}"`);
    });
  }
});
