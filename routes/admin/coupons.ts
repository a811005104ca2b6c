// Coupon templates under /admin/api/coupons: viewers read (templates, stats, issues, codes),
// operators write (create, edit, activate / pause / end, issue to shoppers, generate codes).
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { idempotencyHeader, noBody, validate } from '../../src/lib/validate';
import { requireMerchant } from '../../src/http/auth';
import { codesCsv, generateCodes } from '../../src/services/coupons/codes';
import { findIssue, issueToShoppers, issueView } from '../../src/services/coupons/issues';
import { templateStats } from '../../src/services/coupons/stats';
import { catalogWriteContext, type WriteContext } from '../../src/services/catalog-admin';
import { changeTemplateStatus, createTemplate, findTemplate, listTemplates, templateView, updateTemplate, type LifecycleAction } from '../../src/services/coupons/templates';
import { requestHash } from '../../src/services/orders';
import { codesBody, codesQuery, createTemplateBody, issueBody, issueParam, templateListQuery, templateParam, updateTemplateBody } from './coupons-schemas';

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const param = validate('param', templateParam);
const noQuery = validate('query', v.strictObject({}));

/** A lifecycle move, answered with the template as it now is. */
async function moveTemplate(ctx: WriteContext, id: string, action: LifecycleAction) {
  await changeTemplateStatus(ctx, id, action);
  return templateView(await findTemplate(ctx.db, id));
}

export const adminCouponRoutes = new Hono<AppEnv>()
  .get('/coupons', viewer, validate('query', templateListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listTemplates(c.var.db, { status: q.status, cursor: q.cursor, limit: q.limit }));
  })
  .post('/coupons', operator, validate('json', createTemplateBody), async (c) => {
    const id = await createTemplate(c.var.db, c.req.valid('json'), c.var.clock.now());
    return c.json(templateView(await findTemplate(c.var.db, id)), 201, { Location: `/admin/api/coupons/${id}` });
  })
  .get('/coupons/:id', viewer, param, noQuery, async (c) => c.json(templateView(await findTemplate(c.var.db, c.req.valid('param').id))))
  .patch('/coupons/:id', operator, param, validate('json', updateTemplateBody), async (c) => {
    const { id } = c.req.valid('param');
    await updateTemplate(catalogWriteContext(c), id, c.req.valid('json'));
    return c.json(templateView(await findTemplate(c.var.db, id)));
  })
  .post('/coupons/:id/activate', operator, param, noBody, async (c) => c.json(await moveTemplate(catalogWriteContext(c), c.req.valid('param').id, 'activate')))
  .post('/coupons/:id/pause', operator, param, noBody, async (c) => c.json(await moveTemplate(catalogWriteContext(c), c.req.valid('param').id, 'pause')))
  .post('/coupons/:id/end', operator, param, noBody, async (c) => c.json(await moveTemplate(catalogWriteContext(c), c.req.valid('param').id, 'end')))
  .get('/coupons/:id/stats', viewer, param, noQuery, async (c) => c.json(await templateStats(c.var.db, c.req.valid('param').id)))
  .post('/coupons/:id/issues', operator, idempotencyHeader, param, validate('json', issueBody), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const issue = await issueToShoppers(c.var.db, {
      templateId: id,
      userIds: body.user_ids,
      idempotencyKey: c.req.valid('header')['idempotency-key'],
      requestHash: await requestHash({ id, ...body }),
      actorId: c.var.merchant.id,
      now: c.var.clock.now(),
      timeZone: c.env.SHOP_TIME_ZONE,
    });
    return c.json(issueView(issue), 201);
  })
  .get('/coupons/:id/issues/:issueId', viewer, validate('param', issueParam), noQuery, async (c) => {
    const { id, issueId } = c.req.valid('param');
    return c.json(issueView(await findIssue(c.var.db, id, issueId)));
  })
  .post('/coupons/:id/codes', operator, param, validate('json', codesBody), async (c) => {
    const body = c.req.valid('json');
    return c.json(await generateCodes(c.var.db, c.req.valid('param').id, body.count, body.max_uses, c.var.clock.now()), 201);
  })
  .get('/coupons/:id/codes.csv', viewer, param, validate('query', codesQuery), async (c) => {
    const { id } = c.req.valid('param');
    const csv = await codesCsv(c.var.db, id, c.req.valid('query').batch_id);
    return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${id}-codes.csv"` });
  });
