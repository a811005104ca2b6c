// The loyalty section's forms (/admin/loyalty/…): the points and check-in settings, the level
// ladder, paid plans, check-in tiers and points-mall items. Each form is read into the JSON API's
// body and checked by the same schema and service (routes/admin/loyalty-schemas.ts), so a refusal
// is the API's, shown in Chinese next to its field; nothing is written when anything is refused.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import { idOf, validate } from '../../../src/lib/validate';
import { formatFenWithYuanSign as formatFen } from '../../../src/lib/money';
import { createCheckInReward, deleteCheckInReward, listCheckInRewards } from '../../../src/services/loyalty/check-ins';
import { levelView, listLevels, replaceLevels } from '../../../src/services/loyalty/membership';
import { createMallItem, listMallItems, setMallItemActive } from '../../../src/services/loyalty/points-mall';
import { createPlan, listPlans, setPlanActive } from '../../../src/services/loyalty/plans';
import { getLoyaltySettings, loyaltySettingsView, updateLoyaltySettings } from '../../../src/services/loyalty/settings';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { checkInRewardBody, levelsBody, loyaltySettingsBody, mallItemBody, planBody } from '../loyalty-schemas';
import { ChoiceField, fieldReader, isFormRefusal, LabeledField, readFormValues, RefusedNotice, refusedFields, schemaRefusal, type FieldErrors, type FormValues, type FormVocabulary } from './form-kit';
import { Layout, Notice, TableHead } from './layout';
import { adminSection, doneQuery, render, sameOrigin, session, type PageContext } from './section';

const notices = { saved: '已保存。', created: '已创建。', deleted: '已删除。', switched: '已切换上下架。' };
type NoticeKey = keyof typeof notices;

/** The API's words for a number out of range, in Chinese. */
const rangeMessage = (m: string) => {
  const least = /at least (-?\d+)/.exec(m);
  const most = /at most (\d+)/.exec(m);
  return least ? `不能小于 ${least[1]}` : most ? `不能大于 ${most[1]}` : '请输入整数';
};
const vocabulary = (messages: FormVocabulary['messages'], fallbackField: string, fieldOf: (path: string) => string = (p) => p.split('.')[0] ?? fallbackField): FormVocabulary => ({
  fieldOf,
  messages,
  fallbackField,
});

/** Reads a form with `read`, checks it with the API's schema, runs `save`; the refusal's messages per field otherwise. */
async function submit<S extends v.GenericSchema>(
  body: Record<string, unknown>,
  fields: readonly string[],
  form: FormVocabulary,
  read: (values: FormValues, r: ReturnType<typeof fieldReader>) => unknown,
  schema: S,
  save: (input: v.InferOutput<S>) => Promise<unknown>,
): Promise<{ values: FormValues; errors: FieldErrors; status: 400 | 409 | 422 | null }> {
  const values = readFormValues(body, fields);
  const errors: FieldErrors = {};
  const candidate = read(values, fieldReader(values, errors));
  if (Object.keys(errors).length) return { values, errors, status: 400 };
  const parsed = v.safeParse(schema, candidate);
  if (!parsed.success) return { values, errors: refusedFields(form, schemaRefusal(parsed.issues)), status: 400 };
  try {
    await save(parsed.output);
  } catch (error) {
    if (isFormRefusal(error)) return { values, errors: refusedFields(form, error), status: error.status as 400 | 409 | 422 };
    throw error;
  }
  return { values, errors, status: null };
}

const yesNo = { no: '否', yes: '是' };
const bool = (value: string | undefined) => value === 'yes';
const yes = (b: boolean) => (b ? 'yes' : 'no');
/** A multiplier is typed as a percentage (150 = ×1.5) and stored in basis points. */
const percentToBps = (pct: number) => pct * 100;

// ---------------------------------------------------------------------------------------------
// Settings

const settingFields = [
  'points_expiry_mode',
  'points_expiry_months',
  'earn_points_per_yuan',
  'earn_birthday_multiplier_pct',
  'earn_first_order_bonus',
  'earn_per_order_cap',
  'after_sales_days',
  'redeem_points_per_yuan',
  'redeem_max_goods_percent',
  'redeem_max_points_per_order',
  'redeem_shipping',
  'check_in_cycle',
  'check_in_base_points',
  'check_in_make_ups_per_month',
  'check_in_make_up_cost_points',
  'member_benefit_mode',
  'growth_per_yuan',
  'check_in_growth',
  'plan_refund_rule',
] as const;
const settingsForm = vocabulary({ earn_birthday_multiplier_bps: '请输入 1–1000 的整数（%）' }, 'points_expiry_months', (p) =>
  p === 'earn_birthday_multiplier_bps' ? 'earn_birthday_multiplier_pct' : p,
);
for (const field of settingFields) settingsForm.messages[field] ??= rangeMessage;

