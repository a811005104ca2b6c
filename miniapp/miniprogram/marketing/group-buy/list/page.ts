// Group buys (拼团): the active campaigns.
import { groupBuyApi } from '../../../lib/api';
import type { GroupBuyCampaignView } from '../../../lib/api-types';
import { formatFen } from '../../../lib/money';
import { go } from '../../../lib/nav';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnce } from '../../../lib/page';
import { routes } from '../../../lib/routes';

type Row = GroupBuyCampaignView & { groupPriceText: string; priceText: string };
const rowOf = (c: GroupBuyCampaignView): Row => {
  const cheapest = [...c.skus].sort((a, b) => a.group_price_fen - b.group_price_fen)[0];
  return { ...c, groupPriceText: cheapest ? formatFen(cheapest.group_price_fen) : '', priceText: cheapest ? formatFen(cheapest.price_fen) : '' };
};

export const groupBuyListPage = definePage({
  data: { ...loadingState, campaigns: [] as Row[] },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(this, async () => ({ campaigns: (await groupBuyApi.list()).items.map(rowOf) }), emptyList('campaigns'));
    },
    onTapCampaign(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.groupBuy(datasetOf(event, 'id')));
    },
  },
});
