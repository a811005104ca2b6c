// The group-buys section (/admin/group-buys, 拼团): the list, the create form, one campaign with
// its rooms, and cancel. The form is read into the JSON API's body and checked by the same schema
// and service, so the page and the API accept the same campaigns.
import * as v from 'valibot';
import { parseYuanToFen } from '../../../src/lib/money';
import { catalogWriteContext } from '../../../src/services/catalog-admin';
import { roomsOfCampaign } from '../../../src/marketing/group-buy/room-views';
import { cancelGroupBuy, createGroupBuy, groupBuyForAdmin, listGroupBuysForAdmin, type GroupBuyInput } from '../../../src/marketing/group-buy/campaigns';
import { createGroupBuyBody } from '../group-buys-schemas';
import { fieldReader, readFormValues, refusedFields, schemaRefusal, type FieldErrors, type FormVocabulary } from './form-kit';
import { GroupBuyDetailPage, GroupBuyFormPage, GroupBuyListPage, groupBuyNotices } from './group-buys-views';
import { campaignSection, type SubmittedForm } from './campaign-section';
import { PAGE_SIZE, shopTime } from './section';

export const groupBuyPages = campaignSection({
  subject: '拼团活动',
  path: '/admin/group-buys',
  idPrefix: 'gbc',
  notices: groupBuyNotices,
  list: (c, cursor) => listGroupBuysForAdmin(c.var.db, { cursor, limit: PAGE_SIZE, now: c.var.clock.now() }),
  ListPage: GroupBuyListPage,
  FormPage: GroupBuyFormPage,
  emptyForm: () => ({ duration_minutes: '1440', payment_window_minutes: '15', per_user_limit: '1', full_room_policy: 'refuse' }),
  readForm: readGroupBuyForm,
  vocabulary: () => groupBuyForm,
  create: async (c, input) => `/admin/group-buys/${await createGroupBuy(catalogWriteContext(c), input)}?done=created`,
  async detail(c, id, notice) {
    const [campaign, rooms] = await Promise.all([groupBuyForAdmin(c.var.db, id, c.var.clock.now()), roomsOfCampaign(c.var.db, id)]);
    return <GroupBuyDetailPage merchant={c.var.merchant} campaign={campaign} rooms={rooms} time={shopTime(c, 'medium')} notice={notice} />;
  },
  cancel: (c, id) => cancelGroupBuy(catalogWriteContext(c), id),
});

// ---------------------------------------------------------------------------------------------
// Reading the form

const formFields = [
  'title',
  'starts_at',
  'ends_at',
  'sku_id',
  'group_price',
  'group_size',
  'tiers',
  'max_size',
  'leader_discount',
  'duration_minutes',
  'payment_window_minutes',
  'per_user_limit',
  'simulate_share_percent',
  'full_room_policy',
] as const;

/** "2:90, 5:80" (size:price in yuan) → tiers in fen; null when a part is not of that form. */
export function parseTiers(text: string): { min_size: number; price_fen: number }[] | null {
  const parts = text.split(/[,，\s]+/).filter(Boolean);
  const tiers = parts.map((part) => {
    const m = /^(\d{1,3})[:：](.+)$/.exec(part);
    const priceFen = m ? parseYuanToFen(m[2]!) : null;
    return m && priceFen !== null ? { min_size: Number(m[1]), price_fen: priceFen } : null;
  });
  return tiers.every((t) => t !== null) ? (tiers as { min_size: number; price_fen: number }[]) : null;
}

