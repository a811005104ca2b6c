// A flash-sale campaign counts down to its start while upcoming, to its end while live.
import type { FlashSaleCampaign } from './api-types';

type Timed = Pick<FlashSaleCampaign, 'state' | 'starts_at' | 'ends_at'>;

export function withCountdown<C extends Timed>(c: C): C & { countdownTarget: string; countdownLabel: string } {
  const upcoming = c.state === 'upcoming';
  return { ...c, countdownTarget: upcoming ? c.starts_at : c.ends_at, countdownLabel: upcoming ? '距开始 ' : '距结束 ' };
}
