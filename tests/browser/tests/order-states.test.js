// Order states come from the server: (h) every filter the owner console
// offers for its order list is one the server takes, and (i) the storefront
// and the console name only states the server publishes for its replies.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN, ROUND2, freshMobile } from '../lib/env.js';
import { api, registerUser, grantRole, simPay, entryPaths, publishedStates } from '../lib/backend.js';
import { withBrowser, SHOPPER, OWNER } from '../lib/browser.js';
import { consoleLogin } from '../lib/steps.js';

const ROUND2_ONLY = !ROUND2 && 'needs the second backend round (roles, /admin/orders)';
const FILTERS = ['trade_state', 'fulfilment'];
// The order list's columns of the two states (1-based, for nth-child).
const COLUMN = { trade_state: 5, fulfilment: 6 };
const STATIC = new URL('../../../static/', import.meta.url);

let paths;
before(async () => {
  paths = await entryPaths();
});

/** POST /order for one pair of shoes; the order number. */
async function placeOrder(token) {
  const r = await api('POST', '/order', { items: [{ productId: 6, size: '40', quantity: 1 }] }, token);
  assert.equal(r.status, 200, `POST /order: ${JSON.stringify(r.body)}`);
  return r.body.data.out_trade_no;
}

/** Asks the shop until the order reads `state` (the simulator notifies it). */
async function waitForState(token, no, state) {
  let last;
  for (let i = 0; i < 100; i++) {
    last = await api('POST', '/queryOrder', { out_trade_no: no }, token);
    if (last.body?.data?.trade_state === state) return;
    await sleep(100);
  }
  throw new Error(`${no} did not become ${state}: ${JSON.stringify(last?.body)}`);
}

test('(h) every order filter the console offers answers 200 and shows no error', { timeout: 240_000, skip: ROUND2_ONLY }, async () => {
  // Orders in a few states, so some filters list rows.
  const buyer = await registerUser({ username: `hbuyer_${RUN}`, password: 'buyer-pass-1', mobile: freshMobile() });
  await placeOrder(buyer.token);
  const paid = await placeOrder(buyer.token);
  await simPay(paid);
  await waitForState(buyer.token, paid, 'SUCCESS');
  const closed = await placeOrder(buyer.token);
  const close = await api('POST', '/closeOrder', { out_trade_no: closed }, buyer.token);
  assert.equal(close.status, 200, `POST /closeOrder: ${JSON.stringify(close.body)}`);

  const owner = { username: `hadmin_${RUN}`, password: 'owner-pass-2', mobile: freshMobile() };
  await registerUser(owner);
  grantRole(owner.username, 'admin');
  const { filters: published } = await publishedStates();

  await withBrowser('h-order-filters', OWNER, async (o) => {
    const { page } = o;
    let documentLoads = 0;
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/openapi.json') documentLoads += 1;
    });
    await page.goto(paths.admin);
    await consoleLogin(page, owner.username, owner.password);
    await page.getByRole('heading', { name: '待发货订单' }).waitFor();
    const select = (name) => page.locator(`form.filters select[name="${name}"]`);
    const offered = {};
    for (const name of FILTERS) {
      offered[name] = (await select(name).locator('option').evaluateAll((os) => os.map((x) => x.value))).filter(Boolean);
      assert.ok(offered[name].length > 0, `the console offers ${name} values`);
    }
    await o.shot('filters');

    for (const name of FILTERS) {
      const other = FILTERS.find((f) => f !== name);
      for (const value of offered[name]) {
        await select(name).selectOption(value);
        await select(other).selectOption('');
        const reply = page.waitForResponse((res) => {
          const url = new URL(res.url());
          return (
            res.request().method() === 'GET' &&
            url.pathname === '/admin/orders' &&
            url.searchParams.get(name) === value &&
            !url.searchParams.has(other)
          );
        });
        await page.getByRole('button', { name: '筛选' }).click();
        const res = await reply;
        assert.equal(res.status(), 200, `GET /admin/orders?${name}=${value}: ${await res.text()}`);
        await page.locator('.list-footer').getByText(/已显示|没有符合条件的订单/).waitFor();
        assert.equal(await page.locator('#main [role="alert"]').count(), 0, `${name}=${value}: an error is shown`);
        // The list shows only orders in the chosen state, chosen in the form.
        const badges = await page
          .locator(`tr[data-order] td:nth-child(${COLUMN[name]}) .state`)
          .evaluateAll((els) => els.map((el) => [...el.classList]));
        for (const classes of badges) assert.ok(classes.includes(`s-${value.toLowerCase()}`), `${name}=${value}: a row shows ${classes}`);
        assert.equal(await select(name).inputValue(), value);
        await o.shot(`${name}-${value.toLowerCase()}`);
        o.assertClean();
      }
    }
    // The choices are the server's, none missing.
    for (const name of FILTERS) assert.deepEqual([...offered[name]].sort(), [...published[name]].sort(), name);
    // The paid and the closed order were found by their states.
    for (const [value, no] of [['SUCCESS', paid], ['CLOSED', closed]]) {
      await select('trade_state').selectOption(value);
      await select('fulfilment').selectOption('');
      await page.getByRole('button', { name: '筛选' }).click();
      await page.locator(`tr[data-order="${no}"]`).waitFor();
    }
    // One page, one load of the document, however many lists were shown.
    assert.equal(documentLoads, 1, 'the console fetches /openapi.json once');
  });
});

/**
 * The state names a file compares an order's `trade_state` or `fulfilment`
 * with (`o.trade_state === 'SUCCESS'`, `(o.fulfilment ?? 'X') !== 'SHIPPED'`).
 */
function comparedStates(source) {
  const found = [];
  const re = /\b(trade_state|fulfilment)\)?\s*(?:\?\?\s*'[A-Z_]*'\s*\)\s*)?[!=]==?\s*'([A-Za-z_]+)'/g;
  for (const m of source.matchAll(re)) found.push({ field: m[1], value: m[2] });
  return found;
}

test('(i) the storefront and the console name only order states the server sends', { timeout: 120_000 }, async () => {
  const { replies } = await publishedStates();
  for (const name of FILTERS) assert.ok(replies[name].length > 0, `replies publish ${name}`);

  let compared = 0;
  for (const dir of ['shop', 'console', 'common']) {
    for (const file of readdirSync(new URL(`${dir}/`, STATIC)).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(new URL(`${dir}/${file}`, STATIC), 'utf8');
      for (const { field, value } of comparedStates(source)) {
        compared += 1;
        assert.ok(replies[field].includes(value), `static/${dir}/${file} waits for or tests ${field} ${value}, which the server never sends (it sends ${replies[field].join(', ')})`);
      }
    }
  }
  assert.ok(compared >= 5, `the faces' state comparisons were found (${compared})`);

  // The label tables the faces load name only published states.
  await withBrowser('i-state-labels', SHOPPER, async (b) => {
    const { page } = b;
    await page.goto(paths.shop);
    await page.locator('.cards .card').first().waitFor();
    const labels = await page.evaluate(async () => {
      const format = await import('/common/format.js');
      return { trade_state: Object.keys(format.TRADE_STATE_LABELS), fulfilment: Object.keys(format.FULFILMENT_LABELS) };
    });
    for (const name of FILTERS) {
      for (const value of labels[name]) assert.ok(replies[name].includes(value), `a label for ${name} ${value}, which the server never sends`);
    }
  });
});
