// Settlement: once a flash sale has ended (or was cancelled), its stock objects are closed out
// and their unsold units go back to the SKUs through the stock ledger.
import { and, asc, eq, lte, or, sql } from 'drizzle-orm';
import { abortUnlessChanged, type Statement } from '../../db/batch';
import { createDb, type Db } from '../../db/client';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { stockObjectName } from '../../domain/flash-sale';
import type { Env } from '../../env';
import { logEvent } from '../../lib/log';
import { commitCatalogBatch, refreshProductSummary } from '../../services/catalog-admin';
import { stockMovementStatements } from '../../services/stock';
import { flashStockStub } from '../kernel/object-stubs';
import type { FlashSaleItemRow, FlashSaleRow } from './model';
import { configureStockObjects } from './stock-objects';

/** Campaigns looked at per run of the sweep. */
const SETTLE_PER_RUN = 10;

export type SettlementOutcome = { flash_sale_id: string; outcome: 'settled' | 'waiting' | 'failed'; returned?: Record<string, number>; waiting_for?: string };

/**
 * For the cron sweep: settles campaigns that have ended or were cancelled. Each stock object is
 * closed out (its unsold units taken out; refused while a reservation is still held, since that
 * may yet be paid). Once every object of a campaign is closed, one D1 batch gives each SKU back
 * what its objects closed out (ledger row "flash sale <id> settled") and marks the campaign
 * settled; the status guard in that batch makes a second run give nothing back twice.
 * The units come from the objects' own ledgers (closed_out totals), so a run that dies between
 * closing out and the D1 batch loses nothing: the next run reads the same totals.
 */
export async function settleEndedFlashSales(env: Env, now: number): Promise<SettlementOutcome[]> {
  const db = createDb(env.DB);
  const due = await db
    .select()
    .from(flashSales)
    .where(or(and(eq(flashSales.status, 'scheduled'), lte(flashSales.endsAt, now)), eq(flashSales.status, 'cancelled')))
    .orderBy(asc(flashSales.endsAt), asc(flashSales.id))
    .limit(SETTLE_PER_RUN);
  const outcomes: SettlementOutcome[] = [];
  for (const campaign of due) {
    try {
      outcomes.push(await settleCampaign(env, db, campaign, now));
    } catch (error) {
      logEvent('error', 'flash-sale settlement failed; the next run tries again', { flash_sale_id: campaign.id, error });
      outcomes.push({ flash_sale_id: campaign.id, outcome: 'failed' });
    }
  }
  return outcomes;
}

async function settleCampaign(env: Env, db: Db, campaign: FlashSaleRow, now: number): Promise<SettlementOutcome> {
  const items = await db.select().from(flashSaleItems).where(eq(flashSaleItems.flashSaleId, campaign.id));
  // A cancelled campaign's objects may not have heard of the cancellation, and an object that
  // creation never reached has not got its units yet: configure (idempotent) before closing.
  await configureStockObjects(env, campaign, items);
  const shardsOf = (item: FlashSaleItemRow) => Array.from({ length: campaign.shardCount }, (_, shard) => flashStockStub(env, item.id, shard));
  const closing = await Promise.all(items.map(async (item) => ({ item, results: await Promise.all(shardsOf(item).map((s) => s.closeOut(now))) })));
  const refused = closing.flatMap(({ item, results }) => results.flatMap((r, shard) => (r.refused ? [`${stockObjectName(item.id, shard)}: ${r.refused}`] : [])));
  if (refused.length) return { flash_sale_id: campaign.id, outcome: 'waiting', waiting_for: refused.join(', ') };

  const returned = new Map<FlashSaleItemRow, number>();
  for (const item of items) {
    const snapshots = await Promise.all(shardsOf(item).map((s) => s.snapshot()));
    returned.set(
      item,
      snapshots.reduce((n, s) => n + s.ledger.closedOut, 0),
    );
  }
  const reason = `flash sale ${campaign.id} settled`;
  const statements: Statement[] = [sql`UPDATE flash_sales SET status = 'settled', updated_at = ${now} WHERE id = ${campaign.id} AND status = ${campaign.status}`, abortUnlessChanged()];
  for (const [item, units] of returned) {
    if (units === 0) continue;
    statements.push(...stockMovementStatements({ skuId: item.skuId, delta: units, reason, actorId: null, now }));
  }
  for (const productId of new Set(items.map((i) => i.productId))) statements.push(refreshProductSummary(productId, now));
  await commitCatalogBatch(db, env, { now: () => now }, statements);
  return { flash_sale_id: campaign.id, outcome: 'settled', returned: Object.fromEntries([...returned].map(([item, units]) => [item.skuId, units])) };
}
