// One bargain campaign: start and floor price, how many friends it takes, and "发起砍价".
import { bargainApi } from '../../../lib/api';
import { newIdempotencyKey } from '../../../lib/ids';
import type { BargainCampaignView } from '../../../lib/api-types';
import { formatFen } from '../../../lib/money';
import { replace } from '../../../lib/nav';
import { act, definePage, loadingState, loadInto, loadsById } from '../../../lib/page';
import { routes } from '../../../lib/routes';
import { askToSubscribe } from '../../../lib/subscribe';

export const bargainCampaignPage = definePage({
  data: { ...loadingState, id: '', campaign: null as BargainCampaignView | null, startText: '', floorText: '', launchKey: '', busy: false },
  methods: {
    ...loadsById,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const campaign = await bargainApi.get(this.data.id);
        return { campaign, startText: formatFen(campaign.start_price_fen), floorText: formatFen(campaign.floor_price_fen), launchKey: this.data.launchKey || newIdempotencyKey() };
      });
    },
    async onLaunch(): Promise<boolean> {
      if (this.data.busy) return false;
      this.setData({ busy: true });
      let sessionId = '';
      // The tap that launches is the one that may ask for "cut to the floor".
      await askToSubscribe(['bargain_floor']);
      const launched = await act(async () => {
        sessionId = (await bargainApi.launch(this.data.id, this.data.launchKey)).session.id;
      });
      this.setData({ busy: false });
      if (launched) await replace(routes.bargainSession(sessionId));
      return launched;
    },
  },
});
