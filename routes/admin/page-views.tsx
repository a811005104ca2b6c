// The admin page's HTML. Plain server-rendered forms: no scripts (the CSP forbids them) and no
// raw(): hono/jsx escapes every text and attribute, so product data can never become markup.
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import { formatFenWithYuanSign } from '../../src/lib/money';
import type { productDetail, ProductCard } from '../../src/services/catalog';
import { roleAllows, type MerchantPrincipal } from '../../src/services/merchant-auth';

export type ProductForEdit = Awaited<ReturnType<typeof productDetail>>;
/** Form field values and the messages shown next to them, both keyed by input name. */
export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;
export type ProductRow = ProductCard & { totalStock: number; updatedAt: string };

export const skuField = (skuId: string, field: 'price' | 'original_price' | 'member_price' | 'stock' | 'stock_was') => `${skuId}.${field}`;

const statusLabels = { draft: '草稿', published: '已上架' } as const;

// No quotes or angle brackets: hono/jsx escapes <style> text like any other text.
const styles = `
body{font:14px/1.5 system-ui,PingFang SC,Microsoft YaHei,sans-serif;margin:0;color:#222;background:#f5f6f8}
header{display:flex;gap:16px;align-items:center;padding:10px 24px;background:#1f2937;color:#fff}
header a{color:#fff;text-decoration:none;font-weight:600}header nav{display:flex;gap:12px}header nav a{font-weight:400}header .who{margin-left:auto}
main{max-width:1100px;margin:24px auto;padding:0 24px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e5e7eb;padding:8px;text-align:left}
th{background:#f9fafb;font-weight:600}td.num,th.num{text-align:right}
input[type=text],input[type=password],input[type=search],select{padding:6px 8px;border:1px solid #cbd5e1;border-radius:4px;font:inherit}
td input{width:7em}button{padding:6px 14px;border:0;border-radius:4px;background:#2563eb;color:#fff;font:inherit;cursor:pointer}
button.secondary{background:#64748b}form.inline{display:inline}
.notice{padding:10px 14px;border-radius:4px;margin-bottom:16px}.ok{background:#dcfce7}.error{background:#fee2e2}
.field-error{color:#b91c1c;font-size:12px;display:block}label{display:block;margin:10px 0}label input{display:block;width:100%;max-width:480px;margin-top:4px}
.toolbar{display:flex;gap:8px;margin-bottom:16px}.muted{color:#6b7280}
section{margin:24px 0}h2{font-size:16px;margin:0 0 8px}dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dt{color:#6b7280}dd{margin:0}
`;

export const Layout: FC<PropsWithChildren<{ title: string; merchant?: MerchantPrincipal | undefined }>> = ({ title, merchant, children }) => (
  <html lang="zh-CN">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} · 商家后台</title>
      <style>{styles}</style>
    </head>
    <body>
      <header>
        <a href="/admin/products">商家后台</a>
        {merchant && (
          <>
            <nav>
              <a href="/admin/products">商品</a>
              <a href="/admin/orders">订单</a>
              <a href="/admin/flash-sales">秒杀</a>
              <a href="/admin/bargains">砍价</a>
              <a href="/admin/group-buys">拼团</a>
            </nav>
            <span class="who">
              {merchant.displayName}（{merchant.role}）
            </span>
            <form class="inline" method="post" action="/admin/logout">
              <button class="secondary" type="submit">退出登录</button>
            </form>
          </>
        )}
      </header>
      <main>
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

/** A page listing campaigns: the create link (operators only), the table, "none yet", the next page. */
export const CampaignListPage: FC<
  PropsWithChildren<{ title: string; merchant: MerchantPrincipal; createHref: string; createLabel: string; empty: boolean; emptyText: string; nextHref: string | null }>
> = ({ title, merchant, createHref, createLabel, empty, emptyText, nextHref, children }) => (
  <Layout title={title} merchant={merchant}>
    {roleAllows(merchant.role, 'operator') && (
      <p>
        <a href={createHref}>{createLabel}</a>
      </p>
    )}
    <table>{children}</table>
    {empty && <p class="muted">{emptyText}</p>}
    {nextHref && (
      <p>
        <a href={nextHref}>下一页 →</a>
      </p>
    )}
  </Layout>
);

