// Checkout: choose a delivery address (GET /addresses), then order the
// buyer's cart on the server (POST /order {fromCart: true, addressId}: its
// available lines, which the order takes out of the cart) and go to the QR
// code (a computer), WeChat's bridge (inside WeChat) or cashier (another
// phone browser). Lines that cannot be ordered now stay in the cart.

import { h, replace, formStatus, onSubmit, errorBox, loading } from '/common/dom.js';
import { fen } from '/common/format.js';
import { link } from '/common/router.js';
import { goLogin, payCodes } from '/shop/store.js';
import { addressSummary } from '/shop/addresses.js';
import { PICKED_KEY } from '/shop/address-form.js';
import { lineName } from '/shop/ui.js';
import { tradeType, needsOpenid } from '/shop/phone.js';

export default async function checkout(ctx) {
  ctx.setTitle('确认订单');
  if (!ctx.session.loggedIn) {
    goLogin('/checkout');
    return;
  }
  const wait = loading();
  ctx.main.append(wait);
  try {
    await ctx.cart.load();
  } catch (err) {
    if (ctx.alive() && !err.redirected) replace(ctx.main, errorBox(err, () => ctx.navigate('#/checkout', { replace: true })));
    return;
  }
  if (!ctx.alive()) return;
  wait.remove();
  const lines = ctx.cart.lines.filter((l) => l.available);
  const left = ctx.cart.lines.length - lines.length;
  if (lines.length === 0) {
    ctx.main.append(h('section', { class: 'empty' }, h('p', null, '没有可结算的商品。'), h('a', { class: 'btn', href: '#/cart' }, '回购物车')));
    return;
  }
  const addrBox = h('fieldset', { class: 'addr-choice' }, h('legend', null, '收货地址'));
  const status = formStatus();
  const total = ctx.cart.totalFee;
  const form = h(
    'form',
    { class: 'checkout', novalidate: true },
    addrBox,
    h(
      'section',
      { class: 'section' },
      h('h2', null, '商品'),
      h(
        'ul',
        { class: 'summary-lines' },
        lines.map((l) => h('li', { 'data-sku': l.skuId }, h('span', null, `${lineName(l)} × ${l.quantity}`), h('span', { class: 'price' }, fen(Math.round(Number(l.price) * 100) * l.quantity)))),
      ),
      left > 0 && h('p', { class: 'muted' }, `购物车里另有 ${left} 件缺货或已下架的商品，不在本次结算中。`),
      h('p', { class: 'total' }, '合计 ', h('strong', { class: 'price' }, fen(total)), h('small', { class: 'muted' }, '（以实际支付金额为准）')),
    ),
    status.el,
    h('button', { type: 'submit', class: 'btn primary block' }, '提交订单并微信支付'),
  );
  ctx.main.append(form);

  let addresses = null;
  async function loadAddresses() {
    replace(addrBox, h('legend', null, '收货地址'), loading());
    try {
      addresses = (await ctx.api.get('/addresses', { auth: true })).addresses ?? [];
    } catch (err) {
      if (err.redirected || !ctx.alive()) return;
      addresses = null;
      replace(
        addrBox,
        h('legend', null, '收货地址'),
        errorBox(err, loadAddresses),
        h('p', { class: 'muted' }, '也可以先下单付款，之后在「我的订单」里填写收货地址（未填写地址的订单无法发货）。'),
      );
      return;
    }
    if (!ctx.alive()) return;
    const picked = sessionStorage.getItem(PICKED_KEY);
    sessionStorage.removeItem(PICKED_KEY);
    const chosen = addresses.find((a) => String(a.id) === picked) ?? addresses.find((a) => a.isDefault) ?? addresses[0];
    replace(
      addrBox,
      h('legend', null, '收货地址'),
      addresses.length === 0 && h('p', { class: 'muted' }, '还没有收货地址，请先新增一个。'),
      addresses.map((a) =>
        h(
          'label',
          { class: 'addr-option' },
          h('input', { type: 'radio', name: 'addressId', value: a.id, checked: a === chosen }),
          h('span', { class: 'addr-text' }, addressSummary(a)),
        ),
      ),
      h('a', { class: 'btn small', href: link('/addresses/new', { back: '/checkout' }) }, '新增收货地址'),
    );
  }

  onSubmit(
    form,
    status,
    async () => {
      const picked = new FormData(form).get('addressId');
      if (addresses && addresses.length > 0 && !picked) throw new Error('请选择收货地址');
      if (addresses && addresses.length === 0) throw new Error('请先新增收货地址');
      const body = { fromCart: true, tradeType: tradeType(), next: '/#/checkout' };
      if (picked) body.addressId = Number(picked);
      let data;
      try {
        ({ data } = await ctx.api.post('/order', body, { auth: true }));
      } catch (err) {
        // Inside WeChat the first time: WeChat tells us who pays, then back here.
        if (needsOpenid(err)) return;
        throw err;
      }
      // What was ordered, for the payment page and its receipt (the order's
      // reply carries the code, not the lines).
      payCodes.put(data, lines.map((l) => ({ name: l.name, size: l.size, colour: l.colour, quantity: l.quantity })));
      // The order took its lines out of the server's cart.
      await ctx.cart.load().catch(() => {});
      ctx.navigate(`#/pay/${encodeURIComponent(data.out_trade_no)}`, { replace: true });
    },
    { busyText: '正在下单…' },
  );

  await loadAddresses();
}
