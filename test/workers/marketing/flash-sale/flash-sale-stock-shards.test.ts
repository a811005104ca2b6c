// FlashSaleStock objects across resets and shards: nothing lost or duplicated when objects reset
// mid-sale, borrowing between shards, and closing out after the end.
import { abortAllDurableObjects } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ReserveResult } from '../../../../durable-objects/flash-sale-stock';
import { shardFor } from '../../../../src/domain/flash-sale';
import { newId } from '../../../../src/lib/ids';
import { MINUTE, stockObject, campaign, reserveIn, users, okOnes, reasons, expectBalanced, expectCampaignBalanced } from '../../../fixtures/flash-stock';

describe('resets mid-sale', () => {
  it('after abortAllDurableObjects nothing reserved or paid is lost or duplicated, and sales continue', async () => {
    const { stub: beforeReset, itemId } = await campaign({ stock: 60 });
    const first = await Promise.all(users(30).map((u) => reserveIn(beforeReset, u)));
    const won = okOnes(first);
    const orderOf = new Map(won.map((r) => [r.reservationId, newId('ord')]));
    for (const r of won.slice(0, 10)) expect(await beforeReset.confirmPaid(r.reservationId, orderOf.get(r.reservationId)!)).toBe('paid');
    for (const r of won.slice(10, 15)) expect(await beforeReset.release(r.reservationId, 'order cancelled')).toBe('released');
    const before = await beforeReset.snapshot();
    expect(before).toMatchObject({ available: 35, held: 15, paid: 10, released: 5 });

    await abortAllDurableObjects();
    // Stubs do not survive a reset: callers get a new one (as every worker request does).
    const stub = stockObject(itemId);
    const after = await stub.snapshot();
    expect(after).toEqual(before);
    // Known ids answer as before (no second reservation), settled ones stay settled.
    const heldOne = before.reservations.find((r) => r.id === won[20]!.reservationId)!;
    expect(await reserveIn(stub, heldOne.userId, { reservationId: heldOne.id })).toMatchObject({ ok: true, reservationId: heldOne.id, expiresAt: heldOne.expiresAt });
    expect(await stub.confirmPaid(won[0]!.reservationId, orderOf.get(won[0]!.reservationId)!)).toBe('already_paid');
    expect(await stub.release(won[10]!.reservationId, 'again')).toBe('already_released');

    const second = await Promise.all(users(50).map((u) => reserveIn(stub, u)));
    expect(reasons(second)).toEqual({ ok: 35, sold_out: 15 });
    const s = await stub.snapshot();
    expect(s).toMatchObject({ available: 0, held: 50, paid: 10, released: 5 });
    expectBalanced(s);
  });

  it('a reset while requests are in flight: every retried reservation id resolves to one consistent answer', async () => {
    // The reset is fired from the first answer's callback, while the rest are queued in the object or
    // running. On a fast machine every request can still beat it, so the race is run again on a fresh
    // campaign (at most three times) until the reset has cut at least one request off.
    let round: Awaited<ReturnType<typeof raceAReset>> | undefined;
    for (let tries = 0; tries < 3 && !round?.failed; tries++) round = await raceAReset();
    const { itemId, attempts, firstAnswers, failed, nowMs } = round!;
    expect(failed).toBeGreaterThan(0); // the reset did cut requests off
    // Callers retry what failed with the same id (as the worker does through Idempotency-Key).
    const again = stockObject(itemId);
    const final = await Promise.all(attempts.map((a, i) => ('error' in firstAnswers[i]! ? again.reserve({ ...a, quantity: 1, nowMs }) : (firstAnswers[i] as ReserveResult))));
    // An id that was told "ok" is still ok on a replay: nothing acknowledged was lost.
    for (const [i, answer] of firstAnswers.entries()) {
      if ('error' in answer || !answer.ok) continue;
      expect(await again.reserve({ ...attempts[i]!, quantity: 1, nowMs })).toMatchObject({ ok: true, reservationId: attempts[i]!.reservationId });
    }
    const s = await again.snapshot();
    const okIds = new Set(okOnes(final).map((r) => r.reservationId));
    expect(new Set(s.reservations.map((r) => r.id))).toEqual(okIds);
    expect(okIds.size).toBe(60);
    expect(s).toMatchObject({ available: 0, held: 60 });
    expectBalanced(s);
  });
});