function readSettings(values: FormValues, r: ReturnType<typeof fieldReader>) {
  return {
    points_expiry_mode: values.points_expiry_mode,
    points_expiry_months: r.integer('points_expiry_months'),
    earn_points_per_yuan: r.integer('earn_points_per_yuan'),
    earn_birthday_multiplier_bps: percentToBps(r.integer('earn_birthday_multiplier_pct')),
    earn_first_order_bonus: r.integer('earn_first_order_bonus'),
    earn_per_order_cap: r.optionalInteger('earn_per_order_cap') ?? null,
    after_sales_days: r.integer('after_sales_days'),
    redeem_points_per_yuan: r.integer('redeem_points_per_yuan'),
    redeem_max_goods_percent: r.integer('redeem_max_goods_percent'),
    redeem_max_points_per_order: r.optionalInteger('redeem_max_points_per_order') ?? null,
    redeem_shipping: bool(values.redeem_shipping),
    check_in_cycle: values.check_in_cycle,
    check_in_base_points: r.integer('check_in_base_points'),
    check_in_make_ups_per_month: r.integer('check_in_make_ups_per_month'),
    check_in_make_up_cost_points: r.integer('check_in_make_up_cost_points'),
    member_benefit_mode: values.member_benefit_mode,
    growth_per_yuan: r.integer('growth_per_yuan'),
    check_in_growth: r.integer('check_in_growth'),
    plan_refund_rule: values.plan_refund_rule,
  };
}

const settingsValues = (s: ReturnType<typeof loyaltySettingsView>): FormValues => {
  const values: FormValues = Object.fromEntries(Object.entries(s).map(([k, value]) => [k, value === null ? '' : String(value)]));
  return { ...values, earn_birthday_multiplier_pct: String(s.earn_birthday_multiplier_bps / 100), redeem_shipping: yes(s.redeem_shipping) };
};

const SettingsPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; notice?: string | undefined }> = ({ merchant, values, errors, notice }) => {
  const field = (name: string, label: string) => <LabeledField name={name} label={label} values={values} errors={errors} inputmode="numeric" />;
  const choice = (name: string, label: string, choices: Record<string, string>) => <ChoiceField name={name} label={label} choices={choices} values={values} errors={errors} />;
  return (
    <Layout title="积分与签到设置" merchant={merchant}>
      {notice && <Notice kind="ok">{notice}</Notice>}
      <RefusedNotice errors={errors} />
      <form method="post" action="/admin/loyalty/settings">
        <h2>积分有效期</h2>
        {choice('points_expiry_mode', '过期方式', { rolling_months: '获得后按月计', end_of_next_year: '次年 12 月 31 日' })}
        {field('points_expiry_months', '有效月数')}
        <h2>获得积分</h2>
        {field('earn_points_per_yuan', '每实付 1 元得积分')}
        {field('earn_birthday_multiplier_pct', '生日当天积分倍数（%，200 为双倍）')}
        {field('earn_first_order_bonus', '首单奖励积分')}
        {field('earn_per_order_cap', '每单最多得积分（不填为不限）')}
        {field('after_sales_days', '售后期（天，期满后积分可用）')}
        <h2>积分抵现</h2>
        {field('redeem_points_per_yuan', '多少积分抵 1 元')}
        {field('redeem_max_goods_percent', '最多抵商品金额的百分比')}
        {field('redeem_max_points_per_order', '每单最多用积分（不填为不限）')}
        {choice('redeem_shipping', '可抵运费', yesNo)}
        <h2>签到</h2>
        {choice('check_in_cycle', '奖励周期', { weekly: '每周（周一开始）', monthly: '每月' })}
        {field('check_in_base_points', '每次签到积分')}
        {field('check_in_make_ups_per_month', '每月补签次数')}
        {field('check_in_make_up_cost_points', '每次补签消耗积分')}
        <h2>会员</h2>
        {choice('member_benefit_mode', '等级权益', { member_price: '会员价', level_discount: '等级折扣' })}
        {field('growth_per_yuan', '每实付 1 元得成长值')}
        {field('check_in_growth', '每次签到得成长值')}
        {choice('plan_refund_rule', '付费会员退款', { none: '不退款', pro_rata: '按剩余天数比例退款' })}
        <button type="submit">保存设置</button>
      </form>
      <SectionLinks />
    </Layout>
  );
};

