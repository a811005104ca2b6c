// The products section (/admin/products): list and search, and one product's edit form for
// title, prices and stock, plus publish/unpublish. The form writes through the catalog service,
// the same code as the JSON API, and nothing is written unless every field is valid.
import * as v from 'valibot';
import { checkSkusAgainstSpecs } from '../../../src/domain/catalog';
import { MAX_QUERY_LENGTH } from '../../../src/domain/search';
import { formatFenAsYuan } from '../../../src/lib/money';
import { idOf, pageQuery, validate } from '../../../src/lib/validate';
import { productDetail, productsForAdminPage } from '../../../src/services/catalog';
import { catalogWriteContext, setProductPublished, updateProduct, updateSku, type SkuPatch, type WriteContext } from '../../../src/services/catalog-admin';
import { adjustStock } from '../../../src/services/stock';
import { createProductBody } from '../schemas';
import { fieldReader, refusedFields, schemaRefusal, type FieldErrors, type FormValues, type FormVocabulary } from './form-kit';
import { ProductEditPage, ProductListPage, skuField, type ProductForEdit } from './products-views';
import { adminSection, nextPageHref, PAGE_SIZE, render, sameOrigin, session, shopTime } from './section';

const MAX_STOCK = 10_000_000;
const STOCK_EDIT_REASON = 'admin page edit';

const productParam = validate('param', v.object({ id: idOf('prd') }));

const listQuery = validate(
  'query',
  v.object({
    q: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(MAX_QUERY_LENGTH, `must have at most ${MAX_QUERY_LENGTH} characters`))),
    status: v.optional(v.picklist(['', 'draft', 'published'], 'must be draft or published')),
    cursor: pageQuery.cursor,
  }),
);

export const productPages = adminSection('商品')
  .get('/', session('viewer'), listQuery, async (c) => {
    const { q = '', status = '', cursor } = c.req.valid('query');
    const page = await productsForAdminPage(c.var.db, { q, status: status || undefined, cursor, limit: PAGE_SIZE });
    const nextHref = nextPageHref('/admin/products', page.next_cursor, { q, status });
    return render(c, <ProductListPage merchant={c.var.merchant} q={q} status={status} rows={page.items} nextHref={nextHref} time={shopTime(c)} />);
  })
  .get('/:id', session('viewer'), productParam, async (c) => {
    const product = await productDetail(c.var.db, c.req.valid('param').id, { includeDrafts: true });
    const saved = c.req.query('saved') !== undefined;
    return render(c, <ProductEditPage merchant={c.var.merchant} product={product} values={storedValues(product)} errors={{}} saved={saved} />);
  })
  .post('/:id', sameOrigin, session('operator'), productParam, async (c) => {
    const { id } = c.req.valid('param');
    const product = await productDetail(c.var.db, id, { includeDrafts: true });
    const values = submittedValues(product, await c.req.parseBody());
    const { errors, plan } = planEdit(product, values);
    if (Object.keys(errors).length) {
      return render(c, <ProductEditPage merchant={c.var.merchant} product={product} values={values} errors={errors} saved={false} />, 400);
    }
    await applyEdit(catalogWriteContext(c), id, plan);
    return c.redirect(`/admin/products/${id}?saved=1`, 303);
  })
  .post('/:id/:action{publish|unpublish}', sameOrigin, session('operator'), productParam, async (c) => {
    const { id } = c.req.valid('param');
    await setProductPublished(catalogWriteContext(c), id, c.req.param('action') === 'publish');
    return c.redirect(`/admin/products/${id}?saved=1`, 303);
  });

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

/** The product's texts, checked by the JSON API's own rules for them. */
const productTexts = v.object({ title: createProductBody.entries.title, subtitle: createProductBody.entries.subtitle.wrapped });
const productForm: FormVocabulary = { fieldOf: (path) => path || 'title', messages: { subtitle: '副标题最多 120 个字' }, fallbackField: 'title' };

/**
 * Checks every field and works out what changed. The writes are separate batches, so nothing
 * may be written until the whole form is known to be valid.
 */
function planEdit(product: ProductForEdit, values: FormValues): { errors: FieldErrors; plan: EditPlan } {
  const errors: FieldErrors = {};
  const plan: EditPlan = { prices: [], stock: [] };
  const read = fieldReader(values, errors);

  const texts = v.safeParse(productTexts, { title: values.title, subtitle: values.subtitle });
  if (!texts.success) Object.assign(errors, refusedFields(productForm, schemaRefusal(texts.issues)));
  else if (texts.output.title !== product.title || texts.output.subtitle !== product.subtitle) plan.product = texts.output;

  for (const sku of product.skus) {
    const field = (f: Parameters<typeof skuField>[1]) => skuField(sku.id, f);
    const errorsBefore = Object.keys(errors).length;
    const priceFen = read.money(field('price'));
    const originalPriceFen = read.money(field('original_price'));
    const memberPriceFen = read.optionalMoney(field('member_price')) ?? null;
    if (Object.keys(errors).length === errorsBefore) {
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

async function applyEdit(ctx: WriteContext, productId: string, plan: EditPlan) {
  if (plan.product) await updateProduct(ctx, productId, plan.product);
  for (const { skuId, patch } of plan.prices) await updateSku(ctx, skuId, patch);
  for (const { skuId, setTo } of plan.stock) await adjustStock(ctx, skuId, { set_to: setTo, reason: STOCK_EDIT_REASON });
}
