// The bargains section (/admin/bargains, 砍价): the list, the create form, one campaign with its
// figures, and cancel. The form is read into the JSON API's body and checked by the same schema
// and service, so the page and the API accept exactly the same campaigns.
import * as v from 'valibot';
import { bargainForAdmin, cancelBargainCampaign, createBargainCampaign, listBargainsForAdmin, type BargainCampaignInput } from '../../../src/marketing/bargain/campaigns';
import { catalogWriteContext } from '../../../src/services/catalog-admin';
import { createBargainBody } from '../bargains-schemas';
import { fieldReader, readFormValues, refusedFields, schemaRefusal, type FieldErrors, type FormVocabulary } from './form-kit';
import { BargainDetailPage, BargainFormPage, BargainListPage, bargainNotices } from './bargains-views';
import { campaignSection, type SubmittedForm } from './campaign-section';
import { PAGE_SIZE, shopTime } from './section';

export const bargainPages = campaignSection({
  subject: '砍价活动',
  path: '/admin/bargains',
  idPrefix: 'bgn',
  notices: bargainNotices,
  list: (c, cursor) => listBargainsForAdmin(c.var.db, { cursor, limit: PAGE_SIZE, now: c.var.clock.now() }),
  ListPage: BargainListPage,
  FormPage: BargainFormPage,
  emptyForm: () => ({ helpers_needed: '10', session_minutes: '1440', launches_per_shopper: '1', helps_per_day: '3', new_helper_bonus_pct: '0' }),
  readForm: readBargainForm,
  vocabulary: () => bargainForm,
  create: async (c, input) => `/admin/bargains/${await createBargainCampaign(catalogWriteContext(c), input)}?done=created`,
  async detail(c, id, notice) {
    const bargain = await bargainForAdmin(c.var.db, id, c.var.clock.now());
    return <BargainDetailPage merchant={c.var.merchant} bargain={bargain} time={shopTime(c, 'medium')} notice={notice} />;
  },
  cancel: (c, id) => cancelBargainCampaign(catalogWriteContext(c), id),
});

// ---------------------------------------------------------------------------------------------
// Reading the form

const formFields = [
  'title',
  'sku_id',
  'start_price',
  'floor_price',
  'helpers_needed',
  'session_minutes',
  'launches_per_shopper',
  'helps_per_day',
  'new_helper_bonus_pct',
  'starts_at',
  'ends_at',
  'buy_before_floor',
] as const;

/** The form's field for an API path (start_price_fen → start_price), and the words for each. */
const bargainForm: FormVocabulary = {
  fieldOf: (path) => path.replace(/_fen$/, '') || 'title',
  messages: {
    sku_id: 'SKU 编号应形如 sku_…',
    start_price_fen: '起始价至少 0.02 元',
    floor_price_fen: '底价至少 0.01 元，且必须低于起始价',
    helpers_needed: '请输入 1–100 的整数，且每位好友至少能砍 0.01 元（起始价 − 底价 ≥ 人数 × 0.01 元）',
    session_minutes: '请输入 5–10080 的整数',
    launches_per_shopper: '请输入 1–100 的整数',
    helps_per_day: '请输入 1–100 的整数',
    new_helper_bonus_pct: '请输入 0–400 的整数',
  },
  fallbackField: 'title',
};

/** The submitted form, checked field by field and then by the API's schema; nothing is written here. */
function readBargainForm(body: Record<string, unknown>, timeZone: string): SubmittedForm<BargainCampaignInput> {
  const values = readFormValues(body, formFields);
  const errors: FieldErrors = {};
  const read = fieldReader(values, errors);
  const candidate = {
    title: values.title!,
    sku_id: values.sku_id!.trim(),
    start_price_fen: read.money('start_price'),
    floor_price_fen: read.money('floor_price'),
    helpers_needed: read.integer('helpers_needed'),
    session_minutes: read.integer('session_minutes'),
    launches_per_shopper: read.integer('launches_per_shopper'),
    helps_per_day: read.integer('helps_per_day'),
    buy_before_floor: values.buy_before_floor === 'on',
    new_helper_bonus_pct: read.integer('new_helper_bonus_pct'),
    starts_at: read.time('starts_at', timeZone),
    ends_at: read.time('ends_at', timeZone),
  };
  if (Object.keys(errors).length) return { values, errors };
  const parsed = v.safeParse(createBargainBody, candidate);
  if (parsed.success) return { values, errors, input: parsed.output };
  return { values, errors: refusedFields(bargainForm, schemaRefusal(parsed.issues)) };
}
