// Flash sales (秒杀): live and upcoming campaigns, each with its countdown on the server's clock.
import { flashSaleApi } from '../../../lib/api';
import type { FlashSaleCampaign } from '../../../lib/api-types';
import { withCountdown } from '../../../lib/flash-sale';
import { go } from '../../../lib/nav';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnce } from '../../../lib/page';
import { routes } from '../../../lib/routes';

type Row = ReturnType<typeof withCountdown<FlashSaleCampaign>>;

export const flashSaleListPage = definePage({
  data: { ...loadingState, campaigns: [] as Row[], serverTime: '' },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const list = await flashSaleApi.list();
          return { campaigns: list.items.filter((c) => c.state !== 'ended').map((c) => withCountdown(c)), serverTime: list.server_time };
        },
        emptyList('campaigns'),
      );
    },
    /** A campaign started or ended: its state changed, read them again. */
    onCountdownEnd(): Promise<boolean> {
      return this.load();
    },
    onTapCampaign(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.flashSale(datasetOf(event, 'id')));
    },
  },
});
