// Checkout: choose a delivery address (GET /addresses), then
// POST /order {items:[{productId, size, quantity}], addressId} and go to the QR code.

import { h, replace, formStatus, onSubmit, errorBox, loading } from '/common/dom.js';
import { yuan } from '/common/format.js';
import { link } from '/common/router.js';
import { goLogin, payCodes } from '/shop/store.js';
import { addressSummary } from '/shop/addresses.js';
import { PICKED_KEY } from '/shop/address-form.js';

/** Cart lines to order lines: one per product and size (a line without a
 * size names the product only, for a product sold in one size). */
export function orderItems(lines) {
  const bySku = new Map();
  for (const l of lines) {
    const key = `${l.productId}\u0000${l.size ?? ''}`;
    const line = bySku.get(key) ?? { productId: l.productId, ...(l.size ? { size: l.size } : {}), quantity: 0 };
    line.quantity = Math.min(99, line.quantity + l.quantity);
    bySku.set(key, line);
  }
  return [...bySku.values()];
}

export default async function checkout(ctx) {
  ctx.setTitle('确认订单');
  if (!ctx.session.loggedIn) {
    goLogin('/checkout');
    return;
  }
  const lines = ctx.cart.lines.filter((l) => l.stock > 0);
  if (lines.length === 0) {
    ctx.main.append(h('section', { class: 'empty' }, h('p', null, '没有可结算的商品。'), h('a', { class: 'btn', href: '#/cart' }, '回购物车')));
    return;
  }
  const addrBox = h('fieldset', { class: 'addr-choice' }, h('legend', null, '收货地址'));
  const status = formStatus();
  const total = lines.reduce((sum, l) => sum + Math.round(l.price * 100) * l.quantity, 0);
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
        lines.map((l) => h('li', null, h('span', null, `${l.name}${l.size ? `（${l.size} 码）` : ''} × ${l.quantity}`), h('span', { class: 'price' }, yuan(l.price * l.quantity)))),
      ),
      h('p', { class: 'total' }, '合计 ', h('strong', { class: 'price' }, yuan(total / 100)), h('small', { class: 'muted' }, '（以实际支付金额为准）')),
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
      const body = { items: orderItems(lines) };
      if (picked) body.addressId = Number(picked);
      const { data } = await ctx.api.post('/order', body, { auth: true });
      payCodes.put(data);
      for (const i of body.items) ctx.cart.remove(i.productId, i.size);
      ctx.navigate(`#/pay/${encodeURIComponent(data.out_trade_no)}`, { replace: true });
    },
    { busyText: '正在下单…' },
  );

  await loadAddresses();
}
