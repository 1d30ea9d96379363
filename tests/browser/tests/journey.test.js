// The whole sale: (a) a shopper registers, fills the cart, checks out and
// pays; (b) the owner finds the order and ships it (staff can too, and see
// only orders); (c) the shopper confirms receipt.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, ROUND2, freshMobile } from '../lib/env.js';
import { registerUser, grantRole, simPay, smsCode, outboxCount, entryPaths, hasRound2 } from '../lib/backend.js';
import { openBrowser, withBrowser, SHOPPER, OWNER } from '../lib/browser.js';
import { consoleLogin, titleOf, tab } from '../lib/steps.js';

const ROUND2_ONLY = !ROUND2 && 'needs the second backend round (addresses, roles, /admin/orders, receive)';

const shopper = { username: `shopper_${RUN}`, password: 'shoe-fan-123', mobile: freshMobile() };
const CARRIER = '顺丰速运';
const TRACKING = `SF${Date.now()}`;
let paths;
let b; // the shopper's browser, kept from (a) to (c)
let orderNo;

before(async () => {
  paths = await entryPaths();
  if (ROUND2 && !(await hasRound2())) {
    console.log('note: this server has no /addresses route yet; the steps that need the second backend round will fail (LETAO_BROWSER_ROUND=1 runs only the first round)');
  }
  b = await openBrowser('a-c-shopper', SHOPPER);
});

after(async () => {
  await b?.close();
});

/** Runs a step of the shopper's journey; screenshots on failure, checks the guard. */
async function shopperStep(body) {
  try {
    await body(b.page);
    b.assertClean();
  } catch (err) {
    await b.shot('failure').catch(() => {});
    throw err;
  }
}

async function addToCart(page, { brand, product, size, quantity }) {
  await tab(page, '分类');
  await page.getByRole('link', { name: brand }).click();
  await page.getByRole('link', { name: product }).click();
  await page.getByRole('heading', { name: product }).waitFor();
  await page.getByRole('radio', { name: size, exact: true }).check();
  for (let i = 1; i < quantity; i++) await page.getByRole('button', { name: '增加数量' }).click();
  await page.getByRole('button', { name: '加入购物车' }).click();
  await page.locator('.form-status').getByText('已加入购物车').waitFor();
}

