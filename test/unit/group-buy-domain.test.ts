// The pure group-buy rules: tiers, join prices, when a room closes, tier refunds (exact to the fen).
import { describe, expect, it } from 'vitest';
import { closingOf, joinUnitPriceFen, maskName, parseSeatRef, seatRef, tierPriceFor, tierProblems, tierRefundPlan, type GroupRules } from '../../src/domain/group-buy';
import { canApply, transitionOf } from '../../src/domain/order-state';
import { nextStatus } from '../../src/services/order-transitions';

const tiers = [
  { minSize: 2, priceFen: 9000 },
  { minSize: 5, priceFen: 8000 },
  { minSize: 10, priceFen: 7000 },
];
const tiered: GroupRules = { groupSize: 2, maxSize: 10, tiers, leaderDiscountFen: 0, simulateSharePercent: null };
const plain: GroupRules = { groupSize: 5, maxSize: 5, tiers: [], leaderDiscountFen: 300, simulateSharePercent: 60 };

describe('tiers', () => {
  it('prices a group by the highest tier it reached', () => {
    expect([1, 2, 4, 5, 6, 9, 10].map((n) => tierPriceFor(tiers, n))).toEqual([9000, 9000, 9000, 8000, 8000, 8000, 7000]);
  });

  it('names every tier that does not fit', () => {
    expect(tierProblems(tiers, 10)).toEqual([]);
    expect(tierProblems([{ minSize: 2, priceFen: 100 }], 5)).toEqual([{ path: '', message: 'a tiered campaign needs at least two tiers' }]);
    const bad = tierProblems(
      [
        { minSize: 1, priceFen: 9000 },
        { minSize: 1, priceFen: 9500 },
        { minSize: 12, priceFen: 7000 },
      ],
      10,
    );
    expect(bad.map((p) => p.path)).toEqual(['0.min_size', '1.min_size', '1.price_fen', '2.min_size']);
  });
});

describe('join prices', () => {
  it('charges the first tier (tiered) or the group price, less the leader discount, never below 1 fen', () => {
    expect(joinUnitPriceFen(tiered, 12345, false)).toBe(9000);
    expect(joinUnitPriceFen(plain, 5000, false)).toBe(5000);
    expect(joinUnitPriceFen(plain, 5000, true)).toBe(4700);
    expect(joinUnitPriceFen({ tiers: [], leaderDiscountFen: 999 }, 100, true)).toBe(1);
  });
});

describe('closing a room', () => {
  it('succeeds at once when every seat is paid, waits otherwise until expiry', () => {
    expect(closingOf(plain, 5, false)).toEqual({ outcome: 'succeeded', finalSize: 5, simulated: 0 });
    expect(closingOf(plain, 4, false)).toEqual({ outcome: 'open' });
    expect(closingOf(tiered, 6, false)).toEqual({ outcome: 'open' });
    expect(closingOf(tiered, 6, true)).toEqual({ outcome: 'succeeded', finalSize: 6, simulated: 0 });
  });

  it('completes with simulated members only at the threshold, and never an empty room', () => {
    expect(closingOf(plain, 3, true)).toEqual({ outcome: 'succeeded', finalSize: 5, simulated: 2 }); // 60 % of 5
    expect(closingOf(plain, 2, true)).toEqual({ outcome: 'failed' });
    expect(closingOf({ ...plain, simulateSharePercent: 0 }, 0, true)).toEqual({ outcome: 'failed' });
    expect(closingOf({ ...plain, simulateSharePercent: null }, 4, true)).toEqual({ outcome: 'failed' });
  });
});

describe('tier refunds', () => {
  it('a group closing at 6 refunds each member exactly the first tier minus the 5-person tier', () => {
    const members = Array.from({ length: 6 }, (_, i) => ({ seatId: `gst_${i}`, isLeader: i === 0, paidUnitFen: 9000, quantity: 1 }));
    const plan = tierRefundPlan(tiered, members, 6);
    expect(plan.refunds.map((r) => r.refundFen)).toEqual([1000, 1000, 1000, 1000, 1000, 1000]);
    expect(plan).toMatchObject({ paidTotalFen: 54000, finalTotalFen: 48000, refundTotalFen: 6000 });
  });

  it('keeps the leader discount and adds up fen for fen over many odd prices and sizes', () => {
    const oddTiers = [
      { minSize: 3, priceFen: 9999 },
      { minSize: 7, priceFen: 8887 },
      { minSize: 11, priceFen: 6661 },
    ];
    for (let size = 3; size <= 15; size++) {
      const members = Array.from({ length: size }, (_, i) => ({
        seatId: `gst_${i}`,
        isLeader: i === 0,
        paidUnitFen: joinUnitPriceFen({ tiers: oddTiers, leaderDiscountFen: 333 }, 0, i === 0),
        quantity: 1 + (i % 3),
      }));
      const plan = tierRefundPlan({ tiers: oddTiers, leaderDiscountFen: 333 }, members, size);
      const expectedUnit = tierPriceFor(oddTiers, size);
      plan.refunds.forEach((r, i) => {
        expect(r.finalUnitFen).toBe(i === 0 ? expectedUnit - 333 : expectedUnit);
        expect(r.refundFen).toBe((members[i]!.paidUnitFen - r.finalUnitFen) * members[i]!.quantity);
      });
      expect(plan.paidTotalFen).toBe(plan.finalTotalFen + plan.refundTotalFen);
    }
  });

  it('refunds nothing when the campaign is not tiered or stays at the first tier', () => {
    const members = [{ seatId: 'gst_a', isLeader: false, paidUnitFen: 5000, quantity: 1 }];
    expect(tierRefundPlan(plain, members, 5).refundTotalFen).toBe(0);
    expect(tierRefundPlan(tiered, [{ ...members[0]!, paidUnitFen: 9000 }], 4).refundTotalFen).toBe(0);
  });
});

describe('names, refs and the order state machine', () => {
  it('masks names to the first character', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('𠮷野家')).toBe('𠮷**');
    expect(maskName('  ')).toBe('匿**');
  });

  it('round-trips a seat ref and refuses anything else', () => {
    expect(parseSeatRef(seatRef('grm_abc', 'gst_def'))).toEqual({ roomId: 'grm_abc', seatId: 'gst_def' });
    expect(parseSeatRef('fsi_x/0/rsv_y')).toBeNull();
  });

  it('a held order cannot ship; a failed group moves a paid order to refunding', () => {
    expect(canApply('ship', 'paid', true)).toBe(false);
    expect(canApply('ship', 'paid')).toBe(true);
    expect(transitionOf('paid', 'ship', true)).toEqual({ ok: false, refusal: 'order_on_hold' });
    expect(() => nextStatus('paid', 'ship', true)).toThrow(/group buy/);
    expect(canApply('request_refund', 'paid', true)).toBe(false);
    expect(canApply('cancel', 'pending_payment', true)).toBe(true);
    expect(nextStatus('paid', 'group_failed')).toBe('refunding');
    expect(canApply('group_failed', 'shipped')).toBe(false);
  });
});
