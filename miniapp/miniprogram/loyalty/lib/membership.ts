// The member card's figures: progress to the next level and each level's benefits as labels.
import type { MemberLevel, MembershipView } from '../../lib/api-types';

/** Percent of the way from the current level's threshold to the next one's (100 at the top). */
export function progressPercent(view: Pick<MembershipView, 'level' | 'growth_last_12_months' | 'next_level'>, levels: MemberLevel[]): number {
  if (!view.next_level) return 100;
  const from = levels.find((l) => l.rank === view.level?.rank)?.growth_threshold ?? 0;
  const span = view.next_level.growth_threshold - from;
  return span <= 0 ? 100 : Math.max(0, Math.min(100, Math.floor(((view.growth_last_12_months - from) * 100) / span)));
}

/** "9.5 折", "会员价", "包邮", "积分 1.5 倍", "生日券" — what a level gives, in the shop's words. */
export function benefitLabels(b: MemberLevel['benefits']): string[] {
  const labels: string[] = [];
  if (b.discount_bps > 0) labels.push(`${(10 - b.discount_bps / 1000).toFixed(2).replace(/\.?0+$/, '')} 折`);
  if (b.member_price) labels.push('会员价');
  if (b.free_shipping) labels.push('包邮');
  if (b.points_multiplier_bps !== 10_000) labels.push(`积分 ${(b.points_multiplier_bps / 10_000).toString()} 倍`);
  if (b.birthday_coupon_template_id) labels.push('生日券');
  return labels;
}
