// The cart page rendered by miniprogram-simulate: lines, the totals the API computed for the
// selected lines, and how they follow a change; its empty and error states.
import { describe, expect, it } from 'vitest';
import { cartPage } from '../../../miniapp/miniprogram/pages/cart/page';
import { cartWith, noPromotions } from './fixtures';
import { find, render, shows, textOf } from './simulate';
import { answerRequests, apiError, ok, settled, type Route } from './wx-request';

async function shownCart(route: Route) {
  const calls = answerRequests(route);
  const page = render('pages/cart', cartPage);
  await (page.instance as unknown as { onShow(): Promise<boolean> }).onShow();
  await settled();
  return { page, calls };
}

const totals = (page: Parameters<typeof textOf>[0]) => ({
  items: textOf(page, '.items-total'),
  shipping: textOf(page, '.shipping'),
  payable: textOf(page, '.payable-total'),
  button: textOf(page, '.checkout'),
});

describe('cart page', () => {
  it('shows the totals of the selected lines and follows a change of selection and quantity', async () => {
    let cart = cartWith({ secondSelected: true, firstQuantity: 2 });
    const { page, calls } = await shownCart((method, path, body) => {
      const patch = body as { selected?: boolean; quantity?: number } | undefined;
      if (method === 'POST' && path === '/cart/items/crt_2') cart = cartWith({ secondSelected: patch?.selected ?? true, firstQuantity: 2 });
      if (method === 'POST' && path === '/cart/items/crt_1') cart = cartWith({ secondSelected: false, firstQuantity: patch?.quantity ?? 2 });
      return ok(cart);
    });
    expect(page.querySelectorAll('.cart-line')).toHaveLength(2);
    expect(totals(page)).toEqual({ items: '¥297.90', shipping: '免运费', payable: '¥297.90', button: '结算(3)' });

    page.querySelectorAll('.cart-line .checkbox')[1]!.dispatchEvent('tap');
    await settled();
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/cart/items/crt_2', body: { selected: false } });
    expect(totals(page)).toEqual({ items: '¥258.00', shipping: '免运费', payable: '¥258.00', button: '结算(2)' });

    find(page, '.cart-line .minus').dispatchEvent('tap');
    await settled();
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/cart/items/crt_1', body: { quantity: 1 } });
    expect(totals(page)).toEqual({ items: '¥129.00', shipping: '免运费', payable: '¥129.00', button: '结算(1)' });
  });

  it('a line shows the price checkout charges, the list price struck through, and why', async () => {
    const cart = cartWith({ secondSelected: true, firstQuantity: 1 });
    cart.items[0] = { ...cart.items[0]!, effective_unit_price_fen: 9900, price_source: 'timed_discount' };
    const { page } = await shownCart(() => ok(cart));
    expect(textOf(page, '.cart-line .line-price')).toBe('¥99.00');
    expect(textOf(page, '.cart-line .price-original')).toBe('¥129.00');
    expect(textOf(page, '.cart-line .price-badge')).toBe('限时价');
    expect(page.querySelectorAll('.cart-line')[1]!.querySelector('.price-original')).toBeUndefined();
  });

  it('below the free-shipping threshold the fee is shown and added', async () => {
    const cart = cartWith({ secondSelected: false, firstQuantity: 1 });
    cart.items[0]!.price_fen = 5000;
    cart.summary = { selected_count: 1, items_total_fen: 5000, discount_fen: 0, shipping_fee_fen: 800, payable_fen: 5800, ...noPromotions };
    const { page } = await shownCart(() => ok(cart));
    expect(totals(page)).toMatchObject({ items: '¥50.00', shipping: '¥8.00', payable: '¥58.00' });
  });

  it('an empty cart says so; a failed load shows the reason and retries', async () => {
    const empty = await shownCart(() => ok({ items: [], summary: { selected_count: 0, items_total_fen: 0, discount_fen: 0, shipping_fee_fen: 0, payable_fen: 0, ...noPromotions } }));
    expect(textOf(empty.page, '.state-empty')).toBe('购物车是空的');

    let fail = true;
    const { page, calls } = await shownCart(() => (fail ? apiError(503, 'unavailable') : ok(cartWith({ secondSelected: true, firstQuantity: 1 }))));
    expect(textOf(page, '.error-message')).toBe('服务暂时不可用，请稍后重试');
    expect(page.querySelectorAll('.cart-line')).toHaveLength(0);
    fail = false;
    find(page, '.state-view >>> .retry').dispatchEvent('tap');
    await settled();
    expect(calls.filter((c) => c.path === '/cart')).toHaveLength(2);
    expect(shows(page, '.error-message')).toBe(false);
    expect(page.querySelectorAll('.cart-line')).toHaveLength(2);
  });
});
