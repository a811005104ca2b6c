// Shared by the group-buy tests: campaigns through the admin API, rooms through the shopper API
// (optionally through an app whose clock the test controls), paying through the fake WeChat Pay.
import { createExecutionContext, env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { createApp } from '../src/app';
import { createDb } from '../src/db/client';
import type { Clock } from '../src/lib/clock';
import { deliverOutbox } from '../src/services/refunds';
import { payClientOf } from '../src/services/wechat';
import { completeRefund, markPaid } from './fakes/wechat-control';
import type { BuiltNotification } from './fakes/wechat-server';
import { BASE, createProduct, newIdempotencyKey } from './helpers';

export type Call = (method: string, path: string, opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }) => Promise<Response>;

/** Requests to the Worker (SELF), or to an app on the given clock. */
export function caller(clock?: Clock): Call {
  const app = clock && createApp({ clock });
  return (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const init = { method, headers, body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) };
    return app ? Promise.resolve(app.request(`${BASE}${path}`, init, env, createExecutionContext())) : SELF.fetch(`${BASE}${path}`, init);
  };
}

export type CampaignOptions = {
  groupSize?: number;
  tiers?: { min_size: number; price_fen: number }[];
  maxSize?: number;
  durationMinutes?: number;
  paymentWindowMinutes?: number;
  simulateSharePercent?: number;
  fullRoomPolicy?: 'refuse' | 'new_room';
  perUserLimit?: number;
  leaderDiscountFen?: number;
  stock?: number;
  now?: number;
};

const SKU_PRICE_FEN = 12_000;
export const GROUP_PRICE_FEN = 9_900;

/** A product with one SKU and a live group-buy campaign on it. */
export async function createCampaign(merchant: string, categoryId: string, opts: CampaignOptions = {}, call: Call = caller()) {
  const product = await createProduct(merchant, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: SKU_PRICE_FEN, original_price_fen: SKU_PRICE_FEN, stock: opts.stock ?? 500 }] });
  const skuId = product.skus[0].id as string;
  const now = opts.now ?? Date.now();
  const res = await call('POST', '/admin/api/group-buys', {
    token: merchant,
    body: {
      title: '三人成团',
      starts_at: new Date(now - 60_000).toISOString(),
      ends_at: new Date(now + 3 * 86_400_000).toISOString(),
      skus: [{ sku_id: skuId, ...(opts.tiers ? {} : { group_price_fen: GROUP_PRICE_FEN }) }],
      ...(opts.tiers ? { tiers: opts.tiers, max_size: opts.maxSize } : { group_size: opts.groupSize ?? 3 }),
      duration_minutes: opts.durationMinutes ?? 24 * 60,
      payment_window_minutes: opts.paymentWindowMinutes ?? 5,
      per_user_limit: opts.perUserLimit ?? 1,
      ...(opts.simulateSharePercent !== undefined && { simulate_share_percent: opts.simulateSharePercent }),
      ...(opts.fullRoomPolicy && { full_room_policy: opts.fullRoomPolicy }),
      ...(opts.leaderDiscountFen !== undefined && { leader_discount_fen: opts.leaderDiscountFen }),
    },
  });
  if (res.status !== 201) throw new Error(`group buy: ${res.status} ${await res.text()}`);
  return { campaign: (await res.json()) as { id: string }, skuId };
}

export type Seat = { status: number; body: any };

export async function openRoom(call: Call, token: string, campaignId: string, skuId: string, key = newIdempotencyKey()): Promise<Seat> {
  const res = await call('POST', `/group-buys/${campaignId}/rooms`, { token, body: { sku_id: skuId }, headers: { 'Idempotency-Key': key } });
  return { status: res.status, body: await res.json() };
}

export async function joinRoom(call: Call, token: string, roomId: string, skuId: string, key = newIdempotencyKey()): Promise<Seat> {
  const res = await call('POST', `/group-buys/rooms/${roomId}/join`, { token, body: { sku_id: skuId }, headers: { 'Idempotency-Key': key } });
  return { status: res.status, body: await res.json() };
}

export const roomObject = (roomId: string) => env.GROUP_BUY_ROOM.get(env.GROUP_BUY_ROOM.idFromName(roomId));

/** The shopper pays the seat's order: prepay, the fake marks it paid, its notification is delivered. */
export async function paySeat(call: Call, token: string, order: { id: string; order_no: string }, nowMs = Date.now()) {
  expect((await call('POST', `/orders/${order.id}/pay`, { token })).status).toBe(200);
  const { notification } = await markPaid(order.order_no, { nowMs });
  const delivered = await notify(call, notification);
  expect(delivered.status).toBe(204);
  return notification;
}

/** A WeChat Pay notification delivered as WeChat sends it (exact body and signature headers). */
export function notify(call: Call, n: BuiltNotification, path = '/payments/wechat/notify') {
  return call('POST', path, { headers: n.headers, rawBody: n.body });
}

/** The outbox delivered now (refunds submitted to the fake), then each refund's notification delivered. */
export async function deliverRefunds(orderIds: string[]) {
  const db = createDb(env.DB);
  await deliverOutbox(db, payClientOf(env, { now: () => Date.now() }), Date.now(), 200);
  const refunds = orderIds.length
    ? (
        await env.DB.prepare(`SELECT * FROM refunds WHERE order_id IN (${orderIds.map(() => '?').join(',')})`)
          .bind(...orderIds)
          .all<Record<string, any>>()
      ).results
    : [];
  const notifications: BuiltNotification[] = [];
  for (const refund of refunds) {
    if (refund.status !== 'processing') continue;
    const { notification } = await completeRefund(refund.out_refund_no);
    expect((await notify(caller(), notification, '/payments/wechat/refund-notify')).status).toBe(204);
    notifications.push(notification);
  }
  return notifications;
}

/** The orders, in the order of the ids given. */
export async function orderRows(orderIds: string[]) {
  const rows = (
    await env.DB.prepare(`SELECT * FROM orders WHERE id IN (${orderIds.map(() => '?').join(',')})`)
      .bind(...orderIds)
      .all<Record<string, any>>()
  ).results;
  return orderIds.map((id) => rows.find((r) => r.id === id)!);
}

export const refundRows = async (orderIds: string[]) =>
  (
    await env.DB.prepare(`SELECT * FROM refunds WHERE order_id IN (${orderIds.map(() => '?').join(',')}) ORDER BY order_id`)
      .bind(...orderIds)
      .all<Record<string, any>>()
  ).results;
