// The products section's HTML: the list with search and status filter, and one product's edit
// form (title, prices in yuan, stock) with publish/unpublish. Viewers see the values, not inputs.
import type { FC } from 'hono/jsx';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import type { productDetail, productsForAdminPage } from '../../../src/services/catalog';
import { roleAllows, type MerchantPrincipal } from '../../../src/services/merchant-auth';
import { Field, RefusedNotice, type FieldErrors, type FormValues } from './form-kit';
import { Layout, NextPageLink, Notice, TableHead } from './layout';
import type { FormatTime } from './section';

export type ProductForEdit = Awaited<ReturnType<typeof productDetail>>;
export type ProductRow = Awaited<ReturnType<typeof productsForAdminPage>>['items'][number];

export const skuField = (skuId: string, field: 'price' | 'original_price' | 'member_price' | 'stock' | 'stock_was') => `${skuId}.${field}`;

const statusLabels = { draft: '草稿', published: '已上架' } as const;

const priceRange = (minFen: number, maxFen: number) => (minFen === maxFen ? formatFenWithYuanSign(minFen) : `${formatFenWithYuanSign(minFen)} – ${formatFenWithYuanSign(maxFen)}`);

export const ProductListPage: FC<{
  merchant: MerchantPrincipal;
  q: string;
  status: string;
  rows: ProductRow[];
  nextHref: string | null;
  time: FormatTime;
}> = ({ merchant, q, status, rows, nextHref, time }) => (
  <Layout title="商品" merchant={merchant}>
    <form class="toolbar" method="get" action="/admin/products">
      <input type="search" name="q" value={q} placeholder="搜索标题或副标题" aria-label="搜索" />
      <select name="status" aria-label="状态">
        <option value="" selected={status === ''}>
          全部状态
        </option>
        {Object.entries(statusLabels).map(([value, label]) => (
          <option value={value} selected={status === value}>
            {label}
          </option>
        ))}
      </select>
      <button type="submit">搜索</button>
    </form>
    <table>
      <TableHead columns={['标题', '状态', { num: '价格' }, { num: '总库存' }, '更新时间']} />
      <tbody>
        {rows.map((p) => (
          <tr>
            <td>
              <a href={`/admin/products/${p.id}`}>{p.title}</a>
            </td>
            <td>{statusLabels[p.status]}</td>
            <td class="num">{priceRange(p.price_fen, p.max_price_fen)}</td>
            <td class="num">{p.total_stock}</td>
            <td>{time(p.updated_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {rows.length === 0 && <p class="muted">没有找到商品。</p>}
    <NextPageLink href={nextHref} />
  </Layout>
);

export const ProductEditPage: FC<{
  merchant: MerchantPrincipal;
  product: ProductForEdit;
  values: FormValues;
  errors: FieldErrors;
  saved: boolean;
}> = ({ merchant, product, values, errors, saved }) => {
  const editable = roleAllows(merchant.role, 'operator');
  const field = { values, errors, editable };
  const skuRows = product.skus.map((s) => (
    <tr>
      <td>{s.spec_values.join(' / ') || '默认'}</td>
      <td class="num">
        <Field name={skuField(s.id, 'price')} label="售价" inputmode="decimal" {...field} />
      </td>
      <td class="num">
        <Field name={skuField(s.id, 'original_price')} label="原价" inputmode="decimal" {...field} />
      </td>
      <td class="num">
        <Field name={skuField(s.id, 'member_price')} label="会员价" inputmode="decimal" {...field} />
      </td>
      <td class="num">
        <Field name={skuField(s.id, 'stock')} label="库存" inputmode="numeric" {...field} />
        {editable && <input type="hidden" name={skuField(s.id, 'stock_was')} value={values[skuField(s.id, 'stock_was')]} />}
      </td>
    </tr>
  ));
  const body = (
    <>
      <label>
        标题
        <Field name="title" {...field} />
      </label>
      <label>
        副标题
        <Field name="subtitle" {...field} />
      </label>
      <table>
        <TableHead columns={['规格', { num: '售价（元）' }, { num: '原价（元）' }, { num: '会员价（元，可空）' }, { num: '库存' }]} />
        <tbody>{skuRows}</tbody>
      </table>
    </>
  );
  const publishAction = product.status === 'published' ? 'unpublish' : 'publish';
  return (
    <Layout title={product.title} merchant={merchant}>
      {saved && <Notice kind="ok">已保存</Notice>}
      <RefusedNotice errors={errors} />
      <p>
        状态：{statusLabels[product.status]} · <a href="/admin/products">返回列表</a>
      </p>
      {editable ? (
        <>
          <form method="post" action={`/admin/products/${product.id}`}>
            {body}
            <p>
              <button type="submit">保存</button>
            </p>
          </form>
          <form method="post" action={`/admin/products/${product.id}/${publishAction}`}>
            <button class="secondary" type="submit">
              {publishAction === 'publish' ? '上架' : '下架'}
            </button>
          </form>
        </>
      ) : (
        body
      )}
    </Layout>
  );
};
