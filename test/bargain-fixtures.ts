// Fixtures for the bargain tests: campaigns through the admin API, shoppers straight into D1
// (sign-up age and name chosen by the test), and the session calls the mini-program makes.
import { createExecutionContext, env } from 'cloudflare:test';
import { createApp } from '../src/app';
import type { Clock } from '../src/lib/clock';
import { newId } from '../src/lib/ids';
import { loadKeyRing, signAccessToken } from '../src/lib/jwt';
import { api, BASE, createCategory, createProduct, newIdempotencyKey, tokenFor } from './helpers';

export type Shopper = { id: string; token: string };

const DAY = 86_400_000;

/**
 * Shoppers written to D1 with a default address. By default they signed up a month ago (not new
 * to the shop), so cuts follow the plan exactly; `newToShop` makes them sign up just now.
 */
export async function bargainShoppers(count: number, opts: { newToShop?: boolean; nickname?: string } = {}): Promise<Shopper[]> {
  const now = Date.now();
  const createdAt = opts.newToShop ? now : now - 30 * DAY;
  const ids = Array.from({ length: count }, () => newId('usr'));
  for (let i = 0; i < ids.length; i += 40) {
    await env.DB.batch(
      ids
        .slice(i, i + 40)
        .flatMap((id) => [
          env.DB.prepare('INSERT INTO users (id, openid, nickname, avatar_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').bind(
            id,
            `o-${id}`,
            opts.nickname ?? '砍价好友',
            `https://img.example.com/a/${newId('img')}.png`,
            createdAt,
            createdAt,
          ),
          env.DB.prepare(
            "INSERT INTO addresses (id, user_id, recipient, phone, province, city, district, detail, is_default, created_at, updated_at) VALUES (?, ?, '砍价人', '13900000000', '广东省', '深圳市', '南山区', '科技园 1 号', 1, ?, ?)",
          ).bind(newId('adr'), id, now, now),
        ]),
    );
  }
  return Promise.all(ids.map(async (id) => ({ id, token: await tokenAt(id, now) })));
}

/** A shopper access token issued at `nowMs` (for calls through an app on a moved clock). */
export const tokenAt = (userId: string, nowMs: number) => signAccessToken(loadKeyRing(env.JWT_KEYS, env.JWT_ACTIVE_KID), { sub: userId, aud: 'shopper', ttlSeconds: 3600, nowMs });

export type CampaignOptions = Partial<{
  start: number;
  floor: number;
  helpers: number;
  sessionMinutes: number;
  launches: number;
  helpsPerDay: number;
  buyBeforeFloor: boolean;
  bonusPct: number;
  stock: number;
  startsAt: number;
  endsAt: number;
}>;

let merchant: Promise<string> | undefined;
let category: Promise<string> | undefined;
export const merchantToken = () => (merchant ??= tokenFor('owner').then((m) => m.token));
const categoryId = async () => (category ??= createCategory(await merchantToken(), '砍价'));

/** A product with one SKU and a live bargain campaign on it. `call` may be an app on a test clock. */
export async function bargainCampaign(opts: CampaignOptions = {}, call: Caller = SELF_CALLER) {
  const token = await merchantToken();
  const start = opts.start ?? 9_900;
  const product = await createProduct(token, await categoryId(), { specs: [], skus: [{ spec_values: [], price_fen: start, original_price_fen: start + 1000, stock: opts.stock ?? 50 }] });
  const res = await call('POST', '/admin/api/bargains', token, {
    title: '好友砍价',
    sku_id: product.skus[0].id,
    start_price_fen: start,
    floor_price_fen: opts.floor ?? 100,
    helpers_needed: opts.helpers ?? 10,
    session_minutes: opts.sessionMinutes ?? 60,
    launches_per_shopper: opts.launches ?? 1,
    helps_per_day: opts.helpsPerDay ?? 3,
    buy_before_floor: opts.buyBeforeFloor ?? false,
    new_helper_bonus_pct: opts.bonusPct ?? 0,
    starts_at: new Date(opts.startsAt ?? Date.now()).toISOString(),
    ends_at: new Date(opts.endsAt ?? Date.now() + 7 * DAY).toISOString(),
  });
  if (res.status !== 201) throw new Error(`bargain campaign: ${res.status} ${await res.text()}`);
  return { campaign: (await res.json()) as { id: string; sku_id: string; product_id: string }, skuId: product.skus[0].id as string };
}

