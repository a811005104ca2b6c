// Recurring daily slots (pure rules): where a campaign stands at any moment, in the shop's zone.
import { describe, expect, it } from 'vitest';
import { dailySlotProblems, salesMomentAt, type DailySlot } from '../../src/domain/flash-sale-slots';
import { zonedDayStart, zonedLocalTimeToEpoch } from '../../src/lib/zoned-time';

const SH = 'Asia/Shanghai';
const at = (local: string, zone = '+08:00') => Date.parse(`${local}${zone}`);
const slots: DailySlot[] = [
  { start: '20:00', end: '22:00' },
  { start: '10:00', end: '12:00' },
];
const window = { startsAt: at('2031-06-18T00:00:00'), endsAt: at('2031-06-20T00:00:00'), dailySlots: slots };

describe('salesMomentAt', () => {
  it('opens in each slot of each day and says when the next one opens', () => {
    expect(salesMomentAt(window, at('2031-06-17T23:00:00'), SH)).toEqual({ state: 'closed', opensAt: at('2031-06-18T10:00:00') });
    expect(salesMomentAt(window, at('2031-06-18T09:59:59'), SH)).toEqual({ state: 'closed', opensAt: at('2031-06-18T10:00:00') });
    expect(salesMomentAt(window, at('2031-06-18T10:00:00'), SH)).toEqual({ state: 'open', closesAt: at('2031-06-18T12:00:00') });
    expect(salesMomentAt(window, at('2031-06-18T12:00:00'), SH)).toEqual({ state: 'closed', opensAt: at('2031-06-18T20:00:00') });
    expect(salesMomentAt(window, at('2031-06-18T23:00:00'), SH)).toEqual({ state: 'closed', opensAt: at('2031-06-19T10:00:00') });
    expect(salesMomentAt(window, at('2031-06-19T21:00:00'), SH)).toEqual({ state: 'open', closesAt: at('2031-06-19T22:00:00') });
    expect(salesMomentAt(window, at('2031-06-19T22:00:00'), SH)).toEqual({ state: 'ended' });
  });

  it('cuts slots to the campaign window', () => {
    const late = { ...window, startsAt: at('2031-06-18T11:00:00'), endsAt: at('2031-06-19T21:00:00') };
    expect(salesMomentAt(late, at('2031-06-18T10:30:00'), SH)).toEqual({ state: 'closed', opensAt: at('2031-06-18T11:00:00') });
    expect(salesMomentAt(late, at('2031-06-19T20:30:00'), SH)).toEqual({ state: 'open', closesAt: at('2031-06-19T21:00:00') });
  });

  it('reads the slots in the given zone', () => {
    const utc = { ...window, startsAt: at('2031-06-18T00:00:00', 'Z'), endsAt: at('2031-06-20T00:00:00', 'Z') };
    expect(salesMomentAt(utc, at('2031-06-18T10:30:00', 'Z'), 'UTC')).toEqual({ state: 'open', closesAt: at('2031-06-18T12:00:00', 'Z') });
    expect(salesMomentAt(utc, at('2031-06-18T10:30:00', 'Z'), SH)).toEqual({ state: 'closed', opensAt: at('2031-06-18T12:00:00', 'Z') });
    // A slot ending at 24:00 closes at the next local midnight.
    expect(salesMomentAt({ ...window, dailySlots: [{ start: '23:00', end: '24:00' }] }, at('2031-06-18T23:30:00'), SH)).toEqual({ state: 'open', closesAt: at('2031-06-19T00:00:00') });
  });

  it('without slots, sells for the whole window', () => {
    const plain = { ...window, dailySlots: null };
    expect(salesMomentAt(plain, at('2031-06-17T12:00:00'), SH)).toEqual({ state: 'closed', opensAt: window.startsAt });
    expect(salesMomentAt(plain, at('2031-06-18T03:00:00'), SH)).toEqual({ state: 'open', closesAt: window.endsAt });
    expect(salesMomentAt(plain, window.endsAt, SH)).toEqual({ state: 'ended' });
  });
});

describe('dailySlotProblems', () => {
  it('names slots that end before they start or overlap another', () => {
    expect(dailySlotProblems(slots)).toEqual([]);
    expect(dailySlotProblems([{ start: '10:00', end: '10:00' }])).toEqual([[0, expect.stringContaining('end must be after start')]]);
    expect(dailySlotProblems([{ start: '24:00', end: '24:00' }])).toEqual([[0, expect.stringContaining('start must be before 24:00')]]);
    expect(
      dailySlotProblems([
        { start: '12:00', end: '14:00' },
        { start: '10:00', end: '12:30' },
      ]),
    ).toEqual([[0, expect.stringContaining('overlaps the slot 10:00–12:30')]]);
    expect(
      dailySlotProblems([
        { start: '10:00', end: '12:00' },
        { start: '12:00', end: '13:00' },
      ]),
    ).toEqual([]);
  });
});

describe('zoned time', () => {
  it('reads local times and finds local midnight', () => {
    expect(zonedLocalTimeToEpoch('2031-06-18T20:00', SH)).toBe(at('2031-06-18T20:00:00'));
    expect(zonedLocalTimeToEpoch('2031-02-30T20:00', SH)).toBeNull();
    expect(zonedDayStart(at('2031-06-18T01:30:00'), SH).startsAt).toBe(at('2031-06-18T00:00:00'));
    expect(zonedDayStart(at('2031-06-18T23:59:59'), SH).startsAt).toBe(at('2031-06-18T00:00:00'));
  });
});
