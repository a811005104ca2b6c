// A group (room): its seats (members and empty ones), the countdown to its deadline, joining it
// (also from a shared card: the path carries the room id and the inviter), and sharing it.
import { groupBuyApi } from '../../../lib/api';
import { takeSeatFrom } from '../../../lib/group-buy';
import type { GroupBuyCampaignView, GroupBuyRoomView } from '../../../lib/api-types';
import { formatFen } from '../../../lib/money';
import { datasetOf, definePage, loadingState, loadInto } from '../../../lib/page';
import { routes } from '../../../lib/routes';
import { currentSession } from '../../../lib/session';
import { inviterId, shareCard } from '../../../lib/share';

const statusText: Record<GroupBuyRoomView['status'], string> = { open: '拼团中', succeeded: '拼团成功', failed: '拼团失败，款项将原路退回' };

type Seat = { key: string; filled: boolean; name: string; avatar_url: string | null; is_leader: boolean };
const seatsOf = (room: GroupBuyRoomView): Seat[] => [
  ...room.members.map((m, i) => ({ key: `member-${i}`, filled: true, name: m.name, avatar_url: m.avatar_url, is_leader: m.is_leader })),
  ...Array.from({ length: room.seats_left }, (_, i) => ({ key: `empty-${i}`, filled: false, name: '', avatar_url: null, is_leader: false })),
];

export const groupBuyRoomPage = definePage({
  data: {
    ...loadingState,
    id: '',
    inviter: '',
    room: null as GroupBuyRoomView | null,
    campaign: null as GroupBuyCampaignView | null,
    seats: [] as Seat[],
    statusText: '',
    priceText: '',
    joined: false,
    skuId: '',
    busy: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>): Promise<boolean> {
      this.setData({ id: query.id ?? '', inviter: query.inviter ?? '' });
      return this.load();
    },
    onRetry(): Promise<boolean> {
      return this.load();
    },
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const room = await groupBuyApi.room(this.data.id);
        const [campaign, mine] = await Promise.all([groupBuyApi.get(room.campaign_id), currentSession() ? groupBuyApi.mine() : Promise.resolve({ items: [] })]);
        const cheapest = campaign.skus[0];
        return {
          room,
          campaign,
          seats: seatsOf(room),
          statusText: statusText[room.status],
          priceText: formatFen(room.current_tier_price_fen ?? cheapest?.group_price_fen ?? 0),
          joined: mine.items.some((r) => r.id === room.id),
          skuId: campaign.skus.length === 1 ? campaign.skus[0]!.sku_id : this.data.skuId,
        };
      });
    },
    /** The group's deadline passed: it succeeded or failed; show which. */
    onExpire(): Promise<boolean> {
      return this.load();
    },
    onChooseSku(event: WechatMiniprogram.BaseEvent): void {
      this.setData({ skuId: datasetOf(event, 'id') });
    },
    onJoin(): Promise<boolean> {
      return takeSeatFrom(this, { kind: 'join', roomId: this.data.id });
    },
    onShareAppMessage(): WechatMiniprogram.Page.ICustomShareContent {
      const room = this.data.room;
      const title = room ? `还差 ${room.seats_left} 人成团，${this.data.priceText} 一起拼` : '一起拼团';
      return shareCard(title, routes.groupRoom(this.data.id, inviterId()), this.data.campaign?.image);
    },
  },
});
