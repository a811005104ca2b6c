// One group-buy campaign: its SKUs with the group price, tiers, the groups in progress to join,
// and "开团" (open a group as its leader).
import { groupBuyApi } from '../../../lib/api';
import { takeSeatFrom } from '../../../lib/group-buy';
import type { GroupBuyCampaignDetail } from '../../../lib/api-types';
import { formatFen } from '../../../lib/money';
import { go } from '../../../lib/nav';
import { datasetOf, definePage, loadingState, loadInto, loadsById } from '../../../lib/page';
import { routes } from '../../../lib/routes';

type Sku = GroupBuyCampaignDetail['skus'][number] & { groupPriceText: string; priceText: string };

export const groupBuyCampaignPage = definePage({
  data: { ...loadingState, id: '', campaign: null as GroupBuyCampaignDetail | null, skus: [] as Sku[], skuId: '', tiers: [] as { label: string }[], busy: false },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const campaign = await groupBuyApi.get(this.data.id);
        return {
          campaign,
          skus: campaign.skus.map((s) => ({ ...s, groupPriceText: formatFen(s.group_price_fen), priceText: formatFen(s.price_fen) })),
          skuId: campaign.skus.length === 1 ? campaign.skus[0]!.sku_id : this.data.skuId,
          tiers: campaign.tiers.map((t) => ({ label: `${t.min_size}人团 ${formatFen(t.price_fen)}` })),
        };
      });
    },
    onChooseSku(event: WechatMiniprogram.BaseEvent): void {
      this.setData({ skuId: datasetOf(event, 'id') });
    },
    onOpenGroup(): Promise<boolean> {
      return takeSeatFrom(this, { kind: 'open', campaignId: this.data.id });
    },
    onTapRoom(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.groupRoom(datasetOf(event, 'id')));
    },
  },
});
