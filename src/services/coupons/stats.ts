// A template's figures for the merchant: given out, used, the GMV of the orders that used it and
// what the coupons cost the shop (their savings on those orders).
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { findTemplate } from './templates';

export async function templateStats(db: Db, templateId: string) {
  const template = await findTemplate(db, templateId);
  const row = await db.get<{ held: number; unused: number; locked: number; used: number; expired: number; gmv: number; cost: number }>(sql`
    SELECT count(*) AS held,
           coalesce(sum(sc.status = 'unused'), 0) AS unused,
           coalesce(sum(sc.status = 'locked'), 0) AS locked,
           coalesce(sum(sc.status = 'used'), 0) AS used,
           coalesce(sum(sc.status = 'expired'), 0) AS expired,
           coalesce(sum(CASE WHEN sc.status = 'used' THEN o.payable_fen END), 0) AS gmv,
           coalesce(sum(CASE WHEN sc.status = 'used' THEN sc.saving_fen END), 0) AS cost
    FROM shopper_coupons sc LEFT JOIN orders o ON o.id = sc.order_id
    WHERE sc.template_id = ${templateId}`);
  return {
    template_id: template.id,
    issued_count: template.issuedCount,
    total_quantity: template.totalQuantity,
    held: row.held,
    unused: row.unused,
    locked: row.locked,
    used: row.used,
    expired: row.expired,
    gmv_fen: row.gmv,
    discount_cost_fen: row.cost,
  };
}
