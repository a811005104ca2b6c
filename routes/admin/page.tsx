// The merchant admin page under /admin: server-rendered forms over the same services as the JSON
// API. The session is a cookie, so besides SameSite=Strict every POST must come from our origin.
import { inArray } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { products } from '../../src/db/catalog';
import type { MerchantRole } from '../../src/db/merchants';
import { checkSkusAgainstSpecs } from '../../src/domain/catalog';
import { orderStatuses } from '../../src/domain/order-state';
import { MAX_QUERY_LENGTH } from '../../src/domain/search';
import type { AppEnv } from '../../src/env';
import { clientAddress, INTERNAL_CLIENT } from '../../src/lib/client-address';
import { ApiError, forbidden, invalidInput } from '../../src/lib/errors';
import { formatFenAsYuan, parseYuanToFen } from '../../src/lib/money';
import { errorFields, logEvent } from '../../src/lib/log';
import { rateLimit } from '../../src/lib/rate-limit';
import { idOf, MAX_FEN, pageQuery, validate } from '../../src/lib/validate';
import { listProductsForAdmin, productDetail, searchProducts, type ProductCard } from '../../src/services/catalog';
import { adjustStock, catalogWriteContext, setProductPublished, updateProduct, updateSku, type SkuPatch } from '../../src/services/catalog-admin';
import {
  ADMIN_SESSION_COOKIE,
  assertRole,
  loginMerchant,
  MERCHANT_TOKEN_TTL_SECONDS,
  merchantFromRequest,
  type MerchantPrincipal,
} from '../../src/services/merchant-auth';
import { bargainForAdmin, cancelBargainCampaign, createBargainCampaign, listBargainsForAdmin } from '../../src/services/bargain-campaigns';
import { cancelFlashSale, createFlashSale, flashSaleForAdmin, listFlashSalesForAdmin } from '../../src/services/flash-sales';
import { decideRefund, findOrder, listOrders, orderView, shipOrder } from '../../src/services/orders';
import type { OrderRow } from '../../src/services/order-transitions';
import {
  ErrorPage,
  LoginPage,
  ProductEditPage,
  ProductListPage,
  skuField,
  type FieldErrors,
  type FormValues,
  type ProductForEdit,
} from './page-views';
import { OrderDetailPage, OrderListPage, orderNotices, type ActionForm, type MerchantOrderView, type OrderAction } from './page-orders';
import {
  emptyFlashSaleForm,
  FlashSaleDetailPage,
  FlashSaleFormPage,
  flashSaleFormErrors,
  FlashSaleListPage,
  flashSaleNotices,
  readFlashSaleForm,
} from './page-flash-sales';
import { bargainFormErrors, BargainDetailPage, BargainFormPage, BargainListPage, bargainNotices, emptyBargainForm, readBargainForm } from './page-bargains';
import { emptyGroupBuyForm, GroupBuyDetailPage, GroupBuyFormPage, groupBuyFormErrors, GroupBuyListPage, groupBuyNotices, readGroupBuyForm } from './group-buys-page';
import { cancelGroupBuy, createGroupBuy, groupBuyForAdmin, listGroupBuysForAdmin } from '../../src/services/group-buys';
import { roomsOfCampaign } from '../../src/services/group-buy-rooms';
import { createProductBody, loginBody } from './schemas';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const PAGE_SIZE = 20;
const MAX_STOCK = 10_000_000;
const STOCK_EDIT_REASON = 'admin page edit';

type PageContext = Context<AppEnv>;

function render(c: PageContext, page: HtmlEscapedString | Promise<HtmlEscapedString>, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}) {
  c.header('Content-Security-Policy', CSP);
  // Pages show one merchant's view of live data: never store them anywhere.
  c.header('Cache-Control', 'no-store');
  return c.html(html`<!DOCTYPE html>${page}`, status, headers);
}

/**
 * Chromium keeps Secure cookies from http://localhost and http://127.0.0.1 (both count as secure
 * contexts), so the local worker can use the production cookie unchanged.
 */
