// Paying where the buyer is: (p1) inside WeChat (a MicroMessenger user
// agent, WeChat's bridge injected from the simulator as WeChat injects its
// own) the first checkout goes through OAuth, comes back and pays by JSAPI;
// (p2) another phone browser pays through WeChat's H5 cashier and comes
// back to a paid order; (p3) a computer still gets the QR code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, SIM_URL, freshMobile } from '../lib/env.js';
import { api, registerUser, simPay } from '../lib/backend.js';
import { withBrowser, SHOPPER, OWNER } from '../lib/browser.js';
import { shopLogin } from '../lib/steps.js';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.50.2701(0x28003252) NetType/WIFI Language/zh_CN';
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A buyer with an address and one pair of shoes in the server's cart. */
async function buyerWithCart(name) {
  const user = { username: `${name}_${RUN}`, password: 'buyer-pass-1', mobile: freshMobile() };
  const { token } = await registerUser(user);
  const product = await api('GET', '/products/1');
  const sku = product.body.product.skus.find((s) => s.stock > 0);
  assert.ok(sku, `a SKU in stock: ${JSON.stringify(product.body)}`);
  const line = await api('PUT', `/cart/lines/${sku.id}`, { quantity: 1 }, token);
  assert.equal(line.status, 200, JSON.stringify(line.body));
  const address = { name: '张三', mobile: user.mobile, province: '广东省', city: '深圳市', district: '南山区', detail: '科技园路 1 号' };
  const added = await api('POST', '/addresses', address, token);
  assert.equal(added.status, 200, JSON.stringify(added.body));
  return { ...user, token };
}

async function logIn(page, user) {
  await page.goto('/#/login');
  await shopLogin(page, user.username, user.password);
  await page.waitForURL((u) => !u.hash.startsWith('#/login'));
}

async function checkOut(page) {
  await page.goto('/#/checkout');
  await page.getByRole('radio', { name: /张三/ }).waitFor();
  await page.getByRole('button', { name: '提交订单并微信支付' }).click();
}

async function orderState(token, no) {
  const r = await api('POST', '/queryOrder', { out_trade_no: no }, token);
  return r.body?.data?.trade_state;
}

test('(p1) inside WeChat the first checkout learns the openid, then pays by JSAPI', { timeout: 180_000 }, async () => {
  const user = await buyerWithCart('wxpay');
  const bridge = await (await fetch(`${SIM_URL}/sim/jsbridge.js`)).text();
  await withBrowser('p1-jsapi', { ...SHOPPER, userAgent: WECHAT_UA }, async (b) => {
    const { page, context } = b;
    // WeChat's own bridge, as the WeChat client injects it into every page.
    await context.addInitScript({ content: bridge });
    await logIn(page, user);
    // The first JSAPI order has no openid: 409/1062, off to OAuth and back.
    b.allow(409, '/order', 'POST');
    await checkOut(page);
    await page.waitForURL(/#\/checkout$/);
    await page.getByRole('radio', { name: /张三/ }).waitFor();
    await b.shot('back-from-oauth');
    const cookies = await context.cookies();
    assert.ok(!cookies.some((c) => c.name === 'letao_oauth'), 'the nonce cookie is spent');

    await page.getByRole('button', { name: '提交订单并微信支付' }).click();
    await page.waitForURL(/#\/pay\//);
    const no = (await page.locator('[data-order-no]').textContent()).trim();
    await b.shot('jsapi-pay');
    await page.getByRole('button', { name: '微信支付', exact: true }).click();
    await page.locator('.paid').getByRole('heading', { name: '支付成功' }).waitFor({ timeout: 30_000 });
    await b.shot('paid');
    assert.equal(await orderState(user.token, no), 'SUCCESS');
    const atSim = await (await fetch(`${SIM_URL}/sim/orders`)).json();
    const placed = (atSim.orders ?? atSim).find((o) => o.out_trade_no === no);
    assert.equal(placed?.trade_type, 'JSAPI');
  });
});

test('(p2) another phone browser pays through the H5 cashier and comes back paid', { timeout: 180_000 }, async () => {
  const user = await buyerWithCart('h5pay');
  await withBrowser('p2-h5', { ...SHOPPER, userAgent: PHONE_UA }, async (b) => {
    const { page } = b;
    await logIn(page, user);
    await checkOut(page);
    await page.waitForURL(/#\/pay\//);
    const no = (await page.locator('[data-order-no]').textContent()).trim();
    await b.shot('h5-pay');
    await page.getByRole('button', { name: '前往微信支付' }).click();
    await page.waitForURL((u) => u.pathname === '/sim/h5/cashier');
    await b.shot('cashier');
    await page.getByRole('button', { name: '立即支付' }).click();
    await page.waitForURL((u) => u.hash === `#/pay/${encodeURIComponent(no)}`);
    await page.locator('.paid').getByRole('heading', { name: '支付成功' }).waitFor({ timeout: 30_000 });
    await b.shot('paid');
    assert.equal(await orderState(user.token, no), 'SUCCESS');
  });
});

test('(p3) a computer still gets the QR code', { timeout: 120_000 }, async () => {
  const user = await buyerWithCart('qrpay');
  await withBrowser('p3-native', OWNER, async (b) => {
    const { page } = b;
    await logIn(page, user);
    await checkOut(page);
    await page.waitForURL(/#\/pay\//);
    const qr = page.getByRole('img', { name: '微信支付二维码' });
    await qr.waitFor();
    assert.match(await qr.getAttribute('src'), /^data:image\/png;base64,/);
    const no = (await page.locator('[data-order-no]').textContent()).trim();
    await simPay(no);
    await page.locator('.paid').getByRole('heading', { name: '支付成功' }).waitFor({ timeout: 30_000 });
    await b.shot('paid');
  });
});
