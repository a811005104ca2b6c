// The coupons section (/admin/coupons, 优惠券): the list, the create form (whole-shop coupons with
// a relative validity; scopes, audiences and fixed dates through the JSON API), one template with
// its figures, and activate / pause / end. The form is read into the JSON API's body and checked by
// the same schema and service.
import * as v from 'valibot';
import { idOf, validate } from '../../../src/lib/validate';
import { templateStats } from '../../../src/services/coupons/stats';
import { catalogWriteContext } from '../../../src/services/catalog-admin';
import { changeTemplateStatus, createTemplate, findTemplate, listTemplates, templateView, type TemplateInput } from '../../../src/services/coupons/templates';
import { createTemplateBody } from '../coupons-schemas';
import { CouponDetailPage, CouponFormPage, CouponListPage, couponNotices } from './coupons-views';
import { fieldReader, isFormRefusal, readFormValues, refusedFields, schemaRefusal, type FieldErrors, type FormValues, type FormVocabulary } from './form-kit';
import { adminSection, cursorQuery, doneQuery, nextPageHref, PAGE_SIZE, render, sameOrigin, session, shopTime, type PageContext } from './section';

const param = validate('param', v.object({ id: idOf('cpt') }));
const actionParam = validate('param', v.object({ id: idOf('cpt'), action: v.picklist(['activate', 'pause', 'end']) }));

const formFields = ['name', 'kind', 'threshold', 'amount_off', 'percent_off', 'cap', 'total_quantity', 'per_shopper_limit', 'valid_days', 'claim_starts_at', 'claim_ends_at'] as const;

const couponForm: FormVocabulary = {
  fieldOf: (path) => ({ threshold_fen: 'threshold', amount_off_fen: 'amount_off', cap_fen: 'cap', 'validity.days': 'valid_days' })[path] ?? path.split('.')[0] ?? 'name',
  messages: {
    name: '请填写名称，最多 40 个字',
    threshold_fen: '请填写使用门槛',
    amount_off_fen: (m) => (m.includes('less than') ? '减免金额必须低于使用门槛' : '减免金额至少 0.01 元'),
    percent_off: '请输入 1–99 的整数',
    cap_fen: '最多减至少 0.01 元',
    total_quantity: '请输入正整数，或不填',
    per_shopper_limit: '请输入 1–99 的整数',
    'validity.days': '请输入 1–365 的整数',
    claim_ends_at: '结束领取必须晚于开始领取',
  },
  fallbackField: 'name',
};

function readCouponForm(body: Record<string, unknown>, timeZone: string): { values: FormValues; errors: FieldErrors; input?: TemplateInput } {
  const values = readFormValues(body, formFields);
  const errors: FieldErrors = {};
  const read = fieldReader(values, errors);
  const kind = values.kind as TemplateInput['kind'];
  const candidate = {
    name: values.name!,
    kind,
    threshold_fen: kind === 'no_threshold' ? undefined : (read.optionalMoney('threshold') ?? 0),
    amount_off_fen: kind === 'percent' ? undefined : read.optionalMoney('amount_off'),
    percent_off: kind === 'percent' ? read.optionalInteger('percent_off') : undefined,
    cap_fen: kind === 'percent' ? (read.optionalMoney('cap') ?? null) : undefined,
    scope: { kind: 'all' as const },
    total_quantity: read.optionalInteger('total_quantity') ?? null,
    per_shopper_limit: read.integer('per_shopper_limit'),
    claim_starts_at: read.time('claim_starts_at', timeZone),
    claim_ends_at: read.time('claim_ends_at', timeZone),
    validity: { kind: 'relative' as const, days: read.integer('valid_days') },
  };
  if (Object.keys(errors).length) return { values, errors };
  const parsed = v.safeParse(createTemplateBody, candidate);
  if (parsed.success) return { values, errors, input: parsed.output };
  return { values, errors: refusedFields(couponForm, schemaRefusal(parsed.issues)) };
}

const formPage = (c: PageContext, values: FormValues, errors: FieldErrors) => <CouponFormPage merchant={c.var.merchant} values={values} errors={errors} timeZone={c.env.SHOP_TIME_ZONE} />;

export const couponPages = adminSection('优惠券')
  .get('/', session('viewer'), cursorQuery, async (c) => {
    const page = await listTemplates(c.var.db, { cursor: c.req.valid('query').cursor, limit: PAGE_SIZE });
    return render(c, <CouponListPage merchant={c.var.merchant} rows={page.items} nextHref={nextPageHref('/admin/coupons', page.next_cursor)} time={shopTime(c)} />);
  })
  .get('/new', session('operator'), (c) => render(c, formPage(c, { kind: 'threshold', per_shopper_limit: '1', valid_days: '7' }, {})))
  .post('/', sameOrigin, session('operator'), async (c) => {
    const form = readCouponForm(await c.req.parseBody(), c.env.SHOP_TIME_ZONE);
    if (!form.input) return render(c, formPage(c, form.values, form.errors), 400);
    try {
      return c.redirect(`/admin/coupons/${await createTemplate(c.var.db, form.input, c.var.clock.now())}?done=created`, 303);
    } catch (error) {
      if (isFormRefusal(error)) return render(c, formPage(c, form.values, refusedFields(couponForm, error)), error.status);
      throw error;
    }
  })
  .get('/:id', session('viewer'), param, doneQuery(couponNotices), async (c) => {
    const { id } = c.req.valid('param');
    const [template, stats] = await Promise.all([findTemplate(c.var.db, id), templateStats(c.var.db, id)]);
    return render(c, <CouponDetailPage merchant={c.var.merchant} template={templateView(template)} stats={stats} time={shopTime(c)} notice={c.req.valid('query').done} />);
  })
  .post('/:id/:action', sameOrigin, session('operator'), actionParam, async (c) => {
    const { id, action } = c.req.valid('param');
    await changeTemplateStatus(catalogWriteContext(c), id, action);
    return c.redirect(`/admin/coupons/${id}?done=${action}`, 303);
  });
