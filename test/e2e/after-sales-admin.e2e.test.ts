// The after-sales section (/admin/after-sales) in a real browser: the list shows a shopper's
// request in Chinese, the detail offers only the decisions the transition table allows, and
// rejecting with a reason moves it (and the 同意 / 拒绝 buttons go away).
import { expect, it } from 'vitest';
import { merchantAccountRow, signInToAdmin, workerAndBrowser } from './browser';

const OWNER = { id: 'mer_e2eaftersale', username: 'e2e_aftersale', password: 'e2e password 456' };
const started = workerAndBrowser();

/** A paid order of one line and a money-only request about it, written as the API would leave them. */
async function seedRequest() {
  const now = Date.now();
  const db = started.worker.db;
  const statements = [
    await merchantAccountRow(db, OWNER, now),
    db.prepare("INSERT INTO users (id, openid, nickname, member_level, created_at, updated_at) VALUES ('usr_e2ebuyer', 'o-e2e-buyer', '买家', 0, ?, ?)").bind(now, now),
    db
      .prepare(
        `INSERT INTO orders (id, order_no, user_id, status, items_total_fen, discount_fen, shipping_fee_fen, payable_fen, refunded_fen, address, note, payment_deadline, stock_released, paid_at, source, created_at, updated_at)
         VALUES ('ord_e2eaftersale', '2612020000000001', 'usr_e2ebuyer', 'paid', 12900, 0, 0, 12900, 0, ?, '', ?, 0, ?, 'shop', ?, ?)`,
      )
      .bind(JSON.stringify({ recipient: '王五', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号', postal_code: null }), now, now, now, now),
    db.prepare(
      `INSERT INTO order_items (id, order_id, product_id, sku_id, title, spec_values, image_url, unit_price_fen, quantity, line_total_fen, discount_share_fen, payable_fen)
         VALUES ('oit_e2eaftersale', 'ord_e2eaftersale', 'prd_x', 'sku_x', '法式复古碎花连衣裙', '[]', 'https://img.example.com/p.jpg', 12900, 1, 12900, 0, 12900)`,
    ),
    db
      .prepare(
        `INSERT INTO after_sales (id, order_id, user_id, type, status, reason, description, image_urls, amount_fen, restock, due_at, idempotency_key, request_hash, created_at, updated_at)
         VALUES ('afs_e2eaftersale', 'ord_e2eaftersale', 'usr_e2ebuyer', 'refund_only', 'requested', '拍错了规格', '', '[]', 12900, 0, ?, 'e2e-key-0001', 'h', ?, ?)`,
      )
      .bind(now + 2 * 86_400_000, now, now),
    db.prepare("INSERT INTO after_sale_lines (after_sale_id, order_item_id, quantity, amount_fen) VALUES ('afs_e2eaftersale', 'oit_e2eaftersale', 1, 12900)"),
  ];
  for (const statement of statements) await statement.run();
}

it('lists the request, rejects it with a reason, and shows only the moves that are left', async () => {
  await seedRequest();
  const page = await started.browser.newPage({ viewport: { width: 1200, height: 800 } });
  await signInToAdmin(page, started.worker.url, OWNER);

  await page.getByRole('link', { name: '售后' }).click();
  await page.waitForURL('**/admin/after-sales');
  const row = page.locator('tbody tr').first();
  await expect(row.textContent()).resolves.toMatch(/仅退款.*待处理.*拍错了规格.*129\.00/);
  await row.getByRole('link', { name: '查看' }).click();
  await page.waitForURL('**/admin/after-sales/afs_e2eaftersale');
  expect(await page.getByRole('button', { name: '同意' }).count()).toBe(1);
  expect(await page.getByRole('button', { name: '退款' }).count()).toBe(0); // not before approval

  await page.getByPlaceholder('拒绝理由').fill('已经发出，请收到后申请退货');
  await page.getByRole('button', { name: '拒绝' }).click();
  await page.waitForURL(/done=rejected/);
  await expect(page.getByRole('status').textContent()).resolves.toContain('已拒绝这个售后申请');
  await expect(page.locator('dl').textContent()).resolves.toContain('已拒绝');
  expect(await page.getByRole('button', { name: '同意' }).count()).toBe(0);
  const login = await fetch(`${started.worker.url}/admin/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: OWNER.username, password: OWNER.password }),
  });
  const { token } = (await login.json()) as { token: string };
  const stored = await (await fetch(`${started.worker.url}/admin/api/after-sales/afs_e2eaftersale`, { headers: { Authorization: `Bearer ${token}` } })).json();
  expect(stored).toMatchObject({ status: 'rejected', decision_note: '已经发出，请收到后申请退货' });
});
