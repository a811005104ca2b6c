// Fulfilment under /admin/api: shipping templates (运费模板), carriers, packages of an order.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { requireMerchant } from '../../src/http/auth';
import { createTemplate, deleteTemplate, findTemplate, listTemplates, replaceTemplate, templateView } from '../../src/services/shipping-templates';
import { fulfilmentSettingsBody, returnShipmentBody, shipmentBody, shippingTemplateBody, trackingNo } from '../fulfilment-schemas';
import { afterSaleStatuses } from '../../src/domain/after-sale';
import {
  afterSaleView,
  approveAfterSale,
  exchangeAfterSale,
  findAfterSale,
  listAfterSales,
  receiveReturn,
  refundAfterSale,
  rejectAfterSale,
  retryAfterSaleRefund,
} from '../../src/services/after-sales';
import { fulfilmentSettingsView, getFulfilmentSettings, updateFulfilmentSettings } from '../../src/services/fulfilment-settings';
import { findOrder } from '../../src/services/orders';
import { orderView } from '../../src/services/order-views';
import { createShipment, listCarriers, replaceCarriers, resolveCarrier } from '../../src/services/shipments';
import { correctShipment, failedShippingUploads, retryShippingUpload } from '../../src/services/shipping-uploads';
import { loginClientOf } from '../../src/services/wechat';
import { getDeliveryList } from '../../src/wechat/order-shipping';
import { idOf, noBody, pageQuery, text, validate } from '../../src/lib/validate';

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const templateParam = validate('param', v.object({ id: idOf('shp') }));
const orderParam = validate('param', v.object({ id: idOf('ord') }));
const afterSaleParam = validate('param', v.object({ id: idOf('afs') }));
const merchantActor = (c: { var: AppEnv['Variables'] }) => ({ type: 'merchant' as const, id: c.var.merchant.id });
/** The after-sale as it is after a decision. */
const afterSaleNow = async (c: { var: AppEnv['Variables'] }, id: string) => afterSaleView(c.var.db, await findAfterSale(c.var.db, id));

