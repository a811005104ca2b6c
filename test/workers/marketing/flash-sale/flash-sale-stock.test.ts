// FlashSaleStock against real Durable Objects in workerd: configuring, burst concurrency with
// exact counts, idempotency and the expiry alarm (at-least-once); resets, sharding and closing
// out are flash-sale-stock-shards.test.ts. The stock ledger's invariant is checked after every
// scenario:
//   initial + borrowedIn − transferredOut − closedOut = available + held + paid
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/lib/clock';
import { newId } from '../../../../src/lib/ids';
import { MINUTE, stockObject, campaign, reserveIn, users, okOnes, reasons, expectBalanced, insideObject, setObjectClock } from '../../../fixtures/flash-stock';

describe('configure', () => {
  it('sets the stock once; later calls change only the window, limits and hold', async () => {
    const { stub, config } = await campaign({ stock: 10 });
    const first = { ...config, shard: 0, initialStock: 10 };
    expect(await stub.configure(first)).toEqual({ configured: 'unchanged' });
    // A repeated configure with more stock never adds units.
    expect(await stub.configure({ ...first, initialStock: 999 })).toEqual({ configured: 'unchanged' });
    expect(await stub.configure({ ...first, initialStock: 999, perUserLimit: 3, endsAt: config.endsAt + MINUTE })).toEqual({ configured: 'updated' });
    const s = await stub.snapshot();
    expect(s.available).toBe(10);
    expect(s.config).toMatchObject({ perUserLimit: 3, endsAt: config.endsAt + MINUTE, initialStock: 10, closedOutAt: null });
    expect(s.ledger).toEqual({ initial: 10, borrowedIn: 0, transferredOut: 0, released: 0, closedOut: 0 });
    // Another object's identity is a caller bug, refused.
    await expect(insideObject(stub, (o) => o.configure({ ...first, shard: 0, shardCount: 2 }))).rejects.toThrow(/shardCount/);
    await expect(insideObject(stub, (o) => o.configure({ ...first, endsAt: first.startsAt }))).rejects.toThrow(/endsAt/);
    expectBalanced(await stub.snapshot());
  });

  it('an object nobody configured answers not_configured and holds nothing', async () => {
    const stub = stockObject(newId('fsi'));
    expect(await reserveIn(stub, newId('usr'))).toEqual({ ok: false, reason: 'not_configured' });
    expect(await stub.snapshot()).toMatchObject({ config: null, available: 0, held: 0, reservations: [] });
    expect(await stub.transferOut(5)).toBe(0);
    expect(await stub.closeOut()).toMatchObject({ returned: 0, refused: 'not_configured' });
  });
});

