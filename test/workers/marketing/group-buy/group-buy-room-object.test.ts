// The GroupBuyRoom object on its own: hundreds of simultaneous holds against one room, seats
// settled once, the ledger, and a configuration that must not change under a retry.
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { GroupBuyRoom, RoomConfig, SeatRequest } from '../../../../durable-objects/group-buy-room';
import { newId } from '../../../../src/lib/ids';

const room = (id: string) => env.GROUP_BUY_ROOM.get(env.GROUP_BUY_ROOM.idFromName(id));

function config(roomId: string, overrides: Partial<RoomConfig['rules']> = {}): RoomConfig {
  return {
    roomId,
    campaignId: 'gbc_object_test',
    rules: {
      groupSize: 2,
      maxSize: 10,
      tiers: [
        { minSize: 2, priceFen: 9000 },
        { minSize: 5, priceFen: 8000 },
      ],
      leaderDiscountFen: 0,
      simulateSharePercent: null,
      ...overrides,
    },
    holdMs: 15 * 60_000,
    expiresAt: Date.now() + 3_600_000,
    inviteCode: 'TESTCODE',
    loanedUnits: 0,
  };
}

/** Calls inside the object, so that a refusal thrown there is a rejection here (not an RPC error report). */
const insideRoom = <T>(roomId: string, call: (o: GroupBuyRoom) => Promise<T>) => runInDurableObject(room(roomId), (instance) => call(instance as unknown as GroupBuyRoom));

const seat = (userId = newId('usr')): SeatRequest => ({ seatId: newId('gst'), userId, name: '测试', avatarUrl: null, unitPriceFen: 9000, nowMs: Date.now() });

describe('GroupBuyRoom', () => {
  it('500 simultaneous holds on a 10-seat room: exactly 9 besides the leader, one ledger row each', async () => {
    const roomId = newId('grm');
    expect((await room(roomId).open(config(roomId), seat())).ok).toBe(true);
    const results = await Promise.all(Array.from({ length: 500 }, () => room(roomId).hold(seat())));
    expect(results.filter((r) => r.ok)).toHaveLength(9);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'full')).toBe(true);
    const state = (await room(roomId).state())!;
    expect(state).toMatchObject({ heldCount: 10, paidCount: 0, seatsLeft: 0, status: 'open' });
    const ledger = await room(roomId).ledger();
    expect(ledger.filter((l) => l.kind === 'held')).toHaveLength(10);
  });

  it('settles a seat once: paid stays paid, released stays released, replays answer the same', async () => {
    const roomId = newId('grm');
    const leader = seat();
    await room(roomId).open(config(roomId, { maxSize: 3, tiers: [], groupSize: 3 }), leader);
    const a = seat();
    const b = seat();
    expect((await room(roomId).hold(a)).ok).toBe(true);
    expect(await room(roomId).hold(a)).toMatchObject({ ok: true, replay: true });
    expect(await room(roomId).hold({ ...seat(a.userId) })).toEqual({ ok: false, reason: 'already_member' });
    expect((await room(roomId).hold(b)).ok).toBe(true);
    expect(await room(roomId).confirmPaid(a.seatId, 'ord_a')).toBe('paid');
    expect(await room(roomId).confirmPaid(a.seatId, 'ord_a')).toBe('already_paid');
    expect(await room(roomId).release(a.seatId, 'late cancel')).toBe('paid');
    expect(await room(roomId).release(b.seatId, 'cancelled')).toBe('released');
    expect(await room(roomId).release(b.seatId, 'cancelled')).toBe('already_released');
    expect(await room(roomId).confirmPaid(b.seatId, 'ord_b')).toBe('released');
    expect(await room(roomId).hold(b)).toEqual({ ok: false, reason: 'seat_released' });
    // The released shopper may come back with a new seat, and the freed seat can be taken.
    expect((await room(roomId).hold(seat(b.userId))).ok).toBe(true);
    expect((await room(roomId).state())!).toMatchObject({ heldCount: 2, paidCount: 1, seatsLeft: 0 });
    const kinds = (await room(roomId).ledger()).map((l) => l.kind);
    expect(kinds).toEqual(['held', 'held', 'held', 'paid', 'released', 'held']);
  });

  it('refuses a hold too close to the end, after it, and in a room never opened', async () => {
    const roomId = newId('grm');
    expect(await room(roomId).open({ ...config(roomId), expiresAt: Date.now() + 90_000 }, seat())).toEqual({ ok: false, reason: 'closing' });
    expect(await room(roomId).hold(seat())).toEqual({ ok: false, reason: 'closing' });
    // A closed room names who was in it (nobody: even the leader came too late), so the worker can refuse everyone else from memory.
    expect(await room(roomId).hold({ ...seat(), nowMs: Date.now() + 100_000 })).toEqual({ ok: false, reason: 'closed', members: [] });
    expect(await room(newId('grm')).hold(seat())).toEqual({ ok: false, reason: 'not_configured' });
    await expect(insideRoom(roomId, (o) => o.open(config(newId('grm')), seat()))).rejects.toThrow(/asked to open as/);
    await expect(insideRoom(roomId, (o) => o.hold({ ...seat(), unitPriceFen: 0 }))).rejects.toThrow(/unitPriceFen/);
  });
});
