// Error paths: (d) a wrong password, (e) an expired session, (f) a sold-out
// product, and a signed-in shopper without a role at the owner console.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RUN, freshMobile } from '../lib/env.js';
import { registerUser, setStock, refusedToken, entryPaths } from '../lib/backend.js';
import { withBrowser, SHOPPER, OWNER } from '../lib/browser.js';
import { shopLogin, consoleLogin, titleOf } from '../lib/steps.js';

let paths;
before(async () => {
  paths = await entryPaths();
});

test('(d) a wrong password shows the error and a right one signs in', { timeout: 120_000 }, async () => {
  const user = { username: `d_${RUN}`, password: 'right-pass-1', mobile: freshMobile() };
  await registerUser(user);
  await withBrowser('d-wrong-password', SHOPPER, async (b) => {
    const { page } = b;
    await page.goto(`${paths.shop}#/login`);
    await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    await b.shot('login-form');

    b.allow(401, '/login', 'POST');
    await shopLogin(page, user.username, 'wrong-pass-9');
    const alert = page.getByRole('alert').filter({ hasText: '登录失败' });
    await alert.waitFor();
    assert.match(await alert.textContent(), /login failed|登录失败/);
    assert.match(page.url(), /#\/login/);
    assert.equal(await page.evaluate(() => localStorage.getItem('letao.token')), null);
    await b.shot('wrong-password-error');

    await page.getByLabel('密码', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(/#\/me$/);
    await page.getByText(user.username, { exact: true }).waitFor();
    await b.shot('signed-in');
  });
});

test('(e) an expired session goes to log-in and comes back', { timeout: 120_000 }, async () => {
  const user = { username: `e_${RUN}`, password: 'right-pass-2', mobile: freshMobile() };
  const reply = await registerUser(user);
  const stale = refusedToken(reply.userInfo.id, reply.token);
  await withBrowser('e-expired-session', SHOPPER, async (b) => {
    const { page } = b;
    await page.goto(`${paths.shop}#/`);
    await page.locator('.cards .card').first().waitFor();
    // A session from two days ago: the token is still stored, the server refuses it.
    await page.evaluate(
      ([token, info]) => {
        localStorage.setItem('letao.token', token);
        localStorage.setItem('letao.user', JSON.stringify(info));
      },
      [stale, reply.userInfo],
    );
    b.allow(401, '/orders', 'GET');
    await page.evaluate(() => {
      location.hash = '#/orders';
    });
    await page.waitForURL(/#\/login\?back=%2Forders$/);
    await page.getByText('请先登录，登录后将回到刚才的页面。').waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('letao.token')), null);
    await b.shot('sent-to-login');

    await shopLogin(page, user.username, user.password);
    await page.waitForURL(/#\/orders$/);
    assert.equal(await titleOf(page), '我的订单');
    await page.getByText('还没有订单。').waitFor();
    await b.shot('back-at-orders');
  });
});

test('(f) a sold-out product cannot be added to the cart', { timeout: 120_000 }, async () => {
  const SOLD_OUT = 21; // 女士 百搭 帆布鞋, brand 7
  setStock(SOLD_OUT, 0);
  await withBrowser('f-sold-out', SHOPPER, async (b) => {
    const { page } = b;
    await page.goto(`${paths.shop}#/brand/7`);
    const card = page.locator(`a[href="#/product/${SOLD_OUT}"]`);
    await card.getByText('已售罄').waitFor();
    await b.shot('list-shows-sold-out');

    await card.click();
    await page.getByRole('heading', { name: '女士 百搭 帆布鞋' }).waitFor();
    const button = page.getByRole('button', { name: '已售罄' });
    assert.equal(await button.isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: '加入购物车' }).count(), 0);
    assert.equal(await page.getByText('库存 0 件').count(), 1);
    for (const radio of await page.getByRole('radio').all()) assert.equal(await radio.isDisabled(), true);
    // Even a forced submit adds nothing.
    await page.locator('form.buy-form').evaluate((form) => form.requestSubmit());
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('letao.cart') ?? '[]'));
    assert.deepEqual(stored, []);
    assert.equal(await page.locator('.tabbar [data-cart-count]').isHidden(), true);
    await b.shot('product-sold-out');
  });
});

test('a shopper without a role sees "no access" at the owner console', { timeout: 120_000 }, async () => {
  const user = { username: `g_${RUN}`, password: 'right-pass-3', mobile: freshMobile() };
  await registerUser(user);
  await withBrowser('g-no-access', OWNER, async (b) => {
    const { page } = b;
    await page.goto(paths.admin);
    await page.getByRole('heading', { name: '店铺后台登录' }).waitFor();
    await consoleLogin(page, user.username, user.password);
    await page.getByRole('heading', { name: '无权访问' }).waitFor();
    assert.equal(await page.locator('#nav').isHidden(), true);
    await b.shot('no-access');
  });
});
