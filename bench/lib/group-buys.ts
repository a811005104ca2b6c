// A live group-buy campaign on one SKU and rooms opened by leaders, through the worker's own API
// (bench:profile profiles the joins into them).
import type { LocalWorker } from '../../scripts/local-worker';
import type { Buyer } from './accounts';
import { query } from './d1';

/** A five-person group buy of the SKU, open from a minute ago for a day, one seat per shopper. */
export async function createGroupBuy(worker: LocalWorker, token: string, skuId: string, groupSize = 5): Promise<string> {
  const [sku] = await query<{ price_fen: number }>(worker, 'SELECT price_fen FROM skus WHERE id = ?', skuId);
  if (!sku || sku.price_fen <= 1) throw new Error(`SKU ${skuId} cannot be sold below its price`);
  const res = await fetch(`${worker.directUrl}/admin/api/group-buys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: 'bench group',
      starts_at: new Date(Date.now() - 60_000).toISOString(),
      ends_at: new Date(Date.now() + 86_400_000).toISOString(),
      skus: [{ sku_id: skuId, group_price_fen: sku.price_fen - 1 }],
      group_size: groupSize,
      duration_minutes: 60,
    }),
  });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`create group buy: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** One room per leader (50 opened at a time); their ids in the leaders' order. */
export async function openRooms(worker: LocalWorker, campaignId: string, skuId: string, leaders: Buyer[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < leaders.length; i += 50) {
    const opened = await Promise.all(
      leaders.slice(i, i + 50).map(async (leader, j) => {
        const res = await fetch(`${worker.directUrl}/group-buys/${campaignId}/rooms`, {
          method: 'POST',
          headers: { authorization: `Bearer ${leader.token}`, 'content-type': 'application/json', 'idempotency-key': `bench-open-${i + j}` },
          body: JSON.stringify({ sku_id: skuId }),
        });
        const body = (await res.json()) as { room: { id: string } };
        if (res.status !== 201) throw new Error(`open room: ${res.status} ${JSON.stringify(body)}`);
        return body.room.id;
      }),
    );
    ids.push(...opened);
  }
  return ids;
}
