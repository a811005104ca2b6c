// Bargain campaigns and sessions for the benchmarks that need them (bench:bargain, bench:profile):
// a campaign written straight to D1, live now, and sessions launched through the API as owners
// would.
import type { LocalWorker } from '../../scripts/local-worker';
import type { Buyer } from './accounts';
import { query } from './d1';
import { seedShop } from './flash-sales';
import { setupPost } from './shoppers';

export type BargainSku = { id: string; productId: string; priceFen: number };
export type SessionRef = { id: string; owner: Buyer };

const LAUNCHES_AT_ONCE = 20;
const runId = Date.now().toString(36);

/** The SKU's product and price, checked to cover a fen per helper. */
export async function bargainSku(worker: LocalWorker, skuId: string, helpersNeeded: number): Promise<BargainSku> {
  const [sku] = await query<{ product_id: string; price_fen: number }>(worker, 'SELECT product_id, price_fen FROM skus WHERE id = ?', skuId);
  if (!sku || sku.price_fen <= helpersNeeded) throw new Error(`SKU ${skuId} is too cheap to bargain on`);
  return { id: skuId, productId: sku.product_id, priceFen: sku.price_fen };
}

/** The demo catalog's first SKU, with plenty of stock (launching checks it is on sale). */
export async function seedBargainSku(worker: LocalWorker, helpersNeeded: number): Promise<BargainSku> {
  const [skuId] = await seedShop(worker, 1, 100_000);
  return bargainSku(worker, skuId!, helpersNeeded);
}

/** A campaign from the SKU's price down to 1 fen, one launch per owner, three helps a day, half again for new helpers. */
export async function newBargainCampaign(worker: LocalWorker, sku: BargainSku, helpersNeeded: number): Promise<string> {
  const id = `bgn_bench${runId}${Math.random().toString(36).slice(2, 8)}`;
  const now = Date.now();
  await query(
    worker,
    `INSERT INTO bargain_campaigns (id, title, product_id, sku_id, start_price_fen, floor_price_fen, helpers_needed, session_minutes, launches_per_shopper, helps_per_day, buy_before_floor, new_helper_bonus_pct, starts_at, ends_at, status, created_by, created_at, updated_at)
     VALUES (?, 'bench', ?, ?, ?, 1, ?, 1440, 1, 3, 0, 50, ?, ?, 'scheduled', 'bench', ?, ?)`,
    id,
    sku.productId,
    sku.id,
    sku.priceFen,
    helpersNeeded,
    now - 60_000,
    now + 86_400_000,
    now,
    now,
  );
  return id;
}

/** One session per owner, launched through the API LAUNCHES_AT_ONCE at a time. */
export async function launchSessions(worker: LocalWorker, campaignId: string, owners: Buyer[]): Promise<SessionRef[]> {
  const sessions: SessionRef[] = [];
  for (let i = 0; i < owners.length; i += LAUNCHES_AT_ONCE) {
    const batch = owners.slice(i, i + LAUNCHES_AT_ONCE).map(async (owner, j) => {
      const { session } = await setupPost(worker.directUrl, `/bargains/${campaignId}/sessions`, {}, owner.token, { 'idempotency-key': `bench-${campaignId}-${i + j}` });
      return { id: session.id as string, owner };
    });
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}

/** Each helper helps the session their place in the list falls to (helpersNeeded in a row per session), once. */
export const helpPosts = (sessions: SessionRef[], helpers: Buyer[], helpersNeeded: number, keyPrefix: string) =>
  helpers.map((h, i) => ({
    path: `/bargains/sessions/${sessions[Math.floor(i / helpersNeeded)]!.id}/help`,
    token: h.token,
    idempotencyKey: `${keyPrefix}-${i}`,
    body: '{}',
  }));
