// A bargain session: the price so far, who helped and by how much, the countdown; the owner
// shares it and buys at the current price, a friend who opened the shared card helps cut.
import { bargainApi } from '../../../lib/api';
import { payAndShowOrder } from '../../../lib/checkout-flow';
import { newIdempotencyKey } from '../../../lib/ids';
import type { BargainSessionView } from '../../../lib/api-types';
import { formatFen } from '../../../lib/money';
import { go, toast } from '../../../lib/nav';
import { act, definePage, loadingState, loadInto } from '../../../lib/page';
import { routes } from '../../../lib/routes';
import { inviterId, shareCard } from '../../../lib/share';

const statusText: Record<BargainSessionView['status'], string> = { open: '砍价中', floor_reached: '已砍到底价', bought: '已下单', expired: '已过期' };

type SessionView = {
  session: BargainSessionView;
  statusText: string;
  currentText: string;
  cutText: string;
  leftText: string;
  /** 0–100: how far from the start price to the floor. */
  progress: number;
  helps: (BargainSessionView['helps'][number] & { cutText: string })[];
};

function viewOf(session: BargainSessionView): SessionView {
  const range = session.start_price_fen - session.floor_price_fen;
  return {
    session,
    statusText: statusText[session.status],
    currentText: formatFen(session.current_price_fen),
    cutText: formatFen(session.cut_total_fen),
    leftText: formatFen(Math.max(0, session.current_price_fen - session.floor_price_fen)),
    progress: range > 0 ? Math.min(100, Math.floor((session.cut_total_fen * 100) / range)) : 100,
    helps: session.helps.map((h) => ({ ...h, cutText: formatFen(h.cut_fen) })),
  };
}

export const bargainSessionPage = definePage({
  data: { ...loadingState, id: '', inviter: '', view: null as SessionView | null, buyKey: '', lastCutText: '', busy: false },
  methods: {
    onLoad(query: Record<string, string | undefined>): Promise<boolean> {
      this.setData({ id: query.id ?? '', inviter: query.inviter ?? '', buyKey: newIdempotencyKey() });
      return this.load();
    },
    onRetry(): Promise<boolean> {
      return this.load();
    },
    load(): Promise<boolean> {
      return loadInto(this, async () => ({ view: viewOf(await bargainApi.session(this.data.id)) }));
    },
    onExpire(): Promise<boolean> {
      return this.load();
    },
    async onHelp(): Promise<boolean> {
      if (this.data.busy) return false;
      this.setData({ busy: true });
      const helped = await act(async () => {
        const { cut_fen, session } = await bargainApi.help(this.data.id);
        this.setData({ view: viewOf(session), lastCutText: formatFen(cut_fen) });
        toast(`你帮忙砍掉了 ${formatFen(cut_fen)}`);
      });
      this.setData({ busy: false });
      return helped;
    },
    async onBuy(): Promise<boolean> {
      if (this.data.busy) return false;
      this.setData({ busy: true });
      let orderId = '';
      const bought = await act(async () => {
        orderId = (await bargainApi.buy(this.data.id, {}, this.data.buyKey)).order.id;
      });
      this.setData({ busy: false });
      if (bought) await payAndShowOrder(orderId);
      return bought;
    },
    /** A friend who helped may want to bargain too. */
    onStartOwn(): Promise<void> {
      return go(routes.bargain(this.data.view?.session.campaign_id ?? ''));
    },
    onShareAppMessage(): WechatMiniprogram.Page.ICustomShareContent {
      const view = this.data.view;
      const title = view ? `帮我砍一刀！还差 ${view.leftText} 到底价` : '帮我砍一刀';
      return shareCard(title, routes.bargainSession(this.data.id, inviterId()));
    },
  },
});
