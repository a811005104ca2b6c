// A merchant issues a template to a list of shoppers: one issue row (keyed by Idempotency-Key)
// delivered in chunks, each chunk one D1 batch that writes the chunk's coupons (one per shopper
// and issue: a unique index), adds exactly the newly written ones to the template's issued count
// (CHECK: never past its total) and records how far the issue got. A request that dies mid-way
// is resumed by sending it again; a chunk applied twice changes nothing.
import { eq, sql } from 'drizzle-orm';
import { couponIssues } from '../../db/coupons';
import { runBatch } from '../../db/batch';
import type { Db } from '../../db/client';
import { toIso } from '../../lib/clock';
import { ApiError, businessRule, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { couponWindow } from './grants';
import { findTemplate } from './templates';

export const ISSUE_CHUNK = 100;
export const MAX_ISSUE_SHOPPERS = 5000;

export type IssueRow = typeof couponIssues.$inferSelect;

export type IssueRequest = { templateId: string; userIds: string[]; idempotencyKey: string; requestHash: string; actorId: string; now: number; timeZone: string };

export async function issueToShoppers(db: Db, req: IssueRequest): Promise<IssueRow> {
  let issue = await db.query.couponIssues.findFirst({ where: eq(couponIssues.idempotencyKey, req.idempotencyKey) });
  if (issue && (issue.requestHash !== req.requestHash || issue.templateId !== req.templateId)) throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
  if (!issue) {
    const template = await findTemplate(db, req.templateId);
    if (template.status !== 'active') throw new ApiError(409, 'coupon_not_active', 'Only an active coupon can be issued.');
    const id = newId('cpi');
    await db
      .insert(couponIssues)
      .values({
        id,
        templateId: req.templateId,
        userIds: [...new Set(req.userIds)],
        idempotencyKey: req.idempotencyKey,
        requestHash: req.requestHash,
        createdBy: req.actorId,
        createdAt: req.now,
        updatedAt: req.now,
      })
      .onConflictDoNothing({ target: couponIssues.idempotencyKey });
    issue = (await db.query.couponIssues.findFirst({ where: eq(couponIssues.idempotencyKey, req.idempotencyKey) }))!;
  }
  return deliverIssue(db, issue, req.now, req.timeZone);
}

/** Delivers what is left of an issue, chunk by chunk, from where it stopped. */
export async function deliverIssue(db: Db, issue: IssueRow, now: number, timeZone: string): Promise<IssueRow> {
  const template = await findTemplate(db, issue.templateId);
  const window = couponWindow(template, now, timeZone);
  for (let from = issue.nextIndex; issue.status === 'running' && from < issue.userIds.length; from += ISSUE_CHUNK) {
    const chunk = issue.userIds.slice(from, from + ISSUE_CHUNK);
    const next = Math.min(from + ISSUE_CHUNK, issue.userIds.length);
    const issuedSoFar = sql`(SELECT count(*) FROM shopper_coupons WHERE source = 'issue' AND source_ref = ${issue.id})`;
    try {
      await runBatch(db, [
        // Unknown shopper ids are skipped (the join); a shopper already given this issue's coupon too (the index).
        sql`INSERT INTO shopper_coupons (id, template_id, user_id, source, source_ref, name, benefit, scope, valid_from, valid_until, status, created_at, updated_at)
            SELECT 'cpn_' || lower(hex(randomblob(8))), ${template.id}, u.id, 'issue', ${issue.id}, ${template.name}, ${JSON.stringify(template.benefit)}, ${JSON.stringify(template.scope)},
                   ${window.validFrom}, ${window.validUntil}, 'unused', ${now}, ${now}
            FROM json_each(${JSON.stringify(chunk)}) j JOIN users u ON u.id = j.value WHERE 1
            ON CONFLICT DO NOTHING`,
        sql`UPDATE coupon_templates SET issued_count = issued_count + ${issuedSoFar} - (SELECT issued_count FROM coupon_issues WHERE id = ${issue.id}), updated_at = ${now}
            WHERE id = ${template.id} AND status = 'active'`,
        sql`INSERT INTO coupon_guards (guard) SELECT 'template_active' WHERE changes() = 0`,
        sql`UPDATE coupon_issues SET issued_count = ${issuedSoFar}, next_index = max(next_index, ${next}),
            status = CASE WHEN ${next} >= json_array_length(user_ids) THEN 'done' ELSE status END, updated_at = ${now} WHERE id = ${issue.id}`,
      ]);
    } catch (error) {
      if (!(error instanceof ApiError) || !['coupon_sold_out', 'coupon_not_active'].includes(error.code)) throw error;
      // Stopped for good: the shoppers after this chunk get nothing, and the issue says why.
      await db
        .update(couponIssues)
        .set({ status: error.code === 'coupon_sold_out' ? 'sold_out' : 'not_active', updatedAt: now })
        .where(eq(couponIssues.id, issue.id));
    }
    issue = (await db.query.couponIssues.findFirst({ where: eq(couponIssues.id, issue.id) }))!;
  }
  return issue;
}

export async function findIssue(db: Db, templateId: string, issueId: string): Promise<IssueRow> {
  const issue = await db.query.couponIssues.findFirst({ where: eq(couponIssues.id, issueId) });
  if (!issue || issue.templateId !== templateId) throw notFound('Coupon issue');
  return issue;
}

export const issueView = (i: IssueRow) => ({
  id: i.id,
  template_id: i.templateId,
  status: i.status,
  shopper_count: i.userIds.length,
  delivered_up_to: i.nextIndex,
  issued_count: i.issuedCount,
  created_at: toIso(i.createdAt),
  updated_at: toIso(i.updatedAt),
});