describe('reserving at burst load', () => {
  it('2,000 concurrent buyers for 100 units, limit 1: exactly 100 succeed, nobody holds two', async () => {
    const { stub } = await campaign({ stock: 100 });
    const buyers = users(2000);
    const results = await Promise.all(buyers.map((u) => reserveIn(stub, u)));
    expect(reasons(results)).toEqual({ ok: 100, sold_out: 1900 });
    const won = okOnes(results);
    expect(won.every((r) => r.quantity === 1 && r.available >= 0)).toBe(true);
    // The available figures each winner saw are 99…0, each exactly once.
    expect(won.map((r) => r.available).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const s = await stub.snapshot();
    expect(s).toMatchObject({ available: 0, held: 100, paid: 0, released: 0 });
    expect(new Set(s.reservations.map((r) => r.userId)).size).toBe(100);
    expect(new Set(s.reservations.map((r) => r.id))).toEqual(new Set(won.map((r) => r.reservationId)));
    expectBalanced(s);
  }, 120_000);

  it('one shopper hammering: the per-user limit holds, the rest is rate limited with a retry-after', async () => {
    const { stub } = await campaign({ stock: 50, perUserLimit: 2, perOrderLimit: 1 });
    const [shopper] = users(1);
    const results = await Promise.all(Array.from({ length: 50 }, () => reserveIn(stub, shopper!)));
    // 5 attempts are admitted in the window: 2 win, 3 hit the per-user limit, 45 wait.
    expect(reasons(results)).toEqual({ ok: 2, per_user_limit: 3, rate_limited: 45 });
    const waits = results.flatMap((r) => (!r.ok && r.reason === 'rate_limited' ? [r.retryAfterMs] : []));
    expect(waits.every((ms) => ms !== undefined && ms > 0 && ms <= 5_000)).toBe(true);
    const s = await stub.snapshot();
    expect(s).toMatchObject({ available: 48, held: 2 });
    expectBalanced(s);
  });

  it('the per-user limit counts units held and paid, under concurrency, across orders', async () => {
    const { stub } = await campaign({ stock: 50, perUserLimit: 3, perOrderLimit: 2 });
    const clock = new ManualClock(Date.now());
    await setObjectClock(stub, clock);
    const shoppers = users(20);
    // Each shopper: 4 concurrent orders of 2 units; at most one fits under a limit of 3.
    const results = await Promise.all(shoppers.flatMap((u) => Array.from({ length: 4 }, () => reserveIn(stub, u, { quantity: 2 }))));
    expect(reasons(results)).toEqual({ ok: 20, per_user_limit: 60 });
    const s = await stub.snapshot();
    expect(s.held).toBe(40);
    const byUser = new Map<string, number>();
    for (const r of s.reservations) byUser.set(r.userId, (byUser.get(r.userId) ?? 0) + r.quantity);
    expect([...byUser.values()].every((n) => n === 2)).toBe(true);
    clock.advance(5_000); // a new admission window
    // A paid reservation still counts: one more unit fits, then no more.
    const first = s.reservations.find((r) => r.userId === shoppers[0])!;
    expect(await stub.confirmPaid(first.id, newId('ord'))).toBe('paid');
    const over = await reserveIn(stub, shoppers[0]!, { quantity: 2 });
    expect(over).toMatchObject({ ok: false, reason: 'per_user_limit', held: 2 });
    expect(await reserveIn(stub, shoppers[0]!, { quantity: 1 })).toMatchObject({ ok: true });
    expect(await reserveIn(stub, shoppers[0]!, { quantity: 1 })).toMatchObject({ ok: false, reason: 'per_user_limit', held: 3 });
    // The last one: 50 − 40 − 1 = 9 left, a 2-unit order of a fresh shopper still fits.
    expect(await reserveIn(stub, newId('usr'), { quantity: 2 })).toMatchObject({ ok: true, available: 7 });
    expectBalanced(await stub.snapshot());
  });

  it('admission control slides with the clock: 5 attempts per 5 s per shopper', async () => {
    const { stub } = await campaign({ stock: 50, perUserLimit: 10 });
    const clock = new ManualClock(Date.now());
    await setObjectClock(stub, clock);
    const [shopper, other] = users(2);
    for (let i = 0; i < 5; i++) expect(await reserveIn(stub, shopper!)).toMatchObject({ ok: true });
    clock.advance(1_000);
    expect(await reserveIn(stub, shopper!)).toEqual({ ok: false, reason: 'rate_limited', retryAfterMs: 4_000 });
    // Other shoppers are not affected.
    expect(await reserveIn(stub, other!)).toMatchObject({ ok: true });
    clock.advance(4_000);
    expect(await reserveIn(stub, shopper!)).toMatchObject({ ok: true });
    expect((await stub.snapshot()).held).toBe(7);
  });

  it('the same reservation id, 20 times at once: one reservation, the same answer every time', async () => {
    const { stub } = await campaign({ stock: 10, perUserLimit: 2, perOrderLimit: 2 });
    const [shopper] = users(1);
    const reservationId = newId('rsv');
    const nowMs = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () => reserveIn(stub, shopper!, { reservationId, quantity: 2, nowMs })));
    // Replays are not attempts: none is rate limited, all name the one reservation.
    expect(results.every((r) => r.ok && r.reservationId === reservationId && r.quantity === 2 && r.expiresAt === nowMs + 5 * MINUTE)).toBe(true);
    let s = await stub.snapshot();
    expect(s).toMatchObject({ available: 8, held: 2 });
    expect(s.reservations).toHaveLength(1);
    // Once released, the id answers with its released reservation and never reserves again, even with stock there.
    expect(await stub.release(reservationId, 'order could not be written')).toBe('released');
    expect(await reserveIn(stub, shopper!, { reservationId, quantity: 2 })).toMatchObject({ ok: true, replayed: true, status: 'released', available: 10 });
    s = await stub.snapshot();
    expect(s).toMatchObject({ available: 10, held: 0, released: 2 });
    expect(s.reservations).toHaveLength(1);
    expectBalanced(s);
  });

  it('refuses outside the window and over the per-order limit', async () => {
    const now = Date.now();
    const { stub } = await campaign({ stock: 10, startsAt: now + 10 * MINUTE, endsAt: now + 70 * MINUTE, perUserLimit: 3, perOrderLimit: 2 });
    const [shopper] = users(1);
    expect(await reserveIn(stub, shopper!, { nowMs: now })).toEqual({ ok: false, reason: 'not_started', retryAfterMs: 10 * MINUTE });
    expect(await reserveIn(stub, shopper!, { nowMs: now + 70 * MINUTE })).toEqual({ ok: false, reason: 'ended' });
    expect(await reserveIn(stub, shopper!, { nowMs: now + 10 * MINUTE, quantity: 3 })).toEqual({ ok: false, reason: 'per_order_limit' });
    expect(await reserveIn(stub, shopper!, { nowMs: now + 10 * MINUTE, quantity: 2 })).toMatchObject({ ok: true, expiresAt: now + 15 * MINUTE });
    expect(await reserveIn(stub, shopper!, { nowMs: now + 70 * MINUTE - 1 })).toMatchObject({ ok: true });
    // Invalid input is an error, not a silent refusal.
    const invalid = (quantity: number) => insideObject(stub, (o) => o.reserve({ reservationId: newId('rsv'), userId: newId('usr'), quantity, nowMs: now }));
    await expect(invalid(0)).rejects.toThrow(/quantity/);
    await expect(invalid(1.5)).rejects.toThrow(/quantity/);
    // Cancelled: the worker moves the end to now, and sales stop.
    const { config } = await campaign({ stock: 5 });
    const cancelled = stockObject(config.itemId);
    expect(await cancelled.configure({ ...config, shard: 0, initialStock: 5, endsAt: now })).toEqual({ configured: 'updated' });
    expect(await reserveIn(cancelled, shopper!, { nowMs: now + 1 })).toEqual({ ok: false, reason: 'ended' });
    expectBalanced(await stub.snapshot());
    expectBalanced(await cancelled.snapshot());
  });
});

