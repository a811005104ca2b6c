// Demo marketing campaigns for `npm run dev`: one flash sale, one tiered group buy and one
// bargain on products of the demo shop, so the mini-program and the admin page show every engine
// on a fresh machine. Created through the admin API as the owner (the same validation a merchant
// meets), once: a kind that already has a campaign is left alone, so running dev again adds
// nothing.

type Sku = { id: string; price_fen: number; stock: number };
type Owner = { username: string; password: string };

const DAY_MS = 86_400_000;

export async function call(apiUrl: string, token: string | null, method: string, path: string, body?: unknown) {
  const res = await fetch(apiUrl + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the dev script reads a handful of fields from the admin API's answers.
  const json = (await res.json()) as any;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** In-stock SKUs of published products, most stock first, each from a different product. */
async function demoSkus(apiUrl: string, count: number): Promise<Sku[]> {
  const list = await call(apiUrl, null, 'GET', '/products?limit=20&sort=sales');
  const skus: Sku[] = [];
  for (const card of list.items as { id: string }[]) {
    const detail = await call(apiUrl, null, 'GET', `/products/${card.id}`);
    const best = (detail.skus as Sku[]).filter((s) => s.stock >= 20).sort((a, b) => b.stock - a.stock)[0];
    if (best) skus.push(best);
    if (skus.length === count) return skus;
  }
  throw new Error('the demo shop has too few SKUs in stock for the demo campaigns');
}

/** Creates the demo campaigns that do not exist yet; returns what it created. */
export async function seedDemoCampaigns(apiUrl: string, owner: Owner, now = Date.now()): Promise<string[]> {
  const { token } = await call(apiUrl, null, 'POST', '/admin/api/login', { username: owner.username, password: owner.password });
  const has = async (path: string) => (await call(apiUrl, token, 'GET', `${path}?limit=1`)).items.length > 0;
  const [flash, group, bargain] = await demoSkus(apiUrl, 3);
  const window = { starts_at: new Date(now).toISOString(), ends_at: new Date(now + 30 * DAY_MS).toISOString() };
  const created: string[] = [];

  if (!(await has('/admin/api/flash-sales'))) {
    await call(apiUrl, token, 'POST', '/admin/api/flash-sales', {
      title: '每日秒杀（演示）',
      ...window,
      per_user_limit: 1,
      per_order_limit: 1,
      items: [{ sku_id: flash!.id, flash_price_fen: Math.max(1, Math.floor(flash!.price_fen / 2)), flash_stock: 10 }],
    });
    created.push('flash sale');
  }
  if (!(await has('/admin/api/group-buys'))) {
    const price = group!.price_fen;
    await call(apiUrl, token, 'POST', '/admin/api/group-buys', {
      title: '阶梯拼团（演示）',
      ...window,
      skus: [{ sku_id: group!.id }],
      tiers: [
        { min_size: 2, price_fen: Math.floor(price * 0.9) },
        { min_size: 5, price_fen: Math.floor(price * 0.8) },
      ],
      max_size: 10,
      duration_minutes: 24 * 60,
    });
    created.push('group buy');
  }
  if (!(await has('/admin/api/bargains'))) {
    await call(apiUrl, token, 'POST', '/admin/api/bargains', {
      title: '好友砍价（演示）',
      sku_id: bargain!.id,
      start_price_fen: bargain!.price_fen,
      floor_price_fen: Math.floor(bargain!.price_fen / 2),
      helpers_needed: 5,
      session_minutes: 24 * 60,
      ...window,
    });
    created.push('bargain');
  }
  return created;
}
