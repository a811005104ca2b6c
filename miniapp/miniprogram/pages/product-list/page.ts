// Products of a category or tag, sorted as the shopper chooses, paged by cursor.
import { catalogApi } from '../../lib/api';
import type { ProductCard, ProductListQuery } from '../../lib/api-types';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadMore } from '../../lib/page';

type Sort = NonNullable<ProductListQuery['sort']>;
const sorts: { value: Sort; label: string }[] = [
  { value: 'newest', label: '最新' },
  { value: 'sales', label: '销量' },
  { value: 'price_asc', label: '价格↑' },
  { value: 'price_desc', label: '价格↓' },
];

export const productListPage = definePage({
  data: { ...loadingState, filter: {} as ProductListQuery, sorts, sort: 'newest' as Sort, products: [] as ProductCard[], nextCursor: null as string | null, loadingMore: false },
  methods: {
    onRetry(): Promise<boolean> {
      return this.load();
    },
    onLoad(query: Record<string, string | undefined>): Promise<boolean> {
      if (query.title) wx.setNavigationBarTitle({ title: query.title });
      this.setData({ filter: { category_id: query.category_id, tag: query.tag } });
      return this.load();
    },
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const page = await catalogApi.products({ ...this.data.filter, sort: this.data.sort, limit: '20' });
          return { products: page.items, nextCursor: page.next_cursor };
        },
        emptyList('products'),
      );
    },
    onTapSort(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      this.setData({ sort: datasetOf(event, 'value') as Sort });
      return this.load();
    },
    onReachBottom(): Promise<void> {
      return loadMore(
        this,
        (cursor) => catalogApi.products({ ...this.data.filter, sort: this.data.sort, limit: '20', cursor }),
        (items) => this.setData({ products: [...this.data.products, ...items] }),
      );
    },
  },
});
