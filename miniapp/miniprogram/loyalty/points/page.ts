// 我的积分: the usable balance, what is frozen (an order's after-sales window), what expires within
// 30 days, any debt a refund left, and the journal (cursor pages, more on reaching the bottom).
import { loyaltyApi } from '../../lib/api';
import type { PointsView } from '../../lib/api-types';
import { go } from '../../lib/nav';
import { definePage, loadingState, loadInto, loadMore, loadsOnShow } from '../../lib/page';
import { routes } from '../../lib/routes';
import { type EntryRow, entryRow } from '../lib/points-text';

export const pointsPage = definePage({
  data: { ...loadingState, summary: null as PointsView | null, entries: [] as EntryRow[], nextCursor: null as string | null, loadingMore: false },
  methods: {
    ...loadsOnShow,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const [summary, ledger] = await Promise.all([loyaltyApi.points(), loyaltyApi.ledger()]);
        return { summary, entries: ledger.items.map(entryRow), nextCursor: ledger.next_cursor };
      });
    },
    onReachBottom(): Promise<void> {
      return loadMore(this, loyaltyApi.ledger, (items) => this.setData({ entries: [...this.data.entries, ...items.map(entryRow)] }));
    },
    onTapCheckIn(): Promise<void> {
      return go(routes.checkIn());
    },
    onTapMall(): Promise<void> {
      return go(routes.pointsMall());
    },
  },
});
