// Pure flash-sale rules: which stock shard a shopper lands on, how stock is split across
// shards, and how an order names the reservation it was made from.
import { splitProportionally } from './split';

/** FNV-1a: stable across isolates and deploys, so a shopper always lands on the same shard. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard of a campaign SKU that serves this shopper (per-user limits hold on one shard). */
export const shardFor = (userId: string, shardCount: number) => fnv1a(userId) % shardCount;

/** The flash stock of one SKU split across its shards, as evenly as possible, exactly. */
export const splitStockAcrossShards = (stock: number, shardCount: number) => splitProportionally(stock, Array(shardCount).fill(1));

/** The name of the FlashSaleStock object that owns one shard of a campaign SKU. */
export const stockObjectName = (itemId: string, shard: number) => `${itemId}:${shard}`;

/** orders.source_ref of a flash-sale order: which object holds its units, and the reservation. */
export const reservationRef = (r: { itemId: string; shard: number; reservationId: string }) => `${r.itemId}/${r.shard}/${r.reservationId}`;

export function parseReservationRef(ref: string): { itemId: string; shard: number; reservationId: string } | null {
  const match = /^([a-z]{3}_[0-9a-z_]+)\/(\d{1,2})\/([a-z]{3}_[0-9a-z_]+)$/.exec(ref);
  return match ? { itemId: match[1]!, shard: Number(match[2]), reservationId: match[3]! } : null;
}

/**
 * Sizing: a Durable Object serialises its requests, and one that writes its SQLite ledger on
 * every reservation handles roughly 200–500 of them per second (workers-platform.md). A SKU
 * expecting `peakPerSecond` purchase attempts therefore needs ceil(peak ÷ capacity) shards.
 */
export const shardsNeeded = (peakPerSecond: number, perObjectCapacity = 300) => Math.min(64, Math.max(1, Math.ceil(peakPerSecond / perObjectCapacity)));
