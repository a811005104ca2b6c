// The demo shop: categories, products, SKUs, tags, search grams, opening stock and (optionally)
// the owner account, as plain SQL statements.
//
// Pure on purpose (no node: imports, no I/O): `npm run dev` writes these statements to a file
// for `wrangler d1 execute`, and tests running inside workerd can feed them to D1 directly.
//
// Deterministic: the same options give the same statements (a seeded PRNG per product, fixed
// ids such as prd_seed_0001), so product N is the same whatever productCount is.
// Idempotent: every insert does nothing on conflict, so running the seed again changes no row
// and duplicates nothing; the only write that repeats is the catalog version bump, which merely
// invalidates cached storefront responses.
import { chance, clampChars, fnv1a, insertForFreshProducts, insertOrKeep, intBetween, mulberry32, pad, pick, pickOrdered, pickSome, sqlLiteral } from './seed-sql';
import { CATEGORY_TEMPLATES, type CategoryTemplate, SEED_TAGS, type SubCategoryTemplate } from './seed-vocabulary';

import { summariseSkus, type SpecDimension } from '../src/domain/catalog';
import { shortGrams } from '../src/domain/search';

export type SeedOwner = { username: string; displayName: string; passwordHash: string };
export type SeedOptions = { productCount?: number; owner?: SeedOwner; now: number };

export const DEFAULT_PRODUCT_COUNT = 200;
/** D1 refuses SQL statements over 100 KB; stay well below. */
const DAY_MS = 86_400_000;

// Building the shop

type SeedCategory = { id: string; parentId: string | null; name: string; iconUrl: string; sortOrder: number };
type SeedSku = {
  id: string;
  specValues: string[];
  code: string;
  priceFen: number;
  originalPriceFen: number;
  memberPriceFen: number | null;
  stock: number;
  sales: number;
};
type SeedProduct = {
  id: string;
  categoryId: string;
  title: string;
  subtitle: string;
  description: string;
  mainImageUrl: string;
  imageUrls: string[];
  specs: SpecDimension[];
  status: 'draft' | 'published';
  publishedAt: number | null;
  createdAt: number;
  updatedAt: number;
  tags: string[];
  skus: SeedSku[];
};

const picsum = (seed: string, size: string) => `https://picsum.photos/seed/${seed}/${size}`;

export const seedCategoryId = (top: number, sub?: number) => `cat_seed_${pad(top, 2)}${sub === undefined ? '' : `_${pad(sub, 2)}`}`;
export const seedProductId = (n: number) => `prd_seed_${pad(n, 4)}`;

function buildCategories(): { categories: SeedCategory[]; leaves: { id: string; top: CategoryTemplate; sub: SubCategoryTemplate }[] } {
  const categories: SeedCategory[] = [];
  const leaves: { id: string; top: CategoryTemplate; sub: SubCategoryTemplate }[] = [];
  CATEGORY_TEMPLATES.forEach((top, t) => {
    const topId = seedCategoryId(t + 1);
    categories.push({ id: topId, parentId: null, name: top.name, iconUrl: picsum(topId, '96'), sortOrder: (t + 1) * 10 });
    top.subs.forEach((sub, s) => {
      const id = seedCategoryId(t + 1, s + 1);
      categories.push({ id, parentId: topId, name: sub.name, iconUrl: picsum(id, '96'), sortOrder: (s + 1) * 10 });
      leaves.push({ id, top, sub });
    });
  });
  return { categories, leaves };
}

/** Prices people actually charge: …9 yuan below ¥100, …9 or …0 above. */
function storePriceFen(yuan: number): number {
  const whole = Math.max(1, Math.round(yuan));
  const nice = whole < 100 ? Math.floor(whole / 10) * 10 + 9 : Math.round(whole / 10) * 10 - (whole % 20 < 10 ? 1 : 0);
  return Math.max(9, nice) * 100;
}