describe('settling reservations', () => {
  it('confirm and release act exactly once; confirm after release says released, release after paid says paid', async () => {
    const { stub } = await campaign({ stock: 10 });
    const [a, b, c] = users(3);
    const paid = await reserveIn(stub, a!);
    const dropped = await reserveIn(stub, b!);
    const raced = await reserveIn(stub, c!);
    if (!paid.ok || !dropped.ok || !raced.ok) throw new Error('reserve failed');
    const orderId = newId('ord');
    expect(await stub.confirmPaid(paid.reservationId, orderId)).toBe('paid');
    expect(await stub.confirmPaid(paid.reservationId, orderId)).toBe('already_paid');
    expect(await stub.release(paid.reservationId, 'order cancelled')).toBe('paid');

    expect(await stub.release(dropped.reservationId, 'order cancelled')).toBe('released');
    expect(await stub.release(dropped.reservationId, 'order cancelled')).toBe('already_released');
    expect(await stub.confirmPaid(dropped.reservationId, newId('ord'))).toBe('released');

    expect(await stub.confirmPaid('rsv_unknown', orderId)).toBe('unknown');
    expect(await stub.release('rsv_unknown', 'x')).toBe('unknown');

    // Concurrent: 10 releases and 10 confirmations of one hold; exactly one of them wins.
    const raceOrderId = newId('ord');
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? stub.release(raced.reservationId, 'order cancelled') : stub.confirmPaid(raced.reservationId, raceOrderId))));
    const confirms = outcomes.filter((_, i) => i % 2 === 0);
    const releases = outcomes.filter((_, i) => i % 2 === 1);
    let s = await stub.snapshot();
    const wonBy = s.reservations.find((r) => r.id === raced.reservationId)!.status;
    // Whichever came first decides every other answer.
    if (wonBy === 'paid') {
      expect(confirms.sort()).toEqual([...Array(9).fill('already_paid'), 'paid']);
      expect(releases).toEqual(Array(10).fill('paid'));
    } else {
      expect(wonBy).toBe('released');
      expect(releases.sort()).toEqual([...Array(9).fill('already_released'), 'released'].sort());
      expect(confirms).toEqual(Array(10).fill('released'));
    }
    const firstWin = wonBy;

    s = await stub.snapshot();
    expect(s.reservations.find((r) => r.id === paid.reservationId)).toMatchObject({ status: 'paid', orderId });
    expect(s.ledger.released).toBe(firstWin === 'paid' ? 1 : 2);
    expect(s.available).toBe(firstWin === 'paid' ? 8 : 9);
    expectBalanced(s);
  });

  it('expiry: the alarm releases 30 expired holds exactly once (even when run twice), and the units sell again', async () => {
    const now = Date.now();
    // Holds taken 10 minutes ago with a 1-minute hold: expired, and past settlement's grace.
    const { stub } = await campaign({ stock: 40, holdMs: MINUTE });
    const expiring = users(30);
    const taken = await Promise.all(expiring.map((u) => reserveIn(stub, u, { nowMs: now - 10 * MINUTE })));
    expect(okOnes(taken)).toHaveLength(30);
    // Two holds that are still running, and one expired hold that was paid before the alarm.
    const fresh = await Promise.all(users(2).map((u) => reserveIn(stub, u, { nowMs: now })));
    const paidLate = await reserveIn(stub, newId('usr'), { nowMs: now - 10 * MINUTE });
    if (!paidLate.ok) throw new Error('reserve failed');
    expect(await stub.confirmPaid(paidLate.reservationId, newId('ord'))).toBe('paid');
    expect(await stub.snapshot()).toMatchObject({ available: 7, held: 32, paid: 1 });

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    let s = await stub.snapshot();
    expect(s).toMatchObject({ available: 37, held: 2, paid: 1, released: 30 });
    expect(
      s.reservations
        .filter((r) => r.status === 'held')
        .map((r) => r.id)
        .sort(),
    ).toEqual(
      okOnes(fresh)
        .map((r) => r.reservationId)
        .sort(),
    );
    // The alarm is re-armed for the holds still running.
    const next = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(next).toBeGreaterThanOrEqual(Math.min(...okOnes(fresh).map((r) => r.expiresAt)));

    // At-least-once: running it again (and again) changes nothing for the settled holds.
    await runDurableObjectAlarm(stub);
    await insideObject(stub, (o) => o.alarm());
    s = await stub.snapshot();
    expect(s).toMatchObject({ available: 37, held: 2, paid: 1, released: 30 });
    expect(s.ledger.released).toBe(30);
    expectBalanced(s);

    // The released units sell again, to other shoppers; the expired ones' ids stay released.
    const late = await Promise.all(users(45).map((u) => reserveIn(stub, u)));
    expect(reasons(late)).toEqual({ ok: 37, sold_out: 8 });
    expect(await reserveIn(stub, expiring[0]!, { reservationId: okOnes(taken)[0]!.reservationId })).toMatchObject({ ok: true, replayed: true, status: 'released' });
    s = await stub.snapshot();
    expect(s).toMatchObject({ available: 0, held: 39, paid: 1, released: 30 });
    expectBalanced(s);
  });

  it('the alarm does not fire on its own for holds taken on a lagging clock, and keeps itself armed', async () => {
    const now = Date.now();
    const { stub } = await campaign({ stock: 5, holdMs: 5 * MINUTE });
    const r = await reserveIn(stub, newId('usr'), { nowMs: now - 10 * MINUTE });
    expect(r).toMatchObject({ ok: true, expiresAt: now - 5 * MINUTE });
    // Due on the object's own time: a full hold from when it was taken.
    const due = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(due).toBeGreaterThanOrEqual(now + 5 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stub.snapshot()).toMatchObject({ held: 1 });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.snapshot()).toMatchObject({ held: 0, released: 1, available: 5 });
    // Nothing waits any more: no alarm left.
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
  });
});
