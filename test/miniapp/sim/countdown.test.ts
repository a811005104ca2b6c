// The countdown runs on the server's clock (server_time from the API), ticks every second, and
// fires "end" once at zero.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countdown } from '../../../miniapp/miniprogram/components/countdown/component';
import { render, textOf } from './simulate';

const iso = (ms: number) => new Date(ms).toISOString();

describe('countdown', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-12-01T08:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts to the target on the server clock, not the phone clock, and ends once', async () => {
    // The phone is an hour behind the server.
    const serverNow = Date.now() + 3_600_000;
    const comp = render('components/countdown', countdown, { target: iso(serverNow + 3_725_000), serverTime: iso(serverNow), prefix: '距结束 ' });
    const ends: unknown[] = [];
    comp.addEventListener('end', (event) => ends.push(event));
    await vi.advanceTimersByTimeAsync(0);
    expect(textOf(comp, '.countdown')).toBe('距结束 01:02:05');
    await vi.advanceTimersByTimeAsync(1000);
    expect(textOf(comp, '.countdown')).toBe('距结束 01:02:04');
    await vi.advanceTimersByTimeAsync(3_724_000);
    expect(textOf(comp, '.countdown')).toBe('距结束 00:00:00');
    expect(ends).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ends).toHaveLength(1);
  });

  it('shows days beyond 24 hours and restarts when the target changes', async () => {
    const comp = render('components/countdown', countdown, { target: iso(Date.now() + 2 * 86_400_000 + 5_000), serverTime: iso(Date.now()) });
    await vi.advanceTimersByTimeAsync(0);
    expect(textOf(comp, '.countdown')).toBe('2天 00:00:05');
    comp.setData({ target: iso(Date.now() + 10_000) });
    await vi.advanceTimersByTimeAsync(1000);
    expect(textOf(comp, '.countdown')).toBe('00:00:09');
  });

  it('a target already past shows zero and ends at once', async () => {
    const comp = render('components/countdown', countdown, { target: iso(Date.now() - 1000), serverTime: iso(Date.now()) });
    await vi.advanceTimersByTimeAsync(0);
    expect(textOf(comp, '.countdown')).toBe('00:00:00');
    expect(comp.dom && textOf(comp, '.countdown-ended')).toBe('00:00:00');
  });
});
