// A list of product cards; a tap opens the product.
import type { ProductCard } from '../../lib/api-types';
import { go } from '../../lib/nav';
import { datasetOf, defineComponent } from '../../lib/page';
import { routes } from '../../lib/routes';

export const productRows = defineComponent({
  properties: { products: { type: Array, value: [] as ProductCard[] } },
  data: {},
  methods: {
    onTapProduct(event: WechatMiniprogram.BaseEvent) {
      return go(routes.product(datasetOf(event, 'id')));
    },
  },
});
