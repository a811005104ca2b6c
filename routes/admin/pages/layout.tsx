// The admin page's frame, shared by every section: the head with the style sheet, the nav, and
// the building blocks several sections use (notices, campaign lists, the error page). Plain
// server-rendered HTML: no scripts (the CSP forbids them) and no raw(): hono/jsx escapes every
// text and attribute, so shop data can never become markup.
import type { FC, PropsWithChildren } from 'hono/jsx';
import { cancelRefusal, type CampaignState } from '../../../src/domain/campaign';
import { roleAllows, type MerchantPrincipal } from '../../../src/services/merchant-auth';

/**
 * The page's fonts, Chinese first where a system has one: macOS (PingFang, Hiragino), Windows
 * (Microsoft YaHei) and Linux (Noto Sans CJK from fonts-noto-cjk, Source Han Sans, WenQuanYi
 * from fonts-wqy-microhei). Without the Linux names a Linux browser may draw the text as boxes.
 * Unquoted: hono/jsx escapes <style> text like any other text, and a name of plain words needs
 * no quotes in CSS.
 */
export const FONT_STACK = 'system-ui,-apple-system,PingFang SC,Hiragino Sans GB,Microsoft YaHei,Noto Sans CJK SC,Source Han Sans SC,WenQuanYi Micro Hei,sans-serif';

// No quotes or angle brackets: hono/jsx escapes <style> text like any other text.
const styles = `
body{font:14px/1.5 ${FONT_STACK};margin:0;color:#222;background:#f5f6f8}
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

/** The nav: one entry per section (routes/admin/page.ts mounts them). */
const sections = {
  '/admin/products': '商品',
  '/admin/orders': '订单',
  '/admin/flash-sales': '秒杀',
  '/admin/bargains': '砍价',
  '/admin/group-buys': '拼团',
  '/admin/after-sales': '售后',
  '/admin/shipping-uploads': '发货上传',
  '/admin/loyalty': '会员积分',
  '/admin/coupons': '优惠券',
  '/admin/promotions': '促销',
};

const roleLabels: Record<MerchantPrincipal['role'], string> = { owner: '店主', operator: '运营', viewer: '查看' };

/** Every campaign's state (the kernel's one vocabulary), as the admin shows it. */
export const campaignStateLabels: Record<CampaignState, string> = {
  upcoming: '未开始',
  live: '进行中',
  ended: '已结束',
  cancelled: '已取消',
  settled: '已结算',
};

/** The cancel button's target, shown only while the kernel allows a cancel. */
export const cancelHref = (state: CampaignState, href: string) => (cancelRefusal(state) ? null : href);

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
              {Object.entries(sections).map(([href, label]) => (
                <a href={href}>{label}</a>
              ))}
            </nav>
            <span class="who">
              {merchant.displayName}（{roleLabels[merchant.role]}）
            </span>
            <form class="inline" method="post" action="/admin/logout">
              <button class="secondary" type="submit">
                退出登录
              </button>
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

export const Notice: FC<PropsWithChildren<{ kind: 'ok' | 'error' }>> = ({ kind, children }) => (
  <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
    {children}
  </div>
);

/** A table's header row; a `{ num }` column holds figures and is right-aligned. */
export const TableHead: FC<{ columns: readonly (string | { num: string })[] }> = ({ columns }) => (
  <thead>
    <tr>{columns.map((column) => (typeof column === 'string' ? <th>{column}</th> : <th class="num">{column.num}</th>))}</tr>
  </thead>
);

export const NextPageLink: FC<{ href: string | null }> = ({ href }) =>
  href ? (
    <p>
      <a href={href}>下一页 →</a>
    </p>
  ) : null;

/** A page listing things: the create link (operators only), the table, "none yet", the next page. */
export const ListPage: FC<PropsWithChildren<{ title: string; merchant: MerchantPrincipal; create?: { href: string; label: string }; empty: boolean; emptyText: string; nextHref: string | null }>> = ({
  title,
  merchant,
  create,
  empty,
  emptyText,
  nextHref,
  children,
}) => (
  <Layout title={title} merchant={merchant}>
    {create && roleAllows(merchant.role, 'operator') && (
      <p>
        <a href={create.href}>{create.label}</a>
      </p>
    )}
    <table>{children}</table>
    {empty && <p class="muted">{emptyText}</p>}
    <NextPageLink href={nextHref} />
  </Layout>
);

/** One campaign's page: the notice after an action, its state with the way back, its facts, and cancel while it may be. */
export const CampaignDetailPage: FC<PropsWithChildren<{ title: string; merchant: MerchantPrincipal; notice?: string | undefined; state?: string; listHref: string; cancelAction: string | null }>> = ({
  title,
  merchant,
  notice,
  state,
  listHref,
  cancelAction,
  children,
}) => (
  <Layout title={title} merchant={merchant}>
    {notice && <Notice kind="ok">{notice}</Notice>}
    <p>
      {state && <>状态：{state} · </>}
      <a href={listHref}>返回列表</a>
    </p>
    {children}
    {cancelAction && roleAllows(merchant.role, 'operator') && (
      <form method="post" action={cancelAction}>
        <button class="secondary" type="submit">
          取消活动
        </button>
      </form>
    )}
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
