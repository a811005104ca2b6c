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
import { summariseSkus, type SpecDimension } from '../src/domain/catalog';
import { shortGrams } from '../src/domain/search';

export type SeedOwner = { username: string; displayName: string; passwordHash: string };
export type SeedOptions = { productCount?: number; owner?: SeedOwner; now: number };

export const DEFAULT_PRODUCT_COUNT = 200;
/** D1 refuses SQL statements over 100 KB; stay well below. */
const MAX_STATEMENT_BYTES = 90_000;
const MAX_ROWS_PER_STATEMENT = 500;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// SQL text

export type SqlValue = string | number | boolean | null;

/** A SQL literal: strings single-quoted with quotes doubled, integers as digits, null as NULL. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`seed values must be safe integers, got ${value}`);
    return String(value);
  }
  if (value.includes('\0')) throw new Error('seed strings must not contain NUL characters');
  return `'${value.replace(/'/g, "''")}'`;
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/**
 * Multi-row inserts, split so that no statement exceeds the size limit. `rowGroups` keeps the
 * rows of one group (e.g. one product's grams) in the same statement, which the NOT EXISTS
 * guards below rely on.
 */
function chunkedInserts(rowGroups: SqlValue[][][], render: (valuesSql: string) => string): string[] {
  const statements: string[] = [];
  let tuples: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (tuples.length) statements.push(render(tuples.join(', ')));
    tuples = [];
    bytes = 0;
  };
  for (const group of rowGroups) {
    const groupTuples = group.map((row) => `(${row.map(sqlLiteral).join(', ')})`);
    const groupBytes = groupTuples.reduce((sum, t) => sum + byteLength(t) + 2, 0);
    if (groupBytes > MAX_STATEMENT_BYTES - 1_000) throw new Error('one seed row group is too large for a statement');
    if (bytes + groupBytes > MAX_STATEMENT_BYTES - 1_000 || tuples.length + groupTuples.length > MAX_ROWS_PER_STATEMENT) flush();
    tuples.push(...groupTuples);
    bytes += groupBytes;
  }
  flush();
  return statements;
}

