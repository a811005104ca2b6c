// Home: banners (products tagged HOME_BANNER_TAG), category entries, the nearest flash sale with
// its countdown, and recommended products (best sellers, paged as the shopper scrolls).
import { catalogApi, flashSaleApi } from '../../lib/api';
import type { Category, FlashSaleCampaign, ProductCard } from '../../lib/api-types';
import { HOME_BANNER_TAG } from '../../lib/config';
import { withCountdown } from '../../lib/flash-sale';
import { go } from '../../lib/nav';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadMore, loadsOnce } from '../../lib/page';
import { routes } from '../../lib/routes';

type FlashStrip = { campaign: ReturnType<typeof withCountdown<FlashSaleCampaign>>; serverTime: string } | null;

/** The live campaign, else the next one to start. */
const flashStripOf = (items: FlashSaleCampaign[], serverTime: string): FlashStrip => {
  const campaign = items.find((c) => c.state === 'live') ?? items.find((c) => c.state === 'upcoming');
  return campaign ? { campaign: withCountdown(campaign), serverTime } : null;
};

export const homePage = definePage({
  data: {
    ...loadingState,
    banners: [] as ProductCard[],
    categories: [] as Category[],
    flash: null as FlashStrip,
    products: [] as ProductCard[],
    nextCursor: null as string | null,
    loadingMore: false,
  },
  methods: {
    ...loadsOnce,
    async onPullDownRefresh() {
      await this.load();
      wx.stopPullDownRefresh();
    },
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const [banners, categories, flash, recommended] = await Promise.all([
            catalogApi.products({ tag: HOME_BANNER_TAG, limit: '5' }),
            catalogApi.categories(),
            flashSaleApi.list(),
            catalogApi.products({ sort: 'sales', limit: '10' }),
          ]);
          return { banners: banners.items, categories: categories.items, flash: flashStripOf(flash.items, flash.server_time), products: recommended.items, nextCursor: recommended.next_cursor };
        },
        (d) => emptyList('products')(d) && emptyList('categories')(d),
      );
    },
    onReachBottom(): Promise<void> {
      return loadMore(
        this,
        (cursor) => catalogApi.products({ sort: 'sales', limit: '10', cursor }),
        (items) => this.setData({ products: [...this.data.products, ...items] }),
      );
    },
    onFlashSaleEnd(): Promise<boolean> {
      return this.load();
    },
    onTapProduct(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.product(datasetOf(event, 'id')));
    },
    onTapCategory(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.productList({ category_id: datasetOf(event, 'id'), title: datasetOf(event, 'name') }));
    },
    onTapFlashSale(): Promise<void> | undefined {
      return this.data.flash ? go(routes.flashSale(this.data.flash.campaign.id)) : undefined;
    },
    onTapSearch(): Promise<void> {
      return go(routes.search());
    },
    onShareAppMessage() {
      return { title: '好物都在这里', path: routes.home() };
    },
  },
});