export const SectionLinks: FC = () => (
  <p>
    <a href="/admin/loyalty/settings">积分与签到设置</a> · <a href="/admin/loyalty/levels">会员等级</a> · <a href="/admin/loyalty/plans">付费会员</a> ·{' '}
    <a href="/admin/loyalty/check-in-rewards">签到奖励</a> · <a href="/admin/loyalty/mall">积分商城</a> · <a href="/admin/loyalty">返回会员积分</a>
  </p>
);

// ---------------------------------------------------------------------------------------------
// Levels: the whole ladder in one form (LEVEL_ROWS rows; a row without a name is left out)

const LEVEL_ROWS = 6;
const levelColumns = ['name', 'growth_threshold', 'discount_bps', 'member_price', 'free_shipping', 'points_multiplier_pct', 'birthday_coupon_template_id'] as const;
const levelFields = Array.from({ length: LEVEL_ROWS }, (_, i) => levelColumns.map((c) => `${c}_${i}`)).flat();
const levelsForm = vocabulary(
  {
    'levels.name': '请填写名称，最多 20 个字',
    'levels.growth_threshold': (m) => (m.includes('above') ? '门槛必须高于上一等级' : rangeMessage(m)),
    'levels.discount_bps': rangeMessage,
    'levels.points_multiplier_bps': rangeMessage,
    'levels.birthday_coupon_template_id': '没有这个优惠券模板',
  },
  'name_0',
  (path) => {
    const m = /^levels\.(\d+)\.(\w+)$/.exec(path);
    return m ? `${m[2] === 'points_multiplier_bps' ? 'points_multiplier_pct' : m[2]}_${m[1]}` : 'name_0';
  },
);

function readLevels(values: FormValues, r: ReturnType<typeof fieldReader>) {
  const rows = Array.from({ length: LEVEL_ROWS }, (_, i) => i).filter((i) => (values[`name_${i}`] ?? '').trim() !== '');
  return {
    levels: rows.map((i) => ({
      name: (values[`name_${i}`] ?? '').trim(),
      growth_threshold: r.integer(`growth_threshold_${i}`),
      discount_bps: r.optionalInteger(`discount_bps_${i}`) ?? 0,
      member_price: bool(values[`member_price_${i}`]),
      free_shipping: bool(values[`free_shipping_${i}`]),
      points_multiplier_bps: percentToBps(r.optionalInteger(`points_multiplier_pct_${i}`) ?? 100),
      birthday_coupon_template_id: (values[`birthday_coupon_template_id_${i}`] ?? '').trim() || null,
    })),
  };
}

const levelValues = (levels: ReturnType<typeof levelView>[]): FormValues =>
  Object.fromEntries(
    levels.flatMap((l, i) => [
      [`name_${i}`, l.name],
      [`growth_threshold_${i}`, String(l.growth_threshold)],
      [`discount_bps_${i}`, String(l.benefits.discount_bps)],
      [`member_price_${i}`, yes(l.benefits.member_price)],
      [`free_shipping_${i}`, yes(l.benefits.free_shipping)],
      [`points_multiplier_pct_${i}`, String(l.benefits.points_multiplier_bps / 100)],
      [`birthday_coupon_template_id_${i}`, l.benefits.birthday_coupon_template_id ?? ''],
    ]),
  );

const LevelsPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; notice?: string | undefined }> = ({ merchant, values, errors, notice }) => (
  <Layout title="会员等级" merchant={merchant}>
    {notice && <Notice kind="ok">{notice}</Notice>}
    <RefusedNotice errors={errors} />
    <p>从低到高填写，成长值门槛必须逐级升高；名称留空的行不保存。折扣以基点计（500 即 95 折），积分倍数以百分比计（150 即 1.5 倍）。</p>
    <form method="post" action="/admin/loyalty/levels">
      {Array.from({ length: LEVEL_ROWS }, (_, i) => (
        <fieldset>
          <legend>第 {i + 1} 级</legend>
          <LabeledField name={`name_${i}`} label={`第 ${i + 1} 级名称`} values={values} errors={errors} />
          <LabeledField name={`growth_threshold_${i}`} label={`第 ${i + 1} 级成长值门槛`} values={values} errors={errors} inputmode="numeric" />
          <LabeledField name={`discount_bps_${i}`} label={`第 ${i + 1} 级折扣（基点）`} values={values} errors={errors} inputmode="numeric" />
          <ChoiceField name={`member_price_${i}`} label={`第 ${i + 1} 级会员价`} choices={yesNo} values={values} errors={errors} />
          <ChoiceField name={`free_shipping_${i}`} label={`第 ${i + 1} 级包邮`} choices={yesNo} values={values} errors={errors} />
          <LabeledField name={`points_multiplier_pct_${i}`} label={`第 ${i + 1} 级积分倍数（%）`} values={values} errors={errors} inputmode="numeric" />
          <LabeledField name={`birthday_coupon_template_id_${i}`} label={`第 ${i + 1} 级生日券模板`} values={values} errors={errors} />
        </fieldset>
      ))}
      <button type="submit">保存等级</button>
    </form>
    <SectionLinks />
  </Layout>
);

// ---------------------------------------------------------------------------------------------
// Lists with a create form: plans, check-in tiers, points-mall items

const planFields = ['name', 'period', 'price', 'level_rank'] as const;
const planForm = vocabulary({ name: '请填写名称，最多 20 个字', price_fen: '价格至少 0.01 元', level_rank: rangeMessage }, 'name', (p) => (p === 'price_fen' ? 'price' : p));
const periods = { month: '月卡', quarter: '季卡', year: '年卡' };

const tierFields = ['kind', 'days', 'points', 'coupon_template_id'] as const;
const tierForm = vocabulary({ days: rangeMessage, points: (m) => (m.includes('gives') ? '奖励积分或优惠券至少填一项' : rangeMessage(m)), coupon_template_id: '没有这个优惠券模板' }, 'days');
const tierKinds = { streak: '连续签到', cumulative: '累计签到' };

const itemFields = ['kind', 'title', 'sku_id', 'coupon_template_id', 'points_price', 'cash', 'stock', 'per_shopper_limit'] as const;
const itemForm = vocabulary(
  {
    title: '请填写标题，最多 40 个字',
    sku_id: '请填写 SKU（sku_…）',
    coupon_template_id: '请填写优惠券模板（cpt_…）',
    points_price: rangeMessage,
    cash_fen: '优惠券兑换只用积分，不收现金',
    stock: rangeMessage,
    per_shopper_limit: rangeMessage,
  },
  'title',
  (p) => (p === 'cash_fen' ? 'cash' : p),
);
const itemKinds = { coupon: '优惠券', sku: '实物（下单发货）' };

type ListKind = 'plans' | 'check-in-rewards' | 'mall';

