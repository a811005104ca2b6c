// The promotions section (/admin/promotions, 满减/满折 和 限时折扣): the list with each one's
// window and state, a create form for a whole-shop 满减 with up to three tiers, and ending one
// early. 满折, scopes and 限时折扣 are created through the JSON API (/admin/api/promotions).
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import { validate } from '../../../src/lib/validate';
import { catalogWriteContext } from '../../../src/services/catalog-admin';
import { createPromotion, endPromotion, listPromotions } from '../../../src/services/promotions/admin';
import { roleAllows, type MerchantPrincipal } from '../../../src/services/merchant-auth';
import { CreateFormPage, fieldReader, isFormRefusal, LabeledField, readFormValues, refusedFields, TimeField, type FieldErrors, type FormValues, type FormVocabulary } from './form-kit';
import { ListPage, Notice, TableHead } from './layout';
import { adminSection, render, sameOrigin, session, shopTime, type FormatTime, type PageContext } from './section';

type PromotionRow = Awaited<ReturnType<typeof listPromotions>>['items'][number];

const stateLabels = { scheduled: '未开始', running: '进行中', ended: '已结束' } as const;
const notices = { created: '满减活动已创建。', ended: '活动已结束。' } as const;

function benefitText(p: PromotionRow): string {
  if (p.type === 'timed_discount') return p.kind === 'percent_off' ? `限时减 ${p.value}%` : `限时价 ${formatFenWithYuanSign(p.value)}`;
  return p.tiers
    .map((t) => `满${p.condition === 'amount' ? formatFenWithYuanSign(t.threshold) : `${t.threshold}件`}${p.benefit === 'amount_off' ? `减${formatFenWithYuanSign(t.value)}` : `减${t.value}%`}`)
    .join('，');
}

const PromotionListPage: FC<{ merchant: MerchantPrincipal; rows: PromotionRow[]; time: FormatTime; notice?: keyof typeof notices | undefined }> = ({ merchant, rows, time, notice }) => (
  <ListPage title="促销活动" merchant={merchant} create={{ href: '/admin/promotions/new', label: '新建满减活动' }} empty={rows.length === 0} emptyText="还没有促销活动。" nextHref={null}>
    {notice && <Notice kind="ok">{notices[notice]}</Notice>}
    <TableHead columns={['名称', '类型', '优惠', '状态', '开始', '结束', '']} />
    <tbody>
      {rows.map((p) => (
        <tr>
          <td>{p.name}</td>
          <td>{p.type === 'tiered' ? (p.benefit === 'amount_off' ? '满减' : '满折') : '限时折扣'}</td>
          <td>{benefitText(p)}</td>
          <td>{stateLabels[p.status]}</td>
          <td>{time(p.starts_at)}</td>
          <td>{time(p.ends_at)}</td>
          <td>
            {p.status !== 'ended' && roleAllows(merchant.role, 'operator') && (
              <form method="post" action={`/admin/promotions/${p.id}/end`}>
                <button class="secondary" type="submit">
                  结束
                </button>
              </form>
            )}
          </td>
        </tr>
      ))}
    </tbody>
  </ListPage>
);

const TIERS = [1, 2, 3] as const;
const formFields = ['name', ...TIERS.flatMap((i) => [`threshold${i}`, `off${i}`]), 'starts_at', 'ends_at'];

const PromotionFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors };
  return (
    <CreateFormPage title="新建满减活动" merchant={merchant} action="/admin/promotions" errors={errors} listHref="/admin/promotions">
      <LabeledField name="name" label="名称" {...field} />
      {TIERS.map((i) => (
        <>
          <LabeledField name={`threshold${i}`} label={`第 ${i} 档：满（元）${i > 1 ? '，可不填' : ''}`} inputmode="decimal" {...field} />
          <LabeledField name={`off${i}`} label={`第 ${i} 档：减（元）`} inputmode="decimal" {...field} />
        </>
      ))}
      <TimeField name="starts_at" label={`开始时间（${timeZone}）`} {...field} />
      <TimeField name="ends_at" label={`结束时间（${timeZone}）`} {...field} />
    </CreateFormPage>
  );
};

const promotionForm: FormVocabulary = {
  fieldOf: (path) => {
    const tier = /^tiers\.(\d+)\.(threshold|value)$/.exec(path);
    return tier ? `${tier[2] === 'threshold' ? 'threshold' : 'off'}${Number(tier[1]) + 1}` : (path.split('.')[0] ?? 'name');
  },
  messages: { name: '请填写名称，最多 40 个字', 'tiers.threshold': '门槛必须逐档升高', 'tiers.value': '减免必须低于门槛，且高档不少于低档', tiers: '至少填写一档' },
  fallbackField: 'name',
};

function readPromotionForm(body: Record<string, unknown>, timeZone: string) {
  const values = readFormValues(body, formFields);
  const errors: FieldErrors = {};
  const read = fieldReader(values, errors);
  const tiers = TIERS.filter((i) => i === 1 || values[`threshold${i}`]?.trim()).map((i) => ({ threshold: read.money(`threshold${i}`), value: read.money(`off${i}`) }));
  const input = {
    type: 'tiered' as const,
    name: values.name!.trim(),
    scope: { kind: 'all' as const },
    condition: 'amount' as const,
    benefit: 'amount_off' as const,
    tiers,
    starts_at: read.time('starts_at', timeZone),
    ends_at: read.time('ends_at', timeZone),
  };
  if (!input.name) errors.name = '请填写名称，最多 40 个字';
  return { values, errors, input: Object.keys(errors).length ? undefined : input };
}

const formPage = (c: PageContext, values: FormValues, errors: FieldErrors) => <PromotionFormPage merchant={c.var.merchant} values={values} errors={errors} timeZone={c.env.SHOP_TIME_ZONE} />;

export const promotionPages = adminSection('促销活动')
  .get('/', session('viewer'), validate('query', v.object({ done: v.optional(v.picklist(['created', 'ended'])) })), async (c) => {
    const { items } = await listPromotions(c.var.db, c.var.clock.now());
    return render(c, <PromotionListPage merchant={c.var.merchant} rows={items} time={shopTime(c)} notice={c.req.valid('query').done} />);
  })
  .get('/new', session('operator'), (c) => render(c, formPage(c, {}, {})))
  .post('/', sameOrigin, session('operator'), async (c) => {
    const form = readPromotionForm(await c.req.parseBody(), c.env.SHOP_TIME_ZONE);
    if (!form.input) return render(c, formPage(c, form.values, form.errors), 400);
    try {
      await createPromotion(catalogWriteContext(c), form.input);
      return c.redirect('/admin/promotions?done=created', 303);
    } catch (error) {
      if (isFormRefusal(error)) return render(c, formPage(c, form.values, refusedFields(promotionForm, error)), error.status);
      throw error;
    }
  })
  .post('/:id/end', sameOrigin, session('operator'), validate('param', v.object({ id: v.pipe(v.string(), v.regex(/^(pma|tdc)_[0-9a-z]{1,60}$/)) })), async (c) => {
    await endPromotion(catalogWriteContext(c), c.req.valid('param').id);
    return c.redirect('/admin/promotions?done=ended', 303);
  });
