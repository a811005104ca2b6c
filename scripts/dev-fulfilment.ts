// Demo fulfilment for `npm run dev`, once: a default shipping template with regional rules and a
// region not delivered to, the return address, the subscribe-message template ids the fake
// knows, and one demo order paid at the fake WeChat Pay and shipped — so the fake shows its
// upload (GET <fake>/__fake/shipping/<order_no>) and its fake 快递100 delivers it within minutes.
// Everything goes through the API (the validation a merchant and a shopper meet).

type Owner = { username: string; password: string };

async function call(apiUrl: string, token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(apiUrl + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'POST' && path === '/orders' ? { 'idempotency-key': `dev-demo-${Date.now()}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the dev script reads a handful of fields from the API's answers.
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const rule = (first: number, add: number) => ({ first_units: 1, first_fee_fen: first, additional_units: 1, additional_fee_fen: add });

/** Sets up what is missing; returns what it did. */
export async function seedDemoFulfilment(apiUrl: string, fakeWeChatUrl: string, owner: Owner): Promise<string[]> {
  const { token } = await call(apiUrl, null, 'POST', '/admin/api/login', { username: owner.username, password: owner.password });
  const done: string[] = [];
  const template = (await call(apiUrl, token, 'GET', '/admin/api/shipping-templates/shp_default')) as { region_rules: unknown[]; undeliverable_regions: string[] };
  if (template.region_rules.length === 0 && template.undeliverable_regions.length === 0) {
    await call(apiUrl, token, 'PUT', '/admin/api/shipping-templates/shp_default', {
      name: '默认运费模板',
      basis: 'piece',
      default_rule: rule(1000, 500),
      region_rules: [
        { regions: ['浙江省', '江苏省', '上海市'], ...rule(600, 200) },
        { regions: ['新疆维吾尔自治区', '内蒙古自治区'], ...rule(2000, 1000) },
      ],
      free_rules: [{ regions: [], min_amount_fen: 9900 }],
      undeliverable_regions: ['西藏自治区'],
    });
    done.push('default shipping template');
  }
  const settings = await call(apiUrl, token, 'GET', '/admin/api/fulfilment-settings');
  if (!settings.return_address) {
    await call(apiUrl, token, 'PATCH', '/admin/api/fulfilment-settings', {
      return_address: { recipient: '售后部', phone: '057188886666', province: '浙江省', city: '杭州市', district: '余杭区', detail: '文一西路 969 号 退货仓' },
      subscribe_templates: {
        order_paid: 'TPL_ORDER_PAID',
        order_shipped: 'TPL_ORDER_SHIPPED',
        order_delivered: 'TPL_ORDER_DELIVERED',
        refund_result: 'TPL_REFUND_RESULT',
        after_sale_decision: 'TPL_AFTER_SALE',
        group_result: 'TPL_GROUP_RESULT',
        bargain_floor: 'TPL_BARGAIN_FLOOR',
        payment_due: 'TPL_PAYMENT_DUE',
      },
    });
    done.push('return address and subscribe templates');
  }
  if ((await call(apiUrl, token, 'GET', '/admin/api/orders?status=shipped&limit=1')).items.length === 0) {
    done.push(`shipped demo order ${await shipDemoOrder(apiUrl, fakeWeChatUrl, token)}`);
  }
  return done;
}

/** A demo shopper buys one unit, pays at the fake WeChat Pay (notification delivered), and the order ships. */
async function shipDemoOrder(apiUrl: string, fakeWeChatUrl: string, merchantToken: string) {
  const session = await call(apiUrl, null, 'POST', '/auth/wechat', { code: `ok:oDemoShopper${Date.now()}` });
  const shopper = session.access_token as string;
  await call(apiUrl, shopper, 'POST', '/me/addresses', { recipient: '演示买家', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号' });
  const card = (await call(apiUrl, null, 'GET', '/products?limit=1&sort=sales')).items[0];
  const product = await call(apiUrl, null, 'GET', `/products/${card.id}`);
  const sku = product.skus.find((s: { stock: number }) => s.stock > 0);
  const order = await call(apiUrl, shopper, 'POST', '/orders', { items: [{ sku_id: sku.id, quantity: 1 }] });
  await call(apiUrl, shopper, 'POST', `/orders/${order.id}/pay`);
  await call(fakeWeChatUrl, null, 'POST', `/__fake/pay/transactions/${order.order_no}/pay`, { deliver: true });
  for (let i = 0; i < 20 && (await call(apiUrl, shopper, 'GET', `/orders/${order.id}`)).status !== 'paid'; i++) await new Promise((r) => setTimeout(r, 250));
  await call(apiUrl, merchantToken, 'POST', `/admin/api/orders/${order.id}/shipments`, { carrier: 'SF', tracking_no: `SF${Date.now()}` });
  return `${order.order_no} (its upload: ${fakeWeChatUrl}/__fake/shipping/${order.order_no} after the next cron sweep)`;
}
