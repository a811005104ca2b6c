// Merchant admin JSON API under /admin/api. Reads need any staff role; catalog writes need
// operator; staff accounts need owner. requireMerchant re-reads the account on every request.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../../src/env';
import { toIso } from '../../src/lib/clock';
import { clientAddress, INTERNAL_CLIENT } from '../../src/lib/client-address';
import { rateLimit } from '../../src/lib/rate-limit';
import { idOf, noBody, pageQuery, validate } from '../../src/lib/validate';
import { MAX_QUERY_LENGTH } from '../../src/domain/search';
import { categoryTree, listProductsForAdmin, productDetail, searchProducts } from '../../src/services/catalog';
import { catalogWriteContext, createProduct, setProductPublished, updateProduct, updateSku } from '../../src/services/catalog-admin';
import { createCategory, deleteCategory, updateCategory } from '../../src/services/categories-admin';
import { adjustStock, stockLedgerOfSku, stockLedgerView } from '../../src/services/stock';
import { createAccount, listAccounts, updateAccount } from '../../src/services/merchant-accounts';
import { loginMerchant, principalView } from '../../src/services/merchant-auth';
import { requireMerchant } from '../../src/http/auth';
import { shopSettingsView, updateShopSettings } from '../../src/services/shop-settings';
import { categoryBody, createAccountBody, createProductBody, loginBody, settingsBody, stockAdjustmentBody, updateAccountBody, updateCategoryBody, updateProductBody, updateSkuBody } from './schemas';

const productParam = validate('param', v.object({ id: idOf('prd') }));
const skuParam = validate('param', v.object({ id: idOf('sku') }));
const categoryParam = validate('param', v.object({ id: idOf('cat') }));
const accountParam = validate('param', v.object({ id: idOf('mer') }));

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const owner = requireMerchant('owner');

export const adminApiRoutes = new Hono<AppEnv>()
  .post('/login', rateLimit('merchant_login'), validate('json', loginBody), async (c) => {
    const { username, password } = c.req.valid('json');
    const client = clientAddress(c.req.header('CF-Connecting-IP')) ?? INTERNAL_CLIENT;
    const session = await loginMerchant(c.var.db, c.env, { username, password, client }, c.var.clock.now());
    return c.json({
      token: session.token,
      expires_at: toIso(session.expiresAt),
      account: principalView(session.principal),
    });
  })
  .get('/me', viewer, (c) => c.json({ account: principalView(c.var.merchant) }))

  // Products
  .get(
    '/products',
    viewer,
    validate(
      'query',
      v.strictObject({
        q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(MAX_QUERY_LENGTH))),
        status: v.optional(v.picklist(['draft', 'published'])),
        ...pageQuery,
      }),
    ),
    async (c) => {
      const q = c.req.valid('query');
      if (q.q) return c.json(await searchProducts(c.var.db, q.q, { cursor: q.cursor, limit: q.limit, status: q.status }));
      return c.json(await listProductsForAdmin(c.var.db, { status: q.status, cursor: q.cursor, limit: q.limit }));
    },
  )
  .post('/products', operator, validate('json', createProductBody), async (c) => {
    const id = await createProduct(catalogWriteContext(c), c.req.valid('json'));
    return c.json(await productDetail(c.var.db, id, { includeDrafts: true }), 201);
  })
  .get('/products/:id', viewer, productParam, async (c) => c.json(await productDetail(c.var.db, c.req.valid('param').id, { includeDrafts: true })))
  .patch('/products/:id', operator, productParam, validate('json', updateProductBody), async (c) => {
    const { id } = c.req.valid('param');
    await updateProduct(catalogWriteContext(c), id, c.req.valid('json'));
    return c.json(await productDetail(c.var.db, id, { includeDrafts: true }));
  })
  .post('/products/:id/publish', operator, productParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await setProductPublished(catalogWriteContext(c), id, true);
    return c.json(await productDetail(c.var.db, id, { includeDrafts: true }));
  })
  .post('/products/:id/unpublish', operator, productParam, noBody, async (c) => {
    const { id } = c.req.valid('param');
    await setProductPublished(catalogWriteContext(c), id, false);
    return c.json(await productDetail(c.var.db, id, { includeDrafts: true }));
  })

  // SKUs and stock
  .patch('/skus/:id', operator, skuParam, validate('json', updateSkuBody), async (c) => {
    await updateSku(catalogWriteContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ok: true });
  })
  .post('/skus/:id/stock-adjustments', operator, skuParam, validate('json', stockAdjustmentBody), async (c) => {
    const entry = await adjustStock(catalogWriteContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(stockLedgerView(entry), 201);
  })
  .get('/skus/:id/stock-ledger', viewer, skuParam, validate('query', v.strictObject({ limit: pageQuery.limit })), async (c) => {
    return c.json({ items: await stockLedgerOfSku(c.var.db, c.req.valid('param').id, c.req.valid('query').limit), next_cursor: null });
  })

  // Categories
  .get('/categories', viewer, async (c) => c.json({ items: await categoryTree(c.var.db) }))
  .post('/categories', operator, validate('json', categoryBody), async (c) => {
    const id = await createCategory(catalogWriteContext(c), c.req.valid('json'));
    return c.json({ id }, 201);
  })
  .patch('/categories/:id', operator, categoryParam, validate('json', updateCategoryBody), async (c) => {
    await updateCategory(catalogWriteContext(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ ok: true });
  })
  .delete('/categories/:id', operator, categoryParam, async (c) => {
    await deleteCategory(catalogWriteContext(c), c.req.valid('param').id);
    return c.body(null, 204);
  })

  // Checkout settings
  .get('/settings', viewer, async (c) => c.json(await shopSettingsView(c.var.db)))
  .patch('/settings', operator, validate('json', settingsBody), async (c) => c.json(await updateShopSettings(c.var.db, c.req.valid('json'), c.var.clock.now())))

  // Staff accounts
  .get('/accounts', owner, async (c) => c.json({ items: await listAccounts(c.var.db) }))
  .post('/accounts', owner, validate('json', createAccountBody), async (c) => c.json(await createAccount(c.var.db, c.req.valid('json'), c.var.clock.now()), 201))
  .patch('/accounts/:id', owner, accountParam, validate('json', updateAccountBody), async (c) =>
    c.json(await updateAccount(c.var.db, c.req.valid('param').id, c.req.valid('json'), c.var.clock.now())),
  );
