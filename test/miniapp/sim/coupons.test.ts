// Coupons on the phone, rendered by miniprogram-simulate: the coupon centre (claim with an
// Idempotency-Key that a retry keeps), my coupons by tab with a redeem code, the checkout's
// coupon choice, and the 限时折扣 / 满减 badges of product cards. (Fixtures typed by the worker's
// answers; the flow against the real worker is test/miniapp/flows/coupon-flow.test.ts.)
import { describe, expect, it } from 'vitest';
import { couponChoice, type CouponChoiceChange } from '../../../miniapp/miniprogram/components/coupon-choice/component';
import { productRows } from '../../../miniapp/miniprogram/components/product-rows/component';
import type { CentreCoupon, HeldCoupon, ProductCard, QuoteCoupons } from '../../../miniapp/miniprogram/lib/api-types';
import { couponCentrePage } from '../../../miniapp/miniprogram/marketing/coupons/centre/page';
import { myCouponsPage } from '../../../miniapp/miniprogram/marketing/coupons/mine/page';
import { product } from './fixtures';
import { find, render, simulate, textOf } from './simulate';
import { answerRequests, apiError, ok, sent, settled, type Answer } from './wx-request';

const from = '2026-12-01T16:00:00.000Z'; // 2026-12-02 00:00 in Shanghai
const until = '2026-12-09T15:59:59.999Z';

/** 满100减20 over the whole shop, as both answers spell it. */
const manjian = { kind: 'threshold', threshold_fen: 10000, amount_off_fen: 2000, percent_off: null, cap_fen: null, scope: { kind: 'all' } } as const;

// The API's types are unions (by benefit kind, signed in or not): a fixture is one member of them.
const centreCoupon = (patch: Record<string, unknown>): CentreCoupon =>
  ({
    id: 'cpt_1',
    name: '满100减20',
    description: '',
    ...manjian,
    audience: 'everyone',
    min_member_level: null,
    total_quantity: 100,
    issued_count: 40,
    per_shopper_limit: 1,
    in_centre: true,
    claim_starts_at: from,
    claim_ends_at: until,
    validity: { kind: 'relative', days: 7 },
    status: 'active',
    created_at: from,
    updated_at: from,
    remaining: 60,
    claimed_count: 0,
    can_claim: true,
    refusal: null,
    ...patch,
  }) as CentreCoupon;

const held = (id: string, patch: Record<string, unknown> = {}): HeldCoupon =>
  ({
    id,
    template_id: 'cpt_1',
    name: '满100减20',
    ...manjian,
    status: 'unused',
    source: 'claim',
    valid_from: from,
    valid_until: until,
    order_id: null,
    saving_fen: null,
    used_at: null,
    created_at: from,
    ...patch,
  }) as HeldCoupon;

type Page = { onLoad(q?: object): Promise<boolean> | undefined; onShow(): Promise<boolean>; load(): Promise<boolean> };

describe('coupon centre', () => {
  it('shows each coupon with its benefit and state, and claims with a key a retry keeps', async () => {
    let answer: Answer = 'offline';
    let centre = [
      centreCoupon({}),
      centreCoupon({
        id: 'cpt_2',
        name: '9折券',
        kind: 'percent',
        threshold_fen: 0,
        amount_off_fen: null,
        percent_off: 10,
        cap_fen: 1000,
        remaining: null,
        validity: { kind: 'fixed', valid_from: from, valid_until: until },
      }),
      centreCoupon({ id: 'cpt_3', name: '抢光了', remaining: 0, can_claim: false, refusal: 'coupon_sold_out' }),
    ];
    const calls = answerRequests((method) => {
      if (method === 'GET') return ok({ items: centre, next_cursor: null });
      return answer;
    });
    const page = render('marketing/coupons/centre', couponCentrePage);
    await (page.instance as unknown as Page).onLoad();
    await settled();
    const cards = page.querySelectorAll('.coupon-card');
    expect(cards.map((c) => c.dom.textContent!.replace(/\s+/g, ''))).toEqual([
      '¥20满100减20满100元可用领取后7天内有效剩余60张立即领取',
      '9折9折券无门槛，最多减10元2026.12.02–2026.12.09立即领取',
      '¥20抢光了满100元可用领取后7天内有效剩余0张已抢光',
    ]);
    const claimButton = () => find(page, '.coupon-card .claim');

    // The answer is lost: a toast, and the same key goes out again on the next tap.
    claimButton().dispatchEvent('tap');
    await settled();
    const firstKey = sent[calls.findIndex((c) => c.method === 'POST')]!.header['Idempotency-Key'];
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/coupons/cpt_1/claim', body: undefined }]);
    expect(firstKey).toMatch(/^mp-/);
    answer = { status: 201, body: held('cpn_1') };
    centre = [centreCoupon({ claimed_count: 1, can_claim: false, refusal: 'claim_limit' }), ...centre.slice(1)];
    const claimed = await (page.instance as unknown as { onClaim(e: object): Promise<boolean> }).onClaim({ currentTarget: { dataset: { id: 'cpt_1' } } });
    expect(claimed).toBe(true);
    const claims = sent.filter((_, i) => calls[i]!.method === 'POST');
    expect(claims.map((c) => c.header['Idempotency-Key'])).toEqual([firstKey, firstKey]);
    await settled();
    expect(textOf(page, '.coupon-card .claim')).toBe('已领取');
    // A coupon that cannot be claimed sends nothing.
    const before = calls.length;
    expect(await (page.instance as unknown as { onClaim(e: object): Promise<boolean> }).onClaim({ currentTarget: { dataset: { id: 'cpt_3' } } })).toBe(false);
    expect(calls).toHaveLength(before);
  });

  it('reads a refusal as a sentence and starts a new attempt after it', async () => {
    answerRequests((method) => (method === 'GET' ? ok({ items: [centreCoupon({})], next_cursor: null }) : apiError(409, 'coupon_sold_out')));
    const toasts: string[] = [];
    (globalThis as unknown as { wx: Record<string, unknown> }).wx.showToast = (o: { title: string }) => toasts.push(o.title);
    const page = render('marketing/coupons/centre', couponCentrePage);
    const instance = page.instance as unknown as Page & { onClaim(e: object): Promise<boolean>; data: { claimKeys: object } };
    await instance.onLoad();
    expect(await instance.onClaim({ currentTarget: { dataset: { id: 'cpt_1' } } })).toBe(false);
    expect(toasts.at(-1)).toBe('优惠券已领完');
    expect(instance.data.claimKeys).toEqual({});
  });
});