export const adminFulfilmentRoutes = new Hono<AppEnv>()
  .get('/shipping-templates', viewer, async (c) => c.json({ items: await listTemplates(c.var.db) }))
  .post('/shipping-templates', operator, validate('json', shippingTemplateBody), async (c) => {
    const template = await createTemplate(c.var.db, c.req.valid('json'), c.var.clock.now());
    return c.json(template, 201, { Location: `/admin/api/shipping-templates/${template.id}` });
  })
  .get('/shipping-templates/:id', viewer, templateParam, async (c) => c.json(templateView(await findTemplate(c.var.db, c.req.valid('param').id))))
  .put('/shipping-templates/:id', operator, templateParam, validate('json', shippingTemplateBody), async (c) =>
    c.json(await replaceTemplate(c.var.db, c.req.valid('param').id, c.req.valid('json'), c.var.clock.now())),
  )
  .delete('/shipping-templates/:id', operator, templateParam, async (c) => {
    await deleteTemplate(c.var.db, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .get('/fulfilment-settings', viewer, async (c) => c.json(fulfilmentSettingsView(await getFulfilmentSettings(c.var.db))))
  .patch('/fulfilment-settings', operator, validate('json', fulfilmentSettingsBody), async (c) => c.json(await updateFulfilmentSettings(c.var.db, c.req.valid('json'), c.var.clock.now())))
  // After-sales (售后): list, read, and the merchant's decisions.
  .get('/after-sales', viewer, validate('query', v.strictObject({ status: v.optional(v.picklist(afterSaleStatuses)), ...pageQuery })), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listAfterSales(c.var.db, { status: q.status, cursor: q.cursor, limit: q.limit }));
  })
  .get('/after-sales/:id', viewer, afterSaleParam, async (c) => c.json(await afterSaleNow(c, c.req.valid('param').id)))
  .post('/after-sales/:id/approve', operator, afterSaleParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await approveAfterSale(c.var.db, await findAfterSale(c.var.db, id), merchantActor(c), c.var.clock.now());
    return c.json(await afterSaleNow(c, id));
  })
  .post('/after-sales/:id/reject', operator, afterSaleParam, validate('json', v.strictObject({ reason: text(200) })), async (c) => {
    const { id } = c.req.valid('param');
    await rejectAfterSale(c.var.db, await findAfterSale(c.var.db, id), c.req.valid('json').reason, c.var.clock.now());
    return c.json(await afterSaleNow(c, id));
  })
  .post('/after-sales/:id/receive', operator, afterSaleParam, validate('json', v.strictObject({ restock: v.boolean() })), async (c) => {
    const { id } = c.req.valid('param');
    await receiveReturn(c.var.db, await findAfterSale(c.var.db, id), c.req.valid('json').restock, c.var.clock.now());
    return c.json(await afterSaleNow(c, id));
  })
  .post('/after-sales/:id/refund', operator, afterSaleParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await refundAfterSale(c.var.db, await findAfterSale(c.var.db, id), merchantActor(c), c.var.clock.now());
    return c.json(await afterSaleNow(c, id));
  })
  // A refund WeChat Pay refused (the request is refund_failed): sent again.
  .post('/after-sales/:id/retry-refund', operator, afterSaleParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await retryAfterSaleRefund(c.var.db, await findAfterSale(c.var.db, id), merchantActor(c), c.var.clock.now());
    return c.json(await afterSaleNow(c, id));
  })
  .post('/after-sales/:id/exchange', operator, afterSaleParam, validate('json', returnShipmentBody), async (c) => {
    const { id } = c.req.valid('param');
    await exchangeAfterSale(c.var.db, await findAfterSale(c.var.db, id), c.req.valid('json'), merchantActor(c), c.var.clock.now());
    return c.json(await afterSaleNow(c, id));
  })
  .get('/carriers', viewer, async (c) => c.json({ items: await listCarriers(c.var.db) }))
  // The carrier table from WeChat's get_delivery_list (the ids WeChat accepts as express_company).
  .post('/carriers/refresh', operator, noBody, async (c) => {
    const list = await getDeliveryList(loginClientOf(c.env, c.var.db, c.var.clock));
    return c.json({
      items: await replaceCarriers(
        c.var.db,
        list.map((d) => ({ id: d.delivery_id, name: d.delivery_name })),
        c.var.clock.now(),
      ),
    });
  })
  // Uploads WeChat refused (and reconciliation disagreements), with a retry button each.
  .get('/shipping-uploads/failed', viewer, async (c) => c.json(await failedShippingUploads(c.var.db)))
  .post('/shipping-uploads/:id/retry', operator, validate('param', v.object({ id: idOf('obx') })), noBody, async (c) => {
    await retryShippingUpload(c.var.db, c.req.valid('param').id, c.var.clock.now());
    return c.body(null, 204);
  })
  // One package (no lines: everything left to ship); the order as it is afterwards.
  .post('/orders/:id/shipments', operator, orderParam, validate('json', shipmentBody), async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    const packageId = await createShipment(c.var.db, order, merchantActor(c), c.req.valid('json'), c.var.clock.now());
    return c.json({ package_id: packageId, order: await orderView(c.var.db, await findOrder(c.var.db, order.id), 'merchant') }, 201);
  })
  // A wrong carrier or tracking number: corrected once (WeChat's one re-shipping per payment).
  .patch(
    '/orders/:id/shipments/:packageId',
    operator,
    validate('param', v.object({ id: idOf('ord'), packageId: idOf('pkg') })),
    validate('json', v.strictObject({ carrier: text(32), tracking_no: trackingNo })),
    async (c) => {
      const { id, packageId } = c.req.valid('param');
      const body = c.req.valid('json');
      const carrier = await resolveCarrier(c.var.db, body.carrier);
      await correctShipment(c.var.db, id, packageId, { carrierId: carrier.id, trackingNo: body.tracking_no }, c.var.clock.now());
      return c.json(await orderView(c.var.db, await findOrder(c.var.db, id), 'merchant'));
    },
  );