function buildProduct(n: number, leaf: { id: string; top: CategoryTemplate; sub: SubCategoryTemplate }, draftEvery: number, now: number): SeedProduct {
  const rng = mulberry32(fnv1a(`edge-mall demo product ${n}`));
  const { top, sub } = leaf;
  const id = seedProductId(n);

  // Words
  const brand = pick(rng, top.brands);
  const season = pick(rng, top.seasons);
  const style = pick(rng, sub.styles);
  const material = sub.materials ? pick(rng, sub.materials) : '';
  const noun = pick(rng, sub.nouns);
  const [point1, point2, point3] = pickSome(rng, sub.points, 3);
  const title = clampChars(`${brand}${season ? ` ${season}` : ''} ${style}${material}${noun} ${point1 ?? ''}`.replace(/\s+/g, ' '), 60);
  const subtitle = clampChars([point2, point3, pick(rng, ['顺丰包邮', '下单送运费险', '48小时内发货', '品质保障', '店铺热销'])].filter(Boolean).join('｜'), 120);
  const description = [
    `${brand}${noun}，${style}${material ? `${material}材质` : '设计'}。`,
    `${[point1, point2, point3].filter(Boolean).join('，')}。`,
    `品牌：${brand}。分类：${top.name}/${sub.name}。`,
    top.afterSales,
    '图片为实物拍摄，因显示器不同可能略有色差，请以实物为准。',
  ].join('');

  // Specs: draw values for each dimension; some products keep only the first one.
  let rules = sub.dimensions;
  if (rules.length > 1 && chance(rng, sub.singleDimensionShare ?? 0.12)) rules = rules.slice(0, 1);
  const chosen = rules.map((rule) => ({ rule, values: pickOrdered(rng, rule.values, intBetween(rng, rule.pick[0], rule.pick[1])) }));
  const specs: SpecDimension[] = chosen.map(({ rule, values }) => ({ name: rule.name, values }));

  // Prices
  const basePriceFen = storePriceFen(intBetween(rng, sub.priceYuan[0], sub.priceYuan[1]));
  const discounted = chance(rng, 0.55); // the product is on sale …
  const partlyDiscounted = discounted && chance(rng, 0.25); // … on some SKUs only
  const markup = 1.2 + rng() * 0.6;
  const memberDiscount = chance(rng, 0.7) ? 0.9 + rng() * 0.07 : null;
  const soldOut = n % 41 === 7;
  const isDraft = draftEvery > 0 && n % draftEvery === 0;
  const popularity = rng();

  // Every combination of the spec values is one SKU.
  let combinations: { values: string[]; extraYuan: number }[] = [{ values: [], extraYuan: 0 }];
  for (const { rule, values } of chosen) {
    combinations = combinations.flatMap((c) => values.map((value, i) => ({ values: [...c.values, value], extraYuan: c.extraYuan + i * (rule.stepYuan ?? 0) })));
  }
  const skus: SeedSku[] = combinations.map((combo, j) => {
    const priceFen = storePriceFen(basePriceFen / 100 + combo.extraYuan);
    const onSale = discounted && (!partlyDiscounted || j % 2 === 0);
    const originalPriceFen = onSale ? Math.max(priceFen + 1000, storePriceFen((priceFen / 100) * markup)) : priceFen;
    const memberPriceFen = memberDiscount === null ? null : Math.floor((priceFen * memberDiscount) / 100) * 100;
    const r = rng();
    const stock = soldOut || r < 0.08 ? 0 : r < 0.2 ? intBetween(rng, 1, 9) : intBetween(rng, 10, sub.priceYuan[1] > 500 ? 120 : 600);
    const sales = isDraft ? 0 : Math.floor(popularity * popularity * rng() * 1500);
    return {
      id: `sku_seed_${pad(n, 4)}_${pad(j + 1, 2)}`,
      specValues: combo.values.length ? combo.values : ['默认'],
      code: `SD${pad(n, 4)}-${pad(j + 1, 2)}`,
      priceFen,
      originalPriceFen,
      memberPriceFen: memberPriceFen !== null && memberPriceFen <= priceFen ? memberPriceFen : null,
      stock,
      sales,
    };
  });

  // Times: published products over the last 60 days; drafts created in the last 10.
  const publishedAt = isDraft ? null : now - intBetween(rng, 1, 60 * 24) * 3_600_000 + intBetween(rng, 0, 3_599) * 1000;
  const createdAt = publishedAt !== null ? publishedAt - intBetween(rng, 1, 72) * 3_600_000 : now - intBetween(rng, 1, 10 * 24) * 3_600_000;
  const updatedAt = publishedAt ?? createdAt;

  // Tags that fit the product, then one or two more.
  const onSale = skus.some((s) => s.priceFen < s.originalPriceFen);
  const totalSales = skus.reduce((sum, s) => sum + s.sales, 0);
  const fitting: string[] = [];
  if (onSale && chance(rng, 0.6)) fitting.push('限时折扣');
  if (publishedAt !== null && now - publishedAt < 14 * DAY_MS) fitting.push('新品');
  if (totalSales > 2000) fitting.push(chance(rng, 0.5) ? '爆款' : '热卖');
  const others = SEED_TAGS.filter((t) => !['限时折扣', '新品', '爆款', '热卖'].includes(t));
  const tags = [...new Set([...fitting, ...pickSome(rng, others, 3)])].slice(0, intBetween(rng, Math.max(1, Math.min(fitting.length, 3)), 3));

  return {
    id,
    categoryId: leaf.id,
    title,
    subtitle,
    description,
    mainImageUrl: picsum(id, '800/800'),
    imageUrls: [picsum(id, '800/800'), picsum(`${id}_2`, '800/800'), picsum(`${id}_3`, '800/800')],
    specs: specs.length ? specs : [{ name: '规格', values: ['默认'] }],
    status: isDraft ? 'draft' : 'published',
    publishedAt,
    createdAt,
    updatedAt,
    tags,
    skus,
  };
}

