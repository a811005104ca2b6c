// The loyalty section (/admin/loyalty, 会员积分): the shop's points and check-in settings and its
// level ladder at a glance, and one shopper's points — balance, journal, and a manual grant or
// deduction with a required reason (logged in the journal with the merchant who made it).
// Settings, levels, plans, tiers and points-mall items have their forms in loyalty-settings.tsx.
import type { FC } from 'hono/jsx';
import * as v from 'valibot';
import { ApiError } from '../../../src/lib/errors';
import { idOf, text, validate } from '../../../src/lib/validate';
import { levelView, listLevels } from '../../../src/services/loyalty/membership';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { adjustPointsByMerchant, pointsLedgerPage, pointsView } from '../../../src/services/loyalty/points';
import { getLoyaltySettings, loyaltySettingsView } from '../../../src/services/loyalty/settings';
import { type FieldErrors, type FormValues, LabeledField, readFormValues, RefusedNotice } from './form-kit';
import { Layout, Notice, TableHead } from './layout';
import { SectionLinks } from './loyalty-settings';
import { adminSection, doneQuery, render, sameOrigin, session, shopTime, type FormatTime, type PageContext } from './section';

const shopperParam = validate('param', v.object({ id: idOf('usr') }));
const lookupQuery = validate('query', v.object({ id: v.optional(v.pipe(v.string(), v.trim())) }));
const notices = { adjusted: '积分已调整，并已记入流水。' };

const adjustmentForm = v.object({
  points: v.pipe(v.string(), v.trim(), v.regex(/^-?[1-9]\d{0,8}$/), v.transform(Number)),
  reason: text(80),
});
const adjustmentMessages: Record<string, string> = { points: '请填写非零整数：正数为赠送，负数为扣减', reason: '请填写原因，最多 80 个字' };

const sourceLabels: Record<string, string> = { order: '订单', check_in: '签到', review: '评价', merchant_grant: '商家调整', exchange: '积分兑换', expiry: '过期', reversal: '退款冲正' };

export const loyaltyPages = adminSection('会员积分')
  .get('/', session('viewer'), lookupQuery, async (c) => {
    const id = c.req.valid('query').id;
    if (id) return c.redirect(`/admin/loyalty/shoppers/${encodeURIComponent(id)}`, 303);
    const [settings, levels] = await Promise.all([getLoyaltySettings(c.var.db), listLevels(c.var.db)]);
    return render(c, <OverviewPage merchant={c.var.merchant} settings={loyaltySettingsView(settings)} levels={levels.map(levelView)} />);
  })
  .get('/shoppers/:id', session('viewer'), shopperParam, doneQuery(notices), async (c) => render(c, await shopperPage(c, c.req.valid('param').id, {}, {}, c.req.valid('query').done)))
  .post('/shoppers/:id/points', sameOrigin, session('operator'), shopperParam, async (c) => {
    const userId = c.req.valid('param').id;
    const values = readFormValues(await c.req.parseBody(), ['points', 'reason']);
    const parsed = v.safeParse(adjustmentForm, values);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.issues) {
        const field = String(issue.path?.[0]?.key ?? 'points');
        errors[field] = adjustmentMessages[field] ?? adjustmentMessages.points!;
      }
      return render(c, await shopperPage(c, userId, values, errors), 400);
    }
    try {
      await adjustPointsByMerchant(c.var.db, {
        userId,
        points: parsed.output.points,
        reason: parsed.output.reason,
        merchantId: c.var.merchant.id,
        now: c.var.clock.now(),
        timeZone: c.env.SHOP_TIME_ZONE,
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) throw error;
      const message = error.code === 'points_debt_outstanding' ? '该顾客有退款欠分，须先由新积分抵清，暂不能扣减' : '该顾客的可用积分不足，没有扣减';
      return render(c, await shopperPage(c, userId, values, { points: message }), 422);
    }
    return c.redirect(`/admin/loyalty/shoppers/${userId}?done=adjusted`, 303);
  });

async function shopperPage(c: PageContext, userId: string, values: FormValues, errors: FieldErrors, done?: keyof typeof notices) {
  const [points, ledger] = await Promise.all([pointsView(c.var.db, userId, c.var.clock.now()), pointsLedgerPage(c.var.db, userId, { limit: 50 })]);
  return <ShopperPage merchant={c.var.merchant} userId={userId} points={points} entries={ledger.items} values={values} errors={errors} notice={done && notices[done]} time={shopTime(c)} />;
}