export type Caller = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;

export const SELF_CALLER: Caller = (method, path, token, body, headers = {}) => api(method, path, { token, body, headers });

/** Calls through an app whose clock the test controls. */
export function clockedCaller(clock: Clock): Caller {
  const app = createApp({ clock });
  return async (method, path, token, body, headers = {}) =>
    app.request(
      `${BASE}${path}`,
      {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      env,
      createExecutionContext(),
    );
}

export async function launch(owner: Shopper, campaignId: string, call: Caller = SELF_CALLER, key = newIdempotencyKey()) {
  return call('POST', `/bargains/${campaignId}/sessions`, owner.token, undefined, { 'Idempotency-Key': key });
}

/** Launches and returns the session view (throws unless 201). */
export async function launched(owner: Shopper, campaignId: string, call: Caller = SELF_CALLER) {
  const res = await launch(owner, campaignId, call);
  if (res.status !== 201) throw new Error(`launch: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { session: SessionView }).session;
}

export const help = (helper: Shopper, sessionId: string, call: Caller = SELF_CALLER) => call('POST', `/bargains/sessions/${sessionId}/help`, helper.token);

export const buy = (owner: Shopper, sessionId: string, call: Caller = SELF_CALLER, key = newIdempotencyKey(), body: unknown = {}) =>
  call('POST', `/bargains/sessions/${sessionId}/buy`, owner.token, body, { 'Idempotency-Key': key });

export const sessionObject = (sessionId: string) => env.BARGAIN_SESSION.get(env.BARGAIN_SESSION.idFromName(sessionId));

export type SessionView = {
  id: string;
  campaign_id: string;
  owner: { name: string; avatar_url: string | null };
  is_owner: boolean;
  start_price_fen: number;
  floor_price_fen: number;
  current_price_fen: number;
  cut_total_fen: number;
  helpers_needed: number;
  helps: { name: string; avatar_url: string | null; cut_fen: number; at: string }[];
  status: 'open' | 'floor_reached' | 'bought' | 'expired';
  can_buy: boolean;
  can_help: boolean;
  helped_by_me: boolean;
  expires_at: string;
  server_time: string;
  order_id: string | null;
};

/** Row counts of the bargain tables and of orders: "nothing written" compares two of these. */
export async function bargainCounts() {
  const counts: Record<string, number> = {};
  for (const t of ['bargain_campaigns', 'bargain_sessions', 'bargain_helps', 'orders']) counts[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return counts;
}

/** A wall-clock time in Asia/Shanghai, as the admin page's datetime-local inputs send it. */
export const shopLocalTime = (epoch: number) => new Date(epoch + 8 * 3_600_000).toISOString().slice(0, 16);

/** The admin page's bargain form, filled in for a campaign that starts in an hour and runs two days. */
export const bargainFormFields = (skuId: string, overrides: Record<string, string> = {}) => ({
  title: '帮我砍 <b>一刀</b>',
  sku_id: skuId,
  start_price: '199',
  floor_price: '9.9',
  helpers_needed: '8',
  session_minutes: '1440',
  launches_per_shopper: '1',
  helps_per_day: '3',
  new_helper_bonus_pct: '100',
  buy_before_floor: 'on',
  starts_at: shopLocalTime(Date.now() + 3_600_000),
  ends_at: shopLocalTime(Date.now() + 48 * 3_600_000),
  ...overrides,
});
