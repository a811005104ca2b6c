// How the loyalty pages write points and journal entries (the subpackage's own helpers).
import type { PointsEntry } from '../../lib/api-types';

/** "+10" / "-5" / "0": a movement's sign is always shown. */
export const signed = (points: number) => (points > 0 ? `+${points}` : String(points));

const sourceLabels: Record<string, string> = {
  order: '订单',
  check_in: '签到',
  review: '评价',
  merchant_grant: '商家调整',
  exchange: '积分兑换',
  expiry: '积分过期',
  reversal: '退款退回',
};

export type EntryRow = { id: string; title: string; pointsText: string; frozenText: string; debtText: string; date: string; negative: boolean };

/** One journal line: what moved usable points, what moved frozen ones, what repaid or made debt. */
export function entryRow(e: PointsEntry): EntryRow {
  return {
    id: e.id,
    title: e.reason || sourceLabels[e.source] || e.source,
    pointsText: signed(e.points),
    frozenText: e.kind === 'thaw' ? `解冻 ${-e.frozen_points}` : e.frozen_points !== 0 ? `冻结 ${signed(e.frozen_points)}` : '',
    debtText: e.debt_points > 0 ? `新增待补扣 ${e.debt_points}` : e.debt_points < 0 ? `补扣 ${-e.debt_points}` : '',
    date: (e.created_at ?? '').slice(0, 10),
    negative: e.points < 0,
  };
}