const ListFormPage: FC<{
  merchant: MerchantPrincipal;
  kind: ListKind;
  rows: { cells: (string | number)[]; action?: { href: string; label: string } }[];
  values: FormValues;
  errors: FieldErrors;
  notice?: string | undefined;
  canEdit: boolean;
}> = ({ merchant, kind, rows, values, errors, notice, canEdit }) => {
  const spec = listSpecs[kind];
  return (
    <Layout title={spec.title} merchant={merchant}>
      {notice && <Notice kind="ok">{notice}</Notice>}
      <table>
        <TableHead columns={[...spec.columns, '']} />
        <tbody>
          {rows.map((r) => (
            <tr>
              {r.cells.map((cell) => (
                <td>{cell}</td>
              ))}
              <td>
                {canEdit && r.action && (
                  <form class="inline" method="post" action={r.action.href}>
                    <button class="secondary" type="submit">
                      {r.action.label}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canEdit && (
        <>
          <h2>新建</h2>
          <RefusedNotice errors={errors} />
          <form method="post" action={`/admin/loyalty/${kind}`}>
            {spec.fields.map((f) =>
              f.choices ? (
                <ChoiceField name={f.name} label={f.label} choices={f.choices} values={values} errors={errors} />
              ) : (
                <LabeledField name={f.name} label={f.label} values={values} errors={errors} inputmode={f.numeric ? 'numeric' : undefined} />
              ),
            )}
            <button type="submit">创建</button>
          </form>
        </>
      )}
      <SectionLinks />
    </Layout>
  );
};

type FieldSpec = { name: string; label: string; choices?: Record<string, string>; numeric?: boolean };
const listSpecs: Record<ListKind, { title: string; columns: string[]; fields: FieldSpec[] }> = {
  plans: {
    title: '付费会员',
    columns: ['名称', '周期', '价格', '享受等级', '状态'],
    fields: [
      { name: 'name', label: '名称' },
      { name: 'period', label: '周期', choices: periods },
      { name: 'price', label: '价格（元）' },
      { name: 'level_rank', label: '享受第几级权益', numeric: true },
    ],
  },
  'check-in-rewards': {
    title: '签到奖励',
    columns: ['类型', '天数', '奖励积分', '优惠券模板'],
    fields: [
      { name: 'kind', label: '类型', choices: tierKinds },
      { name: 'days', label: '天数', numeric: true },
      { name: 'points', label: '奖励积分', numeric: true },
      { name: 'coupon_template_id', label: '奖励优惠券模板（可不填）' },
    ],
  },
  mall: {
    title: '积分商城',
    columns: ['标题', '类型', '积分', '现金', '库存', '每人限兑', '状态'],
    fields: [
      { name: 'kind', label: '类型', choices: itemKinds },
      { name: 'title', label: '标题' },
      { name: 'sku_id', label: 'SKU（实物）' },
      { name: 'coupon_template_id', label: '优惠券模板（优惠券）' },
      { name: 'points_price', label: '所需积分', numeric: true },
      { name: 'cash', label: '另付现金（元，实物）' },
      { name: 'stock', label: '库存', numeric: true },
      { name: 'per_shopper_limit', label: '每人限兑', numeric: true },
    ],
  },
};

const shelfLabel = (active: boolean) => (active ? '上架中' : '已下架');

async function listPage(c: PageContext, kind: ListKind, values: FormValues, errors: FieldErrors, notice?: NoticeKey) {
  const canEdit = c.var.merchant.role === 'owner' || (kind !== 'plans' && c.var.merchant.role === 'operator');
  const rows =
    kind === 'plans'
      ? (await listPlans(c.var.db, false)).map((p) => ({
          cells: [p.name, periods[p.period], formatFen(p.price_fen), p.level_rank, shelfLabel(p.active)],
          action: { href: `/admin/loyalty/plans/${p.id}/${p.active ? 'off' : 'on'}`, label: p.active ? '下架' : '上架' },
        }))
      : kind === 'check-in-rewards'
        ? (await listCheckInRewards(c.var.db)).map((t) => ({
            cells: [tierKinds[t.kind], t.days, t.points, t.coupon_template_id ?? '—'],
            action: { href: `/admin/loyalty/check-in-rewards/${t.id}/delete`, label: '删除' },
          }))
        : (await listMallItems(c.var.db, false)).map((i) => ({
            cells: [i.title, itemKinds[i.kind], i.points_price, i.cash_fen ? formatFen(i.cash_fen) : '—', i.stock, i.per_shopper_limit, shelfLabel(i.active)],
            action: { href: `/admin/loyalty/mall/${i.id}/${i.active ? 'off' : 'on'}`, label: i.active ? '下架' : '上架' },
          }));
  return <ListFormPage merchant={c.var.merchant} kind={kind} rows={rows} values={values} errors={errors} notice={notice && notices[notice]} canEdit={canEdit} />;
}

const readers: Record<ListKind, { fields: readonly string[]; form: FormVocabulary; read: (values: FormValues, r: ReturnType<typeof fieldReader>) => unknown }> = {
  plans: { fields: planFields, form: planForm, read: (values, r) => ({ name: values.name, period: values.period, price_fen: r.money('price'), level_rank: r.integer('level_rank') }) },
  'check-in-rewards': {
    fields: tierFields,
    form: tierForm,
    read: (values, r) => ({ kind: values.kind, days: r.integer('days'), points: r.optionalInteger('points') ?? 0, coupon_template_id: (values.coupon_template_id ?? '').trim() || null }),
  },
  mall: {
    fields: itemFields,
    form: itemForm,
    read: (values, r) => ({
      kind: values.kind,
      title: values.title,
      ...(values.kind === 'sku' ? { sku_id: (values.sku_id ?? '').trim() } : { coupon_template_id: (values.coupon_template_id ?? '').trim() }),
      points_price: r.integer('points_price'),
      cash_fen: r.optionalMoney('cash') ?? 0,
      stock: r.integer('stock'),
      per_shopper_limit: r.optionalInteger('per_shopper_limit') ?? 1,
    }),
  },
};

const done = (path: string, notice: NoticeKey) => `/admin/loyalty/${path}?done=${notice}`;

/** A list page's create form posted: created and back to the list, or the list with the refusal next to its fields. */
const createFrom =
  <S extends v.GenericSchema>(kind: ListKind, schema: S, save: (c: PageContext, input: v.InferOutput<S>) => Promise<unknown>) =>
  async (c: PageContext) => {
    const { fields, form, read } = readers[kind];
    const result = await submit(await c.req.parseBody(), fields, form, read, schema, (input) => save(c, input));
    if (result.status) return render(c, await listPage(c, kind, result.values, result.errors), result.status);
    return c.redirect(done(kind, 'created'), 303);
  };
const doneNotice = doneQuery(notices);
const switchParam = (prefix: string) => validate('param', v.object({ id: idOf(prefix), state: v.picklist(['on', 'off']) }));

export const loyaltySettingsPages = adminSection('会员积分设置')
  .get('/settings', session('owner'), doneNotice, async (c) =>
    render(
      c,
      <SettingsPage
        merchant={c.var.merchant}
        values={settingsValues(loyaltySettingsView(await getLoyaltySettings(c.var.db)))}
        errors={{}}
        notice={c.req.valid('query').done && notices[c.req.valid('query').done!]}
      />,
    ),
  )
  .post('/settings', sameOrigin, session('owner'), async (c) => {
    const result = await submit(await c.req.parseBody(), settingFields, settingsForm, readSettings, loyaltySettingsBody, (input) => updateLoyaltySettings(c.var.db, input, c.var.clock.now()));
    if (result.status) return render(c, <SettingsPage merchant={c.var.merchant} values={result.values} errors={result.errors} />, result.status);
    return c.redirect(done('settings', 'saved'), 303);
  })
  .get('/levels', session('owner'), doneNotice, async (c) =>
    render(
      c,
      <LevelsPage merchant={c.var.merchant} values={levelValues((await listLevels(c.var.db)).map(levelView))} errors={{}} notice={c.req.valid('query').done && notices[c.req.valid('query').done!]} />,
    ),
  )
  .post('/levels', sameOrigin, session('owner'), async (c) => {
    const result = await submit(await c.req.parseBody(), levelFields, levelsForm, readLevels, levelsBody, (input) => replaceLevels(c.var.db, input.levels, c.var.clock.now()));
    if (result.status) return render(c, <LevelsPage merchant={c.var.merchant} values={result.values} errors={result.errors} />, result.status);
    return c.redirect(done('levels', 'saved'), 303);
  })
  .get('/plans', session('viewer'), doneNotice, async (c) => render(c, await listPage(c, 'plans', { period: 'month', level_rank: '1' }, {}, c.req.valid('query').done)))
  .post(
    '/plans',
    sameOrigin,
    session('owner'),
    createFrom('plans', planBody, (c, input) => createPlan(c.var.db, input, c.var.clock.now())),
  )
  .post('/plans/:id/:state', sameOrigin, session('owner'), switchParam('mpl'), async (c) => {
    await setPlanActive(c.var.db, c.req.valid('param').id, c.req.valid('param').state === 'on');
    return c.redirect(done('plans', 'switched'), 303);
  })
  .get('/check-in-rewards', session('viewer'), doneNotice, async (c) => render(c, await listPage(c, 'check-in-rewards', { kind: 'streak' }, {}, c.req.valid('query').done)))
  .post(
    '/check-in-rewards',
    sameOrigin,
    session('operator'),
    createFrom('check-in-rewards', checkInRewardBody, (c, input) => createCheckInReward(c.var.db, input, c.var.clock.now())),
  )
  .post('/check-in-rewards/:id/delete', sameOrigin, session('operator'), validate('param', v.object({ id: idOf('cir') })), async (c) => {
    await deleteCheckInReward(c.var.db, c.req.valid('param').id);
    return c.redirect(done('check-in-rewards', 'deleted'), 303);
  })
  .get('/mall', session('viewer'), doneNotice, async (c) => render(c, await listPage(c, 'mall', { kind: 'coupon', per_shopper_limit: '1' }, {}, c.req.valid('query').done)))
  .post(
    '/mall',
    sameOrigin,
    session('operator'),
    createFrom('mall', mallItemBody, (c, input) => createMallItem(c.var.db, input, c.var.clock.now())),
  )
  .post('/mall/:id/:state', sameOrigin, session('operator'), switchParam('pmi'), async (c) => {
    await setMallItemActive(c.var.db, c.req.valid('param').id, c.req.valid('param').state === 'on');
    return c.redirect(done('mall', 'switched'), 303);
  });
