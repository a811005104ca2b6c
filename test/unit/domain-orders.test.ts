import { describe, expect, it } from 'vitest';
import { canApply, orderStatuses, orderTransitions, transitionOf, type OrderEvent } from '../../src/domain/order-state';
import { nextStatus } from '../../src/services/order-transitions';
import { priceLines, type PriceRule, type PricingContext } from '../../src/domain/pricing';
import { splitProportionally } from '../../src/domain/split';
import { ApiError } from '../../src/lib/errors';

describe('splitProportionally', () => {
  it('always adds up exactly, fen for fen', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 500; run++) {
      const total = Math.floor(random() * 1_000_000);
      const weights = Array.from({ length: 1 + Math.floor(random() * 9) }, () => Math.floor(random() * 100_000));
      const parts = splitProportionally(total, weights);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(parts.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
    }
  });

  it('gives leftover fen to the largest remainders, deterministically', () => {
    expect(splitProportionally(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitProportionally(10, [3, 0, 7])).toEqual([3, 0, 7]);
    expect(splitProportionally(5, [0, 0])).toEqual([3, 2]);
  });

  it('refuses negative or fractional totals', () => {
    expect(() => splitProportionally(-1, [1])).toThrow(RangeError);
    expect(() => splitProportionally(1.5, [1])).toThrow(RangeError);
  });
});

describe('priceLines', () => {
  /** The old flat fee as a policy: 800 fen, free from 9900 fen of goods after discounts (or never). */
  const flat =
    (threshold: number | null): PricingContext['shipping'] =>
    (lines) =>
      threshold !== null && lines.reduce((sum, l) => sum + l.payableFen, 0) >= threshold ? 0 : 800;
  const ctx: PricingContext = { isMember: false, shipping: flat(9900) };
  const line = (skuId: string, quantity: number, unitPriceFen: number, memberPriceFen: number | null = null) => ({ skuId, quantity, unitPriceFen, memberPriceFen });

  it('totals lines and charges flat shipping below the threshold', () => {
    const quote = priceLines([line('a', 2, 1990), line('b', 1, 3000)], ctx);
    expect(quote).toMatchObject({ itemsTotalFen: 6980, discountFen: 0, shippingFeeFen: 800, payableFen: 7780 });
  });

  it('ships free at the threshold', () => {
    expect(priceLines([line('a', 1, 9900)], ctx).shippingFeeFen).toBe(0);
    expect(priceLines([line('a', 1, 9899)], ctx).shippingFeeFen).toBe(800);
    expect(priceLines([line('a', 1, 1)], { ...ctx, shipping: flat(null) }).shippingFeeFen).toBe(800);
  });

  it('applies member prices to members only', () => {
    const lines = [line('a', 3, 1000, 900), line('b', 1, 500, null)];
    expect(priceLines(lines, ctx).itemsTotalFen).toBe(3500);
    const member = priceLines(lines, { ...ctx, isMember: true });
    expect(member.itemsTotalFen).toBe(3200);
    expect(member.lines.map((l) => l.memberPriceApplied)).toEqual([true, false]);
  });

  it('lets rules take discounts, shared across lines exactly, never below zero', () => {
    const coupon: PriceRule = () => [{ source: 'coupon', label: '满减券', amountFen: 1000 }];
    const greedy: PriceRule = () => [{ source: 'points', label: '积分', amountFen: 999_999 }];
    const quote = priceLines([line('a', 1, 3333), line('b', 2, 3333)], ctx, [coupon]);
    expect(quote).toMatchObject({ itemsTotalFen: 9999, discountFen: 1000, shippingFeeFen: 800, payableFen: 9799 });
    expect(quote.lines.map((l) => l.discountShareFen)).toEqual([333, 667]);
    expect(quote.lines.reduce((s, l) => s + l.payableFen, 0)).toBe(8999);

    const capped = priceLines([line('a', 1, 3000)], ctx, [coupon, greedy]);
    expect(capped.adjustments.map((a) => a.amountFen)).toEqual([1000, 2000]);
    expect(capped).toMatchObject({ discountFen: 3000, payableFen: 800 });
  });
});

describe('order state machine', () => {
  it('walks the happy path', () => {
    const path: OrderEvent[] = ['pay', 'ship', 'confirm_receipt'];
    expect(path.reduce((s, e) => nextStatus(s, e), 'pending_payment' as const as (typeof orderStatuses)[number])).toBe('completed');
  });

  it('refuses every transition the table does not list, with a 409', () => {
    let refused = 0;
    for (const status of orderStatuses) {
      for (const event of Object.keys(orderTransitions) as OrderEvent[]) {
        if (canApply(event, status)) continue;
        refused++;
        // The domain answers with a typed refusal; the service turns it into the 409.
        expect(transitionOf(status, event)).toEqual({ ok: false, refusal: 'illegal_transition' });
        try {
          nextStatus(status, event);
          expect.unreachable(`${status} --${event}`);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).status).toBe(409);
        }
      }
    }
    expect(refused).toBeGreaterThan(80);
  });

  it('never lets a payment move an order that has shipped back to paid (litemall #271)', () => {
    for (const status of ['shipped', 'completed', 'cancelled', 'refunded', 'refunding'] as const) expect(canApply('pay', status)).toBe(false);
  });

  it('supports partial refunds followed by shipping and receipt', () => {
    let s = nextStatus('paid', 'request_refund');
    s = nextStatus(s, 'approve_refund');
    s = nextStatus(s, 'refund_completed_in_part');
    expect(s).toBe('partially_refunded');
    expect(nextStatus(nextStatus(s, 'ship'), 'confirm_receipt')).toBe('completed');
  });
});
