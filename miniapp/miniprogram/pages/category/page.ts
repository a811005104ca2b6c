// Category browsing: top-level categories on the left, the chosen one's sub-categories on the
// right; a tap opens the product list of that (sub-)category.
import { catalogApi } from '../../lib/api';
import type { Category } from '../../lib/api-types';
import { go } from '../../lib/nav';
import { datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnce } from '../../lib/page';
import { routes } from '../../lib/routes';

export const categoryPage = definePage({
  data: { ...loadingState, categories: [] as Category[], activeId: '', children: [] as Category['children'] },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const { items } = await catalogApi.categories();
          const first = items[0];
          return { categories: items, activeId: first?.id ?? '', children: first?.children ?? [] };
        },
        emptyList('categories'),
      );
    },
    onTapTopLevel(event: WechatMiniprogram.BaseEvent) {
      const id = datasetOf(event, 'id');
      this.setData({ activeId: id, children: this.data.categories.find((c) => c.id === id)?.children ?? [] });
    },
    onTapCategory(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.productList({ category_id: datasetOf(event, 'id'), title: datasetOf(event, 'name') }));
    },
  },
});
