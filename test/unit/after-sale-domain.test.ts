// After-sales rules (src/domain/after-sale.ts): the transition table and exact line shares.
import { describe, expect, it } from 'vitest';
import { afterSaleTransition, lineShareFen } from '../../src/domain/after-sale';

describe('after-sale transitions', () => {
  it('a money-only request is refunded on approval; returns wait for the goods', () => {
    expect(afterSaleTransition('refund_only', 'requested', 'approve_refund')).toEqual({ ok: true, to: 'refunding' });
    expect(afterSaleTransition('refund_only', 'requested', 'approve')).toEqual({ ok: false });
    expect(afterSaleTransition('return_refund', 'requested', 'approve')).toEqual({ ok: true, to: 'approved' });
    expect(afterSaleTransition('return_refund', 'approved', 'ship_back')).toEqual({ ok: true, to: 'returned' });
    expect(afterSaleTransition('return_refund', 'returned', 'refund')).toEqual({ ok: true, to: 'refunding' });
    expect(afterSaleTransition('exchange', 'received', 'refund')).toEqual({ ok: false });
    expect(afterSaleTransition('exchange', 'received', 'exchange')).toEqual({ ok: true, to: 'exchanged' });
    expect(afterSaleTransition('return_refund', 'refunded', 'cancel')).toEqual({ ok: false });
    expect(afterSaleTransition('return_refund', 'approved', 'close')).toEqual({ ok: true, to: 'closed' });
  });
});

describe('line shares', () => {
  it('claims of any split add up to the line exactly', () => {
    for (let seed = 1; seed <= 500; seed++) {
      const quantity = 1 + (seed % 9);
      const payableFen = (seed * 7919) % 100_003;
      let claimed = 0;
      let total = 0;
      while (claimed < quantity) {
        const q = 1 + ((seed + claimed) % (quantity - claimed));
        const share = lineShareFen({ payableFen, quantity }, claimed, q);
        expect(share).toBeGreaterThanOrEqual(0);
        total += share;
        claimed += q;
      }
      expect(total, `seed ${seed}`).toBe(payableFen);
    }
    expect(lineShareFen({ payableFen: 1000, quantity: 3 }, 0, 1)).toBe(333);
    expect(lineShareFen({ payableFen: 1000, quantity: 3 }, 1, 1)).toBe(333);
    expect(lineShareFen({ payableFen: 1000, quantity: 3 }, 2, 1)).toBe(334);
  });
});
