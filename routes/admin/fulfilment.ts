// Fulfilment under /admin/api: shipping templates (运费模板), carriers, packages of an order.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { requireMerchant } from '../../src/http/auth';
import { createTemplate, deleteTemplate, findTemplate, listTemplates, replaceTemplate, templateView } from '../../src/services/shipping-templates';
import { shipmentBody, shippingTemplateBody, trackingNo } from './fulfilment-schemas';
import { findOrder } from '../../src/services/orders';
import { orderView } from '../../src/services/order-views';
import { createShipment, listCarriers, replaceCarriers, resolveCarrier } from '../../src/services/shipments';
import { correctShipment, failedShippingUploads, retryShippingUpload } from '../../src/services/shipping-uploads';
import { loginClientOf } from '../../src/services/wechat';
import { getDeliveryList } from '../../src/wechat/order-shipping';
import { idOf, noBody, text, validate } from '../../src/lib/validate';

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const templateParam = validate('param', v.object({ id: idOf('shp') }));
const orderParam = validate('param', v.object({ id: idOf('ord') }));

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
    const packageId = await createShipment(c.var.db, order, { type: 'merchant', id: c.var.merchant.id }, c.req.valid('json'), c.var.clock.now());
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