const sessionCookie = { httpOnly: true, secure: true, sameSite: 'Strict', path: '/admin' } as const;

/** The browser sends the session cookie with any request to /admin, so a POST must prove it comes from our own pages. */
const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const source = c.req.header('Origin') ?? c.req.header('Referer');
  if (!source || originOf(source) !== new URL(c.req.url).origin) {
    throw forbidden('This form was not sent from this site.');
  }
  await next();
});

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null; // "null" (sandboxed or privacy-sensitive contexts) and garbage are never our origin
  }
}

/** The signed-in merchant, with at least the `needed` role; without a valid session, off to the login form. */
const session = (needed: MerchantRole) =>
  createMiddleware<AppEnv>(async (c, next) => {
    let merchant: MerchantPrincipal;
    try {
      merchant = await merchantFromRequest(c, 'cookie');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return c.redirect('/admin/login', 303);
      throw error;
    }
    assertRole(merchant, needed);
    c.set('merchant', merchant);
    await next();
  });

const productParam = validate('param', v.object({ id: idOf('prd') }));

const listQuery = validate(
  'query',
  v.object({
    q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(MAX_QUERY_LENGTH, `must have at most ${MAX_QUERY_LENGTH} characters`))),
    status: v.optional(v.picklist(['', 'draft', 'published'], 'must be draft or published')),
    cursor: pageQuery.cursor,
  }),
);

const writeContext = catalogWriteContext;

const orderParam = validate('param', v.object({ id: idOf('ord') }));

const orderListQuery = validate(
  'query',
  v.object({
    status: v.optional(v.picklist(['', ...orderStatuses], '不是有效的订单状态')),
    cursor: pageQuery.cursor,
  }),
);

const orderDetailQuery = validate('query', v.object({ done: v.optional(v.picklist(Object.keys(orderNotices) as (keyof typeof orderNotices)[])) }));

// The same limits as the JSON API's bodies (routes/admin/orders.ts), with messages for people.
const note = v.pipe(v.string(), v.trim(), v.maxLength(200, '最多 200 个字'));
const actionForms = {
  ship: v.object({
    carrier: v.pipe(v.string(), v.trim(), v.minLength(1, '请填写承运商'), v.maxLength(32, '最多 32 个字')),
    tracking_no: v.pipe(v.string(), v.trim(), v.minLength(1, '请填写运单号'), v.maxLength(40, '最多 40 个字符'), v.regex(/^[A-Za-z0-9-]+$/, '运单号只能包含字母、数字和 -')),
  }),
  approve: v.object({ note }),
  reject: v.object({ note: v.pipe(note, v.minLength(1, '请填写拒绝理由')) }),
} satisfies Record<OrderAction, v.GenericSchema>;

const merchantActor = (c: PageContext) => ({ type: 'merchant' as const, id: c.var.merchant.id });

const flashSaleParam = validate('param', v.object({ id: idOf('fls') }));
const flashSaleListQuery = validate('query', v.object({ cursor: pageQuery.cursor }));
const flashSaleDetailQuery = validate('query', v.object({ done: v.optional(v.picklist(Object.keys(flashSaleNotices) as (keyof typeof flashSaleNotices)[])) }));
const bargainParam = validate('param', v.object({ id: idOf('bgn') }));
const bargainListQuery = validate('query', v.object({ cursor: pageQuery.cursor }));
const bargainDetailQuery = validate('query', v.object({ done: v.optional(v.picklist(Object.keys(bargainNotices) as (keyof typeof bargainNotices)[])) }));

const groupBuyParam = validate('param', v.object({ id: idOf('gbc') }));
const groupBuyDetailQuery = validate('query', v.object({ done: v.optional(v.picklist(Object.keys(groupBuyNotices) as (keyof typeof groupBuyNotices)[])) }));