test('(a) a shopper registers, fills the cart, checks out and pays', { timeout: 180_000 }, () =>
  shopperStep(async (page) => {
    await page.goto(paths.shop);
    await page.locator('.carousel img').first().waitFor();
    assert.ok((await page.locator('.icon-grid a').count()) >= 1, 'home grid icons');
    await page.locator('.cards .card').first().waitFor();
    await b.shot('home');

    // Register with the code from the SMS outbox.
    await tab(page, '我的');
    await page.getByRole('link', { name: '注册' }).click();
    await page.getByLabel('用户名', { exact: true }).fill(shopper.username);
    await page.getByLabel('密码', { exact: true }).fill(shopper.password);
    await page.getByLabel('确认密码', { exact: true }).fill(shopper.password);
    await page.getByLabel('手机号', { exact: true }).fill(shopper.mobile);
    const before = outboxCount();
    await page.getByRole('button', { name: '获取验证码' }).click();
    await page.getByText(`验证码已发送至 ${shopper.mobile}`).waitFor();
    await page.getByLabel('验证码', { exact: true }).fill(await smsCode(shopper.mobile, before));
    await b.shot('register-form');
    await page.getByRole('button', { name: '注册', exact: true }).click();
    await page.waitForURL(/#\/me$/);
    await page.getByText(shopper.username, { exact: true }).waitFor();
    await b.shot('registered');

    // Two products into the cart.
    await addToCart(page, { brand: '耐克', product: 'Nike Revolution 7 男子公路跑步鞋', size: '42', quantity: 1 });
    await b.shot('added-first');
    await addToCart(page, { brand: '阿迪', product: 'adidas Ultraboost Light 跑鞋', size: '41', quantity: 2 });
    await b.shot('added-second');

    await tab(page, '购物车');
    await page.locator('.cart-line').nth(1).waitFor();
    assert.equal(await page.locator('.cart-line').count(), 2);
    assert.equal(await page.locator('[data-cart-total]').textContent(), '¥2397.00');
    await b.shot('cart');
    await page.getByRole('link', { name: '去结算' }).click();
    await page.waitForURL(/#\/checkout$/);

    if (ROUND2) {
      // A new address, added from the checkout and chosen on return.
      await page.getByText('还没有收货地址，请先新增一个。').waitFor();
      await page.getByRole('link', { name: '新增收货地址' }).click();
      await page.getByLabel('收货人', { exact: true }).fill('张三');
      await page.getByLabel('手机号', { exact: true }).fill(shopper.mobile);
      await page.getByLabel('省份', { exact: true }).fill('广东省');
      await page.getByLabel('城市', { exact: true }).fill('深圳市');
      await page.getByLabel('区/县', { exact: true }).fill('南山区');
      await page.getByLabel('详细地址', { exact: true }).fill('科技园路 1 号 101 室');
      await b.shot('new-address');
      await page.getByRole('button', { name: '保存地址' }).click();
      await page.waitForURL(/#\/checkout$/);
      await page.getByRole('radio', { name: /张三/ }).waitFor();
      assert.equal(await page.getByRole('radio', { name: /张三/ }).isChecked(), true);
    } else {
      // Today's backend has no /addresses: the page says so and still orders.
      b.allow(404, '/addresses', 'GET');
      await page.locator('.addr-choice .error').waitFor();
    }
    await b.shot('checkout');

    await page.getByRole('button', { name: '提交订单并微信支付' }).click();
    await page.waitForURL(/#\/pay\//);
    const qr = page.getByRole('img', { name: '微信支付二维码' });
    await qr.waitFor();
    assert.match(await qr.getAttribute('src'), /^data:image\/png;base64,/);
    orderNo = (await page.locator('[data-order-no]').textContent()).trim();
    assert.ok(orderNo.length > 0);
    assert.equal(await page.locator('.pay-amount .price').textContent(), '¥2397.00');
    await b.shot('wechat-qr');

    // The buyer's phone pays; the page is polling /queryOrder.
    await simPay(orderNo);
    await page.locator('.paid').getByRole('heading', { name: '支付成功' }).waitFor({ timeout: 30_000 });
    assert.equal(await titleOf(page), '支付成功');
    await b.shot('paid');

    await page.getByRole('link', { name: '查看订单' }).click();
    const card = page.locator(`[data-order="${orderNo}"]`);
    await card.locator('[data-trade-state="SUCCESS"]').waitFor();
    if (ROUND2) await card.locator('[data-fulfilment="UNSHIPPED"]').waitFor();
    assert.equal(await page.locator('.tabbar [data-cart-count]').isHidden(), true, 'ordered lines leave the cart');
    await b.shot('my-orders-paid');
  }),
);

test('(b) the owner finds the order and ships it; staff see only orders', { timeout: 180_000, skip: ROUND2_ONLY }, async () => {
  assert.ok(orderNo, 'scenario (a) made an order');
  const owner = { username: `owner_${RUN}`, password: 'owner-pass-1', mobile: freshMobile() };
  await registerUser(owner);
  grantRole(owner.username, 'admin');

  await withBrowser('b-owner', OWNER, async (o) => {
    const { page } = o;
    await page.goto(paths.admin);
    await consoleLogin(page, owner.username, owner.password);
    const nav = page.getByRole('navigation', { name: '后台导航' });
    await nav.getByRole('link', { name: '订单发货' }).waitFor();
    assert.equal(await nav.getByRole('link').count(), 7);
    await page.getByRole('heading', { name: '待发货订单' }).waitFor();
    await page.locator(`tr[data-order="${orderNo}"]`).waitFor();
    await o.shot('orders-to-ship');

    await page.getByRole('searchbox', { name: '搜索' }).fill(orderNo);
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/q=/);
    await page.locator(`tr[data-order="${orderNo}"]`).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1);
    await o.shot('search');

    await page.getByRole('link', { name: orderNo }).click();
    await page.getByText('张三', { exact: false }).first().waitFor();
    await page.getByText('科技园路 1 号 101 室', { exact: false }).waitFor();
    await page.getByRole('cell', { name: /Nike Revolution 7/ }).waitFor();
    await page.getByRole('cell', { name: /adidas Ultraboost Light/ }).waitFor();
    await o.shot('order-detail');

    await page.getByLabel('快递公司', { exact: true }).fill(CARRIER);
    await page.getByLabel('运单号', { exact: true }).fill(TRACKING);
    await page.getByRole('button', { name: '确认发货' }).click();
    await page.locator('.facts').getByText(TRACKING).waitFor();
    await page.locator('.state.s-shipped').first().waitFor();
    assert.equal(await page.getByRole('button', { name: '确认发货' }).count(), 0);
    await o.shot('shipped');

    await nav.getByRole('link', { name: '操作日志' }).click();
    await page.locator('tbody tr').first().waitFor();
    await o.shot('audit-log');
  });

  const staff = { username: `staff_${RUN}`, password: 'staff-pass-1', mobile: freshMobile() };
  await registerUser(staff);
  grantRole(staff.username, 'staff');
  await withBrowser('b-staff', OWNER, async (s) => {
    const { page } = s;
    await page.goto(paths.admin);
    await consoleLogin(page, staff.username, staff.password);
    const nav = page.getByRole('navigation', { name: '后台导航' });
    await nav.getByRole('link', { name: '订单发货' }).waitFor();
    assert.equal(await nav.getByRole('link').count(), 1);
    await page.getByRole('heading', { name: '待发货订单' }).waitFor();
    await s.shot('staff-orders');
    await page.evaluate(() => {
      location.hash = '#/products';
    });
    await page.getByRole('heading', { name: '仅限管理员' }).waitFor();
    await s.shot('staff-no-products');
  });
});

test('(c) the shopper confirms receipt', { timeout: 120_000, skip: ROUND2_ONLY }, () =>
  shopperStep(async (page) => {
    assert.ok(orderNo, 'scenario (a) made an order');
    await page.evaluate(() => {
      location.hash = '#/me';
    });
    await page.getByRole('link', { name: '我的订单' }).click();
    const card = page.locator(`[data-order="${orderNo}"]`);
    await card.locator('[data-fulfilment="SHIPPED"]').waitFor();
    await card.getByText(TRACKING, { exact: false }).waitFor();
    await b.shot('shipped');
    await card.getByRole('button', { name: '确认收货' }).click();
    await card.getByRole('button', { name: '确定已收到' }).click();
    await card.locator('[data-fulfilment="RECEIVED"]').waitFor();
    assert.equal(await card.getByRole('button', { name: '确认收货' }).count(), 0);
    await b.shot('received');
  }),
);
