// Exports (README: GET /admin/orders.csv and /admin/products.csv): the owner
// downloads the orders waiting to ship and the stock of every size from the
// console, as files Excel reads (UTF-8 with a BOM), matching the API.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN, ROUND2, freshMobile } from '../lib/env.js';
import { api, registerUser, grantRole, simPay, entryPaths } from '../lib/backend.js';
import { withBrowser, OWNER } from '../lib/browser.js';
import { consoleLogin } from '../lib/steps.js';

const SKIP = !ROUND2 && 'needs the second backend round (addresses, owner API)';

const buyer = { username: `x_${RUN}`, password: 'export-buyer-1', mobile: freshMobile() };
const owner = { username: `xo_${RUN}`, password: 'export-owner-1', mobile: freshMobile() };
let paths;
let ownerToken;
let orderNo;

before(async () => {
  if (SKIP) return;
  paths = await entryPaths();
  const token = (await registerUser(buyer)).token;
  const address = { name: '王五', mobile: buyer.mobile, province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 9 号', isDefault: true };
  const a = await api('POST', '/addresses', address, token);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  const placed = await api('POST', '/order', { items: [{ productId: 3, size: '42', quantity: 1 }], addressId: a.body.address.id }, token);
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  orderNo = placed.body.data.out_trade_no;
  await simPay(orderNo);
  ownerToken = (await registerUser(owner)).token;
  grantRole(owner.username, 'admin');
  for (let i = 0; i < 100; i++) {
    const r = await api('GET', `/admin/orders/${orderNo}`, undefined, ownerToken);
    if (r.body?.order?.trade_state === 'SUCCESS') return;
    await sleep(100);
  }
  assert.fail(`${orderNo} was not paid`);
});

/** The rows of a downloaded CSV (its first bytes the UTF-8 BOM). */
function csvRows(path) {
  const text = readFileSync(path, 'utf8');
  assert.equal(text.charCodeAt(0), 0xfeff, 'a byte order mark for Excel');
  // The cells checked here hold no quotes or commas.
  return text.slice(1).trim().split(/\r?\n/).map((line) => line.split(','));
}

test('(x) the owner exports the orders to ship and the stock of every size as CSV', { timeout: 120_000, skip: SKIP }, async () => {
  await withBrowser('x-owner', OWNER, async ({ page }) => {
    await page.goto(`${paths.admin}#/orders`);
    await consoleLogin(page, owner.username, owner.password);
    await page.locator(`tr[data-order="${orderNo}"]`).waitFor();
    const [orders] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel（CSV）' }).click()]);
    assert.equal(orders.suggestedFilename(), 'orders.csv');
    const rows = csvRows(await orders.path());
    assert.deepEqual(rows[0].slice(0, 2), ['订单号', '下单时间']);
    // The list's filters (paid, to ship): the same orders as the API gives.
    const listed = await api('GET', '/admin/orders?trade_state=SUCCESS&fulfilment=UNSHIPPED&pageSize=100', undefined, ownerToken);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), listed.body.orders.map((o) => o.out_trade_no));
    const mine = rows.find((r) => r[0] === orderNo);
    assert.equal(mine[3], 'SUCCESS');
    assert.equal(mine[5], buyer.username);
    await page.getByRole('status').getByText('已导出').waitFor();

    await page.goto(`${paths.admin}#/stock`);
    const [stock] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出全部库存（CSV）' }).click()]);
    assert.equal(stock.suggestedFilename(), 'products.csv');
    const skus = csvRows(await stock.path());
    assert.equal(skus[0][0], '商品ID');
    const product = (await api('GET', '/admin/products/3', undefined, ownerToken)).body.product;
    const exported = skus.filter((r) => r[0] === '3');
    assert.deepEqual(exported.map((r) => [r[4], Number(r[8])]), product.skus.map((s) => [s.size, s.stock]), 'every size of product 3 with its stock');
  });
});