export const adminPageRoutes = new Hono<AppEnv>()
  .get('/', (c) => c.redirect('/admin/products', 303))
  .get('/login', (c) => render(c, <LoginPage />))
  .post('/login', rateLimit('merchant_login', '登录尝试过于频繁，请稍后再试。'), sameOrigin, async (c) => {
    const form = await c.req.parseBody();
    const username = typeof form.username === 'string' ? form.username : '';
    try {
      const credentials = v.safeParse(loginBody, { username, password: form.password });
      if (!credentials.success) throw invalidInput([], '请输入用户名和密码。');
      const client = clientAddress(c.req.header('CF-Connecting-IP')) ?? INTERNAL_CLIENT;
      const { token } = await loginMerchant(c.var.db, c.env, { ...credentials.output, client }, c.var.clock.now());
      setCookie(c, ADMIN_SESSION_COOKIE, token, { ...sessionCookie, maxAge: MERCHANT_TOKEN_TTL_SECONDS });
      return c.redirect('/admin/products', 303);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return render(c, <LoginPage username={username} error={error.message} />, error.status, error.headers);
    }
  })
  .post('/logout', sameOrigin, (c) => {
    deleteCookie(c, ADMIN_SESSION_COOKIE, sessionCookie);
    return c.redirect('/admin/login', 303);
  })
  .get('/products', session('viewer'), listQuery, async (c) => {
    const { q = '', status = '', cursor } = c.req.valid('query');
    const filter = { status: status || undefined, cursor, limit: PAGE_SIZE };
    const page = q ? await searchProducts(c.var.db, q, filter) : await listProductsForAdmin(c.var.db, filter);
    const rows = await withStockAndUpdated(c, page.items);
    const nextHref = page.next_cursor ? `/admin/products?${new URLSearchParams({ q, status, cursor: page.next_cursor })}` : null;
    return render(c, <ProductListPage merchant={c.var.merchant} q={q} status={status} rows={rows} nextHref={nextHref} />);
  })
  .get('/products/:id', session('viewer'), productParam, async (c) => {
    const product = await productDetail(c.var.db, c.req.valid('param').id, { includeDrafts: true });
    const saved = c.req.query('saved') !== undefined;
    return render(c, <ProductEditPage merchant={c.var.merchant} product={product} values={storedValues(product)} errors={{}} saved={saved} />);
  })
  .post('/products/:id', sameOrigin, session('operator'), productParam, async (c) => {
    const { id } = c.req.valid('param');
    const product = await productDetail(c.var.db, id, { includeDrafts: true });
    const values = submittedValues(product, await c.req.parseBody());
    const { errors, plan } = planEdit(product, values);
    if (Object.keys(errors).length) {
      return render(c, <ProductEditPage merchant={c.var.merchant} product={product} values={values} errors={errors} saved={false} />, 400);
    }
    await applyEdit(writeContext(c), id, plan);
    return c.redirect(`/admin/products/${id}?saved=1`, 303);
  })
  .post('/products/:id/:action{publish|unpublish}', sameOrigin, session('operator'), productParam, async (c) => {
    const { id } = c.req.valid('param');
    await setProductPublished(writeContext(c), id, c.req.param('action') === 'publish');
    return c.redirect(`/admin/products/${id}?saved=1`, 303);
  })
  .get('/orders', session('viewer'), orderListQuery, async (c) => {
    const { status = '', cursor } = c.req.valid('query');
    const page = await listOrders(c.var.db, { status: status || undefined, cursor, limit: PAGE_SIZE });
    const nextHref = page.next_cursor ? `/admin/orders?${new URLSearchParams({ status, cursor: page.next_cursor })}` : null;
    return render(c, <OrderListPage merchant={c.var.merchant} status={status} rows={page.items} nextHref={nextHref} time={shopTime(c)} />);
  })
  .get('/orders/:id', session('viewer'), orderParam, orderDetailQuery, async (c) => {
    const order = await merchantOrderView(c, await findOrder(c.var.db, c.req.valid('param').id));
    return render(c, <OrderDetailPage merchant={c.var.merchant} order={order} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />);
  })
  .post('/orders/:id/ship', sameOrigin, session('operator'), orderParam, async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    const form = await readActionForm(c, 'ship');
    if (!form.success) return renderRefusedForm(c, order, form.failed);
    await shipOrder(c.var.db, order, merchantActor(c), form.output, c.var.clock.now());
    return c.redirect(`/admin/orders/${order.id}?done=shipped`, 303);
  })
  .post('/orders/:id/refund/:decision{approve|reject}', sameOrigin, session('operator'), orderParam, async (c) => {
    const order = await findOrder(c.var.db, c.req.valid('param').id);
    const decision = c.req.param('decision') === 'approve' ? 'approve' : 'reject';
    const form = await readActionForm(c, decision);
    if (!form.success) return renderRefusedForm(c, order, form.failed);
    await decideRefund(c.var.db, order, merchantActor(c), decision, form.output.note, c.var.clock.now());
    return c.redirect(`/admin/orders/${order.id}?done=${decision === 'approve' ? 'refund_approved' : 'refund_rejected'}`, 303);
  })
  .get('/flash-sales', session('viewer'), flashSaleListQuery, async (c) => {
    const page = await listFlashSalesForAdmin(c.var.db, { cursor: c.req.valid('query').cursor, limit: PAGE_SIZE, now: c.var.clock.now() });
    const nextHref = page.next_cursor ? `/admin/flash-sales?${new URLSearchParams({ cursor: page.next_cursor })}` : null;
    return render(c, <FlashSaleListPage merchant={c.var.merchant} rows={page.items} nextHref={nextHref} time={shopTime(c)} />);
  })
  // Before /flash-sales/:id, which would read "new" as a (bad) id.
  .get('/flash-sales/new', session('operator'), (c) =>
    render(c, <FlashSaleFormPage merchant={c.var.merchant} values={emptyFlashSaleForm()} errors={{}} timeZone={c.env.SHOP_TIME_ZONE} />),
  )
  .post('/flash-sales', sameOrigin, session('operator'), async (c) => {
    const form = readFlashSaleForm(await c.req.parseBody(), c.env.SHOP_TIME_ZONE);
    const refused = (errors: typeof form.errors, status: ContentfulStatusCode) =>
      render(c, <FlashSaleFormPage merchant={c.var.merchant} values={form.values} errors={errors} timeZone={c.env.SHOP_TIME_ZONE} />, status);
    if (!form.input) return refused(form.errors, 400);
    try {
      const { id, configured } = await createFlashSale(c.env, writeContext(c), form.input);
      return c.redirect(`/admin/flash-sales/${id}?done=${configured ? 'created' : 'created_pending'}`, 303);
    } catch (error) {
      if (error instanceof ApiError && [400, 409, 422].includes(error.status)) return refused(flashSaleFormErrors(error, form.rowOf), error.status);
      throw error;
    }
  })
  .get('/flash-sales/:id', session('viewer'), flashSaleParam, flashSaleDetailQuery, async (c) => {
    const sale = await flashSaleForAdmin(c.env, c.var.db, c.req.valid('param').id, c.var.clock.now(), { live: true });
    return render(c, <FlashSaleDetailPage merchant={c.var.merchant} sale={sale} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />);
  })
  .post('/flash-sales/:id/cancel', sameOrigin, session('operator'), flashSaleParam, async (c) => {
    const { id } = c.req.valid('param');
    await cancelFlashSale(c.env, writeContext(c), id);
    return c.redirect(`/admin/flash-sales/${id}?done=cancelled`, 303);
  })
  .get('/bargains', session('viewer'), bargainListQuery, async (c) => {
    const page = await listBargainsForAdmin(c.var.db, { cursor: c.req.valid('query').cursor, limit: PAGE_SIZE, now: c.var.clock.now() });
    const nextHref = page.next_cursor ? `/admin/bargains?${new URLSearchParams({ cursor: page.next_cursor })}` : null;
    return render(c, <BargainListPage merchant={c.var.merchant} rows={page.items} nextHref={nextHref} time={shopTime(c)} />);
  })
  // Before /bargains/:id, which would read "new" as a (bad) id.
  .get('/bargains/new', session('operator'), (c) => render(c, <BargainFormPage merchant={c.var.merchant} values={emptyBargainForm()} errors={{}} timeZone={c.env.SHOP_TIME_ZONE} />))
  .post('/bargains', sameOrigin, session('operator'), async (c) => {
    const form = readBargainForm(await c.req.parseBody(), c.env.SHOP_TIME_ZONE);
    const refused = (errors: typeof form.errors, status: ContentfulStatusCode) =>
      render(c, <BargainFormPage merchant={c.var.merchant} values={form.values} errors={errors} timeZone={c.env.SHOP_TIME_ZONE} />, status);
    if (!form.input) return refused(form.errors, 400);
    try {
      const id = await createBargainCampaign(writeContext(c), form.input);
      return c.redirect(`/admin/bargains/${id}?done=created`, 303);
    } catch (error) {
      if (error instanceof ApiError && [400, 409, 422].includes(error.status)) return refused(bargainFormErrors(error), error.status);
      throw error;
    }
  })
  .get('/bargains/:id', session('viewer'), bargainParam, bargainDetailQuery, async (c) => {
    const bargain = await bargainForAdmin(c.var.db, c.req.valid('param').id, c.var.clock.now());
    return render(c, <BargainDetailPage merchant={c.var.merchant} bargain={bargain} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />);
  })
  .post('/bargains/:id/cancel', sameOrigin, session('operator'), bargainParam, async (c) => {
    const { id } = c.req.valid('param');
    await cancelBargainCampaign(writeContext(c), id);
    return c.redirect(`/admin/bargains/${id}?done=cancelled`, 303);
  })
  .get('/group-buys', session('viewer'), flashSaleListQuery, async (c) => {
    const page = await listGroupBuysForAdmin(c.var.db, { cursor: c.req.valid('query').cursor, limit: PAGE_SIZE });
    const nextHref = page.next_cursor ? `/admin/group-buys?${new URLSearchParams({ cursor: page.next_cursor })}` : null;
    return render(c, <GroupBuyListPage merchant={c.var.merchant} rows={page.items} nextHref={nextHref} time={shopTime(c)} />);
  })
  // Before /group-buys/:id, which would read "new" as a (bad) id.
  .get('/group-buys/new', session('operator'), (c) => render(c, <GroupBuyFormPage merchant={c.var.merchant} values={emptyGroupBuyForm()} errors={{}} timeZone={c.env.SHOP_TIME_ZONE} />))
  .post('/group-buys', sameOrigin, session('operator'), async (c) => {
    const form = readGroupBuyForm(await c.req.parseBody(), c.env.SHOP_TIME_ZONE);
    const refused = (errors: typeof form.errors, status: ContentfulStatusCode) =>
      render(c, <GroupBuyFormPage merchant={c.var.merchant} values={form.values} errors={errors} timeZone={c.env.SHOP_TIME_ZONE} />, status);
    if (!form.input) return refused(form.errors, 400);
    try {
      const id = await createGroupBuy(writeContext(c), form.input);
      return c.redirect(`/admin/group-buys/${id}?done=created`, 303);
    } catch (error) {
      if (error instanceof ApiError && [400, 409, 422].includes(error.status)) return refused(groupBuyFormErrors(error), error.status);
      throw error;
    }
  })
  .get('/group-buys/:id', session('viewer'), groupBuyParam, groupBuyDetailQuery, async (c) => {
    const { id } = c.req.valid('param');
    const [campaign, rooms] = await Promise.all([groupBuyForAdmin(c.var.db, id, c.var.clock.now()), roomsOfCampaign(c.var.db, id)]);
    return render(c, <GroupBuyDetailPage merchant={c.var.merchant} campaign={campaign} rooms={rooms} time={shopTime(c, 'medium')} notice={c.req.valid('query').done} />);
  })
  .post('/group-buys/:id/cancel', sameOrigin, session('operator'), groupBuyParam, async (c) => {
    const { id } = c.req.valid('param');
    await cancelGroupBuy(writeContext(c), id);
    return c.redirect(`/admin/group-buys/${id}?done=cancelled`, 303);
  })
  // Mounted on the app, this handles only the page's own routes; the JSON API keeps JSON errors.
  .onError((error, c) => {
    if (!(error instanceof ApiError)) logEvent('error', 'admin page error', { method: c.req.method, path: c.req.path, error: errorFields(error) });
    const { status, message, headers } = error instanceof ApiError ? error : { status: 500 as const, message: '服务器出错了，请稍后再试。', headers: {} };
    return render(c, <ErrorPage message={message} merchant={c.get('merchant') as MerchantPrincipal | undefined} />, status, headers);
  });