/** The id the seed gives an account: readable for plain usernames, hashed for the rest. */
export function seedAccountId(username: string): string {
  if (/^[a-z0-9]{1,40}$/.test(username)) return `mer_seed_${username}`;
  const hash = fnv1a(username).toString(36) + fnv1a(username, 0x9747b28c).toString(36);
  return `mer_seed__${hash}`;
}

/**
 * The owner account insert. It never replaces an existing account: a taken id or username
 * leaves the stored one (and its password) as it is. With `onlyIfNoOwner` it also does nothing
 * when the shop already has any owner (bootstrapping production).
 */
export function ownerInsertSql(owner: SeedOwner, now: number, opts: { id?: string; onlyIfNoOwner?: boolean } = {}): string {
  const values = [opts.id ?? seedAccountId(owner.username), owner.username, owner.displayName, owner.passwordHash, 'owner', 0, 0, now, now].map(sqlLiteral);
  const columns = 'id, username, display_name, password_hash, role, disabled, failed_logins, created_at, updated_at';
  if (!opts.onlyIfNoOwner) return `INSERT INTO merchant_accounts (${columns}) VALUES (${values.join(', ')}) ON CONFLICT DO NOTHING`;
  return `INSERT INTO merchant_accounts (${columns}) SELECT ${values.join(', ')} WHERE NOT EXISTS (SELECT 1 FROM merchant_accounts WHERE role = 'owner') ON CONFLICT DO NOTHING`;
}