/** The submitted form, checked field by field and then by the API's schema; nothing is written here. */
function readGroupBuyForm(body: Record<string, unknown>, timeZone: string): SubmittedForm<GroupBuyInput> {
  const values = readFormValues(body, formFields);
  const errors: FieldErrors = {};
  const read = fieldReader(values, errors);
  const tiers = values.tiers!.trim() ? parseTiers(values.tiers!) : [];
  if (tiers === null) errors.tiers = '格式如 2:90, 5:80（人数:每人价格）';
  const groupPriceFen = read.optionalMoney('group_price');
  const candidate = {
    title: values.title,
    starts_at: read.time('starts_at', timeZone),
    ends_at: read.time('ends_at', timeZone),
    skus: [{ sku_id: values.sku_id!.trim(), ...(groupPriceFen !== undefined && { group_price_fen: groupPriceFen }) }],
    ...(tiers?.length ? { tiers, max_size: read.optionalInteger('max_size') } : { group_size: read.optionalInteger('group_size') }),
    leader_discount_fen: read.optionalMoney('leader_discount'),
    duration_minutes: read.optionalInteger('duration_minutes'),
    payment_window_minutes: read.optionalInteger('payment_window_minutes'),
    per_user_limit: read.optionalInteger('per_user_limit'),
    simulate_share_percent: read.optionalInteger('simulate_share_percent') ?? null,
    full_room_policy: values.full_room_policy,
  };
  if (Object.keys(errors).length) return { values, errors };
  const parsed = v.safeParse(createGroupBuyBody, candidate);
  if (parsed.success) return { values, errors, input: parsed.output };
  return { values, errors: refusedFields(groupBuyForm, schemaRefusal(parsed.issues)) };
}

/**
 * The form's field for an API path (skus.0.group_price_fen → group_price) and the words for each.
 * One path can be refused for several reasons (a tier's size: too small, not above the tier
 * before, above the largest room), told apart by the API's wording.
 */
const groupBuyForm: FormVocabulary = {
  fieldOf(path) {
    if (path.startsWith('skus.0.group_price_fen')) return 'group_price';
    if (path.startsWith('skus')) return 'sku_id';
    if (path.startsWith('tiers')) return 'tiers';
    if (path === 'leader_discount_fen') return 'leader_discount';
    return (formFields as readonly string[]).includes(path) ? path : 'title';
  },
  messages: {
    skus: (m) => (m.includes('twice') ? '同一个 SKU 填了两次' : m.includes('one product') ? '所有 SKU 须属于同一个商品' : '请填写 SKU 编号'),
    'skus.sku_id': (m) => (m.includes('no such') ? '没有这个 SKU' : m.includes('published') ? '这个 SKU 的商品未上架' : 'SKU 编号应形如 sku_…'),
    'skus.group_price_fen': (m) =>
      m.includes('below') ? '拼团价必须低于商品售价' : m.includes('left out') ? '阶梯拼团不填拼团价' : m.includes('required') ? '请填写拼团价（或填写阶梯）' : '拼团价至少 0.01 元',
    group_size: (m) => (m.includes('first tier') ? '阶梯拼团的成团人数须等于第一档人数，或不填' : m.includes('required') ? '请填写成团人数（或填写阶梯）' : '成团人数为 2–100 的整数'),
    max_size: (m) => (m.includes('unless') ? '不是阶梯拼团时不填最多人数' : '最多人数为 2–100 的整数'),
    tiers: (m) => (m.includes('at most') ? '最多 10 档' : '阶梯拼团至少需要两档'),
    'tiers.min_size': (m) => (m.includes('tier before') ? '每一档的人数须多于上一档' : m.includes('max_size') ? '每一档的人数不能超过最多人数' : '第一档至少 2 人，每档最多 100 人'),
    'tiers.price_fen': (m) => (m.includes('tier before') ? '每一档的价格须低于上一档' : m.includes('SKU') ? '第一档的价格必须低于商品售价' : '每档价格至少 0.01 元'),
    leader_discount_fen: (m) => (m.includes('below') ? '团长优惠必须低于拼团价' : '请输入不小于 0 的金额'),
    duration_minutes: '请输入 5–10080 的整数',
    payment_window_minutes: (m) => (m.includes('duration') ? '支付时限不能长于成团时限' : '请输入 2–120 的整数'),
    per_user_limit: '请输入 1–99 的整数',
    simulate_share_percent: '请输入 1–100 的整数，或不填',
    full_room_policy: '请选择团满时的做法',
  },
  fallbackField: 'title',
};