/** Adds total stock and last edit time, which the shared product card does not carry, in one read for the page. */
async function withStockAndUpdated(c: PageContext, cards: ProductCard[]) {
  if (cards.length === 0) return [];
  const figures = await c.var.db
    .select({ id: products.id, totalStock: products.totalStock, updatedAt: products.updatedAt })
    .from(products)
    .where(inArray(products.id, cards.map((p) => p.id)));
  const byId = new Map(figures.map((f) => [f.id, f]));
  const time = shopTime(c);
  return cards.map((p) => {
    const f = byId.get(p.id);
    return { ...p, totalStock: f?.totalStock ?? 0, updatedAt: f ? time(f.updatedAt) : '' };
  });
}

/** Times as merchants read them: in the shop's time zone. Accepts epoch ms or the API's ISO strings. */
function shopTime(c: PageContext, timeStyle: 'short' | 'medium' = 'short') {
  const format = new Intl.DateTimeFormat('zh-CN', { timeZone: c.env.SHOP_TIME_ZONE, dateStyle: 'short', timeStyle });
  return (at: number | string | null) => (at === null ? '' : format.format(typeof at === 'string' ? Date.parse(at) : at));
}

async function merchantOrderView(c: PageContext, order: OrderRow): Promise<MerchantOrderView> {
  const view = await orderView(c.var.db, order, 'merchant');
  if (!('buyer' in view)) throw new Error('orderView left out the buyer in a merchant view');
  return view;
}