/** INSERT … VALUES … ON CONFLICT DO NOTHING: an existing row (any unique key) is left alone. */
const insertOrKeep = (table: string, columns: string[], rows: SqlValue[][]) =>
  chunkedInserts(
    rows.map((row) => [row]),
    (values) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ON CONFLICT DO NOTHING`,
  );

/**
 * Rows for a product's child table, inserted only when the product has no such rows yet. A plain
 * ON CONFLICT DO NOTHING would put back the grams of a title the merchant has since edited, or a
 * tag they removed; this way a rerun touches only products the seed itself just created.
 * (SQLite computes the SELECT before inserting when it reads the target table.)
 */
const insertForFreshProducts = (table: string, valueColumn: string, rowsByProduct: SqlValue[][][]) =>
  chunkedInserts(
    rowsByProduct,
    (values) =>
      `INSERT INTO ${table} (${valueColumn}, product_id) SELECT v.column1, v.column2 FROM (VALUES ${values}) AS v ` +
      `WHERE NOT EXISTS (SELECT 1 FROM ${table} AS t WHERE t.product_id = v.column2) ON CONFLICT DO NOTHING`,
  );

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

type Rng = () => number;

/** mulberry32: a tiny, well-distributed 32-bit PRNG. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits: seeds from strings, short stable hashes for ids. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const intBetween = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const chance = (rng: Rng, p: number) => rng() < p;

/** `count` distinct items in their original order (so sizes stay S, M, L …). */
function pickOrdered<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  const n = Math.min(count, items.length);
  while (chosen.size < n) chosen.add(Math.floor(rng() * items.length));
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
}

/** `count` distinct items in random order. */
function pickSome<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]!);
  return out;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const clampChars = (text: string, max: number) => [...text].slice(0, max).join('').trim();

// ---------------------------------------------------------------------------------------------
// The shop's vocabulary

/** How a product's spec dimensions are drawn, and how much each value of a dimension adds. */
type DimensionRule = { name: string; values: readonly string[]; pick: [number, number]; stepYuan?: number };
type SubCategoryTemplate = {
  name: string;
  nouns: readonly string[];
  styles: readonly string[];
  materials?: readonly string[];
  points: readonly string[];
  priceYuan: [number, number];
  dimensions: readonly DimensionRule[];
  /** When set, this share of products keeps only the first dimension. */
  singleDimensionShare?: number;
};
type CategoryTemplate = { name: string; brands: readonly string[]; seasons: readonly string[]; afterSales: string; subs: readonly SubCategoryTemplate[] };

const WOMEN_COLORS = ['黑色', '米白', '燕麦色', '雾霾蓝', '豆沙粉', '碎花绿', '酒红', '卡其'] as const;
const MEN_COLORS = ['黑色', '白色', '藏青', '浅灰', '卡其', '军绿', '深咖'] as const;
const SHOE_COLORS = ['黑色', '白色', '米白', '灰色', '棕色', '白绿'] as const;
const BAG_COLORS = ['黑色', '奶白', '焦糖色', '雾霾蓝', '墨绿', '酒红'] as const;
const GADGET_COLORS = ['曜石黑', '珍珠白', '远峰蓝', '薄荷绿', '樱花粉'] as const;
const HOME_COLORS = ['奶油白', '雾霾蓝', '浅灰', '燕麦色', '豆绿', '樱花粉'] as const;
const CLOTHING_SIZES = ['S', 'M', 'L', 'XL', 'XXL'] as const;
const MEN_SIZES = ['M', 'L', 'XL', 'XXL', '3XL'] as const;
const SHOE_SIZES = ['36', '37', '38', '39', '40', '41', '42', '43', '44'] as const;

const CATEGORY_TEMPLATES: readonly CategoryTemplate[] = [
  {
    name: '女装',
    brands: ['森屿', '拾光里', '素墨', '南枝', '知夏'],
    seasons: ['春夏新款', '秋冬新款', '早春新款', '当季新款'],
    afterSales: '支持7天无理由退换，赠运费险。',
    subs: [
      {
        name: '连衣裙',
        nouns: ['连衣裙', '碎花连衣裙', '茶歇连衣裙', '针织连衣裙', '衬衫连衣裙'],
        styles: ['法式', '温柔风', '复古', '气质', '小众设计感', '简约'],
        materials: ['雪纺', '棉麻', '醋酸', '真丝', '纯棉'],
        points: ['收腰显瘦', '垂感好不易皱', '中长款遮肉', '通勤约会都能穿', '透气不闷热'],
        priceYuan: [129, 459],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 4] },
        ],
      },
      {
        name: 'T恤',
        nouns: ['短袖T恤', '纯棉T恤', '印花T恤', '宽松T恤', '修身T恤'],
        styles: ['百搭', '基础款', '简约', '韩版', '休闲'],
        materials: ['新疆棉', '精梳棉', '莫代尔'],
        points: ['亲肤不起球', '不易变形', '宽松遮肉', '多色可选', '水洗不褪色'],
        priceYuan: [49, 159],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '外套',
        nouns: ['西装外套', '风衣外套', '牛仔外套', '针织开衫', '短款外套'],
        styles: ['气质', '英伦风', '复古', '通勤', '宽松'],
        materials: ['羊毛', '棉质', '牛仔', '混纺'],
        points: ['版型挺括', '早秋必备', '遮肉显高', '内搭百搭', '做工精致'],
        priceYuan: [199, 699],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 3] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 4] },
        ],
      },
      {
        name: '半身裙',
        nouns: ['百褶半身裙', 'A字半身裙', '包臀半身裙', '伞裙'],
        styles: ['高腰', '显瘦', '甜美', '通勤', '复古'],
        materials: ['雪纺', '针织', '西装面料', '牛仔'],
        points: ['高腰显腿长', '垂坠感好', '四季可穿', '百搭不挑人'],
        priceYuan: [89, 259],
        dimensions: [
          { name: '颜色', values: WOMEN_COLORS, pick: [2, 3] },
          { name: '尺码', values: ['S', 'M', 'L'], pick: [3, 3] },
        ],
      },
    ],
  },
  {
    name: '男装',
    brands: ['型格', '北境', '简行', '山野客', '木森'],
    seasons: ['春季新款', '秋季新款', '四季款', '当季新款'],
    afterSales: '支持7天无理由退换，质量问题包退。',
    subs: [
      {
        name: '衬衫',
        nouns: ['长袖衬衫', '牛津纺衬衫', '免烫衬衫', '商务衬衫', '短袖衬衫'],
        styles: ['商务', '休闲', '修身', '日系', '简约'],
        materials: ['纯棉', '竹纤维', '亚麻'],
        points: ['免烫抗皱', '透气舒适', '上班约会都合适', '不易起球'],
        priceYuan: [99, 299],
        dimensions: [
          { name: '颜色', values: MEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: MEN_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '卫衣',
        nouns: ['连帽卫衣', '圆领卫衣', '加绒卫衣', '半拉链卫衣'],
        styles: ['美式', '宽松', '潮流', '复古', '基础款'],
        materials: ['纯棉', '毛圈', '加绒'],
        points: ['厚实不透', '宽松落肩', '不起球不掉色', '情侣同款'],
        priceYuan: [129, 329],
        dimensions: [
          { name: '颜色', values: MEN_COLORS, pick: [2, 4] },
          { name: '尺码', values: MEN_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '休闲裤',
        nouns: ['休闲裤', '工装裤', '直筒休闲裤', '束脚运动裤', '九分裤'],
        styles: ['宽松', '修身', '美式', '日系', '商务'],
        materials: ['纯棉', '冰丝', '弹力'],
        points: ['弹力舒适', '垂感好', '不易起皱', '四季可穿', '显腿直'],
        priceYuan: [119, 299],
        dimensions: [
          { name: '颜色', values: MEN_COLORS, pick: [2, 3] },
          { name: '尺码', values: ['29', '30', '31', '32', '33', '34', '36'], pick: [4, 5] },
        ],
      },
    ],
  },
  {
    name: '鞋靴',
    brands: ['步履', '云跑', '踏歌', '行者', '轻羽'],
    seasons: ['新款', '春秋款', '四季款'],
    afterSales: '支持7天无理由退换，尺码不合适免费换。',
    subs: [
      {
        name: '运动鞋',
        nouns: ['跑步鞋', '休闲运动鞋', '老爹鞋', '板鞋', '缓震跑鞋'],
        styles: ['轻便', '透气', '百搭', '增高', '专业'],
        materials: ['网面', '飞织', '真皮'],
        points: ['缓震回弹', '轻便不累脚', '防滑耐磨', '透气不闷脚'],
        priceYuan: [199, 599],
        dimensions: [
          { name: '颜色', values: SHOE_COLORS, pick: [2, 3] },
          { name: '尺码', values: SHOE_SIZES, pick: [4, 6] },
        ],
      },
      {
        name: '皮鞋',
        nouns: ['乐福鞋', '商务皮鞋', '玛丽珍鞋', '德比鞋'],
        styles: ['英伦', '复古', '通勤', '软底'],
        materials: ['真皮', '头层牛皮', '漆皮'],
        points: ['软底不磨脚', '久站不累', '做工精细', '正装百搭'],
        priceYuan: [259, 699],
        dimensions: [
          { name: '颜色', values: ['黑色', '棕色', '酒红', '米白'], pick: [2, 3] },
          { name: '尺码', values: SHOE_SIZES, pick: [4, 6] },
        ],
      },
      {
        name: '靴子',
        nouns: ['切尔西靴', '马丁靴', '雪地靴', '短靴'],
        styles: ['复古', '加绒', '厚底', '百搭'],
        materials: ['真皮', '麂皮', '羊皮毛一体'],
        points: ['保暖防滑', '厚底增高', '显瘦显高', '冬季必备'],
        priceYuan: [299, 799],
        dimensions: [
          { name: '颜色', values: ['黑色', '棕色', '栗色', '灰色'], pick: [2, 3] },
          { name: '尺码', values: SHOE_SIZES, pick: [4, 6] },
        ],
      },
    ],
  },
  {
    name: '箱包',
    brands: ['行囊', '途乐', '拾物', '旅小盒'],
    seasons: ['新款', '经典款', '通勤款'],
    afterSales: '箱包五金一年保修，支持7天无理由退换。',
    subs: [
      {
        name: '双肩包',
        nouns: ['双肩包', '电脑双肩包', '通勤背包', '旅行背包'],
        styles: ['大容量', '轻便', '防泼水', '商务', '学院风'],
        materials: ['尼龙', '牛津布', '帆布'],
        points: ['可放15.6寸电脑', '多隔层收纳', '减压背带', '防泼水面料'],
        priceYuan: [129, 399],
        dimensions: [{ name: '颜色', values: BAG_COLORS, pick: [2, 4] }],
      },
      {
        name: '手提包',
        nouns: ['托特包', '腋下包', '斜挎包', '水桶包'],
        styles: ['通勤', '复古', '高级感', '小众'],
        materials: ['真皮', '牛皮', 'PU皮', '帆布'],
        points: ['大容量通勤', '可手提可斜挎', '五金精致', '百搭不挑衣服'],
        priceYuan: [159, 599],
        dimensions: [{ name: '颜色', values: BAG_COLORS, pick: [2, 4] }],
      },
      {
        name: '行李箱',
        nouns: ['拉杆箱', '铝框行李箱', '登机箱', '旅行箱'],
        styles: ['静音万向轮', '大容量', '超轻', '耐摔'],
        materials: ['PC', '铝镁合金'],
        points: ['静音万向轮', 'TSA海关锁', '可扩容设计', '三年质保'],
        priceYuan: [299, 899],
        dimensions: [
          { name: '颜色', values: ['曜石黑', '月光银', '雾霾蓝', '奶油白'], pick: [2, 3] },
          { name: '尺寸', values: ['20英寸', '24英寸', '28英寸'], pick: [2, 3], stepYuan: 60 },
        ],
      },
    ],
  },
  {
    name: '美妆',
    brands: ['花研', '水漾', '初颜', '植物说', '肌本'],
    seasons: ['', '新品', '升级版'],
    afterSales: '官方正品保障，未拆封支持7天无理由退货。',
    subs: [
      {
        name: '面霜',
        nouns: ['保湿面霜', '修护面霜', '紧致面霜', '素颜霜'],
        styles: ['补水', '舒缓', '清爽', '滋润'],
        points: ['敏感肌可用', '24小时长效保湿', '质地轻盈好吸收', '修护屏障'],
        priceYuan: [99, 399],
        dimensions: [{ name: '规格', values: ['30g', '50g', '50g+赠小样'], pick: [2, 3], stepYuan: 40 }],
      },
      {
        name: '口红',
        nouns: ['哑光口红', '丝绒唇釉', '滋润口红', '唇泥'],
        styles: ['显白', '持久', '不沾杯', '水润'],
        points: ['显白不挑皮', '持久不掉色', '薄涂厚涂都好看', '礼盒包装'],
        priceYuan: [69, 259],
        dimensions: [{ name: '色号', values: ['#101 正红', '#202 豆沙', '#303 枫叶红', '#404 奶茶', '#505 番茄红', '#606 玫瑰'], pick: [3, 5] }],
      },
      {
        name: '精华液',
        nouns: ['精华液', '玻尿酸精华', '烟酰胺精华', '修护精华'],
        styles: ['补水', '提亮', '抗初老', '舒缓'],
        points: ['提亮肤色', '深层补水', '温和不刺激', '质地清爽'],
        priceYuan: [159, 599],
        dimensions: [{ name: '规格', values: ['30ml', '50ml', '100ml'], pick: [2, 3], stepYuan: 80 }],
      },
      {
        name: '面膜',
        nouns: ['补水面膜', '清洁泥膜', '睡眠面膜', '修护面膜'],
        styles: ['补水', '清洁', '提亮', '舒缓'],
        points: ['一片补水一整天', '薄如蝉翼服帖', '敏感肌可用', '精华液满满'],
        priceYuan: [59, 199],
        dimensions: [
          { name: '款式', values: ['补水款', '美白款', '修护款', '清洁款'], pick: [2, 3] },
          { name: '规格', values: ['5片装', '10片装', '20片装'], pick: [2, 3], stepYuan: 40 },
        ],
      },
    ],
  },
  {
    name: '食品生鲜',
    brands: ['山谷鲜', '三只果', '谷语', '茶山人家', '牧场时光'],
    seasons: ['', '当季', '新品'],
    afterSales: '坏果包赔，顺丰冷链配送。',
    subs: [
      {
        name: '坚果零食',
        nouns: ['每日坚果', '夏威夷果', '碧根果', '混合坚果', '开心果'],
        styles: ['独立小包装', '原味', '烘焙', '无添加'],
        points: ['颗颗饱满', '独立小包装', '办公室零食', '孕妇可吃'],
        priceYuan: [29, 129],
        dimensions: [
          { name: '口味', values: ['原味', '奶油味', '椒盐味', '蜂蜜味'], pick: [2, 3] },
          { name: '规格', values: ['250g', '500g', '1kg'], pick: [2, 3], stepYuan: 25 },
        ],
        singleDimensionShare: 0.3,
      },
      {
        name: '茶叶',
        nouns: ['明前龙井', '正山小种红茶', '安溪铁观音', '云南普洱茶', '白毫银针'],
        styles: ['特级', '一级', '浓香型', '高山'],
        points: ['产地直采', '口感醇厚', '送礼自饮皆宜', '密封罐装'],
        priceYuan: [69, 499],
        dimensions: [{ name: '规格', values: ['100g罐装', '250g礼盒', '500g家庭装'], pick: [2, 3], stepYuan: 70 }],
      },
      {
        name: '水果',
        nouns: ['赣南脐橙', '丹东草莓', '烟台红富士苹果', '海南金煌芒', '阳光玫瑰葡萄'],
        styles: ['新鲜现摘', '产地直发', '当季', '精选大果'],
        points: ['产地直发', '坏果包赔', '香甜多汁', '现摘现发'],
        priceYuan: [29, 129],
        dimensions: [{ name: '规格', values: ['3斤装', '5斤装', '10斤装'], pick: [2, 3], stepYuan: 20 }],
      },
      {
        name: '牛奶',
        nouns: ['纯牛奶', '高钙牛奶', '有机纯牛奶', '低脂牛奶', '儿童成长奶'],
        styles: ['全脂', '草原', '早餐', '营养'],
        points: ['优质乳蛋白', '牧场直供', '整箱装更划算', '早餐好搭档'],
        priceYuan: [39, 129],
        dimensions: [
          { name: '规格', values: ['250ml×12盒', '250ml×16盒', '250ml×24盒'], pick: [2, 3], stepYuan: 20 },
          { name: '数量', values: ['1箱', '2箱'], pick: [2, 2], stepYuan: 50 },
        ],
        singleDimensionShare: 0.5,
      },
    ],
  },
  {
    name: '数码',
    brands: ['声悦', '电小强', '极光', '轻芒', '酷核'],
    seasons: ['新款', '旗舰款', '升级款'],
    afterSales: '全国联保一年，支持7天无理由退换。',
    subs: [
      {
        name: '耳机',
        nouns: ['真无线蓝牙耳机', '降噪耳机', '头戴式耳机', '运动耳机'],
        styles: ['主动降噪', '超长续航', '低延迟', '半入耳'],
        points: ['主动降噪', '续航30小时', '蓝牙5.3', '通话降噪'],
        priceYuan: [99, 699],
        dimensions: [
          { name: '颜色', values: GADGET_COLORS, pick: [2, 3] },
          { name: '版本', values: ['标准版', '降噪版', 'Pro版'], pick: [2, 3], stepYuan: 100 },
        ],
      },
      {
        name: '充电宝',
        nouns: ['充电宝', '磁吸充电宝', '快充移动电源'],
        styles: ['超薄', '大容量', '迷你', '自带线'],
        points: ['22.5W快充', '可上飞机', '多设备同充', '电量数显'],
        priceYuan: [79, 259],
        dimensions: [
          { name: '颜色', values: GADGET_COLORS, pick: [2, 3] },
          { name: '容量', values: ['10000mAh', '20000mAh'], pick: [2, 2], stepYuan: 40 },
        ],
      },
      {
        name: '手机壳',
        nouns: ['手机壳', '磁吸手机壳', '防摔手机壳', '硅胶手机壳'],
        styles: ['透明', '全包', '肤感', '简约'],
        points: ['四角气囊防摔', '不发黄', '支持无线充电', '精准开孔'],
        priceYuan: [29, 89],
        dimensions: [
          { name: '颜色', values: ['透明', '黑色', '雾蓝', '奶白', '薄荷绿'], pick: [2, 4] },
          { name: '机型', values: ['iPhone 15', 'iPhone 15 Pro', 'iPhone 16', 'iPhone 16 Pro', '华为 Mate 60', '小米 14'], pick: [3, 5] },
        ],
      },
      {
        name: '智能手表',
        nouns: ['智能手表', '运动手环', '儿童电话手表'],
        styles: ['血氧监测', '长续航', 'NFC', '防水'],
        points: ['心率血氧监测', '续航14天', '50米防水', '百种运动模式'],
        priceYuan: [199, 1299],
        dimensions: [
          { name: '颜色', values: GADGET_COLORS, pick: [2, 3] },
          { name: '表带', values: ['硅胶表带', '皮质表带', '金属表带'], pick: [2, 3], stepYuan: 50 },
        ],
      },
    ],
  },
  {
    name: '家居',
    brands: ['栖木', '棉语', '简居', '暖窝', '木几'],
    seasons: ['新款', '四季款', 'ins风'],
    afterSales: '支持7天无理由退换，破损包赔。',
    subs: [
      {
        name: '四件套',
        nouns: ['纯棉四件套', '天丝四件套', '水洗棉四件套', '全棉床上四件套'],
        styles: ['简约', '北欧风', '纯色', '少女心'],
        points: ['亲肤透气', '不起球不褪色', '裸睡级触感', 'A类母婴级'],
        priceYuan: [199, 699],
        dimensions: [
          { name: '颜色', values: HOME_COLORS, pick: [2, 4] },
          { name: '尺寸', values: ['1.5m床', '1.8m床', '2.0m床'], pick: [2, 3], stepYuan: 40 },
        ],
      },
      {
        name: '收纳箱',
        nouns: ['收纳箱', '折叠收纳箱', '衣物收纳盒', '桌面收纳盒'],
        styles: ['加厚', '大容量', '可叠加', '透明'],
        points: ['可叠加省空间', '防尘防潮', '带盖带轮', '家用搬家两用'],
        priceYuan: [29, 99],
        dimensions: [
          { name: '颜色', values: ['透明', '奶白', '浅灰', '雾霾蓝'], pick: [2, 3] },
          { name: '规格', values: ['小号', '中号', '大号'], pick: [2, 3], stepYuan: 10 },
        ],
      },
      {
        name: '毛巾',
        nouns: ['纯棉毛巾', '浴巾', '洗脸巾', '速干毛巾'],
        styles: ['加厚', '柔软', '吸水', 'A类'],
        points: ['吸水不掉毛', '新疆长绒棉', '柔软亲肤', '母婴可用'],
        priceYuan: [19, 89],
        dimensions: [
          { name: '颜色', values: HOME_COLORS, pick: [2, 4] },
          { name: '规格', values: ['单条装', '三条装'], pick: [2, 2], stepYuan: 30 },
        ],
        singleDimensionShare: 0.3,
      },
      {
        name: '香薰',
        nouns: ['香薰蜡烛', '无火香薰', '车载香薰', '扩香石'],
        styles: ['卧室', '持久', '高级感', '助眠'],
        points: ['天然植物精油', '留香持久', '送礼有面子', '卧室助眠'],
        priceYuan: [49, 199],
        dimensions: [{ name: '香型', values: ['白茶', '雪松', '无花果', '海盐鼠尾草', '小苍兰'], pick: [3, 5] }],
      },
    ],
  },
  {
    name: '运动户外',
    brands: ['野趣', '跃动', '山行者', '轻驰'],
    seasons: ['新款', '四季款', '专业款'],
    afterSales: '支持7天无理由退换，质量问题一年内免费换新。',
    subs: [
      {
        name: '瑜伽垫',
        nouns: ['瑜伽垫', '加厚瑜伽垫', 'TPE瑜伽垫', '健身垫'],
        styles: ['防滑', '加宽', '环保', '静音'],
        points: ['双面防滑', '回弹好不塌陷', '无异味', '附赠收纳绑带'],
        priceYuan: [59, 199],
        dimensions: [
          { name: '颜色', values: ['紫罗兰', '薄荷绿', '樱花粉', '深空灰'], pick: [2, 4] },
          { name: '厚度', values: ['6mm', '8mm', '10mm'], pick: [2, 3], stepYuan: 20 },
        ],
      },
      {
        name: '运动服',
        nouns: ['速干T恤', '运动套装', '瑜伽服', '跑步短裤'],
        styles: ['速干', '高弹', '透气', '修身'],
        points: ['吸湿速干', '四向高弹', '健身跑步都合适', '不易起球'],
        priceYuan: [89, 299],
        dimensions: [
          { name: '颜色', values: ['黑色', '白色', '雾霾蓝', '薄荷绿', '酒红'], pick: [2, 4] },
          { name: '尺码', values: CLOTHING_SIZES, pick: [3, 5] },
        ],
      },
      {
        name: '帐篷',
        nouns: ['露营帐篷', '自动帐篷', '天幕帐篷', '儿童帐篷'],
        styles: ['全自动', '防雨', '防晒', '便携'],
        points: ['一秒速开', '防雨防晒', '通风透气', '收纳便携'],
        priceYuan: [199, 999],
        dimensions: [
          { name: '颜色', values: ['军绿', '卡其', '燕麦色', '天空蓝'], pick: [2, 3] },
          { name: '规格', values: ['2人', '3-4人', '5-8人'], pick: [2, 3], stepYuan: 150 },
        ],
      },
    ],
  },
  {
    name: '母婴',
    brands: ['贝护', '小鹿妈妈', '宝贝日记', '棉小芽'],
    seasons: ['', '新品', '升级款'],
    afterSales: '正品保障，支持7天无理由退换。',
    subs: [
      {
        name: '纸尿裤',
        nouns: ['纸尿裤', '拉拉裤', '超薄纸尿裤', '夜用纸尿裤'],
        styles: ['超薄透气', '干爽', '夜用', '敏感肌'],
        points: ['超薄透气', '3D防漏', '瞬吸干爽', '柔软不红屁屁'],
        priceYuan: [79, 199],
        dimensions: [{ name: '尺码', values: ['NB', 'S', 'M', 'L', 'XL', 'XXL'], pick: [4, 6] }],
      },
      {
        name: '婴儿服',
        nouns: ['婴儿连体衣', '纯棉爬服', '宝宝哈衣', '婴儿睡袋'],
        styles: ['A类', '纯棉', '四季', '可爱'],
        points: ['A类纯棉', '无骨缝制', '按扣设计好穿脱', '柔软亲肤'],
        priceYuan: [59, 159],
        dimensions: [
          { name: '颜色', values: ['奶白', '浅粉', '浅蓝', '燕麦色', '小熊印花'], pick: [2, 3] },
          { name: '尺码', values: ['59cm', '66cm', '73cm', '80cm', '90cm'], pick: [3, 5] },
        ],
      },
      {
        name: '奶瓶',
        nouns: ['玻璃奶瓶', 'PPSU奶瓶', '宽口径奶瓶', '防胀气奶瓶'],
        styles: ['防胀气', '宽口径', '耐摔', '新生儿'],
        points: ['防胀气设计', '仿母乳奶嘴', '耐高温可消毒', '宽口易清洗'],
        priceYuan: [59, 199],
        dimensions: [{ name: '容量', values: ['160ml', '240ml', '300ml'], pick: [2, 3], stepYuan: 15 }],
      },
    ],
  },
];

export const SEED_TAGS = ['新品', '热卖', '包邮', '限时折扣', '爆款', '官方正品', '顺丰发货', '七天无理由'] as const;

// ---------------------------------------------------------------------------------------------
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
