// Fulfilment under /admin/api: shipping templates (运费模板), carriers, packages of an order.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { idOf, validate } from '../../src/lib/validate';
import { requireMerchant } from '../../src/http/auth';
import { createTemplate, deleteTemplate, findTemplate, listTemplates, replaceTemplate, templateView } from '../../src/services/shipping-templates';
import { shipmentBody, shippingTemplateBody } from './fulfilment-schemas';
import { findOrder } from '../../src/services/orders';
import { orderView } from '../../src/services/order-views';
import { createShipment, listCarriers } from '../../src/services/shipments';

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
  // One package (no lines: everything left to ship); the order as it is afterwards.
  .post('/orders/:id/shipments', operator, orderParam, validate('json', shipmentBody), async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    const packageId = await createShipment(c.var.db, order, { type: 'merchant', id: c.var.merchant.id }, c.req.valid('json'), c.var.clock.now());
    return c.json({ package_id: packageId, order: await orderView(c.var.db, await findOrder(c.var.db, order.id), 'merchant') }, 201);
  });