export function buildSeedSql(opts: SeedOptions): string[] {
  const productCount = opts.productCount ?? DEFAULT_PRODUCT_COUNT;
  if (!Number.isInteger(productCount) || productCount < 0 || productCount > 9_999) throw new Error('productCount must be an integer 0–9999');
  if (!Number.isSafeInteger(opts.now)) throw new Error('now must be epoch milliseconds');
  const { now } = opts;
  const { categories, leaves } = buildCategories();
  // About one product in twenty stays a draft (10 of the default 200).
  const draftEvery = 20;
  const seedProducts = Array.from({ length: productCount }, (_, i) => buildProduct(i + 1, leaves[i % leaves.length]!, draftEvery, now));
  const categoriesCreatedAt = now - 90 * DAY_MS;

  const statements: string[] = [];
  statements.push(
    ...insertOrKeep(
      'categories',
      ['id', 'parent_id', 'name', 'icon_url', 'sort_order', 'created_at', 'updated_at'],
      categories.map((c) => [c.id, c.parentId, c.name, c.iconUrl, c.sortOrder, categoriesCreatedAt, categoriesCreatedAt]),
    ),
  );
  // products_fts is filled by the products insert trigger (migration 0001), for new rows only.
  statements.push(
    ...insertOrKeep(
      'products',
      [
        'id',
        'category_id',
        'title',
        'subtitle',
        'description',
        'main_image_url',
        'image_urls',
        'specs',
        'status',
        'min_price_fen',
        'max_price_fen',
        'min_original_price_fen',
        'on_sale',
        'total_stock',
        'sales_count',
        'published_at',
        'created_at',
        'updated_at',
      ],
      seedProducts.map((p) => {
        const summary = summariseSkus(p.skus);
        return [
          p.id,
          p.categoryId,
          p.title,
          p.subtitle,
          p.description,
          p.mainImageUrl,
          JSON.stringify(p.imageUrls),
          JSON.stringify(p.specs),
          p.status,
          summary.minPriceFen,
          summary.maxPriceFen,
          summary.minOriginalPriceFen,
          summary.onSale,
          summary.totalStock,
          p.skus.reduce((sum, s) => sum + s.sales, 0),
          p.publishedAt,
          p.createdAt,
          p.updatedAt,
        ];
      }),
    ),
  );
  statements.push(
    ...insertOrKeep(
      'skus',
      ['id', 'product_id', 'spec_values', 'spec_key', 'position', 'code', 'image_url', 'price_fen', 'original_price_fen', 'member_price_fen', 'stock', 'sales', 'active', 'created_at', 'updated_at'],
      seedProducts.flatMap((p) =>
        p.skus.map((s, position) => [
          s.id,
          p.id,
          JSON.stringify(s.specValues),
          s.specValues.join('/'),
          position,
          s.code,
          null,
          s.priceFen,
          s.originalPriceFen,
          s.memberPriceFen,
          s.stock,
          s.sales,
          1,
          p.createdAt,
          p.updatedAt,
        ]),
      ),
    ),
  );
  statements.push(
    ...insertOrKeep(
      'stock_ledger',
      ['id', 'sku_id', 'delta', 'stock_after', 'reason', 'actor_id', 'created_at'],
      seedProducts.flatMap((p) => p.skus.filter((s) => s.stock > 0).map((s) => [`stk_${s.id.slice('sku_'.length)}`, s.id, s.stock, s.stock, 'initial stock', null, p.createdAt])),
    ),
  );
  statements.push(
    ...insertForFreshProducts(
      'product_tags',
      'tag',
      seedProducts.map((p) => p.tags.map((tag) => [tag, p.id])),
    ),
  );
  statements.push(
    ...insertForFreshProducts(
      'product_search_grams',
      'gram',
      seedProducts.map((p) => shortGrams(`${p.title} ${p.subtitle}`).map((gram) => [gram, p.id])),
    ),
  );
  if (opts.owner) statements.push(ownerInsertSql(opts.owner, now));
  // Cached storefront responses carry the catalog version; a new version makes them miss.
  statements.push('UPDATE catalog_state SET version = version + 1 WHERE id = 1');
  return statements;
}
