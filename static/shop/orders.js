// My orders (GET /orders): payment and delivery state, pay, set the address
// (PUT /orders/{no}/address), confirm receipt (POST /orders/{no}/receive).

import { h, replace, loading, errorBox } from '/common/dom.js';
import { fen, dateTime, tradeStateLabel, fulfilmentLabel, addressLine } from '/common/format.js';
import { payCodes } from '/shop/store.js';
import { loginPrompt, askFirst, lineName } from '/shop/ui.js';
import { addressSummary } from '/shop/addresses.js';

const PAGE_SIZE = 10;

export default async function orders(ctx) {
  ctx.setTitle('我的订单');
  if (!ctx.session.loggedIn) {
    ctx.main.append(loginPrompt('登录后查看订单。', '/orders'));
    return;
  }
  const list = h('ul', { class: 'orders' });
  const footer = h('div', { class: 'list-footer' });
  ctx.main.append(list, footer);

  let page = 1;
  let after = null;
  async function more() {
    replace(footer, loading());
    try {
      const query = { pageSize: PAGE_SIZE };
      if (after) query.after = after;
      else query.page = page;
      const r = await ctx.api.get('/orders', { query, auth: true });
      if (!ctx.alive()) return;
      for (const o of r.orders ?? []) list.append(orderCard(ctx, o));
      after = r.next ?? null;
      page += 1;
      const hasMore = 'next' in r ? Boolean(r.next) : (r.page ?? 1) * (r.pageSize ?? PAGE_SIZE) < (r.total ?? 0);
      replace(footer);
      if (list.children.length === 0) footer.append(h('section', { class: 'empty' }, h('p', null, '还没有订单。'), h('a', { class: 'btn primary', href: '#/' }, '去逛逛')));
      else if (hasMore) footer.append(h('button', { type: 'button', class: 'btn', onClick: more }, '加载更多'));
    } catch (err) {
      if (ctx.alive() && !err.redirected) replace(footer, errorBox(err, more));
    }
  }
  await more();
}

function orderCard(ctx, o) {
  const li = h('li', { class: 'order', 'data-order': o.out_trade_no });
  const draw = (order) => replace(li, ...cardContent(ctx, order, draw));
  draw(o);
  return li;
}

function cardContent(ctx, o, redraw) {
  const problem = h('div');
  const actions = h('div', { class: 'row-actions' });

  async function act(button, work, done) {
    button.disabled = true;
    replace(problem);
    try {
      const { data } = await work();
      ctx.toast(done);
      // Keep the items and times of the list entry; take the new states.
      redraw({ ...o, ...data, items: o.items, created_at: o.created_at });
    } catch (err) {
      button.disabled = false;
      if (!err.redirected) replace(problem, errorBox(err));
    }
  }

  const unpaid = o.trade_state === 'NOTPAY';
  const code = unpaid ? payCodes.get(o.out_trade_no) : null;
  if (code) actions.append(h('a', { class: 'btn primary small', href: `#/pay/${encodeURIComponent(o.out_trade_no)}` }, '去支付'));
  if (unpaid) {
    actions.append(
      askFirst('取消订单', '确定取消这个订单？', (yes) =>
        act(yes, () => ctx.api.post('/closeOrder', { out_trade_no: o.out_trade_no }, { auth: true }), '订单已取消'),
      { noText: '不取消' }),
    );
  }
  const open = o.trade_state === 'NOTPAY' || o.trade_state === 'SUCCESS';
  if (open && (o.fulfilment ?? 'UNSHIPPED') === 'UNSHIPPED') {
    actions.append(
      h('button', { type: 'button', class: 'btn small', onClick: () => pickAddress(ctx, o, problem, act) }, o.address ? '修改收货地址' : '填写收货地址'),
    );
  }
  if (o.fulfilment === 'SHIPPED') {
    const receive = h('button', { type: 'button', class: 'btn primary small' }, '确认收货');
    receive.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'btn primary small' }, '确定已收到');
      const no = h('button', { type: 'button', class: 'btn small', onClick: () => redraw(o) }, '取消');
      replace(actions, h('span', null, '确认已收到全部商品？'), yes, no);
      yes.focus();
      yes.addEventListener('click', () =>
        act(yes, () => ctx.api.post(`/orders/${encodeURIComponent(o.out_trade_no)}/receive`, {}, { auth: true }), '已确认收货'),
      );
    });
    actions.append(receive);
  }

  const s = o.shipment;
  return [
    h(
      'div',
      { class: 'order-head' },
      h('span', { class: 'mono' }, o.out_trade_no),
      h('span', { class: 'muted' }, dateTime(o.created_at)),
    ),
    h(
      'p',
      { class: 'order-states' },
      h('span', { class: `state state-${String(o.trade_state).toLowerCase()}`, 'data-trade-state': o.trade_state }, tradeStateLabel(o.trade_state)),
      o.fulfilment && h('span', { class: 'state', 'data-fulfilment': o.fulfilment }, fulfilmentLabel(o.fulfilment)),
      o.refund_pending && h('span', { class: 'state' }, '退款处理中'),
    ),
    o.items?.length > 0 &&
      h(
        'ul',
        { class: 'order-items' },
        o.items.map((i) => h('li', { 'data-sku': i.skuId ?? null }, h('span', null, `${lineName(i)} × ${i.quantity}`), h('span', null, fen(i.unit_fee * i.quantity)))),
      ),
    h('p', { class: 'order-total' }, '合计 ', h('strong', { class: 'price' }, fen(o.total_fee))),
    o.address
      ? h('p', { class: 'muted' }, `收货：${o.address.name} ${o.address.mobile} ${addressLine(o.address)}`)
      : open && h('p', { class: 'muted' }, '未填写收货地址'),
    s && h('p', null, `物流：${s.carrier} ${s.trackingNo}`, s.shippedAt && h('span', { class: 'muted' }, `（${dateTime(s.shippedAt)} 发货）`)),
    o.receivedAt && h('p', { class: 'muted' }, `已于 ${dateTime(o.receivedAt)} 确认收货`),
    problem,
    actions,
  ];
}

/** Lets the user pick one of their addresses for the order. */
async function pickAddress(ctx, o, problem, act) {
  replace(problem, loading('加载收货地址…'));
  let list;
  try {
    list = (await ctx.api.get('/addresses', { auth: true })).addresses ?? [];
  } catch (err) {
    if (!err.redirected) replace(problem, errorBox(err));
    return;
  }
  if (list.length === 0) {
    replace(problem, h('p', null, '还没有收货地址。', h('a', { href: '#/addresses/new?back=/orders' }, '新增收货地址')));
    return;
  }
  const name = `addr-${o.out_trade_no}`;
  const save = h('button', { type: 'submit', class: 'btn primary small' }, '使用这个地址');
  const form = h(
    'form',
    { class: 'addr-pick' },
    h(
      'fieldset',
      null,
      h('legend', null, '选择收货地址'),
      list.map((a) =>
        h('label', { class: 'addr-option' }, h('input', { type: 'radio', name, value: a.id, checked: a.isDefault }), h('span', { class: 'addr-text' }, addressSummary(a))),
      ),
    ),
    save,
    h('button', { type: 'button', class: 'btn small', onClick: () => replace(problem) }, '取消'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = new FormData(form).get(name);
    if (!id) return;
    act(save, () => ctx.api.put(`/orders/${encodeURIComponent(o.out_trade_no)}/address`, { addressId: Number(id) }, { auth: true }), '收货地址已更新');
  });
  replace(problem, form);
  form.querySelector('input')?.focus();
}