/** The submitted fields of one action form, checked; nothing is written until this succeeds. */
async function readActionForm<A extends OrderAction>(c: PageContext, action: A) {
  const schema = actionForms[action];
  const body = await c.req.parseBody();
  const values: FormValues = Object.fromEntries(Object.keys(schema.entries).map((name) => [name, typeof body[name] === 'string' ? body[name] : '']));
  const result = v.safeParse(schema as (typeof actionForms)[A], values);
  if (result.success) return { success: true as const, output: result.output as v.InferOutput<(typeof actionForms)[A]> };
  const errors: FieldErrors = {};
  for (const issue of result.issues) errors[v.getDotPath(issue) ?? ''] ??= issue.message;
  return { success: false as const, failed: { action, values, errors } satisfies ActionForm };
}

/** The detail page again, with the refused form's input and messages: a 400 that wrote nothing. */
async function renderRefusedForm(c: PageContext, order: OrderRow, failed: ActionForm) {
  const view = await merchantOrderView(c, order);
  return render(c, <OrderDetailPage merchant={c.var.merchant} order={view} time={shopTime(c, 'medium')} failed={failed} />, 400);
}

/** The form as stored: yuan text for money, an empty member price for "none". */
function storedValues(product: ProductForEdit): FormValues {
  const values: FormValues = { title: product.title, subtitle: product.subtitle };
  for (const s of product.skus) {
    values[skuField(s.id, 'price')] = formatFenAsYuan(s.price_fen);
    values[skuField(s.id, 'original_price')] = formatFenAsYuan(s.original_price_fen);
    values[skuField(s.id, 'member_price')] = s.member_price_fen === null ? '' : formatFenAsYuan(s.member_price_fen);
    values[skuField(s.id, 'stock')] = String(s.stock);
    values[skuField(s.id, 'stock_was')] = String(s.stock);
  }
  return values;
}