export const Notice: FC<PropsWithChildren<{ kind: 'ok' | 'error' }>> = ({ kind, children }) => (
  <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
);

export const LoginPage: FC<{ username?: string; error?: string }> = ({ username = '', error }) => (
  <Layout title="登录">
    {error && <Notice kind="error">{error}</Notice>}
    <form method="post" action="/admin/login">
      <label>
        用户名
        <input type="text" name="username" value={username} autocomplete="username" required />
      </label>
      <label>
        密码
        <input type="password" name="password" autocomplete="current-password" required />
      </label>
      <button type="submit">登录</button>
    </form>
  </Layout>
);

export const ErrorPage: FC<{ message: string; merchant?: MerchantPrincipal | undefined }> = ({ message, merchant }) => (
  <Layout title="出错了" merchant={merchant}>
    <Notice kind="error">{message}</Notice>
    <p>
      <a href="/admin/products">返回商品列表</a>
    </p>
  </Layout>
);

const priceRange = (minFen: number, maxFen: number) =>
  minFen === maxFen ? formatFenWithYuanSign(minFen) : `${formatFenWithYuanSign(minFen)} – ${formatFenWithYuanSign(maxFen)}`;

export const ProductListPage: FC<{
  merchant: MerchantPrincipal;
  q: string;
  status: string;
  rows: ProductRow[];
  nextHref: string | null;
}> = ({ merchant, q, status, rows, nextHref }) => (
  <Layout title="商品" merchant={merchant}>
    <form class="toolbar" method="get" action="/admin/products">
      <input type="search" name="q" value={q} placeholder="搜索标题或副标题" aria-label="搜索" />
      <select name="status" aria-label="状态">
        <option value="" selected={status === ''}>全部状态</option>
        {Object.entries(statusLabels).map(([value, label]) => (
          <option value={value} selected={status === value}>
            {label}
          </option>
        ))}
      </select>
      <button type="submit">搜索</button>
    </form>
    <table>
      <thead>
        <tr>
          <th>标题</th>
          <th>状态</th>
          <th class="num">价格</th>
          <th class="num">总库存</th>
          <th>更新时间</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr>
            <td>
              <a href={`/admin/products/${p.id}`}>{p.title}</a>
            </td>
            <td>{statusLabels[p.status]}</td>
            <td class="num">{priceRange(p.price_fen, p.max_price_fen)}</td>
            <td class="num">{p.totalStock}</td>
            <td>{p.updatedAt}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {rows.length === 0 && <p class="muted">没有找到商品。</p>}
    {nextHref && (
      <p>
        <a href={nextHref}>下一页 →</a>
      </p>
    )}
  </Layout>
);

/** An input for editors, the plain value for viewers; the field's error message below it. */
export const Field: FC<{ name: string; values: FormValues; errors: FieldErrors; editable: boolean; label?: string; inputmode?: 'decimal' | 'numeric' }> = ({
  name,
  values,
  errors,
  editable,
  label,
  inputmode,
}) => {
  const value = values[name] ?? '';
  const input: Child = editable ? (
    <input type="text" name={name} value={value} inputmode={inputmode} aria-label={label} aria-invalid={errors[name] ? 'true' : undefined} />
  ) : (
    value || <span class="muted">—</span>
  );
  return (
    <>
      {input}
      {errors[name] && <span class="field-error">{errors[name]}</span>}
    </>
  );
};

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
        <thead>
          <tr>
            <th>规格</th>
            <th class="num">售价（元）</th>
            <th class="num">原价（元）</th>
            <th class="num">会员价（元，可空）</th>
            <th class="num">库存</th>
          </tr>
        </thead>
        <tbody>{skuRows}</tbody>
      </table>
    </>
  );
  const publishAction = product.status === 'published' ? 'unpublish' : 'publish';
  return (
    <Layout title={product.title} merchant={merchant}>
      {saved && <Notice kind="ok">已保存</Notice>}
      {Object.keys(errors).length > 0 && <Notice kind="error">有字段填写不正确，什么都没有保存。请修改后重试。</Notice>}
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