describe('my coupons', () => {
  it('lists a tab, switches tabs, pages on, and redeems a code into the unused tab', async () => {
    const byTab: Record<string, { items: HeldCoupon[]; next_cursor: string | null }> = {
      unused: { items: [held('cpn_1')], next_cursor: 'c2' },
      used: { items: [held('cpn_9', { status: 'used', saving_fen: 2000 })], next_cursor: null },
    };
    const calls = answerRequests((method, path, body) => {
      if (method === 'POST' && path === '/coupons/redeem') {
        if ((body as { code: string }).code !== 'GOOD2026') return apiError(422, 'code_invalid');
        byTab.unused = { items: [held('cpn_new', { name: '兑换券', source: 'code' }), held('cpn_1')], next_cursor: null };
        return { status: 201, body: held('cpn_new') };
      }
      const query = sent.at(-1)!.query;
      if (query.cursor === 'c2') return ok({ items: [held('cpn_2', { name: '第二页' })], next_cursor: null });
      return ok(byTab[query.status!] ?? { items: [], next_cursor: null });
    });
    const page = render('marketing/coupons/mine', myCouponsPage);
    const instance = page.instance as unknown as Page & {
      onReachBottom(): Promise<void>;
      onCodeInput(e: object): void;
      onRedeem(): Promise<boolean>;
      data: { coupons: { id: string }[]; tab: string };
    };
    instance.onLoad({});
    await instance.onShow();
    await settled();
    expect(page.querySelectorAll('.tab').map((t) => t.dom.textContent)).toEqual(['未使用', '已使用', '已过期']);
    expect(textOf(page, '.coupon-card')).toMatch(/¥20\s*满100减20\s*满100元可用\s*2026.12.02–2026.12.09\s*去使用/);
    await instance.onReachBottom();
    expect(instance.data.coupons.map((c) => c.id)).toEqual(['cpn_1', 'cpn_2']);

    page.querySelectorAll('.tab')[1]!.dispatchEvent('tap');
    await settled();
    expect(sent.at(-1)!.query).toMatchObject({ status: 'used' });
    expect(instance.data.coupons.map((c) => c.id)).toEqual(['cpn_9']);
    expect(page.querySelectorAll('.coupon-card.spent')).toHaveLength(1);
    page.querySelectorAll('.tab')[2]!.dispatchEvent('tap');
    await settled();
    expect(textOf(page, '.state-empty')).toBe('这里还没有优惠券');

    expect(await instance.onRedeem()).toBe(false); // nothing typed: nothing sent
    expect(calls.some((c) => c.path === '/coupons/redeem')).toBe(false);
    instance.onCodeInput({ detail: { value: ' BAD ' } });
    expect(await instance.onRedeem()).toBe(false);
    expect(calls.at(-1)).toEqual({ method: 'POST', path: '/coupons/redeem', body: { code: 'BAD' } });
    instance.onCodeInput({ detail: { value: 'GOOD2026' } });
    expect(await instance.onRedeem()).toBe(true);
    expect(instance.data.tab).toBe('unused');
    expect(instance.data.coupons.map((c) => c.id)).toEqual(['cpn_new', 'cpn_1']);
  });
});

