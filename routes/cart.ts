// The signed-in shopper's cart and checkout quote.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { idOf, validate } from '../src/lib/validate';
import { wholePoints } from './loyalty-schemas';
import { addToCart, cartView, MAX_CART_LINES, MAX_LINE_QUANTITY, quoteCheckout, removeCartLine, selectCartLines, updateCartLine } from '../src/services/cart';
import { quoteView } from '../src/services/checkout';
import { requireShopper } from '../src/http/auth';

const quantity = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_LINE_QUANTITY, `must be at most ${MAX_LINE_QUANTITY}`));
const lineParam = validate('param', v.object({ id: idOf('crt') }));

/** Lines to buy: given explicitly ("buy now"), or else the cart's selected lines. */
export const checkoutLinesBody = v.strictObject({
  items: v.optional(v.pipe(v.array(v.strictObject({ sku_id: idOf('sku'), quantity })), v.minLength(1, 'needs at least one item'), v.maxLength(MAX_CART_LINES))),
  /** Points to pay with (absent = none). */
  points: v.optional(wholePoints(0)),
  /** Absent: the best usable coupon; null: no coupon; an id: that coupon of the shopper's. */
  coupon_id: v.optional(v.nullable(idOf('cpn'))),
});

/** The body's items as the lines a checkout buys. */
export const requestedLines = (items: { sku_id: string; quantity: number }[]) => items.map((i) => ({ skuId: i.sku_id, quantity: i.quantity }));

export const cartRoutes = new Hono<AppEnv>()
  .use('/cart', requireShopper())
  .use('/cart/*', requireShopper())
  .use('/checkout/*', requireShopper())
  .get('/cart', async (c) => c.json(await cartView(c.var.db, c.var.shopper.id, c.var.clock.now(), c.env.SHOP_TIME_ZONE)))
  .post('/cart/items', validate('json', v.strictObject({ sku_id: idOf('sku'), quantity })), async (c) => {
    const { sku_id, quantity: q } = c.req.valid('json');
    await addToCart(c.var.db, c.var.shopper.id, sku_id, q, c.var.clock.now());
    return c.json(await cartView(c.var.db, c.var.shopper.id, c.var.clock.now(), c.env.SHOP_TIME_ZONE), 201);
  })
  .patch(
    '/cart/items/:id',
    lineParam,
    validate(
      'json',
      v.pipe(
        v.strictObject({ quantity: v.optional(quantity), selected: v.optional(v.boolean()) }),
        v.check((b) => Object.keys(b).length > 0, 'must change quantity or selected'),
      ),
    ),
    async (c) => {
      await updateCartLine(c.var.db, c.var.shopper.id, c.req.valid('param').id, c.req.valid('json'), c.var.clock.now());
      return c.json(await cartView(c.var.db, c.var.shopper.id, c.var.clock.now(), c.env.SHOP_TIME_ZONE));
    },
  )
  .delete('/cart/items/:id', lineParam, async (c) => {
    await removeCartLine(c.var.db, c.var.shopper.id, c.req.valid('param').id);
    return c.json(await cartView(c.var.db, c.var.shopper.id, c.var.clock.now(), c.env.SHOP_TIME_ZONE));
  })
  .post('/cart/select', validate('json', v.strictObject({ item_ids: v.optional(v.pipe(v.array(idOf('crt')), v.maxLength(MAX_CART_LINES))), selected: v.boolean() })), async (c) => {
    const { item_ids, selected } = c.req.valid('json');
    await selectCartLines(c.var.db, c.var.shopper.id, item_ids, selected, c.var.clock.now());
    return c.json(await cartView(c.var.db, c.var.shopper.id, c.var.clock.now(), c.env.SHOP_TIME_ZONE));
  })
  .post('/checkout/quote', validate('json', v.strictObject({ ...checkoutLinesBody.entries, address_id: v.optional(idOf('adr')) })), async (c) => {
    const body = c.req.valid('json');
    const request = { items: body.items && requestedLines(body.items), addressId: body.address_id, points: body.points, couponId: body.coupon_id };
    return c.json(quoteView(await quoteCheckout(c.var.db, c.var.shopper.id, request, c.var.clock.now(), c.env.SHOP_TIME_ZONE)));
  });