/** The submitted form, read only for this product's own fields; a field not sent stays as stored. */
function submittedValues(product: ProductForEdit, body: Record<string, unknown>): FormValues {
  return Object.fromEntries(Object.entries(storedValues(product)).map(([name, stored]) => [name, typeof body[name] === 'string' ? body[name] : stored]));
}

type EditPlan = {
  product?: { title: string; subtitle: string };
  prices: { skuId: string; patch: SkuPatch }[];
  stock: { skuId: string; setTo: number }[];
};

/**
 * Checks every field and works out what changed. The writes are separate batches, so nothing
 * may be written until the whole form is known to be valid.
 */
function planEdit(product: ProductForEdit, values: FormValues): { errors: FieldErrors; plan: EditPlan } {
  const errors: FieldErrors = {};
  const plan: EditPlan = { prices: [], stock: [] };

  const text = (name: 'title' | 'subtitle') => {
    const result = v.safeParse(createProductBody.entries[name], values[name]);
    if (!result.success) errors[name] = result.issues[0].message;
    return result.output as string;
  };
  const title = text('title');
  const subtitle = text('subtitle');
  if (title !== product.title || subtitle !== product.subtitle) plan.product = { title, subtitle };

  const money = (name: string) => {
    const fen = parseYuanToFen(values[name]!);
    if (fen !== null && fen <= MAX_FEN) return fen;
    errors[name] = fen === null ? '请输入不小于 0 的金额，最多两位小数，如 129.00' : '金额过大';
    return null;
  };
  for (const sku of product.skus) {
    const field = (f: Parameters<typeof skuField>[1]) => skuField(sku.id, f);
    const priceFen = money(field('price'));
    const originalPriceFen = money(field('original_price'));
    const memberText = values[field('member_price')]!.trim();
    const memberPriceFen = memberText === '' ? null : money(field('member_price'));
    const moneyValid = priceFen !== null && originalPriceFen !== null && (memberText === '' || memberPriceFen !== null);
    if (moneyValid) {
      // The price rules the API applies (original ≥ price ≥ member price), reported per field.
      for (const problem of checkSkusAgainstSpecs([], [{ specValues: [], priceFen, originalPriceFen, memberPriceFen, stock: 0 }])) {
        if (problem.path.endsWith('.original_price_fen')) errors[field('original_price')] = '原价不能低于售价';
        if (problem.path.endsWith('.member_price_fen')) errors[field('member_price')] = '会员价不能高于售价';
      }
      const patch: SkuPatch = {};
      if (priceFen !== sku.price_fen) patch.price_fen = priceFen;
      if (originalPriceFen !== sku.original_price_fen) patch.original_price_fen = originalPriceFen;
      if (memberPriceFen !== sku.member_price_fen) patch.member_price_fen = memberPriceFen;
      if (Object.keys(patch).length) plan.prices.push({ skuId: sku.id, patch });
    }

    const stockText = values[field('stock')]!.trim();
    const stock = Number(stockText);
    if (!/^\d{1,8}$/.test(stockText) || stock > MAX_STOCK) errors[field('stock')] = `请输入 0 到 ${MAX_STOCK} 的整数`;
    // Compared with what the form showed, not the current row: sales since then must not be undone.
    else if (stockText !== values[field('stock_was')]!.trim()) plan.stock.push({ skuId: sku.id, setTo: stock });
  }
  return { errors, plan };
}

async function applyEdit(ctx: ReturnType<typeof writeContext>, productId: string, plan: EditPlan) {
  if (plan.product) await updateProduct(ctx, productId, plan.product);
  for (const { skuId, patch } of plan.prices) await updateSku(ctx, skuId, patch);
  for (const { skuId, setTo } of plan.stock) await adjustStock(ctx, skuId, { set_to: setTo, reason: STOCK_EDIT_REASON });
}