describe('coupon choice at checkout', () => {
  const coupons: QuoteCoupons = {
    coupon: { id: 'cpn_best', name: '满100减20', valid_from: from, valid_until: until, saving_fen: 2000 },
    coupons: {
      usable: [
        { id: 'cpn_best', name: '满100减20', valid_from: from, valid_until: until, saving_fen: 2000 },
        { id: 'cpn_small', name: '无门槛5元', valid_from: from, valid_until: until, saving_fen: 500 },
      ],
      unusable: [
        { id: 'cpn_high', name: '满500减80', valid_from: from, valid_until: until, reason: 'below_threshold' },
        { id: 'cpn_else', name: '家电券', valid_from: from, valid_until: until, reason: 'out_of_scope' },
      ],
    },
  };

  it('shows the chosen saving, lists usable and unusable coupons with reasons, and sends a pick up', async () => {
    const comp = render('components/coupon-choice', couponChoice, coupons);
    const changes: CouponChoiceChange[] = [];
    comp.addEventListener('change', (event) => changes.push(event.detail));
    expect(textOf(comp, '.coupon-summary')).toBe('-¥20.00 ›');
    find(comp, '.coupon-row').dispatchEvent('tap');
    await simulate.sleep(0);
    expect(comp.querySelectorAll('.coupon-option').map((o) => o.dom.textContent!.replace(/\s+/g, ''))).toEqual(['满100减202026.12.02–2026.12.09-¥20.00', '无门槛5元2026.12.02–2026.12.09-¥5.00']);
    expect(comp.querySelectorAll('.coupon-option.chosen')).toHaveLength(1);
    expect(comp.querySelectorAll('.coupon-unusable').map((o) => o.dom.textContent!.replace(/\s+/g, ''))).toEqual(['满500减80未达到使用门槛', '家电券所选商品不可用']);

    comp.querySelectorAll('.coupon-option')[0]!.dispatchEvent('tap'); // the one already chosen: nothing to re-quote
    await simulate.sleep(0);
    expect(changes).toEqual([]);
    find(comp, '.coupon-row').dispatchEvent('tap');
    await simulate.sleep(0);
    comp.querySelectorAll('.coupon-option')[1]!.dispatchEvent('tap');
    await simulate.sleep(0);
    find(comp, '.coupon-row').dispatchEvent('tap');
    await simulate.sleep(0);
    find(comp, '.coupon-none').dispatchEvent('tap');
    await simulate.sleep(0);
    expect(changes).toEqual([{ couponId: 'cpn_small' }, { couponId: null }]);
    expect(comp.querySelector('.coupon-sheet')).toBeUndefined();
  });

  it('says how many can be used when none is chosen, and when none can', async () => {
    const noneChosen = render('components/coupon-choice', couponChoice, { ...coupons, coupon: null });
    expect(textOf(noneChosen, '.coupon-summary')).toBe('2张可用 ›');
    const empty = render('components/coupon-choice', couponChoice, { coupon: null, coupons: { usable: [], unusable: coupons.coupons.unusable } });
    expect(textOf(empty, '.coupon-summary')).toBe('无可用优惠券 ›');
  });
});

describe('promotion badges', () => {
  it('cards show the 限时折扣 price, the 满减 tiers they take part in and the centre’s coupons for them', async () => {
    const card = (id: string, patch: Partial<ProductCard>): ProductCard => ({
      id,
      category_id: product.category_id,
      title: product.title,
      subtitle: product.subtitle,
      main_image_url: product.main_image_url,
      price_fen: 10000,
      max_price_fen: 10000,
      original_price_fen: 10000,
      on_sale: false,
      sales_count: 0,
      stock_status: 'in_stock',
      status: 'published',
      promotion: null,
      offers: [],
      coupons: [],
      ...patch,
    });
    const rows = render('components/product-rows', productRows, {
      products: [
        card('prd_1', {
          promotion: { price_fen: 8000, ends_at: until },
          offers: [{ id: 'pma_1', name: '满减', tiers: ['满100减10', '满200减30'], ends_at: until }],
          coupons: [{ template_id: 'cpt_1', name: '满100减20', label: '满100减20' }],
        }),
        card('prd_2', {}),
      ],
    });
    expect(textOf(rows, '.product-row .timed-badge')).toBe('限时价 ¥80.00');
    expect(textOf(rows, '.product-row .offer-badge')).toBe('满100减10 满200减30');
    expect(textOf(rows, '.product-row .coupon-badge')).toBe('券 满100减20');
    expect(rows.querySelectorAll('.product-row')[1]!.querySelector('.promo-badges')).toBeUndefined();
  });
});
