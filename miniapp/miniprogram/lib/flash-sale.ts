// A flash-sale campaign counts down to when it opens while upcoming (its start, or the next daily
// slot), to when it closes while live (the slot's end, or the campaign's).
import type { FlashSaleCampaign } from './api-types';

type Timed = Pick<FlashSaleCampaign, 'state' | 'starts_at' | 'ends_at' | 'opens_at' | 'closes_at'>;

export function withCountdown<C extends Timed>(c: C): C & { countdownTarget: string; countdownLabel: string } {
  const upcoming = c.state === 'upcoming';
  return {
    ...c,
    countdownTarget: upcoming ? (c.opens_at ?? c.starts_at) : (c.closes_at ?? c.ends_at),
    countdownLabel: upcoming ? '距开始 ' : '距结束 ',
  };
}
