// Shipping templates through the API: the merchant's CRUD, products and SKUs pointing at them, and
// the quote charging per template over its lines to the shopper's address.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createCategory, createProduct, json, placeOrder, shopperToken, tokenFor } from '../../fixtures/helpers';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '运费');
});

const templateBody = (name: string) => ({
  name,
  basis: 'weight',
  default_rule: { first_units: 1000, first_fee_fen: 1000, additional_units: 1000, additional_fee_fen: 500 },
  region_rules: [{ regions: ['浙江省'], first_units: 1000, first_fee_fen: 600, additional_units: 1000, additional_fee_fen: 200 }],
  free_rules: [{ regions: ['浙江省'], min_amount_fen: 20000 }],
  undeliverable_regions: ['西藏自治区', '广东省/深圳市'],
});

async function shopperAt(province: string, city: string) {
  const shopper = await shopperToken();
  const res = await api('POST', '/me/addresses', { token: shopper.token, body: { recipient: '赵六', phone: '13800002222', province, city, district: '某区', detail: '某路 1 号' } });
  expect(res.status).toBe(201);
  return { ...shopper, addressId: (await json(res)).id as string };
}

describe('shipping templates', () => {
  let templateId: string;
  let heavySku: string;
  let plainSku: string;

  beforeAll(async () => {
    const created = await api('POST', '/admin/api/shipping-templates', { token: merchant, body: templateBody(`按重量-${Date.now()}`) });
    expect(created.status).toBe(201);
    templateId = (await json(created)).id;
    const heavy = await createProduct(merchant, categoryId, {
      specs: [],
      skus: [{ spec_values: [], price_fen: 5000, original_price_fen: 5000, stock: 50, weight_grams: 1500 }],
      shipping_template_id: templateId,
    });
    heavySku = heavy.skus[0].id;
    expect(heavy.skus[0].weight_grams).toBe(1500);
    expect(heavy.shipping_template_id).toBe(templateId);
    const plain = await createProduct(merchant, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 3000, original_price_fen: 3000, stock: 50 }] });
    plainSku = plain.skus[0].id;
  });

  it('the migrated default template keeps the old flat fee and threshold, and settings still edit it', async () => {
    const list = await json(api('GET', '/admin/api/shipping-templates', { token: merchant }));
    const fallback = list.items.find((t: { is_default: boolean }) => t.is_default);
    expect(fallback).toMatchObject({ id: 'shp_default', basis: 'flat', default_rule: { first_fee_fen: expect.any(Number) } });
    const settings = await json(api('GET', '/admin/api/settings', { token: merchant }));
    expect(settings.shipping_flat_fee_fen).toBe(fallback.default_rule.first_fee_fen);
    expect((await api('DELETE', '/admin/api/shipping-templates/shp_default', { token: merchant })).status).toBe(409);
  });

  it('charges each template over its own lines, by the most specific region, after discounts', async () => {
    const zj = await shopperAt('浙江省', '杭州市');
    const items = [
      { sku_id: heavySku, quantity: 2 }, // 3000 g: 600 + 2 × 200
      { sku_id: plainSku, quantity: 1 }, // default template: the flat fee (or free above its threshold)
    ];
    const settings = await json(api('GET', '/admin/api/settings', { token: merchant }));
    const plainFee = settings.free_shipping_threshold_fen !== null && 3000 >= settings.free_shipping_threshold_fen ? 0 : settings.shipping_flat_fee_fen;
    const quote = await json(api('POST', '/checkout/quote', { token: zj.token, body: { items } }));
    expect(quote.unavailable).toEqual([]);
    expect(quote.shipping_fee_fen).toBe(1000 + plainFee);
    const elsewhere = await shopperAt('北京市', '北京市');
    expect((await json(api('POST', '/checkout/quote', { token: elsewhere.token, body: { items: [{ sku_id: heavySku, quantity: 2 }] } }))).shipping_fee_fen).toBe(1000 + 2 * 500);
    // 4 × 5000 = 20000 reaches the Zhejiang free-shipping amount.
    expect((await json(api('POST', '/checkout/quote', { token: zj.token, body: { items: [{ sku_id: heavySku, quantity: 4 }] } }))).shipping_fee_fen).toBe(0);
  });

  it('refuses lines that cannot reach the address (province or city): not_deliverable in the quote, 422 for the order', async () => {
    const tibet = await shopperAt('西藏自治区', '拉萨市');
    const quote = await json(
      api('POST', '/checkout/quote', {
        token: tibet.token,
        body: {
          items: [
            { sku_id: heavySku, quantity: 1 },
            { sku_id: plainSku, quantity: 1 },
          ],
        },
      }),
    );
    expect(quote.unavailable).toEqual([{ sku_id: heavySku, quantity: 1, reason: 'not_deliverable' }]);
    expect(quote.lines.map((l: { sku_id: string }) => l.sku_id)).toEqual([plainSku]);
    const order = await placeOrder(tibet.token, { items: [{ sku_id: heavySku, quantity: 1 }] });
    expect(order.status).toBe(422);
    expect((await json(order)).error).toMatchObject({ code: 'items_unavailable', details: [{ path: `items.${heavySku}`, message: 'not_deliverable' }] });
    const shenzhen = await shopperAt('广东省', '深圳市');
    expect((await json(api('POST', '/checkout/quote', { token: shenzhen.token, body: { items: [{ sku_id: heavySku, quantity: 1 }] } }))).unavailable[0].reason).toBe('not_deliverable');
    const guangzhou = await shopperAt('广东省', '广州市');
    expect((await json(api('POST', '/checkout/quote', { token: guangzhou.token, body: { items: [{ sku_id: heavySku, quantity: 1 }], address_id: guangzhou.addressId } }))).unavailable).toEqual([]);
  });

  it('refuses bad templates with field paths, unknown templates on products, and deleting a template in use', async () => {
    const bad = await api('POST', '/admin/api/shipping-templates', {
      token: merchant,
      body: { ...templateBody('坏模板'), basis: 'volume', default_rule: { first_units: -1, first_fee_fen: 1.5, additional_units: 0, additional_fee_fen: 0 }, undeliverable_regions: ['a/b/c'] },
    });
    expect(bad.status).toBe(400);
    const paths = (await json(bad)).error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.basis', 'body.default_rule.first_units', 'body.default_rule.first_fee_fen', 'body.undeliverable_regions.0']));
    const inconsistent = await api('POST', '/admin/api/shipping-templates', { token: merchant, body: { ...templateBody('不一致'), free_rules: [{ regions: [] }] } });
    expect(inconsistent.status).toBe(400);
    expect((await json(inconsistent)).error.details).toEqual([{ path: 'body.free_rules.0', message: 'needs min_amount_fen or min_quantity' }]);
    const taken = await api('POST', '/admin/api/shipping-templates', {
      token: merchant,
      body: templateBody((await json(api('GET', `/admin/api/shipping-templates/${templateId}`, { token: merchant }))).name),
    });
    expect(taken.status).toBe(409);
    const unknown = await api('POST', '/admin/api/products', {
      token: merchant,
      body: {
        category_id: categoryId,
        title: '无模板',
        main_image_url: 'https://img.example.com/x.jpg',
        specs: [],
        skus: [{ spec_values: [], price_fen: 1, original_price_fen: 1 }],
        shipping_template_id: 'shp_nosuch',
      },
    });
    expect(unknown.status).toBe(422);
    expect((await api('DELETE', `/admin/api/shipping-templates/${templateId}`, { token: merchant })).status).toBe(409);
    const viewer = (await tokenFor('viewer')).token;
    expect((await api('POST', '/admin/api/shipping-templates', { token: viewer, body: templateBody('只读') })).status).toBe(403);
  });
});
