// Pay an order the way it was placed: the WeChat QR code (a computer),
// WeChat's bridge (JSAPI, inside WeChat) or WeChat's cashier page (H5,
// another phone browser); POST /queryOrder {out_trade_no} every 2 s while
// the order is NOTPAY. A code not kept from checkout (a reload, another
// tab) is asked for again (POST /orders/{no}/pay). The receipt lists the
// lines ordered, each with its size, as kept at checkout.

import { h, replace, errorBox } from '/common/dom.js';
import { fen, dateTime, tradeStateLabel } from '/common/format.js';
import { payCodes } from '/shop/store.js';
import { loginPrompt, askFirst, lineName } from '/shop/ui.js';
import { tradeType, payInWechat, goToCashier, needsOpenid } from '/shop/phone.js';

const POLL_MS = 2000;

export default async function pay(ctx) {
  const no = ctx.params.no;
  ctx.setTitle('微信支付');
  if (!ctx.session.loggedIn) {
    ctx.main.append(loginPrompt('登录后查看订单。', ctx.route.hash.slice(1)));
    return;
  }
  let code = payCodes.get(no);
  const items = code?.items ?? [];
  const problem = h('div');
  if (!code?.payUrl && !code?.jsapi && !code?.h5_url) {
    // Not kept from checkout: the order opened again, the way it was placed.
    try {
      const { data } = await ctx.api.post(`/orders/${encodeURIComponent(no)}/pay`, { tradeType: code?.tradeType ?? tradeType(), next: `/#/pay/${encodeURIComponent(no)}` }, { auth: true });
      code = { ...data, items };
    } catch (err) {
      if (!ctx.alive() || err.redirected || needsOpenid(err)) return;
      // Paid, closed or placed another way: the state below says which.
      if (err.code !== 1061) replace(problem, errorBox(err));
    }
    if (!ctx.alive()) return;
  }
  const itemList = () =>
    items.length > 0 &&
    h('ul', { class: 'order-items receipt-items', 'aria-label': '商品' }, items.map((i) => h('li', null, h('span', null, `${lineName(i)} × ${i.quantity}`))));
  const state = h('p', { class: 'pay-state', role: 'status', 'aria-live': 'polite' }, '等待支付…');
  const box = h(
    'section',
    { class: 'pay' },
    h('p', null, '订单号 ', h('span', { class: 'mono', 'data-order-no': true }, no)),
    code && h('p', { class: 'pay-amount' }, '应付 ', h('strong', { class: 'price' }, fen(code.total_fee))),
    itemList(),
    payWay(),
    state,
    problem,
    h(
      'div',
      { class: 'row-actions' },
      h('a', { class: 'btn', href: '#/orders' }, '查看我的订单'),
      askFirst('取消订单', '确定取消这个订单？', cancel, { noText: '不取消', className: 'btn link danger' }),
    ),
  );
  ctx.main.append(box);

  let timer = null;
  ctx.onCleanup(() => clearTimeout(timer));

  function payWay() {
    const until = code?.expires_at && h('small', { class: 'muted' }, `请在 ${dateTime(code.expires_at)} 前完成支付`);
    if (code?.jsapi) {
      return h('div', { class: 'pay-phone' }, h('button', { type: 'button', class: 'btn primary block', onclick: (e) => wechatPay(e.currentTarget) }, '微信支付'), until);
    }
    if (code?.h5_url) {
      return h('div', { class: 'pay-phone' }, h('button', { type: 'button', class: 'btn primary block', onclick: (e) => cashier(e.currentTarget) }, '前往微信支付'), until);
    }
    if (code?.payUrl) {
      return h(
        'figure',
        { class: 'qr' },
        h('img', { src: code.payUrl, alt: '微信支付二维码', width: 220, height: 220 }),
        h('figcaption', null, '请用微信扫一扫支付', h('br'), until),
      );
    }
    return h('p', { class: 'notice' }, '暂时无法打开支付。若无法支付，请取消订单后重新下单。');
  }

  // Inside WeChat: the bridge pays; only the server says it is paid.
  async function wechatPay(button) {
    button.disabled = true;
    replace(problem);
    try {
      const outcome = await payInWechat(code.jsapi);
      if (!ctx.alive()) return;
      state.textContent = outcome === 'ok' ? '支付完成，正在确认…' : outcome === 'cancel' ? '已取消支付，可再次支付。' : '支付未完成，可再次支付。';
      if (outcome === 'ok') {
        clearTimeout(timer);
        await poll();
      }
    } catch (err) {
      if (ctx.alive()) replace(problem, errorBox(err));
    } finally {
      button.disabled = false;
    }
  }

  // Another phone browser: a fresh cashier link (they live 5 minutes).
  async function cashier(button) {
    button.disabled = true;
    replace(problem);
    try {
      const { data } = await ctx.api.post(`/orders/${encodeURIComponent(no)}/pay`, { tradeType: 'H5' }, { auth: true });
      goToCashier(data.h5_url, no);
    } catch (err) {
      button.disabled = false;
      if (ctx.alive() && !err.redirected) replace(problem, errorBox(err));
    }
  }

  function finish(data) {
    clearTimeout(timer);
    payCodes.drop(no);
    if (data.trade_state === 'SUCCESS') {
      ctx.setTitle('支付成功');
      replace(
        box,
        h('div', { class: 'paid', role: 'status' }, h('p', { class: 'paid-mark', 'aria-hidden': 'true' }, '✓'), h('h2', null, '支付成功')),
        h('p', null, '订单号 ', h('span', { class: 'mono', 'data-order-no': true }, data.out_trade_no)),
        h('p', null, '实付 ', h('strong', { class: 'price' }, fen(data.total_fee))),
        itemList(),
        data.paid_at && h('p', { class: 'muted' }, `支付时间 ${dateTime(data.paid_at)}`),
        h('p', { class: 'muted' }, data.address ? '我们会尽快为您发货。' : '请在「我的订单」里填写收货地址，以便发货。'),
        h('div', { class: 'row-actions' }, h('a', { class: 'btn primary', href: '#/orders' }, '查看订单'), h('a', { class: 'btn', href: '#/' }, '继续购物')),
      );
      box.querySelector('h2').setAttribute('tabindex', '-1');
      box.querySelector('h2').focus();
    } else {
      ctx.setTitle(tradeStateLabel(data.trade_state));
      replace(
        box,
        h('h2', null, `订单${tradeStateLabel(data.trade_state)}`),
        h('p', null, '订单号 ', h('span', { class: 'mono' }, data.out_trade_no)),
        h('div', { class: 'row-actions' }, h('a', { class: 'btn', href: '#/orders' }, '查看订单'), h('a', { class: 'btn', href: '#/' }, '继续购物')),
      );
    }
  }

  async function poll() {
    let delay = POLL_MS;
    try {
      const { data } = await ctx.api.post('/queryOrder', { out_trade_no: no }, { auth: true });
      if (!ctx.alive()) return;
      replace(problem);
      // NOTPAY is the one unpaid state the server sends (WeChat's USERPAYING
      // and a close in progress read as NOTPAY); any other state is final.
      if (data.trade_state === 'NOTPAY') {
        state.textContent = '等待支付…';
      } else {
        finish(data);
        return;
      }
    } catch (err) {
      if (!ctx.alive() || err.redirected) return;
      replace(problem, errorBox(err));
      if (err.code === 1060) return; // not this user's order, or none
      if (err.retryAfter) delay = err.retryAfter * 1000;
    }
    timer = setTimeout(poll, delay);
  }

  async function cancel(button) {
    button.disabled = true;
    try {
      const { data } = await ctx.api.post('/closeOrder', { out_trade_no: no }, { auth: true });
      if (ctx.alive()) finish(data);
    } catch (err) {
      button.disabled = false;
      if (ctx.alive() && !err.redirected) replace(problem, errorBox(err));
    }
  }

  await poll();
}
