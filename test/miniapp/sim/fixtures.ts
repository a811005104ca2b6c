// API answers for the simulate tests, typed by the worker's own response types: a fixture that
// drifts from the API stops compiling.
import type { Cart, ProductDetail } from '../../../miniapp/miniprogram/lib/api-types';

export const product: ProductDetail = {
  id: 'prd_1',
  category_id: 'cat_1',
  title: '法式复古碎花连衣裙',
  subtitle: '夏季新款',
  main_image_url: 'https://img.example.com/p/1.jpg',
  price_fen: 12900,
  max_price_fen: 13900,
  original_price_fen: 19900,
  on_sale: true,
  sales_count: 12,
  stock_status: 'in_stock',
  status: 'published',
  promotion: null,
  offers: [],
  coupons: [],
  published_at: '2026-11-01T00:00:00.000Z',
  updated_at: '2026-11-01T00:00:00.000Z',
  description: '',
  image_urls: ['https://img.example.com/p/1.jpg'],
  tags: [],
  category: null,
  shipping_template_id: null,
  specs: [
    { name: '颜色', values: ['红色', '黑色'] },
    { name: '尺码', values: ['S', 'M'] },
  ],
  skus: [
    {
      id: 'sku_rs',
      spec_values: ['红色', 'S'],
      price_fen: 12900,
      original_price_fen: 19900,
      member_price_fen: null,
      stock: 5,
      stock_status: 'low_stock',
      code: null,
      image_url: null,
      weight_grams: 0,
      promotion: null,
    },
    {
      id: 'sku_rm',
      spec_values: ['红色', 'M'],
      price_fen: 12900,
      original_price_fen: 19900,
      member_price_fen: null,
      stock: 20,
      stock_status: 'in_stock',
      code: null,
      image_url: null,
      weight_grams: 0,
      promotion: null,
    },
    {
      id: 'sku_bs',
      spec_values: ['黑色', 'S'],
      price_fen: 13900,
      original_price_fen: 13900,
      member_price_fen: null,
      stock: 0,
      stock_status: 'out_of_stock',
      code: null,
      image_url: null,
      weight_grams: 0,
      promotion: null,
    },
    {
      id: 'sku_bm',
      spec_values: ['黑色', 'M'],
      price_fen: 13900,
      original_price_fen: 13900,
      member_price_fen: null,
      stock: 8,
      stock_status: 'in_stock',
      code: null,
      image_url: null,
      weight_grams: 0,
      promotion: null,
    },
  ],
};

type Line = Cart['items'][number];
const line = (id: string, skuId: string, quantity: number, priceFen: number, selected = true): Line => ({
  id,
  sku_id: skuId,
  product_id: 'prd_1',
  title: '法式复古碎花连衣裙',
  spec_values: ['红色', 'S'],
  image_url: null,
  quantity,
  selected,
  price_fen: priceFen,
  original_price_fen: priceFen,
  member_price_fen: null,
  stock_status: 'in_stock',
  unavailable_reason: null,
  effective_unit_price_fen: priceFen,
  price_source: 'list',
});

/** Two lines: 2 × ¥129.00 and 1 × ¥39.90; shipping ¥8.00 below ¥99.00 of goods. */
export function cartWith(opts: { secondSelected: boolean; firstQuantity: number }): Cart {
  const items = [line('crt_1', 'sku_rs', opts.firstQuantity, 12900), line('crt_2', 'sku_x', 1, 3990, opts.secondSelected)];
  const selected = items.filter((i) => i.selected);
  const itemsTotal = selected.reduce((n, i) => n + i.quantity * (i.price_fen ?? 0), 0);
  const shipping = itemsTotal >= 9900 ? 0 : 800;
  return {
    items,
    summary: {
      selected_count: selected.reduce((n, i) => n + i.quantity, 0),
      items_total_fen: itemsTotal,
      discount_fen: 0,
      shipping_fee_fen: shipping,
      payable_fen: itemsTotal + shipping,
      ...noPromotions,
    },
  };
}

/** A cart summary's or quote's promotion part when nothing applies. */
export const noPromotions = { adjustments: [], promotion: null, coupon: null };