const OverviewPage: FC<{ merchant: MerchantPrincipal; settings: ReturnType<typeof loyaltySettingsView>; levels: ReturnType<typeof levelView>[] }> = ({ merchant, settings, levels }) => (
  <Layout title="会员积分" merchant={merchant}>
    <form method="get" action="/admin/loyalty">
      <label>
        顾客 ID
        <input type="text" name="id" placeholder="usr_…" aria-label="顾客 ID" />
      </label>
      <button type="submit">查看积分</button>
    </form>
    <SectionLinks />
    <h2>积分规则</h2>
    <table>
      <tbody>
        <tr>
          <th>积分有效期</th>
          <td>{settings.points_expiry_mode === 'rolling_months' ? `获得后 ${settings.points_expiry_months} 个月` : '次年年底'}</td>
        </tr>
        <tr>
          <th>消费得积分</th>
          <td>
            每实付 1 元得 {settings.earn_points_per_yuan} 分；售后期 {settings.after_sales_days} 天后可用
          </td>
        </tr>
        <tr>
          <th>积分抵现</th>
          <td>
            {settings.redeem_points_per_yuan} 分抵 1 元，最多抵商品金额的 {settings.redeem_max_goods_percent}%{settings.redeem_shipping ? '，可抵运费' : ''}
          </td>
        </tr>
        <tr>
          <th>签到</th>
          <td>
            每次 {settings.check_in_base_points} 分，{settings.check_in_cycle === 'weekly' ? '按周' : '按月'}重置；每月补签 {settings.check_in_make_ups_per_month} 次
          </td>
        </tr>
      </tbody>
    </table>
    <h2>会员等级</h2>
    <table>
      <TableHead columns={['等级', '名称', { num: '成长值门槛' }, '权益']} />
      <tbody>
        {levels.map((l) => (
          <tr>
            <td>{l.rank}</td>
            <td>{l.name}</td>
            <td class="num">{l.growth_threshold}</td>
            <td>
              {[
                l.benefits.member_price && '会员价',
                l.benefits.discount_bps > 0 && `${(10_000 - l.benefits.discount_bps) / 1000} 折`,
                l.benefits.free_shipping && '包邮',
                l.benefits.points_multiplier_bps !== 10_000 && `积分 ×${l.benefits.points_multiplier_bps / 10_000}`,
              ]
                .filter(Boolean)
                .join('、') || '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </Layout>
);

const ShopperPage: FC<{
  merchant: MerchantPrincipal;
  userId: string;
  points: Awaited<ReturnType<typeof pointsView>>;
  entries: Awaited<ReturnType<typeof pointsLedgerPage>>['items'];
  values: FormValues;
  errors: FieldErrors;
  notice?: string | undefined;
  time: FormatTime;
}> = ({ merchant, userId, points, entries, values, errors, notice, time }) => (
  <Layout title={`顾客积分 ${userId}`} merchant={merchant}>
    {notice && <Notice kind="ok">{notice}</Notice>}
    <p>
      可用 <strong>{points.balance}</strong> 分 · 冻结 {points.frozen} 分 · 30 天内过期 {points.expiring_within_30_days} 分{points.debt > 0 && ` · 欠分 ${points.debt}`}
    </p>
    {merchant.role !== 'viewer' && (
      <form method="post" action={`/admin/loyalty/shoppers/${userId}/points`}>
        <RefusedNotice errors={errors} />
        <LabeledField name="points" label="调整积分（负数为扣减）" values={values} errors={errors} inputmode="numeric" />
        <LabeledField name="reason" label="原因（必填）" values={values} errors={errors} />
        <button type="submit">确认调整</button>
      </form>
    )}
    <h2>积分流水</h2>
    <table>
      <TableHead columns={['时间', '来源', { num: '可用' }, { num: '冻结' }, { num: '欠分' }, '说明']} />
      <tbody>
        {entries.map((e) => (
          <tr>
            <td>{time(e.created_at)}</td>
            <td>{sourceLabels[e.source] ?? e.source}</td>
            <td class="num">{e.points}</td>
            <td class="num">{e.frozen_points}</td>
            <td class="num">{e.debt_points}</td>
            <td>{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Layout>
);
