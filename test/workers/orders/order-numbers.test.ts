// An order number is the shop-local second plus ten random digits: two orders of one second can
// draw the same digits. The second one draws again instead of failing (it used to answer 500,
// seen once in the 200-shopper race after POST /orders got fast enough to fit in a second).
import { createExecutionContext, env } from 'cloudflare:test';
import { afterEach, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app';
import { ManualClock } from '../../../src/lib/clock';
import { BASE, createCategory, createProduct, json, newIdempotencyKey, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

afterEach(() => vi.restoreAllMocks());

it('an order whose number clashes with another order of the same second draws another number', async () => {
  const merchant = (await tokenFor('owner')).token;
  const product = await createProduct(merchant, await createCategory(merchant, '单号'));
  const shoppers = [await shopperWithAddress(), await shopperWithAddress()];
  // The random digits of order numbers (the only BigUint64Array(1) draw): 0000000042 for both orders first, then 0000000007.
  const digits = [42n, 42n, 7n];
  const real = crypto.getRandomValues.bind(crypto);
  vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
    if (array instanceof BigUint64Array && array.length === 1 && digits.length) {
      array[0] = digits.shift()!;
      return array;
    }
    return real(array as never) as T;
  });
  const app = createApp({ clock: new ManualClock(Date.now()) });
  const order = (token: string) =>
    app.request(
      `${BASE}/orders`,
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() },
        body: JSON.stringify({ items: [{ sku_id: product.skus[0].id, quantity: 1 }] }),
      },
      env,
      createExecutionContext(),
    );
  const first = await order(shoppers[0]!.token);
  const second = await order(shoppers[1]!.token);
  expect([first.status, second.status]).toEqual([201, 201]);
  const [a, b] = [await json(first), await json(second)];
  expect(a.order_no.slice(-10)).toBe('0000000042');
  expect(b.order_no.slice(-10)).toBe('0000000007');
  expect(b.order_no.slice(0, -10)).toBe(a.order_no.slice(0, -10));
  expect(digits).toEqual([]);
});
