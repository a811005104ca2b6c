// Bargains (砍价): the active campaigns.
import { bargainApi } from '../../../lib/api';
import type { BargainCampaignView } from '../../../lib/api-types';
import { formatFen } from '../../../lib/money';
import { go } from '../../../lib/nav';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnce } from '../../../lib/page';
import { routes } from '../../../lib/routes';

type Row = BargainCampaignView & { startText: string; floorText: string };

export const bargainListPage = definePage({
  data: { ...loadingState, campaigns: [] as Row[] },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => ({ campaigns: (await bargainApi.list()).items.map((c) => ({ ...c, startText: formatFen(c.start_price_fen), floorText: formatFen(c.floor_price_fen) })) }),
        emptyList('campaigns'),
      );
    },
    onTapCampaign(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.bargain(datasetOf(event, 'id')));
    },
  },
});
