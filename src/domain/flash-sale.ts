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
 * What the reserve request leaves with the hold (the object keeps it as JSON) for its order to be
 * written from later: the address (null: the shopper's default when the order is written), and
 * the request's Idempotency-Key and hash.
 */
export type FlashOrderIntent = { addressId: string | null; idempotencyKey: string; requestHash: string };

/** One flash-sale order to write: the reservation as its object granted it, and the intent. */
export type FlashOrderJob = {
  itemId: string;
  shard: number;
  reservationId: string;
  userId: string;
  quantity: number;
  expiresAt: number;
  createdAt: number;
  intent: FlashOrderIntent;
  /**
   * Where it ships, as the reserve request found it; absent when the job is rebuilt from the
   * object (on demand, by the sweep): then the intent's address is read when the order is written.
   */
  shipTo?: ShipTo;
  /** What shipping to shipTo costs, as the reserve request priced it (absent with shipTo). */
  shippingFeeFen?: number;
};

/** An address as an order keeps it (the same fields as the orders.address snapshot). */
export type ShipTo = { recipient: string; phone: string; province: string; city: string; district: string; detail: string; postal_code: string | null };

/**
 * The id of the order a reservation becomes, derived from the reservation itself, so that the
 * shopper can be told it before the order is written (the queue writes it off the reply path)
 * and every writer (queue consumer, sweep, a shopper opening it first) writes the same order:
 * "ord_fs_<item>_<shard>_<reservation>", at most 64 characters like every id.
 */
export function flashOrderId(r: { itemId: string; shard: number; reservationId: string }): string {
  return `ord_fs_${r.itemId.slice(4)}_${r.shard}_${r.reservationId.slice(4)}`;
}

export function parseFlashOrderId(orderId: string): { itemId: string; shard: number; reservationId: string } | null {
  const match = /^ord_fs_([0-9a-z]{1,24})_(\d{1,2})_([0-9a-z]{1,24})$/.exec(orderId);
  return match ? { itemId: `fsi_${match[1]}`, shard: Number(match[2]), reservationId: `rsv_${match[3]}` } : null;
}

/**
 * Sizing: a Durable Object serialises its requests, and one that writes its SQLite ledger on
 * every reservation handles roughly 200–500 of them per second (workers-platform.md). A SKU
 * expecting `peakPerSecond` purchase attempts therefore needs ceil(peak ÷ capacity) shards.
 */
export const shardsNeeded = (peakPerSecond: number, perObjectCapacity = 300) => Math.min(64, Math.max(1, Math.ceil(peakPerSecond / perObjectCapacity)));
