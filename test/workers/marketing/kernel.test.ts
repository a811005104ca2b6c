// The campaign kernel: every engine answers the same refusal with the same code and status
// (a start in the past, an unknown SKU, a SKU not on sale, cancelling twice, cancelling after the
// end), and every campaign speaks the same state vocabulary. One table of engines below; a new
// engine is one more entry.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignState, cancelRefusal, sellableRefusal, startRefusal, START_GRACE_MS } from '../../../src/domain/campaign';
import { api, createCategory, createProduct, json, tokenFor } from '../../fixtures/helpers';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Engine = {
  name: string;
  path: string;
  table: string;
  /** A body creating a campaign on `skuId` in [startsAt, endsAt); `skuPath` names the SKU field. */
  body(skuId: string, startsAt: number, endsAt: number): Record<string, unknown>;
  skuPath: string;
};

const engines: Engine[] = [
  {
    name: 'flash sale',
    path: '/admin/api/flash-sales',
    table: 'flash_sales',
    body: (skuId, startsAt, endsAt) => ({
      title: '秒杀',
      starts_at: iso(startsAt),
      ends_at: iso(endsAt),
      per_user_limit: 1,
      per_order_limit: 1,
      items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 5 }],
    }),
    skuPath: 'body.items.0.sku_id',
  },
  {
    name: 'group buy',
    path: '/admin/api/group-buys',
    table: 'group_buys',
    body: (skuId, startsAt, endsAt) => ({
      title: '拼团',
      starts_at: iso(startsAt),
      ends_at: iso(endsAt),
      skus: [{ sku_id: skuId, group_price_fen: 9_900 }],
      group_size: 2,
      duration_minutes: 60,
      payment_window_minutes: 5,
    }),
    skuPath: 'body.skus.0.sku_id',
  },
  {
    name: 'bargain',
    path: '/admin/api/bargains',
    table: 'bargain_campaigns',
    body: (skuId, startsAt, endsAt) => ({
      title: '砍价',
      sku_id: skuId,
      start_price_fen: 9_900,
      floor_price_fen: 100,
      helpers_needed: 5,
      session_minutes: 60,
      launches_per_shopper: 1,
      helps_per_day: 3,
      buy_before_floor: false,
      new_helper_bonus_pct: 0,
      starts_at: iso(startsAt),
      ends_at: iso(endsAt),
    }),
    skuPath: 'body.sku_id',
  },
];

let owner: string;
let onSale: string;
let unpublished: string;

beforeAll(async () => {
  owner = (await tokenFor('owner')).token;
  const category = await createCategory(owner, '内核');
  const sku = { specs: [], skus: [{ spec_values: [], price_fen: 12_000, original_price_fen: 12_000, stock: 100 }] };
  onSale = (await createProduct(owner, category, sku)).skus[0].id;
  unpublished = (await createProduct(owner, category, sku, false)).skus[0].id;
});

const countRows = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe('one refusal, one code, in every engine', () => {
  for (const engine of engines) {
    describe(engine.name, () => {
      const refusals = [
        { name: 'a start in the past', sku: () => onSale, startsAt: () => Date.now() - HOUR, code: 'starts_in_past', path: 'body.starts_at' },
        { name: 'an unknown SKU', sku: () => 'sku_doesnotexist', startsAt: () => Date.now() + HOUR, code: 'sku_not_found', path: engine.skuPath },
        { name: 'a SKU not on sale', sku: () => unpublished, startsAt: () => Date.now() + HOUR, code: 'sku_not_sellable', path: engine.skuPath },
      ];
      for (const r of refusals) {
        it(`${r.name}: 422 ${r.code} naming ${r.path}, nothing written`, async () => {
          const before = await countRows(engine.table);
          const startsAt = r.startsAt();
          const res = await api('POST', engine.path, { token: owner, body: engine.body(r.sku(), startsAt, startsAt + 2 * HOUR) });
          expect(res.status).toBe(422);
          const body = await json(res);
          expect(body.error.code).toBe(r.code);
          expect(body.error.details.map((d: { path: string }) => d.path)).toContain(r.path);
          expect(await countRows(engine.table)).toBe(before);
        });
      }

      it('cancels once: a second cancel is 409 campaign_closed; an ended campaign is 409 campaign_ended', async () => {
        const now = Date.now();
        const res = await api('POST', engine.path, { token: owner, body: engine.body(onSale, now, now + 2 * HOUR) });
        expect(res.status).toBe(201);
        const { id } = await json(res);
        expect((await api('POST', `${engine.path}/${id}/cancel`, { token: owner })).status).toBe(200);
        const again = await api('POST', `${engine.path}/${id}/cancel`, { token: owner });
        expect(again.status).toBe(409);
        expect((await json(again)).error.code).toBe('campaign_closed');

        const other = await json(await api('POST', engine.path, { token: owner, body: engine.body(onSale, now, now + 2 * HOUR) }));
        // End it in D1 (as time would): the kernel refuses to cancel what is over.
        await env.DB.prepare(`UPDATE ${engine.table} SET starts_at = ?, ends_at = ? WHERE id = ?`)
          .bind(now - 3 * HOUR, now - HOUR, other.id)
          .run();
        const late = await api('POST', `${engine.path}/${other.id}/cancel`, { token: owner });
        expect(late.status).toBe(409);
        expect((await json(late)).error.code).toBe('campaign_ended');
        const row = await env.DB.prepare(`SELECT status FROM ${engine.table} WHERE id = ?`).bind(other.id).first<{ status: string }>();
        expect(row!.status).toBe('scheduled');
      });
    });
  }
});

describe('campaign rules (pure)', () => {
  const window = { startsAt: 1_000_000, endsAt: 2_000_000 };
  it('one state vocabulary for every stored status and moment', () => {
    expect(campaignState({ ...window, status: 'scheduled' }, 999_999)).toBe('upcoming');
    expect(campaignState({ ...window, status: 'scheduled' }, 1_000_000)).toBe('live');
    expect(campaignState({ ...window, status: 'scheduled' }, 2_000_000)).toBe('ended');
    expect(campaignState({ ...window, status: 'cancelled' }, 1_500_000)).toBe('cancelled');
    expect(campaignState({ ...window, status: 'settled' }, 3_000_000)).toBe('settled');
  });
  it('the start grace, the cancel rule and the sellable rule', () => {
    expect(startRefusal(10 * HOUR - START_GRACE_MS, 10 * HOUR)).toBeNull();
    expect(startRefusal(10 * HOUR - START_GRACE_MS - 1, 10 * HOUR)).toBe('starts_in_past');
    expect(cancelRefusal('upcoming')).toBeNull();
    expect(cancelRefusal('live')).toBeNull();
    expect(cancelRefusal('ended')).toBe('campaign_ended');
    expect(cancelRefusal('cancelled')).toBe('campaign_closed');
    expect(cancelRefusal('settled')).toBe('campaign_closed');
    expect(sellableRefusal(undefined)).toBe('sku_not_found');
    expect(sellableRefusal({ active: false, published: true })).toBe('sku_not_sellable');
    expect(sellableRefusal({ active: true, published: false })).toBe('sku_not_sellable');
    expect(sellableRefusal({ active: true, published: true })).toBeNull();
  });
});