describe('sharding', () => {
  it('4 shards of 25, buyers routed with shardFor: exactly 100 sold in total', async () => {
    const { shards, itemId } = await campaign({ stock: 100, shardCount: 4 });
    expect((await Promise.all(shards.map((s) => s.snapshot()))).map((s) => s.available)).toEqual([25, 25, 25, 25]);
    const buyers = users(600);
    const results = await Promise.all(buyers.map((u) => reserveIn(stockObject(itemId, shardFor(u, 4)), u)));
    expect(reasons(results)).toEqual({ ok: 100, sold_out: 500 });
    const snapshots = await expectCampaignBalanced(shards, 100);
    expect(snapshots.reduce((n, s) => n + s.held, 0)).toBe(100);
    expect(snapshots.every((s) => s.available === 0)).toBe(true);
    // Every holder sits on the shard shardFor names, so the per-user limit holds campaign-wide.
    for (const [shard, s] of snapshots.entries()) expect(s.reservations.every((r) => shardFor(r.userId, 4) === shard)).toBe(true);
  }, 120_000);

  it('a dry shard borrows from its siblings: buyers skewed to one shard still sell the campaign out', async () => {
    const { shards, itemId } = await campaign({ stock: 100, shardCount: 4 });
    const onShardZero: string[] = [];
    while (onShardZero.length < 250) {
      const u = newId('usr');
      if (shardFor(u, 4) === 0) onShardZero.push(u);
    }
    const results = await Promise.all(onShardZero.map((u) => reserveIn(stockObject(itemId, 0), u)));
    expect(reasons(results)).toEqual({ ok: 100, sold_out: 150 });
    const snapshots = await expectCampaignBalanced(shards, 100);
    expect(snapshots.map((s) => s.available)).toEqual([0, 0, 0, 0]);
    expect(snapshots[0]).toMatchObject({ held: 100, ledger: { initial: 25, borrowedIn: 75 } });
    expect(snapshots.slice(1).map((s) => s.ledger.transferredOut)).toEqual([25, 25, 25]);
  }, 120_000);

  it('mixed traffic with a hot shard, releases and borrowing both ways: nothing oversold, everything sold', async () => {
    const { shards, itemId } = await campaign({ stock: 80, shardCount: 4 });
    const hot: string[] = [];
    while (hot.length < 120) {
      const u = newId('usr');
      if (shardFor(u, 4) === 1) hot.push(u);
    }
    const spread = users(60);
    const route = (u: string) => stockObject(itemId, shardFor(u, 4));
    const results = await Promise.all([...hot, ...spread].map((u) => reserveIn(route(u), u)));
    const won = okOnes(results);
    expect(won).toHaveLength(80);
    // Release 20 of them wherever they are, then a new wave buys exactly those 20 back.
    const snaps = await expectCampaignBalanced(shards, 80);
    const toRelease = snaps.flatMap((s, shard) => s.reservations.map((r) => ({ shard, id: r.id }))).slice(0, 20);
    for (const r of toRelease) expect(await stockObject(itemId, r.shard).release(r.id, 'order cancelled')).toBe('released');
    // Wait out the dry-sibling hint (1 s) so shards that gave everything are asked again.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const wave = users(100);
    const again = await Promise.all(wave.map((u) => reserveIn(route(u), u)));
    expect(okOnes(again)).toHaveLength(20);
    const final = await expectCampaignBalanced(shards, 80);
    expect(final.reduce((n, s) => n + s.held, 0)).toBe(80);
    expect(final.reduce((n, s) => n + s.released, 0)).toBe(20);
  }, 120_000);

  it('transferOut gives only unreserved units, and a repeated transfer id gives them once', async () => {
    const { stub, itemId } = await campaign({ stock: 10, shardCount: 1 });
    expect(await reserveIn(stub, newId('usr'))).toMatchObject({ ok: true });
    const transferId = newId('trf');
    expect(await stub.transferOut(4, { transferId, toShard: 1 })).toBe(4);
    expect(await stub.transferOut(4, { transferId, toShard: 1 })).toBe(4);
    expect(await stub.transferOut(100)).toBe(5);
    expect(await stub.transferOut(1)).toBe(0);
    const s = await stockObject(itemId).snapshot();
    expect(s).toMatchObject({ available: 0, held: 1, ledger: { transferredOut: 9 } });
    expectBalanced(s);
  });
});

describe('closing out', () => {
  it('returns the unsold units once, after the end, and refuses while holds remain', async () => {
    const now = Date.now();
    const { stub } = await campaign({ stock: 20, startsAt: now - 120 * MINUTE, endsAt: now - 60 * MINUTE, perUserLimit: 2, perOrderLimit: 2 });
    const during = now - 90 * MINUTE;
    const [a, b] = await Promise.all(users(2).map((u) => reserveIn(stub, u, { nowMs: during, quantity: 2 })));
    if (!a?.ok || !b?.ok) throw new Error('reserve failed');
    expect(await stub.closeOut(now - 61 * MINUTE)).toEqual({ returned: 0, held: 4, refused: 'not_ended' });
    expect(await stub.closeOut()).toEqual({ returned: 0, held: 4, refused: 'reservations_held' });
    expect(await stub.confirmPaid(a.reservationId, newId('ord'))).toBe('paid');
    expect(await stub.release(b.reservationId, 'expired')).toBe('released');

    expect(await stub.closeOut()).toEqual({ returned: 18, held: 0 });
    expect(await stub.closeOut()).toEqual({ returned: 0, held: 0 });
    const s = await stub.snapshot();
    expect(s).toMatchObject({ available: 0, held: 0, paid: 2, released: 2, ledger: { initial: 20, closedOut: 18 } });
    expect(s.config?.closedOutAt).toEqual(expect.any(Number));
    expectBalanced(s);
    // Closed: nothing more is sold or handed to a sibling, even if the window were reopened.
    expect(await stub.transferOut(5)).toBe(0);
    expect(await stub.configure({ ...s.config!, endsAt: now + 60 * MINUTE })).toEqual({ configured: 'updated' });
    expect(await reserveIn(stub, newId('usr'))).toEqual({ ok: false, reason: 'ended' });
    expectBalanced(await stub.snapshot());
  });
});

/** 300 shoppers race for 60 units and every Durable Object is reset as the first answer arrives. */
async function raceAReset() {
  const { stub, itemId } = await campaign({ stock: 60 });
  const attempts = users(300).map((userId) => ({ userId, reservationId: newId('rsv') }));
  const nowMs = Date.now();
  let reset: Promise<void> | undefined;
  const firstAnswers = await Promise.all(
    attempts.map((a) =>
      stub.reserve({ ...a, quantity: 1, nowMs }).then(
        (answer): ReserveResult | { error: unknown } => {
          reset ??= abortAllDurableObjects();
          return answer;
        },
        (error: unknown) => ({ error }),
      ),
    ),
  );
  await reset;
  return { itemId, attempts, firstAnswers, nowMs, failed: firstAnswers.filter((a) => 'error' in a).length };
}
