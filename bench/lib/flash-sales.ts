// Flash sales for the benchmarks that need one (bench:flash, bench:profile): the demo shop's
// SKUs with enough stock, and a campaign created through the admin API as a merchant would.
import { runSql, type LocalWorker } from '../../scripts/local-worker';
import { buildSeedSql } from '../../scripts/seed-data';
import { query } from './d1';

/** The demo catalog; `count` SKUs of published products (and one more for a warm-up) get `stock` units each. */
export async function seedShop(worker: LocalWorker, count: number, stock: number): Promise<string[]> {
  await runSql(worker, buildSeedSql({ now: Date.now() }));
  const rows = await query<{ id: string }>(
    worker,
    `SELECT s.id FROM skus s JOIN products p ON p.id = s.product_id WHERE p.status = 'published' AND s.active = 1 ORDER BY s.id LIMIT ?`,
    count + 1, // one more for the warm-up
  );
  if (rows.length < count + 1) throw new Error('the seed produced too few active SKUs of published products');
  const ids = rows.map((r) => r.id);
  await query(worker, `UPDATE skus SET stock = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, stock, ...ids);
  return ids;
}

/** A flash sale of one SKU, open from a second ago for an hour, limit 1 per buyer and order. */
export async function createFlashSale(worker: LocalWorker, token: string, skuId: string, shards: number, stock: number) {
  const now = Date.now();
  const res = await fetch(`${worker.directUrl}/admin/api/flash-sales`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `bench ${shards} shard(s)`,
      starts_at: new Date(now - 1_000).toISOString(),
      ends_at: new Date(now + 3_600_000).toISOString(),
      per_user_limit: 1,
      per_order_limit: 1,
      shard_count: shards,
      items: [{ sku_id: skuId, flash_price_fen: 100, flash_stock: stock }],
    }),
  });
  const body = (await res.json()) as { id: string; items: { id: string }[] };
  if (res.status !== 201) throw new Error(`create flash sale: ${res.status} ${JSON.stringify(body)}`);
  return { flashSaleId: body.id, itemId: body.items[0]!.id };
}
